package nn

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// Linear is torch.nn.Linear with WAGEUBN quantization: parameters "weight"
// [out, in] and, with bias, "bias" [out]; input [N, in], output [N, out].
// It computes as a 1x1 convolution of the input viewed as [N, in, 1, 1]
// with the kernel [out, in, 1, 1] (every pass costs N·in·out), so its modes and
// dtypes are those of Conv2d (affine.go): in Integer mode the output is
// I32 codes (logits) with exponent e_x - 7 and the input gradient I64
// codes with E2's Scale.
//
// Weights start as InitWeights(seed, name+".weight", ..., fan-in in); the
// bias starts at zero. Both decay (Param.Decay).
type Linear struct {
	a       *affine
	in, out int
	held    []*gpu.Tensor
	ran     bool
}

// NewLinear returns a Linear layer with its parameters on dev. Errors wrap
// ErrConfig.
func NewLinear(dev *gpu.Device, name string, cfg Config, in, out int, bias bool, seed uint64) (*Linear, error) {
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("%w: Linear %s: in %d, out %d (want positive sizes)", ErrConfig, name, in, out)
	}
	a, err := newAffine(dev, KindLinear, name, cfg, []int{out, in}, []int{out, in, 1, 1}, in, bias,
		gpu.ConvGeom{Stride: 1, Groups: 1}, seed)
	if err != nil {
		return nil, err
	}
	return &Linear{a: a, in: in, out: out}, nil
}

// Name returns the layer's name.
func (l *Linear) Name() string { return l.a.name }

// Kind returns KindLinear.
func (l *Linear) Kind() Kind { return KindLinear }

// Config returns the layer's settings (changes apply at the next call).
func (l *Linear) Config() *Config { return &l.a.cfg }

// SetQuant switches quantization on or off.
func (l *Linear) SetQuant(on bool) { l.a.cfg.Quant = on }

// Params returns weight and, with a bias, bias, followed by the TQT
// thresholds that are set (weight_log2_t, bias_log2_t; nn/tqt.go).
func (l *Linear) Params() []*Param { return l.a.allParams() }

// Thresholds returns weight_log2_t and, with a bias, bias_log2_t, set or
// not ([Thresholded]).
func (l *Linear) Thresholds() []*Param { return l.a.thresholds() }

func (l *Linear) keep(t *gpu.Tensor) *gpu.Tensor {
	if t != nil {
		l.held = append(l.held, t)
	}
	return t
}

// Forward records the layer on its one input [N, in].
func (l *Linear) Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor {
	r := p.R
	for _, t := range l.held {
		t.Release()
	}
	l.held, l.ran = nil, false
	if len(in) != 1 || in[0] == nil {
		l.a.release()
		r.Fail(fmt.Errorf("%w: Linear %s takes 1 input", ErrNetwork, l.a.name))
		return nil
	}
	x := in[0]
	if s := x.Shape(); len(s) != 2 || s[1] != l.in {
		l.a.release()
		r.Fail(fmt.Errorf("%w: Linear %s: input %v, want [N, %d]", ErrNetwork, l.a.name, s, l.in))
		return nil
	}
	n := x.Shape()[0]
	if r.Err() != nil {
		return nil
	}
	y := l.a.forward(r, l.keep(r.Reshape(x, []int{n, l.in, 1, 1})))
	if y == nil {
		return nil
	}
	l.ran = true
	return l.keep(r.Reshape(y, []int{n, l.out}))
}

// Backward records the backward for the gradient [N, out] and returns the
// gradient [N, in]; it sets the parameters' Grad.
func (l *Linear) Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	r := p.R
	if r.Err() != nil {
		return nil
	}
	if !l.ran || grad == nil {
		r.Fail(fmt.Errorf("%w: Linear %s: Backward before Forward or without a gradient", ErrNetwork, l.a.name))
		return nil
	}
	s := grad.Shape()
	if len(s) != 2 || s[1] != l.out {
		r.Fail(fmt.Errorf("%w: Linear %s: gradient %v, want [N, %d]", ErrNetwork, l.a.name, s, l.out))
		return nil
	}
	dx := l.a.backward(r, p, l.keep(r.Reshape(grad, []int{s[0], l.out, 1, 1})))
	if dx == nil {
		return nil
	}
	return []*gpu.Tensor{l.keep(r.Reshape(dx, []int{s[0], l.in}))}
}
