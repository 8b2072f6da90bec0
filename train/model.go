package train

import (
	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/train/data"
)

// Model is what Run trains: a network with its optimizer. The layers of
// package nn, the loss and the quantized update plug in behind it.
type Model interface {
	// Step does one training step on batch b: forward, loss, backward and
	// the update with s.Phase's quantized learning rate lr_q = LRCode·2^-9
	// and g_scale (method.md B§2.6, B§2.8), drawing its stochastic rounding
	// from quant.RNGKey{Seed: s.Seed, Step: s.RNGStep, Tensor: ...}. It
	// returns the mean loss over the batch and the number of samples
	// classified correctly. b is valid only during the call (Run reuses
	// its buffers).
	Step(b *data.Batch, s StepInfo) (loss float64, correct int, err error)
	// Evaluate does return the mean loss and the accuracy (a fraction in
	// [0, 1]) on ds, in evaluation mode (BN moving averages), without
	// changing any state that State saves.
	Evaluate(ds *data.Dataset) (loss, accuracy float64, err error)
	// State does return everything a resumed run needs: master weights,
	// momentum, BN statistics and any counters, under stable keys.
	State() (statedict.Dict, error)
	// LoadState does restore a State result; after it, the model must
	// behave exactly as the model that produced it.
	LoadState(d statedict.Dict) error
}

// StepInfo tells Model.Step where in the run it is.
type StepInfo struct {
	Step    int64  // 0-based: the number of steps taken before this one
	Total   int64  // steps in the whole run
	Epoch   int    // 0-based epoch
	Batch   int    // 0-based batch within the epoch
	Seed    uint64 // the run's seed (Config.Seed)
	RNGStep uint32 // Philox step counter of this step: uint32(Step)
	Phase   Phase  // schedule phase: lr, its 10-bit code, g_scale
}
