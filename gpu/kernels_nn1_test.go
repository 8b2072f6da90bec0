package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Case generators of the nn1 family (bias.wgsl): shapes [N, C, S] with
// 1, odd sizes, a channel count past one workgroup row, a long channel
// (N·S past the reduction's stride many times) and a grid that spills
// into y (bias_add: more than 65535 workgroups of 64).

var biasShapes = [][3]uint32{{1, 1, 1}, {1, 3, 1}, {4, 5, 1}, {3, 7, 9}, {2, 64, 49}, {5, 65, 3}, {2, 3, 1000}, {1, 1, 4097}, {65, 1, 1}, {3, 70000, 1}}

func init() {
	caseGens["bias_add"] = biasAddCases
	caseGens["bias_grad"] = biasGradCases
	caseGens["bias_add_f32"] = biasAddF32Cases
	caseGens["bias_grad_f32"] = biasGradF32Cases
}

func biasAddCases(rng *rand.Rand) []kcase {
	var cs []kcase
	shapes := append(append([][3]uint32{}, biasShapes...), [3]uint32{1, 65535*64 + 1, 1})
	for _, s := range shapes {
		n := int(s[0] * s[1] * s[2])
		big := n > 5000
		for _, wide := range []uint32{0, 1} {
			for _, shift := range []int32{8, 0, 1, 31, -1, -8, -31, 5} {
				for _, vs := range valueSets {
					if big && (vs.name != "random" || shift != 8) {
						continue
					}
					// z: int32 codes, or int64 codes from two draws of the set.
					z := vs.gen(rng, n)
					if wide == 1 {
						hi := vs.gen(rng, n)
						w := make([]uint32, 2*n)
						for i := range n {
							v := int64(int32(hi[i]))<<31 + int64(int32(z[i]))
							if vs.name != "random" {
								v = int64(int32(z[i])) // sign-extended set values
							}
							w[2*i], w[2*i+1] = cpu.WideWords(v)
						}
						z = w
					}
					b := vs.gen(rng, int(s[1]))
					if shift == 5 { // ties: b = odd multiples of 2^4
						for i := range b {
							b[i] = uint32(int32(2*rng.IntN(1000)-999) << 4)
						}
					}
					cs = append(cs, kcase{name: fmt.Sprintf("%v/wide=%d/shift=%d/%s", s, wide, shift, vs.name),
						params: cpu.BiasParams{N: s[0], C: s[1], S: s[2], Shift: shift, Wide: wide},
						outs:   []int{n * int(1+wide)}, ins: [][]uint32{z, b}})
				}
			}
		}
	}
	// int64 sums at the edge of the range: flagged wraps.
	z := make([]uint32, 4)
	z[0], z[1] = cpu.WideWords(math.MaxInt64 - 1)
	z[2], z[3] = cpu.WideWords(math.MinInt64 + 1)
	cs = append(cs, kcase{name: "wide/edge", params: cpu.BiasParams{N: 1, C: 2, S: 1, Shift: -4, Wide: 1},
		outs: []int{4}, ins: [][]uint32{z, {1, 0xFFFFFFFF}}})
	return cs
}

func biasGradCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, s := range biasShapes {
		n := int(s[0] * s[1] * s[2])
		for _, i16 := range []uint32{0, 1} {
			for _, vs := range valueSets {
				if n > 5000 && vs.name != "random" {
					continue
				}
				g := vs.gen(rng, n)
				cols := s[2] // conv: rows of W = S (one-row images); linear (S = 1): rows of C
				if s[2] == 1 {
					cols = s[1]
				}
				if s[2] == 49 {
					cols = 7 // 7x7 images: rows of 7
				}
				if i16 == 1 {
					kw := int(cols+1) / 2
					w := make([]uint32, n/int(cols)*kw)
					for i := range n {
						v := uint32(uint16(int16(int32(g[i]))))
						if vs.name == "extremes" {
							v = uint32(uint16(i16Extremes[i%len(i16Extremes)]))
						}
						r, j := i/int(cols), i%int(cols)
						w[r*kw+j/2] |= v << (16 * (j % 2))
					}
					g = w
				}
				cs = append(cs, kcase{name: fmt.Sprintf("%v/i16=%d/%s", s, i16, vs.name),
					params: cpu.BiasGradParams{N: s[0], C: s[1], S: s[2], I16: i16, Cols: cols},
					outs:   []int{2 * int(s[1])}, ins: [][]uint32{g}})
			}
		}
	}
	return cs
}

func biasF32Words(rng *rand.Rand, n int) []uint32 {
	return fillWith(n, func(int) uint32 { return math.Float32bits(float32(rng.NormFloat64())) })
}

func biasAddF32Cases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, s := range biasShapes {
		n := int(s[0] * s[1] * s[2])
		cs = append(cs, kcase{name: fmt.Sprintf("%v", s), params: cpu.BiasF32Params{N: s[0], C: s[1], S: s[2]},
			outs: []int{n}, ins: [][]uint32{biasF32Words(rng, n), biasF32Words(rng, int(s[1]))}, tol: 1e-6})
	}
	return cs
}

func biasGradF32Cases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, s := range biasShapes {
		n := int(s[0] * s[1] * s[2])
		cs = append(cs, kcase{name: fmt.Sprintf("%v", s), params: cpu.BiasF32Params{N: s[0], C: s[1], S: s[2]},
			outs: []int{int(s[1])}, ins: [][]uint32{biasF32Words(rng, n)}, tol: 1e-4})
	}
	return cs
}
