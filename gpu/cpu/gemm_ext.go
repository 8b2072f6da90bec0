package cpu

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Twins of shaders/gemm_ext.wgsl — keep in sync.
//
// The integer twins reuse GemmI8NT (SWAR, exact mod 2^32) as their building
// block: the shaders' identities (a = (a-128) + 128, x = 256·h + l + 128)
// hold lane by lane, so the sums they rearrange are the same integers. The
// wide twins sum k in chunks of at most GemmChunkWords words, where every
// int32 partial sum is exact, and add the chunks in int64, as the shaders do
// (exact sums do not depend on the chunking).

// GemmChunkWords is GX_CHUNK of gemm_ext.wgsl: the words of k a wide kernel
// sums in int32 before it adds the partial sums into int64 (32768 values).
const GemmChunkWords = 8192

// SplitParams is the uniform of pack_i16_split (struct SplitParams in WGSL).
type SplitParams struct {
	Rows uint32 // rows of the int16 input
	K    uint32 // values per row
	KW   uint32 // words per row of each int8 plane, ceil(K/4)
}

// flipWord maps four uint8 lanes u to the int8 lanes u - 128 (GX_FLIP).
const flipWord = 0x80808080

// GemmU8I8NT is the twin of gemm_u8i8_nt and gemm_u8i8_nt_k16: a is uint8
// [M, KW words], b int8 [N, KW words]; for m < p.M, n < p.N,
//
//	c[m*N + n] = sum_w Dot4I8Packed(a[m*KW+w] ^ 0x80808080, b[n*KW+w])
//	           + 128 * sum_w Dot4I8Packed(b[n*KW+w], 0x01010101)
//
// with i32 wrap-around: the exact sum of uint8 x int8 products when it fits
// int32 (k <= 65793).
func GemmU8I8NT(p GemmParams, c, a, b []uint32) {
	m, n, kw := int(p.M), int(p.N), int(p.KW)
	if m == 0 || n == 0 {
		return
	}
	_, _, _ = c[:m*n], a[:m*kw], b[:n*kw]
	af := flipped(a[:m*kw])
	GemmI8NT(p, c, af, b)
	s := laneSums(b, n, kw)
	for i := range m {
		row := c[i*n : (i+1)*n]
		for j := range row {
			row[j] += 128 * uint32(s[j])
		}
	}
}

// GemmI8NTWide is the twin of gemm_i8_nt_wide: the exact int64 sums
// c[m, n] = sum_k a[m, k]·b[n, k] of int8 operands, stored as (lo, hi)
// words at c[2(m*N+n)], c[2(m*N+n)+1].
func GemmI8NTWide(p GemmParams, c, a, b []uint32) {
	m, n, kw := int(p.M), int(p.N), int(p.KW)
	_, _, _ = c[:2*m*n], a[:m*kw], b[:n*kw]
	acc := make([]int64, m*n)
	chunkedGemm(m, n, kw, a, b, func(part []uint32) {
		for i, v := range part {
			acc[i] += int64(int32(v))
		}
	})
	storeWide(c, acc)
}

// GemmU8I8NTWide is the twin of gemm_u8i8_nt_wide: as GemmI8NTWide with a
// uint8, the exact int64 sums of uint8 x int8 products.
func GemmU8I8NTWide(p GemmParams, c, a, b []uint32) {
	m, n, kw := int(p.M), int(p.N), int(p.KW)
	_, _, _ = c[:2*m*n], a[:m*kw], b[:n*kw]
	acc := make([]int64, m*n)
	chunkedGemm(m, n, kw, flipped(a[:m*kw]), b, func(part []uint32) {
		for i, v := range part {
			acc[i] += int64(int32(v))
		}
	})
	s := laneSums(b, n, kw)
	for i := range acc {
		acc[i] += 128 * s[i%n]
	}
	storeWide(c, acc)
}

// GemmI16I8NT is the twin of gemm_i16i8_nt: a holds the two int8 planes of
// pack_i16_split, H [M, KW] then L [M, KW] words, b is int8 [N, KW]; with
// x = 256·h + l + 128 lane by lane it stores the exact int64
//
//	c[m, n] = 256·sum_k H[m,k]·B[n,k] + sum_k L[m,k]·B[n,k] + 128·sum_k B[n,k].
func GemmI16I8NT(p GemmParams, c, a, b []uint32) {
	m, n, kw := int(p.M), int(p.N), int(p.KW)
	_, _, _ = c[:2*m*n], a[:2*m*kw], b[:n*kw]
	h, l := a[:m*kw], a[m*kw:2*m*kw]
	acc := make([]int64, m*n)
	chunkedGemm(m, n, kw, h, b, func(part []uint32) {
		for i, v := range part {
			acc[i] += 256 * int64(int32(v))
		}
	})
	chunkedGemm(m, n, kw, l, b, func(part []uint32) {
		for i, v := range part {
			acc[i] += int64(int32(v))
		}
	})
	s := laneSums(b, n, kw)
	for i := range acc {
		acc[i] += 128 * s[i%n]
	}
	storeWide(c, acc)
}

// GemmI16U8NT is the twin of gemm_i16u8_nt: as GemmI16I8NT with b uint8
// [N, KW], computed as the shader does with B' = B ^ 0x80808080 (int8 lanes
// B - 128): per lane H·B = H·B' + 128·H and L·B = L·B' + 128·L, so
//
//	c[m, n] = 256·(sum H·B' + 128·sum H) + sum L·B' + 128·(sum L + sum B).
func GemmI16U8NT(p GemmParams, c, a, b []uint32) {
	m, n, kw := int(p.M), int(p.N), int(p.KW)
	_, _, _ = c[:2*m*n], a[:2*m*kw], b[:n*kw]
	h, l := a[:m*kw], a[m*kw:2*m*kw]
	bf := flipped(b[:n*kw])
	acc := make([]int64, m*n)
	chunkedGemm(m, n, kw, h, bf, func(part []uint32) {
		for i, v := range part {
			acc[i] += 256 * int64(int32(v))
		}
	})
	chunkedGemm(m, n, kw, l, bf, func(part []uint32) {
		for i, v := range part {
			acc[i] += int64(int32(v))
		}
	})
	rh, rl := laneSums(h, m, kw), laneSums(l, m, kw)
	sb := make([]int64, n) // uint8 lane sums of B (dot4U8Packed)
	for j := range n {
		for _, w := range b[j*kw : (j+1)*kw] {
			sb[j] += int64(w&0xFF) + int64(w>>8&0xFF) + int64(w>>16&0xFF) + int64(w>>24)
		}
	}
	for i := range m {
		for j := range n {
			acc[i*n+j] += 256*128*rh[i] + 128*(rl[i]+sb[j])
		}
	}
	storeWide(c, acc)
}

// PackI16Split is the twin of pack_i16_split: in is int16 [Rows, K] packed 2
// per word (row stride ceil(K/2)); out gets the plane H [Rows, KW] then L
// [Rows, KW], int8 packed 4 per word, with h = x >> 8 and
// l = (x & 255) - 128 (x = 256·h + l + 128) and zero padding lanes.
func PackI16Split(p SplitParams, out, in []uint32) {
	rows, k, kw := p.Rows, p.K, p.KW
	k2 := (k + 1) / 2
	total := rows * kw
	_, _ = out[:2*total], in[:rows*k2]
	parallelItems(total, func(i uint32) {
		r, w := i/kw, i%kw
		var h, l uint32
		for j := range uint32(4) {
			kk := 4*w + j
			if kk >= k {
				continue
			}
			x := int32(in[r*k2+kk/2]<<(16-16*(kk%2))) >> 16
			h |= (uint32(x>>8) & 0xFF) << (8 * j)
			l |= ((uint32(x) & 0xFF) ^ 0x80) << (8 * j)
		}
		out[i] = h
		out[total+i] = l
	})
}

// GemmF32NT is the twin of gemm_f32_nt and gemm_f32_nt_k4: float32
// c[m*N + n] = sum_k a[m*KW + k]·b[n*KW + k] (KW = k), computed by gonum's
// blas32.Gemm (C = A·Bᵀ; assembly kernels and goroutines, the float32 bar of
// design.md). Float sums are not bit-exact across backends (order, FMA):
// the cross-check compares within a tolerance.
func GemmF32NT(p GemmParams, c, a, b []uint32) {
	m, n, k := int(p.M), int(p.N), int(p.KW)
	if m == 0 || n == 0 {
		return
	}
	_, _, _ = c[:m*n], a[:m*k], b[:n*k]
	cf := make([]float32, m*n)
	if k > 0 {
		ga := blas32.General{Rows: m, Cols: k, Stride: k, Data: floatsOf(a[:m*k])}
		gb := blas32.General{Rows: n, Cols: k, Stride: k, Data: floatsOf(b[:n*k])}
		blas32.Gemm(blas.NoTrans, blas.Trans, 1, ga, gb, 0, blas32.General{Rows: m, Cols: n, Stride: n, Data: cf})
	}
	storeFloats(c, cf)
}

// storeFloats writes the float32 values f as their bit patterns into words.
func storeFloats(words []uint32, f []float32) {
	for i, v := range f {
		words[i] = math.Float32bits(v)
	}
}

// floatsOf returns the float32 values of float32 bit patterns (a copy).
func floatsOf(words []uint32) []float32 {
	out := make([]float32, len(words))
	for i, w := range words {
		out[i] = math.Float32frombits(w)
	}
	return out
}

// flipped returns a copy of words with every byte's top bit flipped: uint8
// lanes u become the int8 lanes u - 128 (and back).
func flipped(words []uint32) []uint32 {
	out := make([]uint32, len(words))
	for i, w := range words {
		out[i] = w ^ flipWord
	}
	return out
}

// laneSums returns, for each of the rows int8 rows of kw words, the sum of
// its lanes (Dot4I8Packed with 0x01010101 summed over the row).
func laneSums(words []uint32, rows, kw int) []int64 {
	s := make([]int64, rows)
	for r := range rows {
		var t int64
		for _, w := range words[r*kw : (r+1)*kw] {
			t += int64(Dot4I8Packed(w, 0x01010101))
		}
		s[r] = t
	}
	return s
}

// chunkedGemm calls add with the int32 words of GemmI8NT on each chunk of at
// most GemmChunkWords words of k (columns w0..w1 of a [m, kw] and b [n, kw]),
// in order; every chunk sum of int8 products is exact (at most 2^29).
func chunkedGemm(m, n, kw int, a, b []uint32, add func(part []uint32)) {
	if m == 0 || n == 0 {
		return
	}
	part := make([]uint32, m*n)
	for w0 := 0; ; w0 += GemmChunkWords {
		cw := min(kw-w0, GemmChunkWords)
		ac, bc := columns(a, m, kw, w0, cw), columns(b, n, kw, w0, cw)
		GemmI8NT(GemmParams{M: uint32(m), N: uint32(n), KW: uint32(cw)}, part, ac, bc)
		add(part)
		if w0+cw >= kw {
			return
		}
	}
}

// columns returns words w0..w0+cw-1 of each of the rows rows of stride kw,
// contiguous (the words themselves when they already are).
func columns(words []uint32, rows, kw, w0, cw int) []uint32 {
	if w0 == 0 && cw == kw {
		return words[:rows*kw]
	}
	out := make([]uint32, rows*cw)
	for r := range rows {
		copy(out[r*cw:(r+1)*cw], words[r*kw+w0:r*kw+w0+cw])
	}
	return out
}

// storeWide writes int64 values as (lo, hi) word pairs.
func storeWide(c []uint32, v []int64) {
	for i, x := range v {
		c[2*i], c[2*i+1] = WideWords(x)
	}
}
