package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

func init() {
	caseGens["cast_f32_i32"] = castF32I32Cases
	caseGens["cast_i32_f32"] = castI32F32Cases
	caseGens["widen_i32"] = widenCases
}

// floatSets generate float32 bit patterns: random magnitudes over many
// binades, exact .5 ties at shift 0, subnormals, and NaN/Inf/extremes.
var floatSets = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []uint32
}{
	{"random", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 {
			return math.Float32bits(float32(math.Ldexp(rng.NormFloat64(), rng.IntN(60)-30)))
		})
	}},
	{"ties", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return math.Float32bits(float32(rng.IntN(2001)-1000) + 0.5) })
	}},
	{"special", func(_ *rand.Rand, n int) []uint32 {
		sp := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1.1754942e-38, math.MaxFloat32, -math.MaxFloat32,
			float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 2147483520, -2147483648, 2147483648, 0.49999997, 2.5, -3.5}
		return fillWith(n, func(i int) uint32 { return math.Float32bits(sp[i%len(sp)]) })
	}},
}

func castF32I32Cases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range []int{1, 17, 65, 1000, 65535*64 + 1} {
		for _, fs := range floatSets {
			if n > 5000 && fs.name != "random" {
				continue
			}
			for _, shift := range []int32{0, 7, -3, 23, 40, -40, 150} {
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/shift=%d", n, fs.name, shift),
					params: cpu.CastF32I32Params{N: uint32(n), Shift: shift},
					outs:   []int{n}, ins: [][]uint32{fs.gen(rng, n)}})
			}
		}
	}
	return cs
}

func castI32F32Cases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range []int{1, 63, 1000} {
		for _, vs := range valueSets {
			for _, e := range [][2]int32{{0, 0}, {-7, 0}, {-23, 3}, {5, -2}} {
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/exp=%d%+d", n, vs.name, e[0], e[1]),
					params: cpu.CastI32F32Params{N: uint32(n), Exp: e[0]},
					outs:   []int{n}, ins: [][]uint32{vs.gen(rng, n), {uint32(e[1])}}, tol: 1e-6})
			}
		}
	}
	return cs
}

func widenCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, g := range [][2]int{{1, 1}, {25, 5}, {400, 400}, {30, 3}, {1000, 7}, {65535*64 + 3, 65535*64 + 3}} {
		n, last := g[0], g[1]
		for _, bits := range []uint32{8, 16} {
			per := int(32 / bits)
			words := (n + last - 1) / last * ((last + per - 1) / per)
			for _, signed := range []uint32{0, 1} {
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/last=%d/bits=%d/signed=%d", n, last, bits, signed),
					params: cpu.WidenParams{N: uint32(n), Last: uint32(last), Bits: bits, Signed: signed},
					outs:   []int{n}, ins: [][]uint32{fillWith(words, func(int) uint32 { return rng.Uint32() })}})
			}
		}
	}
	return cs
}
