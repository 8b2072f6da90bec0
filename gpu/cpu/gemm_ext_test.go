package cpu

import (
	"math/rand/v2"
	"testing"
)

// The gemm_ext twins against plain int64 sums (the shaders are checked
// against the twins by the gpu package's cross-check).

// pack packs int values [rows, k] into words, per lanes per word of the
// given bits, each row starting a new word.
func pack(rows, k, per int, v []int) []uint32 {
	kw := (k + per - 1) / per
	bits := 32 / per
	w := make([]uint32, rows*kw)
	for i, x := range v {
		r, j := i/k, i%k
		w[r*kw+j/per] |= (uint32(x) & (1<<bits - 1)) << (bits * (j % per))
	}
	return w
}

func naive(m, n, k int, a, b []int) []int64 {
	c := make([]int64, m*n)
	for i := range m {
		for j := range n {
			for kk := range k {
				c[i*n+j] += int64(a[i*k+kk]) * int64(b[j*k+kk])
			}
		}
	}
	return c
}

func randInts(rng *rand.Rand, n, lo, hi int) []int {
	v := make([]int, n)
	for i := range v {
		v[i] = lo + rng.IntN(hi-lo+1)
	}
	return v
}

func TestPackI16SplitEveryValue(t *testing.T) {
	const rows, k = 256, 256
	v := make([]int, rows*k)
	for i := range v {
		v[i] = int(int16(i))
	}
	out := make([]uint32, 2*rows*k/4)
	PackI16Split(SplitParams{Rows: rows, K: k, KW: k / 4}, out, pack(rows, k, 2, v))
	for i, x := range v {
		w := i / 4
		h := int(int8(out[w] >> (8 * (i % 4))))
		l := int(int8(out[rows*k/4+w] >> (8 * (i % 4))))
		if 256*h+l+128 != x {
			t.Fatalf("x = %d: h = %d, l = %d", x, h, l)
		}
	}
}

func TestGemmExtTwins(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][3]int{{1, 1, 1}, {3, 5, 7}, {9, 4, 33}, {2, 3, 2*GemmChunkWords*4 + 5}} {
		m, n, k := s[0], s[1], s[2]
		kw := (k + 3) / 4
		p := GemmParams{M: uint32(m), N: uint32(n), KW: uint32(kw)}
		u8, i8, b8 := randInts(rng, m*k, 0, 255), randInts(rng, m*k, -128, 127), randInts(rng, n*k, -128, 127)
		bu := randInts(rng, n*k, 0, 255)
		i16 := randInts(rng, m*k, -32768, 32767)
		planes := make([]uint32, 2*m*kw)
		PackI16Split(SplitParams{Rows: uint32(m), K: uint32(k), KW: uint32(kw)}, planes, pack(m, k, 2, i16))

		wide := func(name string, f func(GemmParams, []uint32, []uint32, []uint32), a []uint32, b []uint32, want []int64) {
			c := make([]uint32, 2*m*n)
			f(p, c, a, b)
			for i, x := range want {
				if got := FromWideWords(c[2*i], c[2*i+1]); got != x {
					t.Fatalf("%s %v: C[%d] = %d, want %d", name, s, i, got, x)
				}
			}
		}
		wide("GemmI8NTWide", GemmI8NTWide, pack(m, k, 4, i8), pack(n, k, 4, b8), naive(m, n, k, i8, b8))
		wide("GemmU8I8NTWide", GemmU8I8NTWide, pack(m, k, 4, u8), pack(n, k, 4, b8), naive(m, n, k, u8, b8))
		wide("GemmI16I8NT", GemmI16I8NT, planes, pack(n, k, 4, b8), naive(m, n, k, i16, b8))
		wide("GemmI16U8NT", GemmI16U8NT, planes, pack(n, k, 4, bu), naive(m, n, k, i16, bu))
		if k <= 65793 {
			c := make([]uint32, m*n)
			GemmU8I8NT(p, c, pack(m, k, 4, u8), pack(n, k, 4, b8))
			for i, x := range naive(m, n, k, u8, b8) {
				if int64(int32(c[i])) != x {
					t.Fatalf("GemmU8I8NT %v: C[%d] = %d, want %d", s, i, int32(c[i]), x)
				}
			}
		}
	}
}
