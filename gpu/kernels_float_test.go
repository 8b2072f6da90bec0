package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

func init() {
	caseGens["relu_f32"] = func(rng *rand.Rand) []kcase { return flEltCases(rng, 2, 1) }
	caseGens["relu6_f32"] = func(rng *rand.Rand) []kcase { return flEltCases(rng, 2, 1) }
	caseGens["relu_bwd_f32"] = reluBwdF32Cases
	caseGens["add_f32"] = func(rng *rand.Rand) []kcase { return flEltCases(rng, 1, 2) }
	caseGens["quant_direct_f32"] = func(rng *rand.Rand) []kcase { return quantF32Cases(rng, false) }
	caseGens["quant_alldirect_f32"] = func(rng *rand.Rand) []kcase { return quantF32Cases(rng, true) }
}

// flSpecials are finite float32 edge values: zeros, the ReLU6 bound and
// its neighbours, the largest finite, the smallest normal, and infinities.
var flSpecials = []float32{0, float32(math.Copysign(0, -1)), 6, math.Nextafter32(6, 0), math.Nextafter32(6, 7),
	-6, 1, -1, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32 * (1 << 23), float32(math.Inf(1)), float32(math.Inf(-1))}

// flSets are float32 value sets: uniform in [-8, 8], wide (random sign,
// exponent -60..60), and the specials.
var flSets = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []uint32
}{
	{"uniform", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return math.Float32bits(float32(16*rng.Float64() - 8)) })
	}},
	{"wide", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return math.Float32bits(flWide(rng)) })
	}},
	{"specials", func(_ *rand.Rand, n int) []uint32 {
		return fillWith(n, func(i int) uint32 { return math.Float32bits(flSpecials[i%len(flSpecials)]) })
	}},
}

// flWide is a float32 of random sign, mantissa and exponent in -60..60.
func flWide(rng *rand.Rand) float32 {
	v := float32(math.Ldexp(1+rng.Float64(), rng.IntN(121)-60))
	if rng.IntN(2) == 0 {
		v = -v
	}
	return v
}

// flEltCases: outs outputs and ins inputs of n words, exact comparison.
// add_f32 (two inputs) leaves out the infinities (Inf - Inf is a NaN whose
// payload WGSL does not fix).
func flEltCases(rng *rand.Rand, outs, ins int) []kcase {
	var cs []kcase
	for _, n := range elemSizes {
		for _, vs := range flSets {
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
			outs: []int{n}, ins: [][]uint32{flSets[0].gen(rng, n), mask}})
	}
	return cs
}

// flQuantTies are values x·2^(k-1) = m + 1/2 at kdec = k, both parities
// and signs, and the clip edges at kall.
func flQuantTies(n, kdec, kall int) []uint32 {
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
				{"uniform", flSets[0].gen(rng, n)},
				{"wide", flSets[1].gen(rng, n)},
				{"ties", flQuantTies(n, kw[0], kw[1])},
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

func init() {
	caseGens["bn_f32"] = func(rng *rand.Rand) []kcase { return bnF32Cases(rng, "bn_f32") }
	caseGens["bn_eval_f32"] = func(rng *rand.Rand) []kcase { return bnF32Cases(rng, "bn_eval_f32") }
	caseGens["bn_bwd_f32"] = func(rng *rand.Rand) []kcase { return bnF32Cases(rng, "bn_bwd_f32") }
}

// flBNShapes are (N, C, HW): one element per channel pair, odd sizes,
// exactly one and two lane strides, a plane larger than the workgroup, and
// a [N, C] layer.
var flBNShapes = [][3]int{{2, 1, 1}, {1, 3, 5}, {3, 7, 9}, {2, 5, 128}, {4, 2, 128}, {2, 3, 513}, {8, 16, 64}, {64, 10, 1}, {5, 1, 4099}}

// flUniform returns n floats uniform in [lo, hi).
func flUniform(rng *rand.Rand, n int, lo, hi float64) []uint32 {
	return fillWith(n, func(int) uint32 { return math.Float32bits(float32(lo + (hi-lo)*rng.Float64())) })
}

func bnF32Cases(rng *rand.Rand, k string) []kcase {
	var cs []kcase
	for _, s := range flBNShapes {
		n, c, hw := s[0], s[1], s[2]
		t := n * c * hw
		for _, set := range []string{"uniform", "offset", "constant"} {
			var x []uint32
			switch set {
			case "uniform":
				x = flUniform(rng, t, -2, 2)
			case "offset": // a large mean: the two-pass variance
				x = flUniform(rng, t, 99, 101)
			case "constant": // zero variance: 1/sqrt(ε)
				x = fillWith(t, func(int) uint32 { return math.Float32bits(0.75) })
			}
			gamma, beta := flUniform(rng, c, 0.5, 1.5), flUniform(rng, c, -1, 1)
			p := cpu.BNF32Params{N: uint32(n), C: uint32(c), HW: uint32(hw), Eps: 1e-5, Momentum: 0.1}
			// Tolerance: the sums agree but for fused multiply-adds and
			// WGSL's sqrt and division (a few ulp); 1/sqrt(σ²+ε) reaches
			// 316 for the constant set.
			tol := float32(2e-4)
			if set == "constant" {
				tol = 2e-2
			}
			name := fmt.Sprintf("%dx%dx%d/%s", n, c, hw, set)
			switch k {
			case "bn_f32":
				if n*hw == 1 {
					continue // PyTorch refuses one value per channel
				}
				cs = append(cs, kcase{name: name, params: p, tol: tol, outs: []int{t, c, c, c, c},
					outInit: [][]uint32{nil, nil, nil, flUniform(rng, c, -1, 1), flUniform(rng, c, 0.5, 2)},
					ins:     [][]uint32{x, gamma, beta}})
			case "bn_eval_f32":
				cs = append(cs, kcase{name: name, params: p, tol: tol, outs: []int{t},
					ins: [][]uint32{x, gamma, beta, flUniform(rng, c, -1, 1), flUniform(rng, c, 0.5, 2)}})
			case "bn_bwd_f32":
				for train := range uint32(2) {
					p.Train = train
					mean, vr := flUniform(rng, c, -0.1, 0.1), flUniform(rng, c, 0.8, 1.2)
					cs = append(cs, kcase{name: fmt.Sprintf("%s/train=%d", name, train), params: p, tol: tol * float32(math.Sqrt(float64(n*hw))),
						outs: []int{t, c, c}, ins: [][]uint32{flUniform(rng, t, -1, 1), x, gamma, mean, vr}})
				}
			}
		}
	}
	return cs
}

func init() {
	for _, k := range []string{"maxpool2d_f32", "maxpool2d_bwd_f32", "avgpool2d_f32", "avgpool2d_bwd_f32"} {
		caseGens[k] = func(rng *rand.Rand) []kcase { return poolF32Cases(rng, k) }
	}
}

// flPoolShape is a pooling geometry: N, C, H, W, KH, KW, SH, SW, PH, PW.
type flPoolShape [10]int

func (s flPoolShape) params(countPad bool) cpu.PoolF32Params {
	p := cpu.PoolF32Params{N: uint32(s[0]), C: uint32(s[1]), H: uint32(s[2]), W: uint32(s[3]), KH: uint32(s[4]), KW: uint32(s[5]),
		SH: uint32(s[6]), SW: uint32(s[7]), PH: uint32(s[8]), PW: uint32(s[9])}
	p.OH, p.OW = (p.H+2*p.PH-p.KH)/p.SH+1, (p.W+2*p.PW-p.KW)/p.SW+1
	if countPad {
		p.CountPad = 1
	}
	return p
}

// flPoolShapes: 2x2/2, 3x3/2 pad 1 (ResNet), overlapping 3x3/1, odd sizes
// and uneven strides, a 1x1 input, global average pooling of a 8x8 and a
// 7x7 plane, and a large one.
var flPoolShapes = []flPoolShape{
	{1, 1, 2, 2, 2, 2, 2, 2, 0, 0}, {2, 3, 8, 8, 2, 2, 2, 2, 0, 0}, {2, 3, 9, 7, 3, 3, 2, 2, 1, 1},
	{1, 2, 7, 9, 3, 3, 1, 1, 1, 1}, {3, 2, 11, 6, 3, 2, 3, 1, 1, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
	{4, 5, 8, 8, 8, 8, 1, 1, 0, 0}, {3, 7, 7, 7, 7, 7, 1, 1, 0, 0}, {8, 16, 32, 32, 3, 3, 2, 2, 1, 1},
}

func poolF32Cases(rng *rand.Rand, k string) []kcase {
	var cs []kcase
	for _, s := range flPoolShapes {
		for _, countPad := range []bool{true, false} {
			if !countPad && (k == "maxpool2d_f32" || k == "maxpool2d_bwd_f32" || s[8] == 0 && s[9] == 0) {
				continue
			}
			p := s.params(countPad)
			no, ni := poolF32Sizes(p)
			o, in := int(no), int(ni)
			for _, set := range []string{"uniform", "ties"} {
				x := flUniform(rng, in, -4, 4)
				if set == "ties" { // few distinct values: max ties
					x = fillWith(in, func(int) uint32 { return math.Float32bits(float32(rng.IntN(3))) })
				}
				c := kcase{name: fmt.Sprintf("%v/countpad=%v/%s", s, countPad, set), params: p}
				switch k {
				case "maxpool2d_f32":
					c.outs, c.ins = []int{o, o}, [][]uint32{x}
				case "avgpool2d_f32":
					c.outs, c.ins, c.tol = []int{o}, [][]uint32{x}, 1e-5
				case "maxpool2d_bwd_f32":
					// idx from the CPU forward: each output's argmax.
					y, idx := make([]uint32, o), make([]uint32, o)
					cpu.MaxPool2dF32(p, y, idx, x)
					if set == "ties" { // also indices that match nothing
						idx[0] = 1 << 31
					}
					c.outs, c.ins = []int{in}, [][]uint32{flUniform(rng, o, -4, 4), idx}
				case "avgpool2d_bwd_f32":
					c.outs, c.ins, c.tol = []int{in}, [][]uint32{flUniform(rng, o, -4, 4)}, 1e-5
				}
				cs = append(cs, c)
			}
		}
	}
	return cs
}

func init() {
	for _, k := range []string{"adder2d_f32", "adder2d_bwd_data_f32", "adder2d_bwd_weight_f32"} {
		caseGens[k] = func(rng *rand.Rand) []kcase { return adderF32Cases(rng, k) }
	}
}

// adderF32Cases runs conv's geometries with x, w in [-1, 1] (and a set
// with w - x beyond ±1, where the HardTanh clips). The forward has no
// products and agrees exactly; the backward sums of at most a few hundred
// products below 2 agree within convF32Tol.
func adderF32Cases(rng *rand.Rand, k string) []kcase {
	var cs []kcase
	for _, s := range convShapes {
		for _, set := range []string{"unit", "wide"} {
			oh, ow := s.out()
			nx, nw, ny := s.N*s.C*s.H*s.W, s.K*(s.C/s.Groups)*s.KH*s.KW, s.N*s.K*oh*ow
			lim := 1.0
			if set == "wide" {
				lim = 3
			}
			x, w, dy := flUniform(rng, nx, -lim, lim), flUniform(rng, nw, -lim, lim), flUniform(rng, ny, -1, 1)
			c := kcase{name: s.String() + "/" + set, params: s.params(0), tol: convF32Tol}
			switch k {
			case "adder2d_f32":
				c.outs, c.ins, c.tol = []int{ny}, [][]uint32{x, w}, 0
			case "adder2d_bwd_data_f32":
				c.outs, c.ins = []int{nx}, [][]uint32{dy, x, w}
			case "adder2d_bwd_weight_f32":
				c.outs, c.ins = []int{nw}, [][]uint32{dy, x, w}
			}
			cs = append(cs, c)
		}
	}
	return cs
}

func init() {
	caseGens["adder_grad_scale_f32"] = func(rng *rand.Rand) []kcase {
		var cs []kcase
		for _, n := range []int{1, 3, 255, 256, 257, 1000, 4097, 36864} {
			for _, set := range []string{"uniform", "zeros", "tiny"} {
				dw := flUniform(rng, n, -100, 100)
				switch set {
				case "zeros": // the 1e-12 floor
					dw = make([]uint32, n)
				case "tiny":
					dw = flUniform(rng, n, -1e-15, 1e-15)
				}
				k := float32(math.Sqrt(float64(n)) / 5)
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s", n, set), params: cpu.AdderScaleParams{N: uint32(n), K: k},
					outs: []int{n}, ins: [][]uint32{dw}, tol: 1e-5 * k})
			}
		}
		return cs
	}
}
