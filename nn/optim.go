package nn

import (
	"fmt"
	"strings"

	"github.com/wageubn/wageubn/gpu"
)

// Default hyper-parameters of the float optimizers.
const (
	// SGDMomentum and SGDWeightDecay are the float recipe's PyTorch SGD
	// settings (momentum 0.9, weight decay 1e-4 on Param.Decay params).
	SGDMomentum    = 0.9
	SGDWeightDecay = 1e-4
	// AdamLR is the learning rate of retrained log2_t thresholds
	// (method.md B§7.2: Adam at 1e-2).
	AdamLR = 1e-2
)

// Optimizer applies one update to every trainable parameter of a [List]
// after Backward, on the same recorder:
//
//   - integer masters (I32 codes, exponent -23): r.OptimWageubn(master,
//     momentum, G, LRCode) (full8, momentum 1/4), or r.OptimWageubnPlus when
//     the layer's Config.GKeepsMagnitude is set (full8plus, momentum 7/8)
//     and G is I8 codes; BN's G_BN (I32 codes, exponent -14, the same
//     in both recipes) always goes through r.OptimWageubn, since the
//     full8plus kernel takes I8 G only.
//     Weight decay is not applied here: the layers apply it to the
//     gradient before G quantization (method.md A8, quant_decay);
//   - float32 masters: r.OptimSGD, PyTorch's SGD with LR, momentum
//     SGDMomentum and weight decay SGDWeightDecay on Param.Decay params;
//   - retrained thresholds (float32 params named *log2_t): r.OptimAdam at
//     AdamLR (method.md B§7.2).
//
// Momentum tensors (Param.Momentum, and Adam's second moments) are
// allocated at the first update of a parameter, zeroed. A parameter
// without a gradient (Param.Grad nil: no loss gradient reached its layer)
// is skipped. The zero Optimizer is not usable; use [NewOptimizer].
type Optimizer struct {
	// LRCode is the integer learning rate lr_q = LRCode·2^-9 (method.md
	// B§2.8; the schedule phase's code).
	LRCode int
	// LR is the float learning rate of float32 masters (the phase's
	// nominal rate).
	LR float32
	// Momentum and WeightDecay of the float SGD.
	Momentum, WeightDecay float32
	// AdamLR is the learning rate of retrained log2_t thresholds.
	AdamLR float32

	adamV     map[*Param]*gpu.Tensor // Adam's second moments
	adamSteps int                    // Adam updates done (PyTorch's step, shared)
}

// NewOptimizer returns an optimizer with learning-rate code lrCode for
// integer masters and lr for float ones, and the default float settings.
func NewOptimizer(lrCode int, lr float32) *Optimizer {
	return &Optimizer{LRCode: lrCode, LR: lr, Momentum: SGDMomentum, WeightDecay: SGDWeightDecay, AdamLR: AdamLR}
}

// isLog2T reports whether a parameter is a TQT threshold.
func isLog2T(name string) bool { return strings.HasSuffix(name, "log2_t") }

// isIntegerMaster reports whether t holds integer master codes.
func isIntegerMaster(t *gpu.Tensor) bool { return t.DType() == gpu.I32 && t.Exp == gpu.ExpMaster }

// Step records the update of every trainable parameter of net on p.R.
// Errors (a gradient of the wrong kind, an allocation failure) stick in
// p.R.
func (o *Optimizer) Step(p *Pass, net *List) {
	r := p.R
	if r.Err() != nil {
		return
	}
	adamStepped := false
	for _, m := range net.Modules() {
		cfg := m.Config()
		plus := cfg != nil && cfg.Quant && cfg.GKeepsMagnitude
		for _, par := range m.Params() {
			if !par.Trainable || par.Grad == nil || par.Value == nil {
				continue
			}
			key := m.Name() + "." + par.Name
			if err := o.ensureMomentum(r.Device(), par); err != nil {
				r.Fail(fmt.Errorf("nn: optimizer state of %s: %w", key, err))
				return
			}
			switch {
			case isIntegerMaster(par.Value):
				if plus && par.Grad.DType() == gpu.I8 {
					r.OptimWageubnPlus(par.Value, par.Momentum, par.Grad, o.LRCode)
				} else {
					r.OptimWageubn(par.Value, par.Momentum, par.Grad, o.LRCode)
				}
			case par.Value.DType() == gpu.F32 && isLog2T(par.Name):
				if !adamStepped {
					o.adamSteps++
					adamStepped = true
				}
				r.OptimAdam(par.Value, par.Momentum, o.adamV[par], par.Grad, gpu.Adam{LR: o.AdamLR}, o.adamSteps)
			case par.Value.DType() == gpu.F32:
				wd := float32(0)
				if par.Decay {
					wd = o.WeightDecay
				}
				r.OptimSGD(par.Value, par.Momentum, par.Grad, o.LR, o.Momentum, wd)
			default:
				r.Fail(fmt.Errorf("%w: parameter %s is %v, neither integer master codes (I32, exponent %d) nor float32",
					ErrNetwork, key, par.Value, gpu.ExpMaster))
				return
			}
			if r.Err() != nil {
				return
			}
		}
	}
}

// ensureMomentum allocates par's optimizer slots (zeroed) if they are
// missing: I32 exponent -12 for integer masters, F32 otherwise (and Adam's
// second moment for log2_t).
func (o *Optimizer) ensureMomentum(dev *gpu.Device, par *Param) error {
	shape := par.Value.Shape()
	n := par.Value.Len()
	if par.Momentum == nil {
		var err error
		if isIntegerMaster(par.Value) {
			par.Momentum, err = dev.UploadI32(shape, gpu.ExpMomentum, make([]int32, n))
		} else {
			par.Momentum, err = dev.UploadF32(shape, 0, make([]float32, n))
		}
		if err != nil {
			return err
		}
	}
	if par.Value.DType() == gpu.F32 && isLog2T(par.Name) && o.adamV[par] == nil {
		v, err := dev.UploadF32(shape, 0, make([]float32, n))
		if err != nil {
			return err
		}
		if o.adamV == nil {
			o.adamV = map[*Param]*gpu.Tensor{}
		}
		o.adamV[par] = v
	}
	return nil
}
