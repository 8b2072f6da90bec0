package cpu

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// The float convolution twins (conv2d_f32, conv2d_bwd_data_f32,
// conv2d_bwd_weight_f32, for layers a recipe keeps in float32) compute
// what their shaders compute, per group, as a float32 im2col and one of
// gonum's blas32.Gemm, as GemmF32NT does: the shaders sum each output
// directly in their own order (and may fuse multiply-adds), so the two
// backends agree within float32 rounding, not bit for bit. They handle all
// groups in one dispatch (p.Group is ignored); x, w, dy, dx, dw are F32 in
// the layouts of the integer twins. The matrices, with NP = N·OH·OW rows
// (n, oh, ow) and CKK = CG·KH·KW columns (c', kh, kw):
//
//	cols_g[r, j] = x[n, g·CG + c', oh·Stride + kh - Pad, ow·Stride + kw - Pad] (0 in the padding)
//	dy_g[r, k']  = dy[n, g·KG + k', oh, ow]
//	W_g[k', j]   = w[g·KG + k', c', kh, kw]

// Conv2dF32 is the twin of conv2d_f32, the forward pass:
//
//	y[n, k, oh, ow] = Σ_{c', kh, kw} x[n, g·CG + c', oh·Stride + kh - Pad, ow·Stride + kw - Pad]·w[k, c', kh, kw]
//
// with g = k / KG: y_g = cols_g·W_gᵀ.
func Conv2dF32(p ConvParams, y, x, w []uint32) {
	f := newConvF32(p)
	_, _, _ = y[:p.N*p.K*f.ohw], x[:p.N*p.C*p.H*p.W], w[:p.K*f.ckk]
	xf := floatsOf(x[:p.N*p.C*p.H*p.W])
	out := make([]float32, f.np*p.KG)
	words := make([]uint32, len(out))
	for g := range f.groups {
		f.im2col(g, xf)
		f.gemm(blas.NoTrans, blas.Trans, f.cols, f.ckk, f.weights(w, g), f.ckk, out, p.KG)
		storeFloats(words, out)
		q := p
		q.Group = g
		NhwcToNchwI32(q, y, words) // y_g [NP, KG] into channels g·KG.. of NCHW y
	}
}

// Conv2dBwdDataF32 is the twin of conv2d_bwd_data_f32, the input gradient:
//
//	dx[n, c, ih, iw] = Σ_{k', kh, kw} dy[n, g·KG + k', oh, ow]·w[g·KG + k', c', kh, kw]
//
// with g = c / CG, c' = c mod CG, over the (kh, kw) where oh = (ih + Pad -
// kh)/Stride and ow = (iw + Pad - kw)/Stride are whole and in range:
// dcols_g = dy_g·W_g, then dx gathers dcols_g as col2im does.
func Conv2dBwdDataF32(p ConvParams, dx, dy, w []uint32) {
	f := newConvF32(p)
	_, _, _ = dx[:p.N*p.C*p.H*p.W], dy[:p.N*p.K*f.ohw], w[:p.K*f.ckk]
	dyf := floatsOf(dy[:p.N*p.K*f.ohw])
	dyg := make([]float32, f.np*p.KG)
	for g := range f.groups {
		f.gatherNCHW(g, dyf, dyg)
		f.gemm(blas.NoTrans, blas.NoTrans, dyg, p.KG, f.weights(w, g), f.ckk, f.cols, f.ckk)
		f.col2im(g, dx)
	}
}

// Conv2dBwdWeightF32 is the twin of conv2d_bwd_weight_f32, the weight
// gradient:
//
//	dw[k, c', kh, kw] = Σ_{n, oh, ow} dy[n, k, oh, ow]·x[n, g·CG + c', oh·Stride + kh - Pad, ow·Stride + kw - Pad]
//
// with g = k / KG: dW_g = dy_gᵀ·cols_g.
func Conv2dBwdWeightF32(p ConvParams, dw, dy, x []uint32) {
	f := newConvF32(p)
	_, _, _ = dw[:p.K*f.ckk], dy[:p.N*p.K*f.ohw], x[:p.N*p.C*p.H*p.W]
	xf := floatsOf(x[:p.N*p.C*p.H*p.W])
	dyf := floatsOf(dy[:p.N*p.K*f.ohw])
	dyg := make([]float32, f.np*p.KG)
	out := make([]float32, p.KG*f.ckk)
	for g := range f.groups {
		f.im2col(g, xf)
		f.gatherNCHW(g, dyf, dyg)
		f.gemm(blas.Trans, blas.NoTrans, dyg, p.KG, f.cols, f.ckk, out, f.ckk)
		storeFloats(dw[g*p.KG*f.ckk:(g+1)*p.KG*f.ckk], out)
	}
}

// convF32 holds the shapes and the column matrix of one float convolution.
type convF32 struct {
	p                    ConvParams
	groups, np, ckk, ohw uint32
	cols                 []float32 // [NP, CKK]
}

func newConvF32(p ConvParams) *convF32 {
	f := &convF32{p: p, np: p.N * p.OH * p.OW, ckk: p.CG * p.KH * p.KW, ohw: p.OH * p.OW}
	if p.CG > 0 {
		f.groups = p.C / p.CG
	}
	f.cols = make([]float32, f.np*f.ckk)
	return f
}

// weights returns W_g [KG, CKK] as floats.
func (f *convF32) weights(w []uint32, g uint32) []float32 {
	n := f.p.KG * f.ckk
	return floatsOf(w[g*n : (g+1)*n])
}

// gemm sets c = op(a)·op(b), ta and tb choosing the transposes, for
// row-major matrices given by their data and column counts (the row counts
// follow from the lengths).
func (f *convF32) gemm(ta, tb blas.Transpose, a []float32, aCols uint32, b []float32, bCols uint32, c []float32, cCols uint32) {
	ga := blas32.General{Rows: len(a) / int(max(aCols, 1)), Cols: int(aCols), Stride: int(max(aCols, 1)), Data: a}
	gb := blas32.General{Rows: len(b) / int(max(bCols, 1)), Cols: int(bCols), Stride: int(max(bCols, 1)), Data: b}
	gc := blas32.General{Rows: len(c) / int(max(cCols, 1)), Cols: int(cCols), Stride: int(max(cCols, 1)), Data: c}
	if gc.Rows == 0 || gc.Cols == 0 {
		return
	}
	k := ga.Cols
	if ta == blas.Trans {
		k = ga.Rows
	}
	if k == 0 {
		clear(c)
		return
	}
	blas32.Gemm(ta, tb, 1, ga, gb, 0, gc)
}

// im2col fills cols with cols_g.
func (f *convF32) im2col(g uint32, x []float32) {
	p := f.p
	parallelRows(f.np, func(r uint32) {
		n, pix := r/f.ohw, r%f.ohw
		oh, ow := pix/p.OW, pix%p.OW
		dst := f.cols[r*f.ckk : (r+1)*f.ckk]
		clear(dst)
		khLo, khHi := tapSpan(oh, p.Stride, p.Pad, p.H, p.KH)
		kwLo, kwHi := tapSpan(ow, p.Stride, p.Pad, p.W, p.KW)
		if kwLo == kwHi {
			return // the window lies in the padding
		}
		for c := range p.CG {
			plane := (n*p.C + g*p.CG + c) * p.H
			for kh := khLo; kh < khHi; kh++ {
				src := (plane+oh*p.Stride+kh-p.Pad)*p.W + ow*p.Stride - p.Pad // wraps below 0; + kw brings it back
				j := (c*p.KH + kh) * p.KW
				copy(dst[j+kwLo:j+kwHi], x[src+kwLo:src+kwHi])
			}
		}
	})
}

// gatherNCHW fills m [NP, KG] with dy_g from the NCHW tensor t.
func (f *convF32) gatherNCHW(g uint32, t []float32, m []float32) {
	p := f.p
	for r := range f.np {
		n, pix := r/f.ohw, r%f.ohw
		for k := range p.KG {
			m[r*p.KG+k] = t[(n*p.K+g*p.KG+k)*f.ohw+pix]
		}
	}
}

// col2im writes into the group's channels of dx the sums of the column
// gradients in cols (dcols_g) over the taps that read each input element.
func (f *convF32) col2im(g uint32, dx []uint32) {
	col2imRows(f.p, g,
		func(idx uint32) float32 { return f.cols[idx] },
		func(o uint32, v float32) { dx[o] = math.Float32bits(v) })
}
