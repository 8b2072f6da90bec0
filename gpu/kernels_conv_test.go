package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Case generators of the conv family (conv.wgsl), over one table of
// geometries shared with the wrapper tests (conv_test.go).

// convShape is one conv2d geometry: x [N, C, H, W], w [K, C/G, KH, KW].
type convShape struct {
	N, C, H, W, K, KH, KW, Stride, Pad, Groups int
}

func (s convShape) String() string {
	return fmt.Sprintf("x=%dx%dx%dx%d/w=%dx%dx%dx%d/s=%d/p=%d/g=%d",
		s.N, s.C, s.H, s.W, s.K, s.C/s.Groups, s.KH, s.KW, s.Stride, s.Pad, s.Groups)
}

func (s convShape) geom() ConvGeom { return ConvGeom{Stride: s.Stride, Pad: s.Pad, Groups: s.Groups} }
func (s convShape) xShape() []int  { return []int{s.N, s.C, s.H, s.W} }
func (s convShape) wShape() []int  { return []int{s.K, s.C / s.Groups, s.KH, s.KW} }
func (s convShape) out() (oh, ow int) {
	return (s.H+2*s.Pad-s.KH)/s.Stride + 1, (s.W+2*s.Pad-s.KW)/s.Stride + 1
}
func (s convShape) yShape() []int { oh, ow := s.out(); return []int{s.N, s.K, oh, ow} }

// params returns the kernels' uniform for group g.
func (s convShape) params(g int) cpu.ConvParams {
	oh, ow := s.out()
	return cpu.ConvParams{N: uint32(s.N), C: uint32(s.C), H: uint32(s.H), W: uint32(s.W), K: uint32(s.K),
		KH: uint32(s.KH), KW: uint32(s.KW), OH: uint32(oh), OW: uint32(ow), Stride: uint32(s.Stride), Pad: uint32(s.Pad),
		CG: uint32(s.C / s.Groups), KG: uint32(s.K / s.Groups), Group: uint32(g)}
}

// convShapes: 1x1, 3x3 pad 1, 5x5 pad 2, 3x3 stride 2, groups 2,
// depthwise, odd H/W, batch 1 and 3, shape 1, a kernel wider than the
// input (padding only), stride above the kernel (inputs no window uses),
// and a larger case whose CKK = 144 is a multiple of 16 (the k16 GEMM).
var convShapes = []convShape{
	{N: 1, C: 1, H: 1, W: 1, K: 1, KH: 1, KW: 1, Stride: 1, Pad: 0, Groups: 1},
	{N: 1, C: 3, H: 5, W: 5, K: 4, KH: 1, KW: 1, Stride: 1, Pad: 0, Groups: 1},
	{N: 1, C: 3, H: 7, W: 7, K: 5, KH: 3, KW: 3, Stride: 1, Pad: 1, Groups: 1},
	{N: 3, C: 2, H: 9, W: 11, K: 3, KH: 5, KW: 5, Stride: 1, Pad: 2, Groups: 1},
	{N: 3, C: 4, H: 9, W: 8, K: 6, KH: 3, KW: 3, Stride: 2, Pad: 1, Groups: 1},
	{N: 1, C: 4, H: 6, W: 5, K: 6, KH: 3, KW: 3, Stride: 1, Pad: 1, Groups: 2},
	{N: 3, C: 5, H: 7, W: 7, K: 5, KH: 3, KW: 3, Stride: 1, Pad: 1, Groups: 5},
	{N: 3, C: 3, H: 8, W: 7, K: 2, KH: 3, KW: 2, Stride: 2, Pad: 0, Groups: 1},
	{N: 1, C: 2, H: 2, W: 3, K: 3, KH: 3, KW: 5, Stride: 1, Pad: 2, Groups: 1},
	{N: 2, C: 3, H: 10, W: 9, K: 4, KH: 2, KW: 2, Stride: 3, Pad: 1, Groups: 1},
	{N: 2, C: 16, H: 17, W: 13, K: 8, KH: 3, KW: 3, Stride: 1, Pad: 1, Groups: 1},
	// Pad >= kernel: the corner windows lie wholly in the padding.
	{N: 2, C: 2, H: 3, W: 2, K: 3, KH: 2, KW: 1, Stride: 2, Pad: 2, Groups: 1},
}

func init() {
	caseGens["im2col_i8"] = func(rng *rand.Rand) []kcase { return im2colCases(rng, 4, false) }
	caseGens["im2col_u8"] = func(rng *rand.Rand) []kcase { return im2colCases(rng, 4, false) }
	caseGens["im2col_i16"] = func(rng *rand.Rand) []kcase { return im2colCases(rng, 2, false) }
	caseGens["im2col_t_i8"] = func(rng *rand.Rand) []kcase { return im2colCases(rng, 4, true) }
	caseGens["im2col_t_u8"] = func(rng *rand.Rand) []kcase { return im2colCases(rng, 4, true) }
	caseGens["im2col_t_i16"] = func(rng *rand.Rand) []kcase { return im2colCases(rng, 2, true) }
	caseGens["nhwc_to_nchw_i32"] = func(rng *rand.Rand) []kcase { return nhwcCases(rng, 1) }
	caseGens["nhwc_to_nchw_i64"] = func(rng *rand.Rand) []kcase { return nhwcCases(rng, 2) }
	caseGens["col2im_i32"] = func(rng *rand.Rand) []kcase { return col2imCases(rng, 1) }
	caseGens["col2im_i64"] = func(rng *rand.Rand) []kcase { return col2imCases(rng, 2) }
	caseGens["conv2d_f32"] = func(rng *rand.Rand) []kcase { return convF32Cases(rng, "conv2d_f32") }
	caseGens["conv2d_bwd_data_f32"] = func(rng *rand.Rand) []kcase { return convF32Cases(rng, "conv2d_bwd_data_f32") }
	caseGens["conv2d_bwd_weight_f32"] = func(rng *rand.Rand) []kcase { return convF32Cases(rng, "conv2d_bwd_weight_f32") }
}

// convGroups are the groups a per-group case runs: the first and the last.
func convGroups(s convShape) []int {
	if s.Groups == 1 {
		return []int{0}
	}
	return []int{0, s.Groups - 1}
}

// narrowWords are x's words for codes per to a word: random words (the
// padding lanes past W hold garbage, which im2col must never read), all
// lanes 0x80 (-128) or all 0x7F (127).
func narrowWords(rng *rand.Rand, n int, set string) []uint32 {
	return fillWith(n, func(int) uint32 {
		switch set {
		case "all-128":
			return 0x80808080
		case "all127":
			return 0x7F7F7F7F
		}
		return rng.Uint32()
	})
}

func im2colCases(rng *rand.Rand, per int, transposed bool) []kcase {
	var cs []kcase
	for _, s := range convShapes {
		oh, ow := s.out()
		rows, vals := s.N*oh*ow, s.C/s.Groups*s.KH*s.KW
		if transposed {
			rows, vals = vals, rows
		}
		inWords := s.N * s.C * s.H * ((s.W + per - 1) / per)
		// Rows of the minimum words, padded to 16 values (the conv
		// wrappers' layout) and padded by 3 more words.
		for _, rw := range []int{(vals + per - 1) / per, (vals + 15) / 16 * 16 / per, (vals+per-1)/per + 3} {
			for _, g := range convGroups(s) {
				for _, set := range []string{"random", "all-128", "all127"} {
					p := s.params(g)
					p.RowWords = uint32(rw)
					cs = append(cs, kcase{name: fmt.Sprintf("%v/rw=%d/group=%d/%s", s, rw, g, set), params: p,
						outs: []int{rows * rw}, ins: [][]uint32{narrowWords(rng, inWords, set)}})
				}
			}
		}
	}
	return cs
}

func nhwcCases(rng *rand.Rand, wordsPer int) []kcase {
	var cs []kcase
	for _, s := range convShapes {
		oh, ow := s.out()
		for _, g := range convGroups(s) {
			// The output holds the other groups' channels already: start
			// from the sentinel and check that only this group's change.
			cs = append(cs, kcase{name: fmt.Sprintf("%v/group=%d", s, g), params: s.params(g),
				outs: []int{wordsPer * s.N * s.K * oh * ow},
				ins:  [][]uint32{valueSets[0].gen(rng, wordsPer*s.N*oh*ow*(s.K/s.Groups))}})
		}
	}
	return cs
}

func col2imCases(rng *rand.Rand, wordsPer int) []kcase {
	var cs []kcase
	for _, s := range convShapes {
		oh, ow := s.out()
		n := s.N * oh * ow * (s.C / s.Groups) * s.KH * s.KW
		for _, g := range convGroups(s) {
			for _, vs := range []string{"random", "bounded", "extremes"} {
				var in []uint32
				switch vs {
				case "random": // I32: partial sums wrap, the error word is set
					in = valueSets[0].gen(rng, wordsPer*n)
				case "bounded": // |v| <= 2^31/25 (5x5 windows): exact
					in = fillWith(wordsPer*n, func(i int) uint32 {
						v := int64(rng.IntN(2*85899345+1) - 85899345)
						if wordsPer == 2 {
							v <<= 20
							if i%2 == 1 {
								return uint32(uint64(v) >> 32)
							}
						}
						return uint32(v)
					})
				case "extremes":
					in = valueSets[4].gen(rng, wordsPer*n)
				}
				cs = append(cs, kcase{name: fmt.Sprintf("%v/group=%d/%s", s, g, vs), params: s.params(g),
					outs: []int{wordsPer * s.N * s.C * s.H * s.W}, ins: [][]uint32{in}})
			}
		}
	}
	return cs
}

// convF32Tol is the float kernels' tolerance: inputs in [-1, 1] and at
// most a few thousand terms give sums below 100, whose float32 rounding
// (|error| <= terms·2^-24·|partial sums|) the shader's fused multiply-adds
// can change by far less than 1e-3.
const convF32Tol = 1e-3

func convF32Cases(rng *rand.Rand, kernel string) []kcase {
	var cs []kcase
	f := func(n int) []uint32 {
		return fillWith(n, func(int) uint32 { return math.Float32bits(float32(2*rng.Float64() - 1)) })
	}
	for _, s := range convShapes {
		oh, ow := s.out()
		nx, nw, ny := s.N*s.C*s.H*s.W, s.K*(s.C/s.Groups)*s.KH*s.KW, s.N*s.K*oh*ow
		var c kcase
		switch kernel {
		case "conv2d_f32":
			c = kcase{outs: []int{ny}, ins: [][]uint32{f(nx), f(nw)}}
		case "conv2d_bwd_data_f32":
			c = kcase{outs: []int{nx}, ins: [][]uint32{f(ny), f(nw)}}
		case "conv2d_bwd_weight_f32":
			c = kcase{outs: []int{nw}, ins: [][]uint32{f(ny), f(nx)}}
		}
		c.name, c.params, c.tol = s.String(), s.params(0), convF32Tol
		cs = append(cs, c)
	}
	return cs
}
