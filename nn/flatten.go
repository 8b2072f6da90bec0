package nn

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// Flatten is torch.nn.Flatten with its defaults: [N, d1, d2, ...] becomes
// [N, d1·d2·...] in row-major order (gpu Recorder.Reshape, any dtype and
// its exponent and Scale kept, I64 included). Backward reshapes the
// gradient back to the input's shape. It has no settings and no
// parameters.
type Flatten struct {
	name  string
	shape []int // input shape of the last Forward
	held  []*gpu.Tensor
}

// NewFlatten returns a Flatten layer.
func NewFlatten(name string) (*Flatten, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: Flatten without a name", ErrConfig)
	}
	return &Flatten{name: name}, nil
}

// Name returns the layer's name.
func (l *Flatten) Name() string { return l.name }

// Kind returns KindFlatten.
func (l *Flatten) Kind() Kind { return KindFlatten }

// Config returns nil: Flatten has no quantization settings.
func (l *Flatten) Config() *Config { return nil }

// SetQuant does nothing.
func (l *Flatten) SetQuant(bool) {}

// Params returns none.
func (l *Flatten) Params() []*Param { return nil }

func (l *Flatten) release() {
	for _, t := range l.held {
		t.Release()
	}
	l.held = nil
}

// Forward records the reshape of its one input to [N, rest].
func (l *Flatten) Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor {
	r := p.R
	l.release()
	l.shape = nil
	if len(in) != 1 || in[0] == nil {
		r.Fail(fmt.Errorf("%w: Flatten %s takes 1 input, got %d", ErrNetwork, l.name, len(in)))
		return nil
	}
	if r.Err() != nil {
		return nil
	}
	x := in[0]
	s := x.Shape()
	if len(s) < 1 {
		r.Fail(fmt.Errorf("%w: Flatten %s: input of rank 0", ErrNetwork, l.name))
		return nil
	}
	rest := 1
	for _, d := range s[1:] {
		rest *= d
	}
	y := r.Reshape(x, []int{s[0], rest})
	if y == nil {
		return nil
	}
	l.held = append(l.held, y)
	l.shape = s
	return y
}

// Backward reshapes the gradient back to the input's shape.
func (l *Flatten) Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	r := p.R
	if r.Err() != nil {
		return nil
	}
	if l.shape == nil {
		r.Fail(fmt.Errorf("%w: Flatten %s: Backward before Forward", ErrNetwork, l.name))
		return nil
	}
	dx := r.Reshape(grad, l.shape)
	if dx == nil {
		return nil
	}
	l.held = append(l.held, dx)
	return []*gpu.Tensor{dx}
}
