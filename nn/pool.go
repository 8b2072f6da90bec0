package nn

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// Pool is a 2-D max or average pool, or a global average pool
// (PyTorch's AdaptiveAvgPool2d(1)). It has no quantization settings: it
// computes in the domain of its input.
//
// Integer (U8 activation codes [N, C, H, W]): Maxpool2d keeps the argmax
// of each window, Avgpool2d divides exactly (RoundDiv, count_include_pad);
// the output keeps the input's exponent and Scale. Backward: an I64
// gradient first goes through E1 (QuantShift), since max pooling only
// routes values and E1 sits at the activation; I8 (E1, with a Scale) and
// I32 codes go in as they are; F32 goes through E1 (QuantShiftF32). The result is I32 codes of the input shape with the gradient's
// Scale (the average pool folds 1/(KH·KW) into the exponent, see
// gpu.Recorder.Avgpool2dBwd).
//
// Float (F32 input): the float pool kernels.
type Pool struct {
	name   string
	kind   Kind
	global bool
	win    gpu.Pool2d

	float  bool
	in     []int
	g      gpu.Pool2d
	arg    *gpu.Tensor
	held   heldTensors
	ranFwd bool
}

func newPool(kind Kind, name string, kernel, stride, padding int) (*Pool, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: %s without a name", ErrConfig, kind)
	}
	if stride <= 0 {
		stride = kernel
	}
	if kernel < 1 || padding < 0 || 2*padding > kernel {
		return nil, fmt.Errorf("%w: %s %s: kernel %d, stride %d, padding %d (want kernel >= 1, 0 <= padding <= kernel/2)",
			ErrConfig, kind, name, kernel, stride, padding)
	}
	return &Pool{name: name, kind: kind, win: gpu.Pool2d{KH: kernel, KW: kernel, SH: stride, SW: stride, PH: padding, PW: padding}}, nil
}

// NewMaxPool2d returns a max pool with a square window; stride 0 means
// the kernel size (PyTorch's default).
func NewMaxPool2d(name string, kernel, stride, padding int) (*Pool, error) {
	return newPool(KindMaxPool2d, name, kernel, stride, padding)
}

// NewAvgPool2d returns an average pool with a square window (zero padding
// counted in the divisor, PyTorch's count_include_pad); stride 0 means the
// kernel size.
func NewAvgPool2d(name string, kernel, stride, padding int) (*Pool, error) {
	return newPool(KindAvgPool2d, name, kernel, stride, padding)
}

// NewGlobalAvgPool returns a global average pool: [N, C, H, W] to
// [N, C, 1, 1].
func NewGlobalAvgPool(name string) (*Pool, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: %s without a name", ErrConfig, KindGlobalPool)
	}
	return &Pool{name: name, kind: KindGlobalPool, global: true}, nil
}

// Name returns the layer's name.
func (l *Pool) Name() string { return l.name }

// Kind returns KindMaxPool2d, KindAvgPool2d or KindGlobalPool.
func (l *Pool) Kind() Kind { return l.kind }

// Config returns nil: pools compute in their input's domain.
func (l *Pool) Config() *Config { return nil }

// SetQuant does nothing.
func (l *Pool) SetQuant(bool) {}

// Params returns none.
func (l *Pool) Params() []*Param { return nil }

// Forward records the pool for x (one input).
func (l *Pool) Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor {
	r := p.R
	l.held.release()
	l.arg, l.ranFwd = nil, false
	if len(in) != 1 {
		r.Fail(fmt.Errorf("%w: %s %s takes 1 input, got %d", ErrNetwork, l.kind, l.name, len(in)))
		return nil
	}
	if r.Err() != nil {
		return nil
	}
	x := in[0]
	if x == nil {
		r.Fail(fmt.Errorf("%w: %s %s: nil input", ErrNetwork, l.kind, l.name))
		return nil
	}
	l.in = x.Shape()
	l.g = l.win
	if l.global {
		l.g = gpu.GlobalPool(l.in)
	}
	l.float = x.DType() == gpu.F32
	var y *gpu.Tensor
	switch {
	case l.float:
		y = l.forwardFloat(r, x)
	case x.DType() != gpu.U8:
		r.Fail(fmt.Errorf("%w: %s %s: integer pools take U8 activation codes, got %v", ErrNetwork, l.kind, l.name, x))
		return nil
	case l.kind == KindMaxPool2d:
		var arg *gpu.Tensor
		y, arg = r.Maxpool2d(x, l.g)
		l.held.add(y, arg)
		l.arg = arg
	default:
		y = l.held.add(r.Avgpool2d(x, l.g))
	}
	l.ranFwd = y != nil
	return y
}

// Backward records the pool's backward for the gradient at its output.
func (l *Pool) Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	r := p.R
	if r.Err() != nil {
		return nil
	}
	if !l.ranFwd {
		r.Fail(fmt.Errorf("%w: %s %s: Backward before Forward", ErrNetwork, l.kind, l.name))
		return nil
	}
	if l.float {
		return []*gpu.Tensor{l.backwardFloat(r, grad)}
	}
	d := errorCodes(r, grad, true, &l.held)
	if d == nil {
		return nil
	}
	if l.kind == KindMaxPool2d {
		return []*gpu.Tensor{l.held.add(r.Maxpool2dBwd(d, l.arg, l.g, l.in))}
	}
	return []*gpu.Tensor{l.held.add(r.Avgpool2dBwd(d, l.g, l.in))}
}

// forwardFloat records the float pool (count_include_pad for averages).
func (l *Pool) forwardFloat(r *gpu.Recorder, x *gpu.Tensor) *gpu.Tensor {
	if l.kind == KindMaxPool2d {
		y, arg := r.Maxpool2dF32(x, l.g)
		l.held.add(y, arg)
		l.arg = arg
		return y
	}
	return l.held.add(r.Avgpool2dF32(x, l.g, true))
}

// backwardFloat records the float pool's backward (the gradient as F32
// values).
func (l *Pool) backwardFloat(r *gpu.Recorder, grad *gpu.Tensor) *gpu.Tensor {
	g := floatValues(r, grad, &l.held)
	if g == nil {
		return nil
	}
	if l.kind == KindMaxPool2d {
		return l.held.add(r.Maxpool2dBwdF32(g, l.arg, l.g, l.in))
	}
	return l.held.add(r.Avgpool2dBwdF32(g, l.g, l.in, true))
}
