package gpu

import (
	"github.com/wageubn/wageubn/gpu/cpu"
)

// Conv2d wrappers (conv.wgsl, gpu/cpu/conv.go): integer convolution as
// im2col + GEMM + col2im, and direct float32 kernels. Shape letters: x
// [N, C, H, W] (NCHW), w [K, C/G, KH, KW], y and dy [N, K, OH, OW] with
// OH = (H + 2·Pad - KH)/Stride + 1 (likewise OW), dilation 1. Narrow codes
// pack along the last dimension (W), each row starting a new word. Per
// group g (CG = C/G input, KG = K/G output channels; NP = N·OH·OW,
// CKK = CG·KH·KW):
//
//	forward      y_g  = GEMM(cols_g [NP, CKK], W_g [KG, CKK])   [NP, KG] -> NCHW
//	input grad   G_g  = GEMM(dy_g [NP, KG], W_gᵀ [CKK, KG])     [NP, CKK] -> col2im -> dx
//	weight grad  dWᵀ_g = GEMM(colsᵀ_g [CKK, NP], dyᵀ_g [KG, NP]) [CKK, KG] -> dW
//
// where GEMM(A, B) = A·Bᵀ is gemm_i8_nt and every operand is laid out
// (packed along the GEMM's K) by im2col / im2col_t: the activations with
// the conv's geometry, dy and w with a 1x1 "convolution" (dy as
// [N, K, OH, OW], w as [1, K, CG·KH, KW]). Each GEMM is one line, so a
// mixed-width GEMM (U8 activations, I16 error codes, I64 outputs with
// nhwc_to_nchw_i64 / col2im_i64) can take its place.

// ConvGeom is the geometry of a conv2d beyond the tensor shapes (dilation
// 1): the stride and zero padding, the same in both dimensions, and the
// number of groups.
type ConvGeom struct {
	Stride int // >= 1
	Pad    int // zero padding on each side, >= 0
	Groups int // >= 1, dividing C and K
}

// convMaxDim bounds every dimension (and convMaxStride the stride and the
// padding) so that no index or intermediate of the kernels wraps in u32.
const (
	convMaxDim    = 1 << 24
	convMaxStride = 1 << 12
)

// convParams validates the geometry of x [N, C, H, W] and w [K, C/G, KH,
// KW] and returns the kernels' params for group 0.
func convParams(k string, shapes [][]int, xs, ws []int, geom ConvGeom) (cpu.ConvParams, error) {
	var p cpu.ConvParams
	if len(xs) != 4 || len(ws) != 4 {
		return p, kernelErr(k, shapes, ErrShape, "x and w must have rank 4 (NCHW, [K, C/G, KH, KW])")
	}
	for _, d := range append(append([]int{}, xs...), ws...) {
		if d < 1 || d > convMaxDim {
			return p, kernelErr(k, shapes, ErrShape, "dimension %d not in [1, %d]", d, convMaxDim)
		}
	}
	if geom.Stride < 1 || geom.Stride > convMaxStride || geom.Pad < 0 || geom.Pad > convMaxStride || geom.Groups < 1 {
		return p, kernelErr(k, shapes, ErrShape, "geometry %+v: want 1 <= Stride <= %d, 0 <= Pad <= %d, Groups >= 1",
			geom, convMaxStride, convMaxStride)
	}
	n, c, h, w := xs[0], xs[1], xs[2], xs[3]
	kk, kh, kw := ws[0], ws[2], ws[3]
	g := geom.Groups
	if c%g != 0 || kk%g != 0 {
		return p, kernelErr(k, shapes, ErrShape, "%d groups do not divide C = %d and K = %d", g, c, kk)
	}
	if ws[1] != c/g {
		return p, kernelErr(k, shapes, ErrShape, "w has %d input channels, want C/G = %d", ws[1], c/g)
	}
	if h+2*geom.Pad < kh || w+2*geom.Pad < kw {
		return p, kernelErr(k, shapes, ErrShape, "kernel %dx%d larger than the padded input %dx%d",
			kh, kw, h+2*geom.Pad, w+2*geom.Pad)
	}
	oh, ow := (h+2*geom.Pad-kh)/geom.Stride+1, (w+2*geom.Pad-kw)/geom.Stride+1
	return cpu.ConvParams{N: uint32(n), C: uint32(c), H: uint32(h), W: uint32(w), K: uint32(kk),
		KH: uint32(kh), KW: uint32(kw), OH: uint32(oh), OW: uint32(ow),
		Stride: uint32(geom.Stride), Pad: uint32(geom.Pad), CG: uint32(c / g), KG: uint32(kk / g)}, nil
}

// convOutShape returns [N, K, OH, OW].
func convOutShape(p cpu.ConvParams) []int {
	return []int{int(p.N), int(p.K), int(p.OH), int(p.OW)}
}

// dyParams returns the params that lay out dy [N, K, OH, OW] for group
// g as a 1x1 convolution: im2col gives dy_g [NP, KG], im2col_t dyᵀ_g [KG, NP].
func dyParams(p cpu.ConvParams, g uint32) cpu.ConvParams {
	return cpu.ConvParams{N: p.N, C: p.K, H: p.OH, W: p.OW, K: p.K, KH: 1, KW: 1, OH: p.OH, OW: p.OW,
		Stride: 1, CG: p.KG, KG: p.KG, Group: g}
}

// wParams returns the params that lay out w [K, CG, KH, KW], seen as
// x' [1, K, CG·KH, KW], for group g as a 1x1 convolution: im2col_t gives
// W_g [KG, CKK], im2col W_gᵀ [CKK, KG].
func wParams(p cpu.ConvParams, g uint32) cpu.ConvParams {
	return cpu.ConvParams{N: 1, C: p.K, H: p.CG * p.KH, W: p.KW, K: p.K, KH: 1, KW: 1, OH: p.CG * p.KH, OW: p.KW,
		Stride: 1, CG: p.KG, KG: p.KG, Group: g}
}

// dwParams returns the params of nhwc_to_nchw_i32 that write group g's
// dWᵀ_g [CKK, KG] into dW [K, CKK]: one image of CKK pixels.
func dwParams(p cpu.ConvParams, g uint32) cpu.ConvParams {
	ckk := p.CG * p.KH * p.KW
	return cpu.ConvParams{N: 1, C: 1, H: 1, W: 1, K: p.K, KH: 1, KW: 1, OH: ckk, OW: 1,
		Stride: 1, CG: 1, KG: p.KG, Group: g}
}

// im2colKernels name the im2col kernels by the dtype of their input.
var im2colKernels = map[DType][2]string{
	I8:  {"im2col_i8", "im2col_t_i8"},
	U8:  {"im2col_u8", "im2col_t_u8"},
	I16: {"im2col_i16", "im2col_t_i16"},
}

// layout records im2col (or im2col_t when transposed) of t with params p
// into *dst, first allocated as a temporary [rows, K] of t's dtype and
// exponent (later groups reuse it: the dispatches run in order), where K is cols
// rounded up to a multiple of 16 (zero lanes past cols, so that the GEMM
// sums the same and runs as gemm_i8_nt_k16) unless that would pass
// MaxGemmK. Both operands of a GEMM get the same K this way, whatever
// their dtypes.
func (r *Recorder) layout(dst **Tensor, t *Tensor, p cpu.ConvParams, transposed bool, rows, cols uint32) {
	if r.err != nil {
		return
	}
	names := im2colKernels[t.dtype]
	name := names[0]
	if transposed {
		name = names[1]
	}
	k := cols
	if pad := (cols + 15) / 16 * 16; pad <= MaxGemmK {
		k = pad
	}
	per := uint32(t.dtype.perWord())
	p.RowWords = (k + per - 1) / per
	if *dst == nil {
		*dst = r.temp(r.newOutput(name, shapesOf(t), t.dtype, []int{int(rows), int(k)}, t.Exp))
	}
	if *dst != nil {
		r.Run(name, p, *dst, t)
	}
}

// convScale returns the data-dependent Scale of a product of a and b (the
// one of them that has one), refusing two: their sum would need a kernel.
func (r *Recorder) convScale(k string, shapes [][]int, a, b *Tensor) (*Tensor, bool) {
	if a.Scale != nil && b.Scale != nil {
		r.fail(kernelErr(k, shapes, ErrShape, "both operands carry a data-dependent Scale"))
		return nil, false
	}
	if a.Scale != nil {
		return a.Scale, true
	}
	return b.Scale, true
}

// Conv2dI8 records the integer conv2d forward pass, per group im2col_i8,
// gemm_i8_nt and nhwc_to_nchw_i32:
//
//	y[n, k, oh, ow] = Σ_{c', kh, kw} x[n, g·CG + c', oh·S + kh - P, ow·S + kw - P]·w[k, c', kh, kw]
//
// with g = k / KG and zero padding, exactly in int32: x I8 [N, C, H, W],
// w I8 [K, C/G, KH, KW], y I32 [N, K, OH, OW] with y.Exp = x.Exp + w.Exp
// (and the Scale of whichever operand has one; both is refused). Every
// output is a sum of CKK = (C/G)·KH·KW products of magnitude <= 2^14, so
// CKK <= MaxGemmK keeps it exact; a larger CKK is refused with ErrTooLarge.
// Bad shapes or geometry (ConvGeom's doc) give ErrShape.
func (r *Recorder) Conv2dI8(x, w *Tensor, geom ConvGeom) *Tensor {
	const k = "conv2d_i8"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x, w)
	if err := r.checkTensor(k, shapes, "x", x, I8, 4); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkTensor(k, shapes, "w", w, I8, 4); err != nil {
		r.fail(err)
		return nil
	}
	p, err := convParams(k, shapes, x.shape, w.shape, geom)
	if err != nil {
		r.fail(err)
		return nil
	}
	np, ckk := p.N*p.OH*p.OW, p.CG*p.KH*p.KW
	if ckk > MaxGemmK {
		r.fail(kernelErr(k, shapes, ErrTooLarge, "C/G·KH·KW = %d exceeds %d, the largest sum of int8 products exact in int32", ckk, MaxGemmK))
		return nil
	}
	scale, ok := r.convScale(k, shapes, x, w)
	if !ok {
		return nil
	}
	y := r.newOutput(k, shapes, I32, convOutShape(p), x.Exp+w.Exp)
	if y == nil {
		return nil
	}
	y.Scale = scale
	var cols, wg *Tensor
	for g := range uint32(geom.Groups) {
		p.Group = g
		r.layout(&cols, x, p, false, np, ckk)            // [NP, CKK]
		r.layout(&wg, w, wParams(p, g), true, p.KG, ckk) // W_g [KG, CKK]
		c := r.temp(r.GemmI8NT(cols, wg))                // [NP, KG]
		if r.err != nil || r.Run("nhwc_to_nchw_i32", p, y, c) != nil {
			y.Release()
			return nil
		}
	}
	return y
}

// Conv2dBwdData records the input gradient of Conv2dI8, per group
// im2col_i8 (dy and w laid out), gemm_i8_nt and col2im_i32:
//
//	dx[n, c, ih, iw] = Σ_{k', kh, kw} dy[n, g·KG + k', oh, ow]·w[g·KG + k', c', kh, kw]
//
// with g = c / CG, c' = c mod CG, over the (kh, kw) with oh = (ih + P -
// kh)/S and ow = (iw + P - kw)/S whole and in range. dy I8 [N, K, OH, OW],
// w I8 [K, C/G, KH, KW], xShape the forward input's [N, C, H, W] (H and W
// are not determined by OH, OW when S > 1); dx I32 [N, C, H, W] with
// dx.Exp = dy.Exp + w.Exp (and the Scale of whichever operand has one).
// Exact: every dx is a sum of at most KG·KH·KW products of magnitude
// <= 2^14, refused with ErrTooLarge above MaxGemmK.
func (r *Recorder) Conv2dBwdData(dy, w *Tensor, xShape []int, geom ConvGeom) *Tensor {
	const k = "conv2d_bwd_data_i8"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(dy, w)
	if err := r.checkTensor(k, shapes, "dy", dy, I8, 4); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkTensor(k, shapes, "w", w, I8, 4); err != nil {
		r.fail(err)
		return nil
	}
	p, err := convParams(k, shapes, xShape, w.shape, geom)
	if err != nil {
		r.fail(err)
		return nil
	}
	if !equalShape(dy.shape, convOutShape(p)) {
		r.fail(kernelErr(k, shapes, ErrShape, "dy is %v, want %v for x %v", dy.shape, convOutShape(p), xShape))
		return nil
	}
	np, ckk := p.N*p.OH*p.OW, p.CG*p.KH*p.KW
	if uint64(p.KG)*uint64(p.KH)*uint64(p.KW) > MaxGemmK {
		r.fail(kernelErr(k, shapes, ErrTooLarge, "K/G·KH·KW = %d exceeds %d, the largest sum of int8 products exact in int32",
			uint64(p.KG)*uint64(p.KH)*uint64(p.KW), MaxGemmK))
		return nil
	}
	scale, ok := r.convScale(k, shapes, dy, w)
	if !ok {
		return nil
	}
	dx := r.newOutput(k, shapes, I32, xShape, dy.Exp+w.Exp)
	if dx == nil {
		return nil
	}
	dx.Scale = scale
	var dyg, wt *Tensor
	for g := range uint32(geom.Groups) {
		p.Group = g
		r.layout(&dyg, dy, dyParams(p, g), false, np, p.KG) // dy_g [NP, KG]
		r.layout(&wt, w, wParams(p, g), false, ckk, p.KG)   // W_gᵀ [CKK, KG]
		cg := r.temp(r.GemmI8NT(dyg, wt))                   // [NP, CKK]
		if r.err != nil || r.Run("col2im_i32", p, dx, cg) != nil {
			dx.Release()
			return nil
		}
	}
	return dx
}

// Conv2dBwdWeight records the weight gradient of Conv2dI8, per group
// im2col_t_i8 (x and dy laid out transposed), gemm_i8_nt and
// nhwc_to_nchw_i32:
//
//	dw[k, c', kh, kw] = Σ_{n, oh, ow} dy[n, k, oh, ow]·x[n, g·CG + c', oh·S + kh - P, ow·S + kw - P]
//
// with g = k / KG and zero padding. dy I8 [N, K, OH, OW], x I8 [N, C, H, W],
// wShape the weights' [K, C/G, KH, KW]; dw I32 of wShape with dw.Exp =
// dy.Exp + x.Exp (and the Scale of whichever operand has one). Exact: every
// dw is a sum of NP = N·OH·OW products of magnitude <= 2^14, refused with
// ErrTooLarge above MaxGemmK.
func (r *Recorder) Conv2dBwdWeight(dy, x *Tensor, wShape []int, geom ConvGeom) *Tensor {
	const k = "conv2d_bwd_weight_i8"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(dy, x)
	if err := r.checkTensor(k, shapes, "dy", dy, I8, 4); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkTensor(k, shapes, "x", x, I8, 4); err != nil {
		r.fail(err)
		return nil
	}
	p, err := convParams(k, shapes, x.shape, wShape, geom)
	if err != nil {
		r.fail(err)
		return nil
	}
	if !equalShape(dy.shape, convOutShape(p)) {
		r.fail(kernelErr(k, shapes, ErrShape, "dy is %v, want %v for x %v and w %v", dy.shape, convOutShape(p), x.shape, wShape))
		return nil
	}
	np, ckk := p.N*p.OH*p.OW, p.CG*p.KH*p.KW
	if np > MaxGemmK {
		r.fail(kernelErr(k, shapes, ErrTooLarge, "N·OH·OW = %d exceeds %d, the largest sum of int8 products exact in int32", np, MaxGemmK))
		return nil
	}
	scale, ok := r.convScale(k, shapes, dy, x)
	if !ok {
		return nil
	}
	dw := r.newOutput(k, shapes, I32, wShape, dy.Exp+x.Exp)
	if dw == nil {
		return nil
	}
	dw.Scale = scale
	var colsT, dyT *Tensor
	for g := range uint32(geom.Groups) {
		p.Group = g
		r.layout(&colsT, x, p, true, ckk, np)              // colsᵀ_g [CKK, NP]
		r.layout(&dyT, dy, dyParams(p, g), true, p.KG, np) // dyᵀ_g [KG, NP]
		gt := r.temp(r.GemmI8NT(colsT, dyT))               // dWᵀ_g [CKK, KG]
		if r.err != nil || r.Run("nhwc_to_nchw_i32", dwParams(p, g), dw, gt) != nil {
			dw.Release()
			return nil
		}
	}
	return dw
}

// Conv2dF32 records conv2d_f32, the float32 forward pass (Conv2dI8's sum,
// all groups in one dispatch): x F32 [N, C, H, W], w F32 [K, C/G, KH, KW],
// y F32 [N, K, OH, OW] with y.Exp = x.Exp + w.Exp. The backends agree
// within float32 rounding (the shader may fuse multiply-adds).
func (r *Recorder) Conv2dF32(x, w *Tensor, geom ConvGeom) *Tensor {
	return r.convF32("conv2d_f32", x, w, nil, geom)
}

// Conv2dBwdDataF32 records conv2d_bwd_data_f32, Conv2dBwdData in float32:
// dy F32 [N, K, OH, OW], w F32 [K, C/G, KH, KW], dx F32 of xShape
// [N, C, H, W] with dx.Exp = dy.Exp + w.Exp.
func (r *Recorder) Conv2dBwdDataF32(dy, w *Tensor, xShape []int, geom ConvGeom) *Tensor {
	return r.convF32("conv2d_bwd_data_f32", dy, w, xShape, geom)
}

// Conv2dBwdWeightF32 records conv2d_bwd_weight_f32, Conv2dBwdWeight in
// float32: dy F32 [N, K, OH, OW], x F32 [N, C, H, W], dw F32 of wShape
// [K, C/G, KH, KW] with dw.Exp = dy.Exp + x.Exp.
func (r *Recorder) Conv2dBwdWeightF32(dy, x *Tensor, wShape []int, geom ConvGeom) *Tensor {
	return r.convF32("conv2d_bwd_weight_f32", dy, x, wShape, geom)
}

// convF32 validates and records one float conv kernel on operands a, b
// (x, w; dy, w; dy, x) with shape the missing tensor shape (nil forward).
func (r *Recorder) convF32(k string, a, b *Tensor, shape []int, geom ConvGeom) *Tensor {
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(a, b)
	if err := r.checkTensor(k, shapes, "a", a, F32, 4); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkTensor(k, shapes, "b", b, F32, 4); err != nil {
		r.fail(err)
		return nil
	}
	xs, ws := a.shape, b.shape
	switch k {
	case "conv2d_bwd_data_f32":
		xs = shape
	case "conv2d_bwd_weight_f32":
		xs, ws = b.shape, shape
	}
	p, err := convParams(k, shapes, xs, ws, geom)
	if err != nil {
		r.fail(err)
		return nil
	}
	out := convOutShape(p)
	if k != "conv2d_f32" {
		if !equalShape(a.shape, out) {
			r.fail(kernelErr(k, shapes, ErrShape, "dy is %v, want %v", a.shape, out))
			return nil
		}
		out = shape
	}
	y := r.newOutput(k, shapes, F32, out, a.Exp+b.Exp)
	if y == nil || r.Run(k, p, y, a, b) != nil {
		y.Release()
		return nil
	}
	return y
}
