package gpu

import (
	"slices"

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
//	forward      y_g  = GEMM(cols_g [NP, CKK], W_g [KG, CKK])  [NP, KG]  -> nhwc_to_nchw -> y
//	input grad   G_g  = GEMM(dy_g [NP, KG], W_gᵀ [CKK, KG])    [NP, CKK] -> col2im -> dx
//	weight grad  dW_g = GEMM(dyᵀ_g [KG, NP], colsᵀ_g [CKK, NP]) [KG, CKK] -> rows g·KG.. of dW
//
// where GEMM(A, B) = A·Bᵀ and every operand is laid out (packed along the
// GEMM's K, padded to 16 values) by im2col / im2col_t of its dtype: the
// activations with the conv's geometry, dy and w with a 1x1 "convolution"
// (dy as [N, K, OH, OW], w as [1, K, CG·KH, KW]). The GEMM is one call,
// looked up by the operands' dtypes in convGemms; its I32 or I64 output
// picks the _i32 or _i64 layout kernel.

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

// rowsParams returns the params of nhwc_to_nchw that copy group g's
// dW_g [KG, CKK] into rows g·KG.. of dW [K, CKK]: one image of one pixel
// whose K·CKK "channels" come in groups of KG·CKK.
func rowsParams(p cpu.ConvParams, g uint32) cpu.ConvParams {
	ckk := p.CG * p.KH * p.KW
	return cpu.ConvParams{N: 1, C: 1, H: 1, W: 1, K: p.K * ckk, KH: 1, KW: 1, OH: 1, OW: 1,
		Stride: 1, CG: 1, KG: p.KG * ckk, Group: g}
}

// im2colKernels name the im2col kernels by the dtype of their input.
var im2colKernels = map[DType][2]string{
	I8:  {"im2col_i8", "im2col_t_i8"},
	U8:  {"im2col_u8", "im2col_t_u8"},
	I16: {"im2col_i16", "im2col_t_i16"},
}

// layout records im2col (or im2col_t when transposed) of t with params p
// into *dst, first allocated as a temporary [rows, K] of t's dtype and
// exponent (later groups reuse it: the dispatches run in order). K is cols
// rounded up to a multiple of 16 (zero lanes past cols, so that the GEMM
// sums the same and runs as gemm_i8_nt_k16) unless that would pass limit,
// the GEMM's bound on K; both operands of a GEMM get the same K this way,
// whatever their dtypes.
func (r *Recorder) layout(dst **Tensor, t *Tensor, p cpu.ConvParams, transposed bool, rows, cols, limit uint32) {
	if r.err != nil {
		return
	}
	names, ok := im2colKernels[t.dtype]
	if !ok {
		r.fail(kernelErr("im2col", shapesOf(t), ErrShape, "no im2col for %v", t.dtype))
		return
	}
	name := names[0]
	if transposed {
		name = names[1]
	}
	k := cols
	if pad := (cols + 15) / 16 * 16; pad <= limit {
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

// convGemm is a GEMM the conv wrappers compose, C = A·Bᵀ with A [M, K]
// and B [N, K] packed along K.
type convGemm struct {
	run func(r *Recorder, a, b *Tensor) *Tensor
	// maxProd is the largest |a·b| of one product; with an I32 output the
	// wrappers refuse sums of more than (2^31-1)/maxProd terms.
	maxProd uint64
	// wide marks a GEMM with an I64 output (no int32 bound).
	wide bool
}

// convGemms are the GEMMs of the conv wrappers by operand dtypes (A, B):
// (x, w) forward, (dy, w) input gradient, (dy, x) weight gradient, in
// order of preference: a pass takes the first that is wide or whose int32
// bound holds for its sums.
//
//	{I8, I8}   gemm_i8_nt (|a·b| <= 2^14), then gemm_i8_nt_wide (I64)
//	{U8, I8}   gemm_u8i8_nt (255·128), then gemm_u8i8_nt_wide: forward on activations
//	{I16, I8}  gemm_i16i8_nt (I64 always): input gradient of E2 codes
//	{I16, U8}  gemm_i16u8_nt (I64 always): weight gradient of E2 codes and activations
//
// so a pass whose sums pass the int32 bound gets an I64 result instead of
// ErrTooLarge.
var convGemms = map[[2]DType][]convGemm{
	{I8, I8}: {
		{run: (*Recorder).GemmI8NT, maxProd: 128 * 128},
		{run: (*Recorder).GemmI8NTWide, wide: true},
	},
	{U8, I8}: {
		{run: (*Recorder).GemmU8I8NT, maxProd: 255 * 128},
		{run: (*Recorder).GemmU8I8NTWide, wide: true},
	},
	{I16, I8}: {{run: (*Recorder).GemmI16I8NT, wide: true}},
	{I16, U8}: {{run: (*Recorder).GemmI16U8NT, wide: true}},
}

// convSetup validates the operands a and b (named an, bn) of a conv pass,
// live rank-4 tensors of this device, and returns the first GEMM of
// convGemms for their dtypes that is wide or sums terms products exactly in
// int32 (none: ErrTooLarge), and the Scale of the result: that of
// whichever operand has one (both is refused: their sum would need a
// kernel).
func (r *Recorder) convSetup(k string, shapes [][]int, an, bn string, a, b *Tensor, terms uint64, what string) (convGemm, *Tensor, bool) {
	if err := r.checkTensor(k, shapes, an, a, a.dtype, 4); err != nil {
		r.fail(err)
		return convGemm{}, nil, false
	}
	if err := r.checkTensor(k, shapes, bn, b, b.dtype, 4); err != nil {
		r.fail(err)
		return convGemm{}, nil, false
	}
	gms, ok := convGemms[[2]DType{a.dtype, b.dtype}]
	if !ok {
		r.fail(kernelErr(k, shapes, ErrShape, "no GEMM for %v x %v operands", a.dtype, b.dtype))
		return convGemm{}, nil, false
	}
	i := slices.IndexFunc(gms, func(gm convGemm) bool { return gm.wide || terms*gm.maxProd <= 1<<31-1 })
	if i < 0 {
		r.fail(kernelErr(k, shapes, ErrTooLarge, "%s = %d: a sum of more than %d products of %v x %v is not exact in int32",
			what, terms, (1<<31-1)/gms[0].maxProd, a.dtype, b.dtype))
		return convGemm{}, nil, false
	}
	if a.Scale != nil && b.Scale != nil {
		r.fail(kernelErr(k, shapes, ErrShape, "both operands carry a data-dependent Scale"))
		return convGemm{}, nil, false
	}
	scale := a.Scale
	if scale == nil {
		scale = b.Scale
	}
	return gms[i], scale, true
}

// kLimit is the largest GEMM K the layouts may pad to for gm.
func (gm convGemm) kLimit() uint32 {
	if gm.wide {
		return MaxGemmK
	}
	return uint32(min((1<<31-1)/gm.maxProd, MaxGemmK))
}

// convPlace records the layout kernel (name + "_i32" or "_i64", by c's
// dtype) that moves group p.Group's GEMM output c into *out, allocating
// *out first with c's dtype and the shape, exponent and scale given.
func (r *Recorder) convPlace(k string, shapes [][]int, name string, p cpu.ConvParams, out **Tensor, c *Tensor,
	shape []int, exp int, scale *Tensor) bool {
	if r.err != nil {
		return false
	}
	switch c.dtype {
	case I32:
		name += "_i32"
	case I64:
		name += "_i64"
	default:
		r.fail(kernelErr(k, shapes, ErrShape, "GEMM output is %v, want I32 or I64", c.dtype))
		return false
	}
	if *out == nil {
		if *out = r.newOutput(k, shapes, c.dtype, shape, exp); *out == nil {
			return false
		}
		(*out).Scale = scale
	}
	return r.Run(name, p, *out, c) == nil
}

// Conv2dI8 records the integer conv2d forward pass, per group im2col,
// the GEMM and nhwc_to_nchw:
//
//	y[n, k, oh, ow] = Σ_{c', kh, kw} x[n, g·CG + c', oh·S + kh - P, ow·S + kw - P]·w[k, c', kh, kw]
//
// with g = k / KG and zero padding, exactly: x [N, C, H, W] and w
// [K, C/G, KH, KW] of dtypes with a GEMM in convGemms (I8 x I8, or U8
// activations x I8 weights), y [N, K, OH, OW] of the GEMM's output dtype
// with y.Exp = x.Exp + w.Exp (and the Scale of whichever operand has one;
// both is refused). Every output sums CKK = (C/G)·KH·KW products of
// magnitude at most 2^14 (I8 x I8) or 255·128 (U8 x I8): y is I32 while
// CKK <= MaxGemmK (MaxGemmKU8 for U8), exact, and I64 beyond (the _wide
// GEMM). Bad shapes or geometry give ErrShape.
func (r *Recorder) Conv2dI8(x, w *Tensor, geom ConvGeom) *Tensor {
	const k = "conv2d_i8"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x, w)
	if x == nil || w == nil {
		r.fail(kernelErr(k, shapes, ErrShape, "x or w is nil"))
		return nil
	}
	p, err := convParams(k, shapes, x.shape, w.shape, geom)
	if err != nil {
		r.fail(err)
		return nil
	}
	np, ckk := p.N*p.OH*p.OW, p.CG*p.KH*p.KW
	gm, scale, ok := r.convSetup(k, shapes, "x", "w", x, w, uint64(ckk), "C/G·KH·KW")
	if !ok {
		return nil
	}
	var y, cols, wg *Tensor
	for g := range uint32(geom.Groups) {
		p.Group = g
		r.layout(&cols, x, p, false, np, ckk, gm.kLimit())            // cols_g [NP, CKK]
		r.layout(&wg, w, wParams(p, g), true, p.KG, ckk, gm.kLimit()) // W_g [KG, CKK]
		c := r.temp(gm.run(r, cols, wg))                              // [NP, KG]
		if !r.convPlace(k, shapes, "nhwc_to_nchw", p, &y, c, convOutShape(p), x.Exp+w.Exp, scale) {
			y.Release()
			return nil
		}
	}
	return y
}

// Conv2dBwdData records the input gradient of Conv2dI8, per group im2col
// of dy and w, the GEMM and col2im:
//
//	dx[n, c, ih, iw] = Σ_{k', kh, kw} dy[n, g·KG + k', oh, ow]·w[g·KG + k', c', kh, kw]
//
// with g = c / CG, c' = c mod CG, over the (kh, kw) with oh = (ih + P -
// kh)/S and ow = (iw + P - kw)/S whole and in range. dy [N, K, OH, OW] and
// w [K, C/G, KH, KW] of dtypes with a GEMM in convGemms (I8 x I8, or I16
// E2 codes x I8 weights), xShape the forward input's [N, C, H, W] (H and W
// are not determined by OH, OW when S > 1); dx of the GEMM's output dtype
// and xShape with dx.Exp = dy.Exp + w.Exp (and the Scale of whichever
// operand has one). Exact: every dx sums at most KG·KH·KW products; for
// I8 x I8 (at most 2^14 each) dx is I32 up to MaxGemmK and I64 beyond, for
// I16 x I8 always I64 (gemm_i16i8_nt).
func (r *Recorder) Conv2dBwdData(dy, w *Tensor, xShape []int, geom ConvGeom) *Tensor {
	const k = "conv2d_bwd_data_i8"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(dy, w)
	if dy == nil || w == nil {
		r.fail(kernelErr(k, shapes, ErrShape, "dy or w is nil"))
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
	gm, scale, ok := r.convSetup(k, shapes, "dy", "w", dy, w, uint64(p.KG)*uint64(p.KH)*uint64(p.KW), "K/G·KH·KW")
	if !ok {
		return nil
	}
	var dx, dyg, wt *Tensor
	for g := range uint32(geom.Groups) {
		p.Group = g
		r.layout(&dyg, dy, dyParams(p, g), false, np, p.KG, gm.kLimit()) // dy_g [NP, KG]
		r.layout(&wt, w, wParams(p, g), false, ckk, p.KG, gm.kLimit())   // W_gᵀ [CKK, KG]
		c := r.temp(gm.run(r, dyg, wt))                                  // [NP, CKK]
		if !r.convPlace(k, shapes, "col2im", p, &dx, c, xShape, dy.Exp+w.Exp, scale) {
			dx.Release()
			return nil
		}
	}
	return dx
}

// Conv2dBwdWeight records the weight gradient of Conv2dI8, per group
// im2col_t of dy and x, the GEMM and nhwc_to_nchw (a copy of the group's
// rows):
//
//	dw[k, c', kh, kw] = Σ_{n, oh, ow} dy[n, k, oh, ow]·x[n, g·CG + c', oh·S + kh - P, ow·S + kw - P]
//
// with g = k / KG and zero padding. dy [N, K, OH, OW] and x [N, C, H, W]
// of dtypes with a GEMM in convGemms (I8 x I8, or I16 E2 codes x U8
// activations), wShape the weights' [K, C/G, KH, KW]; dw of the GEMM's
// output dtype and wShape with dw.Exp = dy.Exp + x.Exp (and the Scale of
// whichever operand has one). Exact: every dw sums NP = N·OH·OW products;
// for I8 x I8 (at most 2^14 each) dw is I32 up to MaxGemmK and I64 beyond,
// for I16 x U8 always I64 (gemm_i16u8_nt).
func (r *Recorder) Conv2dBwdWeight(dy, x *Tensor, wShape []int, geom ConvGeom) *Tensor {
	const k = "conv2d_bwd_weight_i8"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(dy, x)
	if dy == nil || x == nil {
		r.fail(kernelErr(k, shapes, ErrShape, "dy or x is nil"))
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
	gm, scale, ok := r.convSetup(k, shapes, "dy", "x", dy, x, uint64(np), "N·OH·OW")
	if !ok {
		return nil
	}
	var dw, dyT, colsT *Tensor
	for g := range uint32(geom.Groups) {
		p.Group = g
		r.layout(&dyT, dy, dyParams(p, g), true, p.KG, np, gm.kLimit()) // dyᵀ_g [KG, NP]
		r.layout(&colsT, x, p, true, ckk, np, gm.kLimit())              // colsᵀ_g [CKK, NP]
		c := r.temp(gm.run(r, dyT, colsT))                              // dW_g [KG, CKK]
		if !r.convPlace(k, shapes, "nhwc_to_nchw", rowsParams(p, g), &dw, c, wShape, dy.Exp+x.Exp, scale) {
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
	return r.output(k, shapes, F32, out, a.Exp+b.Exp, p, a, b)
}
