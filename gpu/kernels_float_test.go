package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

func init() {
	caseGens["relu_f32"] = func(rng *rand.Rand) []kcase { return eltF32Cases(rng, 2, 1) }
	caseGens["relu6_f32"] = func(rng *rand.Rand) []kcase { return eltF32Cases(rng, 2, 1) }
	caseGens["relu_bwd_f32"] = reluBwdF32Cases
	caseGens["add_f32"] = func(rng *rand.Rand) []kcase { return eltF32Cases(rng, 1, 2) }
	caseGens["quant_direct_f32"] = func(rng *rand.Rand) []kcase { return quantF32Cases(rng, false) }
	caseGens["quant_alldirect_f32"] = func(rng *rand.Rand) []kcase { return quantF32Cases(rng, true) }
}

// f32Specials are finite float32 edge values: zeros, the ReLU6 bound and
// its neighbours, the largest finite, the smallest normal, and infinities.
var f32Specials = []float32{0, float32(math.Copysign(0, -1)), 6, math.Nextafter32(6, 0), math.Nextafter32(6, 7),
	-6, 1, -1, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32 * (1 << 23), float32(math.Inf(1)), float32(math.Inf(-1))}

// f32Sets are float32 value sets: uniform in [-8, 8], wide (random sign,
// exponent -60..60), and the specials.
var f32Sets = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []uint32
}{
	{"uniform", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return math.Float32bits(float32(16*rng.Float64() - 8)) })
	}},
	{"wide", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return math.Float32bits(wideF32(rng)) })
	}},
	{"specials", func(_ *rand.Rand, n int) []uint32 {
		return fillWith(n, func(i int) uint32 { return math.Float32bits(f32Specials[i%len(f32Specials)]) })
	}},
}

// wideF32 is a float32 of random sign, mantissa and exponent in -60..60.
func wideF32(rng *rand.Rand) float32 {
	v := float32(math.Ldexp(1+rng.Float64(), rng.IntN(121)-60))
	if rng.IntN(2) == 0 {
		v = -v
	}
	return v
}

// eltF32Cases: outs outputs and ins inputs of n words, exact comparison.
// add_f32 (two inputs) leaves out the infinities (Inf - Inf is a NaN whose
// payload WGSL does not fix).
func eltF32Cases(rng *rand.Rand, outs, ins int) []kcase {
	var cs []kcase
	for _, n := range elemSizes {
		for _, vs := range f32Sets {
			if n > 5000 && vs.name != "uniform" || ins == 2 && vs.name == "specials" {
				continue
			}
			c := kcase{name: fmt.Sprintf("n=%d/%s", n, vs.name), params: cpu.F32EltParams{N: uint32(n)}}
			for range outs {
				c.outs = append(c.outs, n)
			}
			for range ins {
				c.ins = append(c.ins, vs.gen(rng, n))
			}
			cs = append(cs, c)
		}
	}
	return cs
}

func reluBwdF32Cases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range elemSizes {
		mask := fillWith(n, func(int) uint32 { return uint32(rng.IntN(2)) * uint32(1+rng.IntN(3)) })
		cs = append(cs, kcase{name: fmt.Sprintf("n=%d", n), params: cpu.F32EltParams{N: uint32(n)},
			outs: []int{n}, ins: [][]uint32{f32Sets[0].gen(rng, n), mask}})
	}
	return cs
}

// quantF32Ties are values x·2^(k-1) = m + 1/2 at kdec = k, both parities
// and signs, and the clip edges at kall.
func quantF32Ties(n, kdec, kall int) []uint32 {
	s := math.Ldexp(1, 1-kdec)
	lim := math.Ldexp(1, kall-1)
	vals := []float64{0.5 * s, 1.5 * s, 2.5 * s, -0.5 * s, -1.5 * s, -2.5 * s, 1000.5 * s, -1001.5 * s,
		(lim - 1) * s, lim * s, (lim - 0.5) * s, (lim + 0.5) * s, -(lim - 0.5) * s, -lim * s, 0.25 * s, -0.75 * s}
	return fillWith(n, func(i int) uint32 { return math.Float32bits(float32(vals[i%len(vals)])) })
}

func quantF32Cases(rng *rand.Rand, clip bool) []kcase {
	var cs []kcase
	widths := [][2]int{{8, 8}, {1, 1}, {1, 8}, {16, 8}, {15, 15}, {24, 25}, {31, 31}, {8, 31}, {31, 26}}
	for _, n := range []int{1, 63, 65, 1000, 65535*64 + 1} {
		for _, kw := range widths {
			kall := kw[1]
			if !clip {
				kall = 0
			}
			p := QuantF32Params(n, kw[0], kall)
			sets := []struct {
				name string
				v    []uint32
			}{
				{"uniform", f32Sets[0].gen(rng, n)},
				{"wide", f32Sets[1].gen(rng, n)},
				{"ties", quantF32Ties(n, kw[0], kw[1])},
			}
			for _, s := range sets {
				if n > 5000 && s.name != "ties" {
					continue
				}
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/k=%d,%d/%s", n, kw[0], kall, s.name), params: p,
					outs: []int{n}, ins: [][]uint32{s.v}})
			}
		}
	}
	return cs
}
