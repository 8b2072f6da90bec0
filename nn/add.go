package nn

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// Add is the residual add of two inputs (method.md B§3.1: the residual
// stream is wide and not quantized).
//
// Integer mode: both inputs become I32 codes (narrow codes widened, F32
// quantized at the Input grid, I64 regridded exactly) and add_i32 adds
// them exactly, aligning the exponents by a left shift (docs/dataflow.md
// backward 7); the output has the smaller exponent. Float and fake-quant
// modes add float32 values (the PyTorch package has no quantized add).
// Backward passes the gradient unchanged to both inputs (the same tensor
// twice).
type Add struct {
	name   string
	cfg    Config
	held   heldTensors
	ranFwd bool
}

// NewAdd returns a residual add.
func NewAdd(name string, cfg Config) (*Add, error) {
	if err := checkLayer(KindAdd, name, cfg); err != nil {
		return nil, err
	}
	return &Add{name: name, cfg: cfg}, nil
}

// Name returns the layer's name.
func (l *Add) Name() string { return l.name }

// Kind returns KindAdd.
func (l *Add) Kind() Kind { return KindAdd }

// Config returns the layer's settings.
func (l *Add) Config() *Config { return &l.cfg }

// SetQuant switches quantization on or off.
func (l *Add) SetQuant(on bool) { l.cfg.Quant = on }

// Params returns none.
func (l *Add) Params() []*Param { return nil }

// Forward records a + b (two inputs of one shape).
func (l *Add) Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor {
	r := p.R
	l.held.release()
	l.ranFwd = false
	if len(in) != 2 {
		r.Fail(fmt.Errorf("%w: Add %s takes 2 inputs, got %d", ErrNetwork, l.name, len(in)))
		return nil
	}
	if r.Err() != nil {
		return nil
	}
	var y *gpu.Tensor
	if modeOf(&l.cfg) == cmInteger {
		exp := -(l.cfg.Bits.Input.Dec - 1)
		a := inputCodes(r, in[0], exp, &l.held)
		b := inputCodes(r, in[1], exp, &l.held)
		if a == nil || b == nil {
			return nil
		}
		if a.Scale != nil || b.Scale != nil {
			r.Fail(fmt.Errorf("%w: Add %s: inputs with a data-dependent exponent (Scale)", ErrNetwork, l.name))
			return nil
		}
		y = l.held.add(r.Add(a, b))
	} else {
		y = l.forwardFloat(r, in[0], in[1])
	}
	l.ranFwd = y != nil
	return y
}

// Backward returns the gradient for both inputs.
func (l *Add) Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	if p.R.Err() != nil {
		return nil
	}
	if !l.ranFwd {
		p.R.Fail(fmt.Errorf("%w: Add %s: Backward before Forward", ErrNetwork, l.name))
		return nil
	}
	if grad == nil {
		p.R.Fail(fmt.Errorf("%w: Add %s: nil gradient", ErrNetwork, l.name))
		return nil
	}
	return []*gpu.Tensor{grad, grad}
}

// forwardFloat records the float add (both inputs as F32 values).
func (l *Add) forwardFloat(r *gpu.Recorder, a, b *gpu.Tensor) *gpu.Tensor {
	af, bf := floatValues(r, a, &l.held), floatValues(r, b, &l.held)
	if af == nil || bf == nil {
		return nil
	}
	return l.held.add(r.AddF32(af, bf))
}
