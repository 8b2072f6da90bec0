package nn

import (
	"errors"

	"github.com/wageubn/wageubn/gpu"
)

// ErrNetwork is wrapped by errors about how a network is put together:
// duplicate or empty names, inputs that name no earlier entry, a wrong
// number of inputs.
var ErrNetwork = errors.New("nn: invalid network")

// Kind names a layer type, as PyTorch spells the module class. Hooks,
// MakeQuantOrNot exclusions and recipes select layers by kind.
type Kind string

// The layer kinds.
const (
	KindConv2d      Kind = "Conv2d"
	KindLinear      Kind = "Linear"
	KindBatchNorm2d Kind = "BatchNorm2d"
	KindBatchNorm1d Kind = "BatchNorm1d"
	KindReLU        Kind = "ReLU"
	KindReLU6       Kind = "ReLU6"
	KindMaxPool2d   Kind = "MaxPool2d"
	KindAvgPool2d   Kind = "AvgPool2d"
	KindGlobalPool  Kind = "AdaptiveAvgPool2d"
	KindFlatten     Kind = "Flatten"
	KindAdd         Kind = "Add"
	KindAdder2d     Kind = "Adder2d"
)

// Param is one named tensor of a layer: a trainable parameter (weight,
// bias, BN γ and β, a retrained log2_t) or a buffer (BN running
// statistics). Name is the local PyTorch key ("weight", "running_mean");
// the network prefixes it with the layer's name ("layer1.0.conv1.weight").
//
// Value holds the master copy: int32 codes with exponent -23 when the
// layer is quantized (method.md A8), float32 otherwise. Momentum is the
// optimizer slot and Grad the gradient of the last Backward (G or G_BN
// codes, or float32), both nil for buffers.
type Param struct {
	Name      string
	Shape     []int
	Value     *gpu.Tensor
	Momentum  *gpu.Tensor
	Grad      *gpu.Tensor
	Trainable bool
	// Decay reports whether weight decay applies ([OFF]: every variable
	// but batch norm's).
	Decay bool
}

// Pass carries what every layer of one forward or backward pass shares:
// the recorder the kernels go to (its error is sticky, so layers record
// and return, and the caller checks once), training or evaluation mode,
// and the counters that key stochastic rounding (method.md A3).
type Pass struct {
	R     *gpu.Recorder
	Train bool
	Seed  uint64
	Step  uint32
	// GScale is the g_scale of the current learning-rate phase (method.md
	// A8): 128, 128, 32, 8.
	GScale int
}

// Module is one layer of a network.
//
// Forward records the layer's kernels on p.R for its inputs and returns the
// output tensor (nil after an error, which sticks in p.R). Backward takes
// the gradient of the loss with respect to that output, records the
// backward kernels, sets the gradients of the trainable parameters and
// returns one gradient per input, in the order of Forward's inputs (a nil
// entry for an input that needs none, such as the network's pixels). A
// layer keeps whatever Forward saved for Backward until the next Forward.
type Module interface {
	Name() string
	Kind() Kind
	// Config returns the layer's quantization settings; layers without
	// any (Flatten) return nil.
	Config() *Config
	// SetQuant switches quantization on or off (MakeQuantOrNot).
	SetQuant(on bool)
	Params() []*Param
	Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor
	Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor
}
