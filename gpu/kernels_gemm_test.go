package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Case generators of the gemm_ext.wgsl rows (registry_gemm.go).

func init() {
	caseGens["gemm_u8i8_nt"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmU8Shapes, u8Sets, i8Sets, gemmNarrow)
	}
	caseGens["gemm_u8i8_nt_k16"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmU8K16Shapes, u8Sets, i8Sets, gemmNarrow)
	}
	caseGens["gemm_i8_nt_wide"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmWideShapes, i8Sets, i8Sets, gemmWide)
	}
	caseGens["gemm_u8i8_nt_wide"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmWideShapes, u8Sets, i8Sets, gemmWide)
	}
	caseGens["gemm_i16i8_nt"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmWideShapes, i16PlaneSets, i8Sets, gemmWide)
	}
	caseGens["gemm_i16u8_nt"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmWideShapes, i16PlaneSets, u8Sets, gemmWide)
	}
	caseGens["gemm_i8_nt_wide_k16"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmWideK16Shapes, i8Sets, i8Sets, gemmWide)
	}
	caseGens["gemm_u8i8_nt_wide_k16"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmWideK16Shapes, u8Sets, i8Sets, gemmWide)
	}
	caseGens["gemm_i16i8_nt_k16"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmWideK16Shapes, i16PlaneSets, i8Sets, gemmWide)
	}
	caseGens["gemm_i16u8_nt_k16"] = func(rng *rand.Rand) []kcase {
		return gemmExtCases(rng, gemmWideK16Shapes, i16PlaneSets, u8Sets, gemmWide)
	}
	caseGens["pack_i16_split"] = splitCases
	caseGens["gemm_f32_nt"] = func(rng *rand.Rand) []kcase { return gemmF32Cases(rng, gemmF32Shapes) }
	caseGens["gemm_f32_nt_k4"] = func(rng *rand.Rand) []kcase { return gemmF32Cases(rng, gemmF32K4Shapes) }
	caseGens["gemm_i8_nt_tiled"] = func(rng *rand.Rand) []kcase { return gemmCases(rng, gemmTiledShapes) }
}

// gemmU8Shapes are (m, n, k) for gemm_u8i8_nt: 1, odd sizes, block edges and
// the exactness bound MaxGemmKU8, where 255 x -128 sums to -(2^31 - 128).
var gemmU8Shapes = [][3]int{
	{1, 1, 1}, {1, 1, 4}, {3, 5, 7}, {5, 3, 9}, {8, 8, 16}, {7, 9, 17}, {31, 33, 65},
	{64, 64, 64}, {65, 63, 129}, {1, 17, 1000}, {33, 1, 515}, {3, 2, 4099}, {2, 3, MaxGemmKU8},
}

// gemmU8K16Shapes have ceil(k/4) a multiple of 4; 65792 is the largest such
// k within MaxGemmKU8.
var gemmU8K16Shapes = [][3]int{
	{1, 1, 16}, {1, 1, 13}, {3, 5, 16}, {8, 8, 32}, {7, 9, 61}, {31, 33, 64},
	{65, 63, 128}, {1, 17, 1024}, {33, 1, 512}, {3, 2, 4096}, {2, 3, 65792},
}

// gemmWideShapes: the narrow shapes, then k around the chunk (32768 values)
// and past the int32 bounds: 65793 (uint8), 131071 (int8) and beyond, where
// only the wide sum is exact.
var gemmWideShapes = [][3]int{
	{1, 1, 1}, {3, 5, 7}, {8, 8, 16}, {7, 9, 17}, {65, 63, 129}, {1, 17, 1000},
	{9, 17, 32769}, {2, 3, 65536}, {3, 2, MaxGemmKU8 + 1}, {2, 3, MaxGemmK}, {3, 2, MaxGemmK + 1},
	{2, 2, 200003},
}

// gemmWideK16Shapes are gemmWideShapes with ceil(k/4) a multiple of 4:
// chunk edges (32768 values per chunk) and past both int32 bounds.
var gemmWideK16Shapes = [][3]int{
	{1, 1, 16}, {3, 5, 13}, {8, 8, 32}, {7, 9, 61}, {65, 63, 128}, {1, 17, 1024},
	{9, 17, 32784}, {2, 3, 65536}, {3, 2, 65808}, {2, 3, 131072}, {2, 2, 200000},
}

// gemmF32Shapes and gemmF32K4Shapes (k a multiple of 4) for the float GEMMs.
var (
	gemmF32Shapes   = [][3]int{{1, 1, 1}, {3, 5, 7}, {8, 8, 16}, {7, 9, 17}, {31, 33, 65}, {65, 63, 129}, {1, 17, 1000}, {3, 2, 40001}}
	gemmF32K4Shapes = [][3]int{{1, 1, 4}, {3, 5, 8}, {8, 8, 16}, {7, 9, 20}, {31, 33, 64}, {65, 63, 128}, {1, 17, 1000}, {3, 2, 40000}}
)

// gemmTiledShapes: edges of the 128x128 tiles and of the 16-value k step.
var gemmTiledShapes = [][3]int{
	{1, 1, 1}, {3, 5, 7}, {8, 8, 16}, {127, 129, 33}, {128, 128, 64}, {129, 127, 65},
	{130, 257, 17}, {1, 300, 1000}, {256, 1, 8}, {2, 3, MaxGemmK},
}

type matSet = struct {
	name string
	gen  func(rng *rand.Rand, rows, k int) []uint32
}

// u8Sets generate uint8 matrices [rows, k] packed along k.
var u8Sets = []matSet{
	{"random", func(rng *rand.Rand, rows, k int) []uint32 {
		return packU8Words(rows, k, func(int) uint8 { return uint8(rng.IntN(256)) })
	}},
	{"all0", func(_ *rand.Rand, rows, k int) []uint32 { return packU8Words(rows, k, func(int) uint8 { return 0 }) }},
	{"all255", func(_ *rand.Rand, rows, k int) []uint32 { return packU8Words(rows, k, func(int) uint8 { return 255 }) }},
}

func packU8Words(rows, k int, f func(i int) uint8) []uint32 {
	v := make([]uint8, rows*k)
	for i := range v {
		v[i] = f(i)
	}
	return packNarrow[uint8](4)([]int{rows, k}, v)
}

// i16Extremes are the int16 values at the edges of the split: -32768, 32767,
// 32640 and up (where a sign-extended low byte would need h = 128), 32639,
// byte boundaries.
var i16Extremes = []int16{-32768, 32767, 32640, 32639, 32641, -32640, -129, -128, 127, 128, 0, -1, 1, 255, 256, -256, -257, 16256, -16256}

// i16PlaneSets generate int16 matrices [rows, k] as the two int8 planes of
// pack_i16_split (the a operand of gemm_i16i8_nt and gemm_i16u8_nt).
var i16PlaneSets = []matSet{
	{"random", func(rng *rand.Rand, rows, k int) []uint32 {
		return splitPlanes(rows, k, func(int) int16 { return int16(rng.Uint32()) })
	}},
	{"all-32768", func(_ *rand.Rand, rows, k int) []uint32 {
		return splitPlanes(rows, k, func(int) int16 { return -32768 })
	}},
	{"all32767", func(_ *rand.Rand, rows, k int) []uint32 {
		return splitPlanes(rows, k, func(int) int16 { return 32767 })
	}},
	{"extremes", func(_ *rand.Rand, rows, k int) []uint32 {
		return splitPlanes(rows, k, func(i int) int16 { return i16Extremes[i%len(i16Extremes)] })
	}},
}

// splitPlanes packs int16 values [rows, k] and splits them with the twin of
// pack_i16_split.
func splitPlanes(rows, k int, f func(i int) int16) []uint32 {
	v := make([]int16, rows*k)
	for i := range v {
		v[i] = f(i)
	}
	in := packNarrow[int16](2)([]int{rows, k}, v)
	kw := (k + 3) / 4
	out := make([]uint32, 2*rows*kw)
	cpu.PackI16Split(cpu.SplitParams{Rows: uint32(rows), K: uint32(k), KW: uint32(kw)}, out, in)
	return out
}

// gemmOut is the output words of an m x n product: narrow (int32) or wide.
type gemmOut func(m, n int) int

func gemmNarrow(m, n int) int { return m * n }
func gemmWide(m, n int) int   { return 2 * m * n }

// gemmExtCases crosses each shape with each A set against random B, and
// each non-random A set with each non-random B set (both operands extreme).
// The sets at k >= 32768 skip random A (it adds time, not coverage).
func gemmExtCases(rng *rand.Rand, shapes [][3]int, aSets, bSets []matSet, out gemmOut) []kcase {
	var cs []kcase
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		p := cpu.GemmParams{M: uint32(m), N: uint32(n), KW: uint32((k + 3) / 4)}
		add := func(an, bn string, a, b []uint32) {
			cs = append(cs, kcase{name: fmt.Sprintf("m=%d/n=%d/k=%d/%s/%s", m, n, k, an, bn),
				params: p, outs: []int{out(m, n)}, ins: [][]uint32{a, b}})
		}
		for _, as := range aSets {
			if as.name == "random" && k >= 32768 && m*n > 6 {
				continue
			}
			add(as.name, "random", as.gen(rng, m, k), bSets[0].gen(rng, n, k))
			if as.name == "random" {
				continue
			}
			for _, bs := range bSets[1:] {
				add(as.name, bs.name, as.gen(rng, m, k), bs.gen(rng, n, k))
			}
		}
	}
	return cs
}

func splitCases(rng *rand.Rand) []kcase {
	var cs []kcase
	sets := []struct {
		name string
		f    func(i int) int16
	}{
		{"random", func(int) int16 { return int16(rng.Uint32()) }},
		{"all-32768", func(int) int16 { return -32768 }},
		{"all32767", func(int) int16 { return 32767 }},
		{"extremes", func(i int) int16 { return i16Extremes[i%len(i16Extremes)] }},
		{"every-int16", func(i int) int16 { return int16(i) }},
	}
	for _, s := range [][2]int{{1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}, {3, 7}, {2, 8}, {7, 13}, {64, 64}, {65, 127}, {1, 1000}, {257, 3}, {256, 256}, {65535*64/16 + 1, 64}} {
		rows, k := s[0], s[1]
		kw := (k + 3) / 4
		for _, vs := range sets {
			if rows*k > 100000 && vs.name != "every-int16" {
				continue
			}
			v := make([]int16, rows*k)
			for i := range v {
				v[i] = vs.f(i)
			}
			cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/k=%d/%s", rows, k, vs.name),
				params: cpu.SplitParams{Rows: uint32(rows), K: uint32(k), KW: uint32(kw)},
				outs:   []int{2 * rows * kw}, ins: [][]uint32{packNarrow[int16](2)([]int{rows, k}, v)}})
		}
	}
	return cs
}

// gemmF32Tol is the tolerance of the float GEMMs: relative 1e-5 scaled by
// k, of the largest possible |sum| k·max|a|·max|b|.
func gemmF32Tol(k int, maxA, maxB float64) float32 {
	return float32(1e-5 * float64(k) * maxA * maxB)
}

func gemmF32Cases(rng *rand.Rand, shapes [][3]int) []kcase {
	sets := []struct {
		name string
		max  float64
		f    func() float32
	}{
		{"random", 1, func() float32 { return float32(rng.Float64()*2 - 1) }},
		{"int8", 128, func() float32 { return float32(rng.IntN(256) - 128) }},
		{"ones", 1, func() float32 { return 1 }},
		{"wide", 1e6, func() float32 { return float32(math.Ldexp(rng.Float64()*2-1, rng.IntN(40)-20)) }},
	}
	mat := func(rows, k int, f func() float32) []uint32 {
		return fillWith(rows*k, func(int) uint32 { return math.Float32bits(f()) })
	}
	var cs []kcase
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, vs := range sets {
			cs = append(cs, kcase{name: fmt.Sprintf("m=%d/n=%d/k=%d/%s", m, n, k, vs.name),
				params: cpu.GemmParams{M: uint32(m), N: uint32(n), KW: uint32(k)},
				outs:   []int{m * n}, ins: [][]uint32{mat(m, k, vs.f), mat(n, k, sets[0].f)},
				tol: gemmF32Tol(k, vs.max, 1)})
		}
	}
	return cs
}
