package cpu

import (
	"math/bits"
)

// Twins of shaders/conv.wgsl — keep in sync.
//
// Conv2d (dilation 1) as data movement around GEMMs: im2col lays the input
// out as the GEMM operand, the GEMM sums, nhwc_to_nchw / col2im put the
// result back in NCHW. Shape letters: input x [N, C, H, W] (NCHW), weights
// [K, C/G, KH, KW], output [N, K, OH, OW] with OH = (H + 2·Pad - KH)/Stride
// + 1 (likewise OW), G groups of CG = C/G input and KG = K/G output
// channels. Narrow codes (I8, U8: 4 per word; I16: 2 per word) pack along
// the last dimension and every row starts a new word (gpu/doc.go "# Number
// format"). NP = N·OH·OW output pixels, CKK = CG·KH·KW values per receptive
// field.

// ConvParams is the uniform of every conv kernel (struct ConvParams in
// WGSL). Each kernel reads the fields it needs; Group selects the group a
// per-group kernel works on (channels Group·CG .. Group·CG+CG-1 of the
// input, Group·KG .. Group·KG+KG-1 of the output).
type ConvParams struct {
	N, C, H, W uint32 // input batch, channels, height, width
	K          uint32 // output channels (all groups)
	KH, KW     uint32 // kernel height and width
	OH, OW     uint32 // output height and width
	Stride     uint32 // stride (both dimensions)
	Pad        uint32 // zero padding (both dimensions, both sides)
	CG         uint32 // input channels per group, C/G
	KG         uint32 // output channels per group, K/G
	Group      uint32 // the group a per-group kernel works on
	// RowWords is the words per output row of im2col and im2col_t, at
	// least ceil(values/per); the lanes past the row's values are 0, so a
	// row can be padded to a multiple of 16 values (gemm_i8_nt_k16).
	RowWords uint32
}

// im2col is the twin of conv_im2col: cols is group p.Group's [NP, CKK]
// matrix packed per codes to a word along CKK (row stride p.RowWords
// words, padding lanes 0): lane j of word w of row n·OH·OW + oh·OW + ow
// holds column kk = per·w + j = c'·KH·KW + kh·KW + kw, that is
// x[n, Group·CG + c', oh·Stride + kh - Pad, ow·Stride + kw - Pad].
func im2col(p ConvParams, cols, x []uint32, per uint32) {
	sh, lane := laneShape(per)
	kwords := p.RowWords
	rows := p.N * p.OH * p.OW
	ohw, xw := p.OH*p.OW, (p.W+per-1)/per
	_, _ = cols[:rows*kwords], x[:p.N*p.C*p.H*xw] // panic here, not in a goroutine
	parallelRows(rows, func(r uint32) {
		n, pix := r/ohw, r%ohw
		oh, ow := pix/p.OW, pix%p.OW
		dst := cols[r*kwords : (r+1)*kwords]
		clear(dst)
		khLo, khHi := tapSpan(oh, p.Stride, p.Pad, p.H, p.KH)
		kwLo, kwHi := tapSpan(ow, p.Stride, p.Pad, p.W, p.KW)
		for c := range p.CG {
			plane := (n*p.C + p.Group*p.CG + c) * p.H
			for kh := khLo; kh < khHi; kh++ {
				src := (plane + oh*p.Stride + kh - p.Pad) * xw
				kk := (c*p.KH + kh) * p.KW
				for kw := kwLo; kw < kwHi; kw++ {
					xx, j := ow*p.Stride+kw-p.Pad, kk+kw
					dst[j>>sh] |= lanes(x[src+xx>>sh], xx, per, lane) << (j & (per - 1) * lane)
				}
			}
		}
	})
}

// im2colT is the twin of conv_im2col_t: cols is the transpose, [CKK, NP]
// packed per codes to a word along NP (row stride p.RowWords words).
func im2colT(p ConvParams, cols, x []uint32, per uint32) {
	sh, lane := laneShape(per)
	ckk := p.CG * p.KH * p.KW
	nwords := p.RowWords
	khw, xw := p.KH*p.KW, (p.W+per-1)/per
	_, _ = cols[:ckk*nwords], x[:p.N*p.C*p.H*xw] // panic here, not in a goroutine
	parallelRows(ckk, func(kk uint32) {
		c, kh, kw := kk/khw, (kk%khw)/p.KW, kk%p.KW
		dst := cols[kk*nwords : (kk+1)*nwords]
		clear(dst)
		ohLo, ohHi := posSpan(kh, p.Stride, p.Pad, p.H, p.OH)
		owLo, owHi := posSpan(kw, p.Stride, p.Pad, p.W, p.OW)
		for n := range p.N {
			plane := (n*p.C + p.Group*p.CG + c) * p.H
			for oh := ohLo; oh < ohHi; oh++ {
				src := (plane + oh*p.Stride + kh - p.Pad) * xw
				j0 := (n*p.OH + oh) * p.OW
				for ow := owLo; ow < owHi; ow++ {
					xx, j := ow*p.Stride+kw-p.Pad, j0+ow
					dst[j>>sh] |= lanes(x[src+xx>>sh], xx, per, lane) << (j & (per - 1) * lane)
				}
			}
		}
	})
}

// laneShape returns log2(per) and the bits of a lane, for per = 2 or 4
// codes to a word.
func laneShape(per uint32) (sh, lane uint32) { return uint32(bits.TrailingZeros32(per)), 32 / per }

// lanes returns the code (its lane bits, not sign-extended) of element xx
// of a row packed per codes to a word, from the word that holds it: what
// conv_load returns inside the input (the spans keep the padding out).
func lanes(word, xx, per, lane uint32) uint32 {
	return word >> (xx & (per - 1) * lane) & (1<<lane - 1)
}

// Im2col8 is the twin of im2col_i8 and im2col_u8 (the same bytes: padding
// is code 0 for both): x is [N, C, H, W] I8 or U8, cols is group p.Group's
// GEMM operand [NP, CKK] packed along CKK:
//
//	cols[n·OH·OW + oh·OW + ow, c'·KH·KW + kh·KW + kw] =
//	    x[n, p.Group·CG + c', oh·Stride + kh - Pad, ow·Stride + kw - Pad]
//
// (0 outside the input), so that conv forward is C = GemmI8NT(cols, W_g).
func Im2col8(p ConvParams, cols, x []uint32) { im2col(p, cols, x, 4) }

// Im2col16 is the twin of im2col_i16: Im2col8 for I16 codes (2 a word).
func Im2col16(p ConvParams, cols, x []uint32) { im2col(p, cols, x, 2) }

// Im2colT8 is the twin of im2col_t_i8 and im2col_t_u8: the transpose of
// Im2col8's matrix, [CKK, NP] packed along NP, the operand of the weight
// gradient dW_g = GemmI8NT(dyᵀ, colsᵀ).
func Im2colT8(p ConvParams, cols, x []uint32) { im2colT(p, cols, x, 4) }

// Im2colT16 is the twin of im2col_t_i16: Im2colT8 for I16 codes.
func Im2colT16(p ConvParams, cols, x []uint32) { im2colT(p, cols, x, 2) }

// NhwcToNchwI32 is the twin of nhwc_to_nchw_i32: in is a GEMM output
// [N·P, KG] (row n·P + pix, column k', P = OH·OW) of group p.Group; it is
// written into channels Group·KG + k' of out [N, K, OH, OW]:
//
//	out[((n·K + Group·KG + k')·P + pix] = in[(n·P + pix)·KG + k']
//
// Words are copied, so the kernel serves any 32-bit dtype.
func NhwcToNchwI32(p ConvParams, out, in []uint32) {
	ohw := p.OH * p.OW
	total := p.N * p.KG * ohw
	_, _ = out[:p.N*p.K*ohw], in[:total]
	for i := range total {
		pix, t := i%ohw, i/ohw
		k, n := t%p.KG, t/p.KG
		out[(n*p.K+p.Group*p.KG+k)*ohw+pix] = in[(n*ohw+pix)*p.KG+k]
	}
}

// NhwcToNchwI64 is the twin of nhwc_to_nchw_i64: NhwcToNchwI32 for I64
// elements (two words each), for the wide GEMM outputs.
func NhwcToNchwI64(p ConvParams, out, in []uint32) {
	ohw := p.OH * p.OW
	total := p.N * p.KG * ohw
	_, _ = out[:2*p.N*p.K*ohw], in[:2*total]
	for i := range total {
		pix, t := i%ohw, i/ohw
		k, n := t%p.KG, t/p.KG
		o, s := (n*p.K+p.Group*p.KG+k)*ohw+pix, (n*ohw+pix)*p.KG+k
		out[2*o], out[2*o+1] = in[2*s], in[2*s+1]
	}
}

// col2imSrc calls f with the index (element, not word) into group
// p.Group's [NP, CKK] column matrix of every entry that im2col took from
// input element (n, c', ih, iw), kh outer and kw inner: the entries with
// oh·Stride + kh = ih + Pad and ow·Stride + kw = iw + Pad. The twin of the
// loop of conv_col2im_*.
func col2imSrc(p ConvParams, n, c, ih, iw uint32, f func(idx uint32)) {
	khw := p.KH * p.KW
	ckk := p.CG * khw
	khLo, khHi := outSpan(ih, p.Stride, p.Pad, p.OH, p.KH)
	kwLo, kwHi := outSpan(iw, p.Stride, p.Pad, p.OW, p.KW)
	for kh := khLo; kh < khHi; kh += p.Stride {
		oh := (ih + p.Pad - kh) / p.Stride
		for kw := kwLo; kw < kwHi; kw += p.Stride {
			ow := (iw + p.Pad - kw) / p.Stride
			f((n*p.OH*p.OW+oh*p.OW+ow)*ckk + c*khw + kh*p.KW + kw)
		}
	}
}

// Col2imI32 is the twin of col2im_i32, the gather form of col2im (no
// atomics): cols is group p.Group's I32 column gradient [NP, CKK] (the
// GEMM dy·W_g); for every input element of the group's channels
//
//	out[n, Group·CG + c', ih, iw] = Σ_{kh, kw} cols[n·OH·OW + oh·OW + ow, c'·KH·KW + kh·KW + kw]
//
// over the (kh, kw) with oh = (ih + Pad - kh)/Stride and ow likewise whole
// and in range, summed kh outer, kw inner in int32 with wrap-around; a
// partial sum that wraps ORs ErrOverflow into errWord[0]. At most KH·KW
// terms: exact when each is below 2^31/(KH·KW) in magnitude.
func Col2imI32(p ConvParams, out, cols, errWord []uint32) {
	total := p.N * p.CG * p.H * p.W
	_, _ = out[:p.N*p.C*p.H*p.W], cols[:p.N*p.OH*p.OW*p.CG*p.KH*p.KW]
	for i := range total {
		iw, t := i%p.W, i/p.W
		ih, t := t%p.H, t/p.H
		c, n := t%p.CG, t/p.CG
		var sum int32
		col2imSrc(p, n, c, ih, iw, func(idx uint32) {
			v := int32(cols[idx])
			if AddOverflows(sum, v) {
				errWord[0] |= ErrOverflow
			}
			sum += v
		})
		out[((n*p.C+p.Group*p.CG+c)*p.H+ih)*p.W+iw] = uint32(sum)
	}
}

// Col2imI64 is the twin of col2im_i64: Col2imI32 on I64 elements (two
// words each, lo then hi), summed in int64 with wrap-around (exact while
// the KH·KW terms sum within int64, which wide GEMM outputs do by far).
func Col2imI64(p ConvParams, out, cols []uint32) {
	_, _ = out[:2*p.N*p.C*p.H*p.W], cols[:2*p.N*p.OH*p.OW*p.CG*p.KH*p.KW]
	// int64 sums wrap, so col2imRows's order gives the same words as the
	// shader's.
	col2imRows(p, p.Group,
		func(idx uint32) uint64 { return uint64(cols[2*idx]) | uint64(cols[2*idx+1])<<32 },
		func(o uint32, v uint64) { out[2*o], out[2*o+1] = uint32(v), uint32(v>>32) })
}

// col2imRows is the gather of col2im for group g, a row of W input
// elements per item: for each (n, c', ih) it sums load(idx) over the
// entries idx of the [NP, CKK] column matrix that im2col took from each
// (n, c', ih, iw), visited tap by tap (kh outer, then kw, then ow), and
// stores the sums at the elements' NCHW indices.
func col2imRows[T float32 | uint64](p ConvParams, g uint32, load func(idx uint32) T, store func(o uint32, v T)) {
	khw, ohw := p.KH*p.KW, p.OH*p.OW
	ckk := p.CG * khw
	owLo, owHi := posSpans(p.KW, p.Stride, p.Pad, p.W, p.OW)
	parallelChunks(p.N*p.CG*p.H, 16, func(lo, hi uint32) {
		sums := make([]T, p.W) // one per chunk, cleared per row
		for r := lo; r < hi; r++ {
			ih, t := r%p.H, r/p.H
			c, n := t%p.CG, t/p.CG
			clear(sums)
			khLo, khHi := outSpan(ih, p.Stride, p.Pad, p.OH, p.KH)
			for kh := khLo; kh < khHi; kh += p.Stride {
				oh := (ih + p.Pad - kh) / p.Stride
				base := (n*ohw+oh*p.OW)*ckk + c*khw + kh*p.KW
				for kw := range p.KW {
					for ow := owLo[kw]; ow < owHi[kw]; ow++ {
						sums[ow*p.Stride+kw-p.Pad] += load(base + ow*ckk + kw)
					}
				}
			}
			o := ((n*p.C+g*p.CG+c)*p.H + ih) * p.W
			for iw, v := range sums {
				store(o+uint32(iw), v)
			}
		}
	})
}

// The spans below give the convolution twins their loop bounds, so that
// their inner loops run without a test per tap; the taps skipped are
// exactly those the shaders skip.

// posSpans returns posSpan for each tap 0..k-1.
func posSpans(k, stride, pad, n, outN uint32) (lo, hi []uint32) {
	lo, hi = make([]uint32, k), make([]uint32, k)
	for t := range k {
		lo[t], hi[t] = posSpan(t, stride, pad, n, outN)
	}
	return lo, hi
}

// tapSpan returns the taps kh in [lo, hi) of a kernel of size k whose
// input row o·stride + kh - pad lies in [0, n).
func tapSpan(o, stride, pad, n, k uint32) (lo, hi uint32) {
	at := int64(o) * int64(stride) // input row of tap 0, plus pad
	l := max(int64(pad)-at, 0)
	h := min(int64(n)+int64(pad)-at, int64(k))
	if h <= l {
		return 0, 0
	}
	return uint32(l), uint32(h)
}

// outSpan returns, for input row i, the first tap lo and a bound hi of the
// taps kh (lo, lo + stride, ... < hi) that reach an output row
// oh = (i + pad - kh)/stride, whole and in [0, outN).
func outSpan(i, stride, pad, outN, k uint32) (lo, hi uint32) {
	y := int64(i) + int64(pad)
	l := max(y-int64(stride)*(int64(outN)-1), 0)
	l += (y - l) % int64(stride) // kh ≡ y (mod stride)
	h := min(y+1, int64(k))
	if h <= l {
		return 0, 0
	}
	return uint32(l), uint32(h)
}

// posSpan returns the output rows oh in [lo, hi) of [0, outN) whose input
// row oh·stride + kh - pad lies in [0, n).
func posSpan(kh, stride, pad, n, outN uint32) (lo, hi uint32) {
	s := int64(stride)
	l := int64(0)
	if d := int64(pad) - int64(kh); d > 0 {
		l = (d + s - 1) / s
	}
	top := int64(n) - 1 + int64(pad) - int64(kh) // the last oh·stride allowed
	if top < 0 {
		return 0, 0
	}
	h := min(top/s+1, int64(outN))
	if h <= l {
		return 0, 0
	}
	return uint32(l), uint32(h)
}
