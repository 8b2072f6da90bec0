package nn

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// Conv2d is torch.nn.Conv2d (square kernel, dilation 1, zero padding) with
// WAGEUBN quantization: parameters "weight" [out, in/groups, k, k] and,
// with ConvOptions.Bias, "bias" [out]. Input [N, in, H, W], output [N, out,
// OH, OW]. The three modes (Float, Integer, FakeQuant) and the dtypes
// they take and give are those of affine (affine.go): in Integer mode the
// output is I32 codes with exponent e_x - 7 (I64 when the sums could pass
// int32) and the input gradient I64 codes with E2's Scale.
//
// Weights start as InitWeights(seed, name+".weight", ..., fan-in
// in/groups·k·k); the bias starts at zero. Both decay (Param.Decay).
type Conv2d struct {
	a *affine
}

// NewConv2d returns a Conv2d layer with its parameters on dev. Errors wrap
// ErrConfig: bad settings, sizes or options (Stride and Groups 0 mean 1).
func NewConv2d(dev *gpu.Device, name string, cfg Config, in, out, kernel int, opt ConvOptions, seed uint64) (*Conv2d, error) {
	if opt.Stride == 0 {
		opt.Stride = 1
	}
	if opt.Groups == 0 {
		opt.Groups = 1
	}
	if in < 1 || out < 1 || kernel < 1 || opt.Stride < 1 || opt.Padding < 0 || opt.Groups < 1 ||
		in%opt.Groups != 0 || out%opt.Groups != 0 {
		return nil, fmt.Errorf("%w: Conv2d %s: in %d, out %d, kernel %d, %+v (want positive sizes, groups dividing in and out)",
			ErrConfig, name, in, out, kernel, opt)
	}
	shape := []int{out, in / opt.Groups, kernel, kernel}
	a, err := newAffine(dev, KindConv2d, name, cfg, shape, shape, in/opt.Groups*kernel*kernel, opt.Bias,
		gpu.ConvGeom{Stride: opt.Stride, Pad: opt.Padding, Groups: opt.Groups}, seed)
	if err != nil {
		return nil, err
	}
	return &Conv2d{a: a}, nil
}

// Name returns the layer's name.
func (l *Conv2d) Name() string { return l.a.name }

// Kind returns KindConv2d.
func (l *Conv2d) Kind() Kind { return KindConv2d }

// Config returns the layer's settings (changes apply at the next call).
func (l *Conv2d) Config() *Config { return &l.a.cfg }

// SetQuant switches quantization on or off.
func (l *Conv2d) SetQuant(on bool) { l.a.cfg.Quant = on }

// Params returns weight and, with a bias, bias, followed by the TQT
// thresholds that are set (weight_log2_t, bias_log2_t; nn/tqt.go).
func (l *Conv2d) Params() []*Param { return l.a.allParams() }

// Thresholds returns weight_log2_t and, with a bias, bias_log2_t, set or
// not ([Thresholded]).
func (l *Conv2d) Thresholds() []*Param { return l.a.thresholds() }

// Forward records the convolution of its one input [N, in, H, W].
func (l *Conv2d) Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor {
	if len(in) != 1 {
		l.a.release()
		p.R.Fail(fmt.Errorf("%w: Conv2d %s takes 1 input, got %d", ErrNetwork, l.a.name, len(in)))
		return nil
	}
	return l.a.forward(p.R, in[0])
}

// Backward records the backward for the gradient at the output and
// returns the gradient at the input; it sets the parameters' Grad.
func (l *Conv2d) Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	dx := l.a.backward(p.R, p, grad)
	if dx == nil {
		return nil
	}
	return []*gpu.Tensor{dx}
}
