package gpu

import (
	"math"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Float32 layers: kernels in shaders/float.wgsl, twins in gpu/cpu/float.go.
// Tensors are F32 (masks and argmax indices U32) and carry plain float32
// values: outputs keep the exponent of their main input (0 for values the
// float layers make themselves). The backends agree exactly for the
// activations, the add and the quantizers, and within float32 rounding for
// the reductions (batch norm, pooling, adder), see each wrapper.

// checkF32 validates one F32 argument of any rank.
func (r *Recorder) checkF32(k string, shapes [][]int, what string, t *Tensor) bool {
	if err := r.checkTensor(k, shapes, what, t, F32, -1); err != nil {
		r.fail(err)
		return false
	}
	return true
}

// eltF32 validates x and records an elementwise kernel with outputs of
// dtypes outs (x's shape; the first output gets exponent exp).
func (r *Recorder) eltF32(k string, x *Tensor, exp int, outs []DType, ins ...*Tensor) []*Tensor {
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(ins...)
	for i, t := range ins {
		want := F32
		if k == "relu_bwd_f32" && i == 1 {
			want = U32
		}
		if err := r.checkTensor(k, shapes, []string{"a", "b"}[i], t, want, -1); err != nil {
			r.fail(err)
			return nil
		}
		if !equalShape(t.shape, x.shape) {
			r.fail(kernelErr(k, shapes, ErrShape, "operands differ in shape: %v and %v", x.shape, t.shape))
			return nil
		}
	}
	n := x.Len()
	if n > math.MaxUint32 {
		r.fail(kernelErr(k, shapes, ErrTooLarge, "%d elements", n))
		return nil
	}
	res := make([]*Tensor, len(outs))
	for i, dt := range outs {
		e := 0
		if i == 0 {
			e = exp
		}
		if res[i] = r.newOutput(k, shapes, dt, x.shape, e); res[i] == nil {
			releaseAll(res)
			return nil
		}
	}
	if r.Run(k, cpu.F32EltParams{N: uint32(n)}, append(res, ins...)...) != nil {
		releaseAll(res)
		return nil
	}
	return res
}

// releaseAll releases the non-nil tensors.
func releaseAll(ts []*Tensor) {
	for _, t := range ts {
		if t != nil {
			t.Release()
		}
	}
}

// ReluF32 records relu_f32: y = max(x, 0) (F32, x's shape and exponent)
// and mask (U32, 1 where x > 0, the gradient's path for ReluBwdF32).
// Exact on both backends.
func (r *Recorder) ReluF32(x *Tensor) (y, mask *Tensor) {
	return r.reluF32("relu_f32", x)
}

// Relu6F32 records relu6_f32: y = min(max(x, 0), 6) and mask (U32, 1
// where 0 < x < 6, PyTorch's hardtanh backward). x's exponent must be 0
// (the bound 6 is a value). Exact on both backends.
func (r *Recorder) Relu6F32(x *Tensor) (y, mask *Tensor) {
	if r.err == nil && x != nil && x.Exp != 0 {
		r.fail(kernelErr("relu6_f32", shapesOf(x), ErrShape, "x.Exp is %d, want 0", x.Exp))
		return nil, nil
	}
	return r.reluF32("relu6_f32", x)
}

func (r *Recorder) reluF32(k string, x *Tensor) (y, mask *Tensor) {
	if r.err != nil || !r.checkF32(k, shapesOf(x), "x", x) {
		return nil, nil
	}
	res := r.eltF32(k, x, x.Exp, []DType{F32, U32}, x)
	if res == nil {
		return nil, nil
	}
	return res[0], res[1]
}

// ReluBwdF32 records relu_bwd_f32: dx = dy where mask is set, else 0, for
// the mask of ReluF32 or Relu6F32 (dy F32, mask U32 of dy's shape; dx
// keeps dy's exponent). Exact.
func (r *Recorder) ReluBwdF32(dy, mask *Tensor) *Tensor {
	if r.err != nil || !r.checkF32("relu_bwd_f32", shapesOf(dy, mask), "dy", dy) {
		return nil
	}
	res := r.eltF32("relu_bwd_f32", dy, dy.Exp, []DType{F32}, dy, mask)
	if res == nil {
		return nil
	}
	return res[0]
}

// AddF32 records add_f32, the residual add out = a + b (F32 of one shape
// and one exponent, which out keeps). Exact: one correctly rounded f32 add.
func (r *Recorder) AddF32(a, b *Tensor) *Tensor {
	const k = "add_f32"
	if r.err != nil || !r.checkF32(k, shapesOf(a, b), "a", a) {
		return nil
	}
	if b != nil && b.Exp != a.Exp {
		r.fail(kernelErr(k, shapesOf(a, b), ErrShape, "exponents differ: %d and %d", a.Exp, b.Exp))
		return nil
	}
	res := r.eltF32(k, a, a.Exp, []DType{F32}, a, b)
	if res == nil {
		return nil
	}
	return res[0]
}

// QuantDirectF32 records quant_direct_f32, the float view of quant.Direct
// (golden direct_quant) in float32: y = round(x·2^(k-1))/2^(k-1), round
// half to even, for x F32 with exponent 0 and 1 <= k <= 31; y has x's
// shape and exponent 0. Exactly quant.DirectFloat for finite x below 2^98
// (power-of-two scaling is exact; zero results are +0); NaN and ±Inf pass
// through.
func (r *Recorder) QuantDirectF32(x *Tensor, k int) *Tensor {
	return r.quantF32("quant_direct_f32", x, k, 0)
}

// QuantAllDirectF32 records quant_alldirect_f32, the float view of
// quant.AllDirect (golden all_direct_quant) in float32: y =
// clip(round(x·2^(kdec-1)), ±(2^(kall-1)-1))/2^(kdec-1) for 1 <= kdec,
// kall <= 31; kall = 0 means no clip (QuantDirectF32). Exactly
// quant.AllDirectFloat for finite x.
func (r *Recorder) QuantAllDirectF32(x *Tensor, kdec, kall int) *Tensor {
	if kall == 0 {
		return r.quantF32("quant_direct_f32", x, kdec, 0)
	}
	return r.quantF32("quant_alldirect_f32", x, kdec, kall)
}

func (r *Recorder) quantF32(k string, x *Tensor, kdec, kall int) *Tensor {
	if r.err != nil || !r.checkF32(k, shapesOf(x), "x", x) {
		return nil
	}
	shapes := shapesOf(x)
	switch {
	case kdec < 1 || kdec > 31:
		r.fail(kernelErr(k, shapes, ErrShape, "kdec = %d, want 1..31", kdec))
		return nil
	case kall < 0 || kall > 31 || (k == "quant_alldirect_f32" && kall == 0):
		r.fail(kernelErr(k, shapes, ErrShape, "kall = %d, want 1..31", kall))
		return nil
	case x.Exp != 0:
		r.fail(kernelErr(k, shapes, ErrShape, "x.Exp is %d, want 0", x.Exp))
		return nil
	case x.Len() > math.MaxUint32:
		r.fail(kernelErr(k, shapes, ErrTooLarge, "%d elements", x.Len()))
		return nil
	}
	p := QuantF32Params(x.Len(), kdec, kall)
	y := r.newOutput(k, shapes, F32, x.shape, 0)
	if y == nil || r.Run(k, p, y, x) != nil {
		y.Release()
		return nil
	}
	return y
}

// QuantF32Params returns the params of quant_direct_f32 (kall = 0) and
// quant_alldirect_f32 for n elements: exact powers of two and the clip
// bound 2^(kall-1)-1 rounded to float32.
func QuantF32Params(n, kdec, kall int) cpu.F32QuantParams {
	p := cpu.F32QuantParams{N: uint32(n), Scale: float32(math.Ldexp(1, kdec-1)), InvScale: float32(math.Ldexp(1, 1-kdec))}
	if kall > 0 {
		p.Lim = float32(math.Ldexp(1, kall-1) - 1)
	}
	return p
}
