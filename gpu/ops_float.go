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

// checkFloat validates one F32 argument of any rank.
func (r *Recorder) checkFloat(k string, shapes [][]int, what string, t *Tensor) bool {
	if err := r.checkTensor(k, shapes, what, t, F32, -1); err != nil {
		r.fail(err)
		return false
	}
	return true
}

// floatElt validates x and records an elementwise kernel with outputs of
// dtypes outs (x's shape; the first output gets exponent exp).
func (r *Recorder) floatElt(k string, x *Tensor, exp int, outs []DType, ins ...*Tensor) []*Tensor {
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
			floatReleaseAll(res)
			return nil
		}
	}
	if r.Run(k, cpu.F32EltParams{N: uint32(n)}, append(res, ins...)...) != nil {
		floatReleaseAll(res)
		return nil
	}
	return res
}

// floatReleaseAll releases the non-nil tensors.
func floatReleaseAll(ts []*Tensor) {
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
	if r.err != nil || !r.checkFloat(k, shapesOf(x), "x", x) {
		return nil, nil
	}
	res := r.floatElt(k, x, x.Exp, []DType{F32, U32}, x)
	if res == nil {
		return nil, nil
	}
	return res[0], res[1]
}

// ReluBwdF32 records relu_bwd_f32: dx = dy where mask is set, else 0, for
// the mask of ReluF32 or Relu6F32 (dy F32, mask U32 of dy's shape; dx
// keeps dy's exponent). Exact.
func (r *Recorder) ReluBwdF32(dy, mask *Tensor) *Tensor {
	if r.err != nil || !r.checkFloat("relu_bwd_f32", shapesOf(dy, mask), "dy", dy) {
		return nil
	}
	res := r.floatElt("relu_bwd_f32", dy, dy.Exp, []DType{F32}, dy, mask)
	if res == nil {
		return nil
	}
	return res[0]
}

// AddF32 records add_f32, the residual add out = a + b (F32 of one shape
// and one exponent, which out keeps). Exact: one correctly rounded f32 add.
func (r *Recorder) AddF32(a, b *Tensor) *Tensor {
	const k = "add_f32"
	if r.err != nil || !r.checkFloat(k, shapesOf(a, b), "a", a) {
		return nil
	}
	if b != nil && b.Exp != a.Exp {
		r.fail(kernelErr(k, shapesOf(a, b), ErrShape, "exponents differ: %d and %d", a.Exp, b.Exp))
		return nil
	}
	res := r.floatElt(k, a, a.Exp, []DType{F32}, a, b)
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
	return r.floatQuant("quant_direct_f32", x, k, 0)
}

// QuantAllDirectF32 records quant_alldirect_f32, the float view of
// quant.AllDirect (golden all_direct_quant) in float32: y =
// clip(round(x·2^(kdec-1)), ±(2^(kall-1)-1))/2^(kdec-1) for 1 <= kdec,
// kall <= 31; kall = 0 means no clip (QuantDirectF32). Exactly
// quant.AllDirectFloat for finite x.
func (r *Recorder) QuantAllDirectF32(x *Tensor, kdec, kall int) *Tensor {
	if kall == 0 {
		return r.floatQuant("quant_direct_f32", x, kdec, 0)
	}
	return r.floatQuant("quant_alldirect_f32", x, kdec, kall)
}

func (r *Recorder) floatQuant(k string, x *Tensor, kdec, kall int) *Tensor {
	if r.err != nil || !r.checkFloat(k, shapesOf(x), "x", x) {
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
	return r.output(k, shapes, F32, x.shape, 0, p, x)
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

// bnF32Params validates batch norm's x (F32 [N, C] or [N, C, H, W]) and
// per-channel tensors (F32 [C]) and returns the params.
func (r *Recorder) bnF32Params(k string, x *Tensor, eps float32, chans []*Tensor, names []string) (cpu.BNF32Params, [][]int, bool) {
	shapes := shapesOf(append([]*Tensor{x}, chans...)...)
	if !r.checkFloat(k, shapes, "x", x) {
		return cpu.BNF32Params{}, nil, false
	}
	if len(x.shape) != 2 && len(x.shape) != 4 {
		r.fail(kernelErr(k, shapes, ErrShape, "x has rank %d, want 2 or 4", len(x.shape)))
		return cpu.BNF32Params{}, nil, false
	}
	if x.Exp != 0 {
		r.fail(kernelErr(k, shapes, ErrShape, "x.Exp is %d, want 0", x.Exp))
		return cpu.BNF32Params{}, nil, false
	}
	n, c, hw := x.shape[0], x.shape[1], 1
	if len(x.shape) == 4 {
		hw = x.shape[2] * x.shape[3]
	}
	for i, t := range chans {
		if !r.checkFloat(k, shapes, names[i], t) {
			return cpu.BNF32Params{}, nil, false
		}
		if !equalShape(t.shape, []int{c}) {
			r.fail(kernelErr(k, shapes, ErrShape, "%s is %v, want [%d]", names[i], t.shape, c))
			return cpu.BNF32Params{}, nil, false
		}
	}
	switch {
	case c > BNMaxChannels:
		r.fail(kernelErr(k, shapes, ErrTooLarge, "%d channels, at most %d", c, BNMaxChannels))
		return cpu.BNF32Params{}, nil, false
	case x.Len() > math.MaxUint32-cpu.F32BNGroup:
		r.fail(kernelErr(k, shapes, ErrTooLarge, "%d elements", x.Len()))
		return cpu.BNF32Params{}, nil, false
	case !(eps > 0):
		r.fail(kernelErr(k, shapes, ErrShape, "eps = %g, want > 0", eps))
		return cpu.BNF32Params{}, nil, false
	}
	return cpu.BNF32Params{N: uint32(n), C: uint32(c), HW: uint32(hw), Eps: eps}, shapes, true
}

// BNF32 records bn_f32, batch norm's training forward in float32 (PyTorch
// BatchNorm2d/1d in train mode): per channel over N·H·W, μ = Σx/m and the
// population variance σ² = Σ(x-μ)²/m (two passes), y = (x-μ)/sqrt(σ²+eps)·γ
// + β (F32, x's shape, exponent 0), and the batch statistics mean,
// variance (F32 [C]) for BNBwdF32. It updates the running statistics rmean,
// rvar (F32 [C]) in place: r = (1-momentum)·r + momentum·stat, with the
// unbiased variance σ²·m/(m-1) (PyTorch; m = 1 is refused). x: F32
// [N, C, H, W] or [N, C] of exponent 0; gamma, beta: F32 [C]. The
// backends agree within float32 rounding of the sums (see the case
// generator's tolerances).
func (r *Recorder) BNF32(x, gamma, beta, rmean, rvar *Tensor, eps, momentum float32) (y, mean, variance *Tensor) {
	const k = "bn_f32"
	if r.err != nil {
		return nil, nil, nil
	}
	p, shapes, ok := r.bnF32Params(k, x, eps, []*Tensor{gamma, beta, rmean, rvar}, []string{"gamma", "beta", "rmean", "rvar"})
	if !ok {
		return nil, nil, nil
	}
	if p.N*p.HW < 2 {
		r.fail(kernelErr(k, shapes, ErrShape, "one value per channel: no training batch statistics"))
		return nil, nil, nil
	}
	p.Momentum = momentum
	c := []int{int(p.C)}
	y = r.newOutput(k, shapes, F32, x.shape, 0)
	mean = r.newOutput(k, shapes, F32, c, 0)
	variance = r.newOutput(k, shapes, F32, c, 0)
	if y == nil || mean == nil || variance == nil || r.Run(k, p, y, mean, variance, rmean, rvar, x, gamma, beta) != nil {
		floatReleaseAll([]*Tensor{y, mean, variance})
		return nil, nil, nil
	}
	return y, mean, variance
}

// BNEvalF32 records bn_eval_f32, batch norm's evaluation forward with the
// running statistics: y = (x - rmean)/sqrt(rvar+eps)·γ + β, arguments as
// BNF32.
func (r *Recorder) BNEvalF32(x, gamma, beta, rmean, rvar *Tensor, eps float32) *Tensor {
	const k = "bn_eval_f32"
	if r.err != nil {
		return nil
	}
	p, shapes, ok := r.bnF32Params(k, x, eps, []*Tensor{gamma, beta, rmean, rvar}, []string{"gamma", "beta", "rmean", "rvar"})
	if !ok {
		return nil
	}
	return r.output(k, shapes, F32, x.shape, 0, p, x, gamma, beta, rmean, rvar)
}

// BNBwdF32 records bn_bwd_f32, batch norm's backward in float32, with s =
// 1/sqrt(variance+eps): dbeta = Σdy, dgamma = s·Σdy·(x-mean) (F32 [C]) and
// dx (F32, x's shape):
//
//	train: dx = γ·s·(dy - dbeta/m - (x-mean)·s·dgamma/m), through the batch
//	       statistics (mean, variance from BNF32)
//	eval:  dx = γ·s·dy, with fixed statistics (the running ones; the golden
//	       batchnorm2d backward)
//
// dy and x: F32 of one shape as BNF32's x; gamma, mean, variance F32 [C].
func (r *Recorder) BNBwdF32(dy, x, gamma, mean, variance *Tensor, eps float32, train bool) (dx, dgamma, dbeta *Tensor) {
	const k = "bn_bwd_f32"
	if r.err != nil {
		return nil, nil, nil
	}
	p, shapes, ok := r.bnF32Params(k, x, eps, []*Tensor{gamma, mean, variance}, []string{"gamma", "mean", "variance"})
	if !ok || !r.checkFloat(k, shapes, "dy", dy) {
		return nil, nil, nil
	}
	if !equalShape(dy.shape, x.shape) {
		r.fail(kernelErr(k, shapes, ErrShape, "dy is %v, want %v", dy.shape, x.shape))
		return nil, nil, nil
	}
	if train {
		p.Train = 1
	}
	c := []int{int(p.C)}
	dx = r.newOutput(k, shapes, F32, x.shape, dy.Exp)
	dgamma = r.newOutput(k, shapes, F32, c, dy.Exp)
	dbeta = r.newOutput(k, shapes, F32, c, dy.Exp)
	if dx == nil || dgamma == nil || dbeta == nil || r.Run(k, p, dx, dgamma, dbeta, dy, x, gamma, mean, variance) != nil {
		floatReleaseAll([]*Tensor{dx, dgamma, dbeta})
		return nil, nil, nil
	}
	return dx, dgamma, dbeta
}

// poolF32Params validates a float pool's window against the input shape in
// (Pool2d's rules) and returns the params.
func (r *Recorder) poolF32Params(k string, shapes [][]int, g Pool2d, in []int, countPad bool) (cpu.PoolF32Params, bool) {
	q, err := g.params(k, shapes, in)
	if err == nil && numElems(in) > math.MaxUint32 {
		err = kernelErr(k, shapes, ErrTooLarge, "input %v", in)
	}
	if err != nil {
		r.fail(err)
		return cpu.PoolF32Params{}, false
	}
	p := cpu.PoolF32Params{N: uint32(in[0]), C: uint32(in[1]), H: q.H, W: q.W, OH: q.OH, OW: q.OW,
		KH: q.KH, KW: q.KW, SH: q.SH, SW: q.SW, PH: q.PH, PW: q.PW}
	if countPad {
		p.CountPad = 1
	}
	return p, true
}

// Maxpool2dF32 records maxpool2d_f32: max pooling of x (F32 [N, C, H, W])
// into y (F32 [N, C, OH, OW], x's exponent) and arg (I32 of y's shape, the
// index ih·W + iw of each window's maximum within its plane, the first in
// row-major order on ties; padding never wins). Exact on both backends (no
// arithmetic). NaN inputs are not propagated as PyTorch does.
func (r *Recorder) Maxpool2dF32(x *Tensor, g Pool2d) (y, arg *Tensor) {
	const k = "maxpool2d_f32"
	if r.err != nil || !r.checkFloat(k, shapesOf(x), "x", x) {
		return nil, nil
	}
	p, ok := r.poolF32Params(k, shapesOf(x), g, x.shape, false)
	if !ok {
		return nil, nil
	}
	out := []int{int(p.N), int(p.C), int(p.OH), int(p.OW)}
	y = r.newOutput(k, shapesOf(x), F32, out, x.Exp)
	arg = r.newOutput(k, shapesOf(x), I32, out, 0)
	if y == nil || arg == nil || r.Run(k, p, y, arg, x) != nil {
		floatReleaseAll([]*Tensor{y, arg})
		return nil, nil
	}
	return y, arg
}

// Maxpool2dBwdF32 records maxpool2d_bwd_f32: dx (F32 of the input shape
// in, dy's exponent) gathers dy (F32 [N, C, OH, OW]) at each window's
// argmax (arg from Maxpool2dF32), summing in a fixed order where windows
// overlap: exact on both backends.
func (r *Recorder) Maxpool2dBwdF32(dy, arg *Tensor, g Pool2d, in []int) *Tensor {
	const k = "maxpool2d_bwd_f32"
	shapes := shapesOf(dy, arg)
	if r.err != nil || !r.checkFloat(k, shapes, "dy", dy) {
		return nil
	}
	if err := r.checkTensor(k, shapes, "arg", arg, I32, 4); err != nil {
		r.fail(err)
		return nil
	}
	return r.poolBwdF32(k, shapes, dy, arg, g, in, false)
}

// poolBwdF32 records a float pool backward after checking dy (and arg)
// against the forward's output shape.
func (r *Recorder) poolBwdF32(k string, shapes [][]int, dy, arg *Tensor, g Pool2d, in []int, countPad bool) *Tensor {
	p, ok := r.poolF32Params(k, shapes, g, in, countPad)
	if !ok {
		return nil
	}
	out := []int{int(p.N), int(p.C), int(p.OH), int(p.OW)}
	if !equalShape(dy.shape, out) || arg != nil && !equalShape(arg.shape, out) {
		r.fail(kernelErr(k, shapes, ErrShape, "dy (and arg) must be %v", out))
		return nil
	}
	dx := r.newOutput(k, shapes, F32, in, dy.Exp)
	bufs := []*Tensor{dx, dy}
	if arg != nil {
		bufs = append(bufs, arg)
	}
	if dx == nil || r.Run(k, p, bufs...) != nil {
		dx.Release()
		return nil
	}
	return dx
}

// Avgpool2dF32 records avgpool2d_f32: average pooling of x (F32
// [N, C, H, W]) into y (F32 [N, C, OH, OW], x's exponent), y = Σ window /
// KH·KW with countPad (PyTorch's count_include_pad=True, its default),
// else / the in-range count. GlobalPool(x.Shape()) is global average
// pooling. The backends agree within float32 rounding of the sum and WGSL's
// division (a few ulp of |Σ|).
func (r *Recorder) Avgpool2dF32(x *Tensor, g Pool2d, countPad bool) *Tensor {
	const k = "avgpool2d_f32"
	if r.err != nil || !r.checkFloat(k, shapesOf(x), "x", x) {
		return nil
	}
	p, ok := r.poolF32Params(k, shapesOf(x), g, x.shape, countPad)
	if !ok {
		return nil
	}
	return r.output(k, shapesOf(x), F32, []int{int(p.N), int(p.C), int(p.OH), int(p.OW)}, x.Exp, p, x)
}

// Avgpool2dBwdF32 records avgpool2d_bwd_f32: dx (F32 of the input shape
// in, dy's exponent) = Σ dy/div over the windows covering each input, g
// and countPad as the forward. Agreement as Avgpool2dF32.
func (r *Recorder) Avgpool2dBwdF32(dy *Tensor, g Pool2d, in []int, countPad bool) *Tensor {
	const k = "avgpool2d_bwd_f32"
	shapes := shapesOf(dy)
	if r.err != nil || !r.checkFloat(k, shapes, "dy", dy) {
		return nil
	}
	return r.poolBwdF32(k, shapes, dy, nil, g, in, countPad)
}

// Adder2dF32 records adder2d_f32, AdderNet's forward in float32 (adder.py,
// zero padding taking part as x = 0):
//
//	y[n, k, oh, ow] = -Σ_{c', kh, kw} |x[n, g·C/G + c', oh·s + kh - p, ow·s + kw - p] - w[k, c', kh, kw]|
//
// x F32 [N, C, H, W], w F32 [K, C/G, KH, KW] of one exponent, which y
// (F32 [N, K, OH, OW]) keeps. Exact on both backends (no products).
func (r *Recorder) Adder2dF32(x, w *Tensor, geom ConvGeom) *Tensor {
	const k = "adder2d_f32"
	p, shapes, ok := r.adderF32Params(k, x, w, nil, geom)
	if !ok {
		return nil
	}
	return r.output(k, shapes, F32, convOutShape(p), x.Exp, p, x, w)
}

// Adder2dBwdDataF32 records adder2d_bwd_data_f32, AdderNet's input
// gradient: dx[n, c, ih, iw] = Σ clamp(w - x[n, c, ih, iw], -1, 1)·dy over
// the outputs and weights that x[n, c, ih, iw] meets (the HardTanh of the
// full-precision gradient). dy F32 [N, K, OH, OW] (dx keeps its exponent),
// x and w as Adder2dF32. The backends agree within float32 rounding.
func (r *Recorder) Adder2dBwdDataF32(dy, x, w *Tensor, geom ConvGeom) *Tensor {
	return r.adderBwdF32("adder2d_bwd_data_f32", dy, x, w, geom)
}

// Adder2dBwdWeightF32 records adder2d_bwd_weight_f32, AdderNet's
// full-precision weight gradient dw[k, c', kh, kw] = Σ_{n, oh, ow} (x - w)·dy
// (the padding as x = 0), F32 of w's shape and dy's exponent; adder.py's
// adaptive scaling η·sqrt(numel(w))/(5·‖dw‖₂) is the layer's. Arguments as
// Adder2dBwdDataF32.
func (r *Recorder) Adder2dBwdWeightF32(dy, x, w *Tensor, geom ConvGeom) *Tensor {
	return r.adderBwdF32("adder2d_bwd_weight_f32", dy, x, w, geom)
}

func (r *Recorder) adderBwdF32(k string, dy, x, w *Tensor, geom ConvGeom) *Tensor {
	p, shapes, ok := r.adderF32Params(k, x, w, dy, geom)
	if !ok {
		return nil
	}
	if !r.checkFloat(k, shapes, "dy", dy) {
		return nil
	}
	if !equalShape(dy.shape, convOutShape(p)) {
		r.fail(kernelErr(k, shapes, ErrShape, "dy is %v, want %v", dy.shape, convOutShape(p)))
		return nil
	}
	shape := x.shape
	if k == "adder2d_bwd_weight_f32" {
		shape = w.shape
	}
	return r.output(k, shapes, F32, shape, dy.Exp, p, dy, x, w)
}

// adderF32Params validates x and w (F32, rank 4, one exponent) and the
// geometry.
func (r *Recorder) adderF32Params(k string, x, w, dy *Tensor, geom ConvGeom) (cpu.ConvParams, [][]int, bool) {
	shapes := shapesOf(x, w, dy)
	if r.err != nil {
		return cpu.ConvParams{}, nil, false
	}
	for i, t := range []*Tensor{x, w} {
		if err := r.checkTensor(k, shapes, []string{"x", "w"}[i], t, F32, 4); err != nil {
			r.fail(err)
			return cpu.ConvParams{}, nil, false
		}
	}
	if x.Exp != w.Exp {
		r.fail(kernelErr(k, shapes, ErrShape, "x.Exp %d and w.Exp %d differ", x.Exp, w.Exp))
		return cpu.ConvParams{}, nil, false
	}
	p, err := convParams(k, shapes, x.shape, w.shape, geom)
	if err != nil {
		r.fail(err)
		return cpu.ConvParams{}, nil, false
	}
	return p, shapes, true
}

// AdderGradScaleF32 records adder_grad_scale_f32, AdderNet's adaptive
// gradient scaling of adder.py: out = dw/max(‖dw‖₂, 1e-12)·eta·sqrt(n)/5
// for dw F32 of any shape with n elements (from Adder2dBwdWeightF32; eta
// = 1 in adder.py), out of dw's shape, exponent 0. One workgroup: meant for
// weight-sized tensors. The backends agree within float32 rounding of the
// norm (a few ulp relative).
func (r *Recorder) AdderGradScaleF32(dw *Tensor, eta float64) *Tensor {
	const k = "adder_grad_scale_f32"
	shapes := shapesOf(dw)
	if r.err != nil || !r.checkFloat(k, shapes, "dw", dw) {
		return nil
	}
	n := dw.Len()
	if n > math.MaxUint32-cpu.F32BNGroup {
		r.fail(kernelErr(k, shapes, ErrTooLarge, "%d elements", n))
		return nil
	}
	if !(eta > 0) || math.IsInf(eta, 0) {
		r.fail(kernelErr(k, shapes, ErrShape, "eta = %g, want a finite value > 0", eta))
		return nil
	}
	p := cpu.AdderScaleParams{N: uint32(n), K: float32(eta * math.Sqrt(float64(n)) / 5)}
	return r.output(k, shapes, F32, dw.shape, 0, p, dw)
}
