package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Case generators of the layer family (act, pool, loss, optim, stats).

func init() {
	caseGens["act_relu_q"] = func(rng *rand.Rand) []kcase { return actQCases(rng, false) }
	caseGens["act_relu6_q"] = func(rng *rand.Rand) []kcase { return actQCases(rng, true) }
	caseGens["act_bwd"] = actBwdCases
}

// layerShapes are (rows, cols) of the elementwise layer kernels: 1, odd
// sizes, word and workgroup edges, long rows.
var layerShapes = [][2]int{{1, 1}, {1, 3}, {3, 5}, {7, 13}, {4, 16}, {64, 64}, {65, 127}, {1, 1000}, {257, 3}, {33, 257}}

// layerI32Sets generate int32 codes for the activation kernels: random words,
// codes around the saturation point 255.5·2^7 of shift 7, exact ties k·128+64
// (RoundShr by 7 rounds half to even), and extremes.
var layerI32Sets = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []uint32
}{
	{"random", func(rng *rand.Rand, n int) []uint32 { return fillWith(n, func(int) uint32 { return rng.Uint32() }) }},
	{"near255", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return uint32(int32(rng.IntN(600*128) - 300*128)) })
	}},
	{"ties", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return uint32(int32(rng.IntN(600)-300)*128 + 64) })
	}},
	{"extremes", func(_ *rand.Rand, n int) []uint32 {
		ext := []int32{math.MinInt32, math.MaxInt32, 0, -1, 1, 64, 192, 255*128 + 63, 255*128 + 64, 255*128 + 65, 256 * 128, 98304, 98305, 127, 128}
		return fillWith(n, func(i int) uint32 { return uint32(ext[i%len(ext)]) })
	}},
}

func actQCases(rng *rand.Rand, six bool) []kcase {
	var cs []kcase
	shifts := []int32{7, 0, -3, 1, 9, 31, -31, 15}
	for _, s := range layerShapes {
		rows, cols := s[0], s[1]
		cw := (cols + 3) / 4
		for _, vs := range layerI32Sets {
			for _, sh := range shifts {
				p := cpu.ActQParams{Rows: uint32(rows), Cols: uint32(cols), CW: uint32(cw), Shift: sh, Six: math.MaxInt32}
				if six {
					p.Six = 98304 // 6 at e_y = -14
				}
				cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/cols=%d/%s/shift=%d", rows, cols, vs.name, sh),
					params: p, outs: []int{rows * cw, rows * cw}, ins: [][]uint32{vs.gen(rng, rows*cols)}})
			}
		}
	}
	return cs
}

// layerMaskWords returns a random U8 mask [rows, cols] of 0/1 bytes, packed.
func layerMaskWords(rng *rand.Rand, rows, cols int) []uint32 {
	v := make([]uint8, rows*cols)
	for i := range v {
		v[i] = uint8(rng.IntN(2))
	}
	return packNarrow[uint8](4)([]int{rows, cols}, v)
}

func actBwdCases(rng *rand.Rand) []kcase {
	var cs []kcase
	shapes := append(layerShapes, [2]int{1, 65535*64 + 1})
	for _, s := range shapes {
		rows, cols := s[0], s[1]
		cw := (cols + 3) / 4
		mask := layerMaskWords(rng, rows, cols)
		for _, vs := range i8Sets {
			cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/cols=%d/i8/%s", rows, cols, vs.name),
				params: cpu.ActBwdParams{Rows: uint32(rows), Cols: uint32(cols), CW: uint32(cw), I8: 1},
				outs:   []int{rows * cw}, ins: [][]uint32{vs.gen(rng, rows, cols), mask}})
		}
		for _, vs := range valueSets[:2] {
			cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/cols=%d/i32/%s", rows, cols, vs.name),
				params: cpu.ActBwdParams{Rows: uint32(rows), Cols: uint32(cols), CW: uint32(cw)},
				outs:   []int{rows * cols}, ins: [][]uint32{vs.gen(rng, rows*cols), mask}})
		}
	}
	return cs
}

func init() {
	caseGens["maxpool2d_fwd"] = func(rng *rand.Rand) []kcase { return poolFwdCases(rng, true) }
	caseGens["avgpool2d_fwd"] = func(rng *rand.Rand) []kcase { return poolFwdCases(rng, false) }
	caseGens["maxpool2d_bwd"] = func(rng *rand.Rand) []kcase { return poolBwdCases(rng, true) }
	caseGens["avgpool2d_bwd"] = func(rng *rand.Rand) []kcase { return poolBwdCases(rng, false) }
}

// poolGeoms are (planes, h, w, kh, kw, sh, sw, ph, pw): a single pixel,
// LeNet's 2x2/2, the ResNet stem's 3x3/2 pad 1, overlapping stride-1
// windows, asymmetric windows, global pools (7x7: 49, not a power of two;
// 32x32: 1024; 56x56: 3136) and many planes.
var poolGeoms = [][9]int{
	{1, 1, 1, 1, 1, 1, 1, 0, 0}, {3, 5, 7, 2, 2, 2, 2, 0, 0}, {2, 28, 28, 2, 2, 2, 2, 0, 0},
	{4, 13, 17, 3, 3, 2, 2, 1, 1}, {2, 9, 9, 3, 3, 1, 1, 1, 1}, {64, 6, 5, 3, 2, 2, 3, 1, 0},
	{8, 33, 65, 3, 3, 3, 3, 1, 1}, {5, 7, 7, 7, 7, 1, 1, 0, 0}, {2, 32, 32, 32, 32, 1, 1, 0, 0},
	{1, 56, 56, 56, 56, 1, 1, 0, 0}, {512, 16, 16, 2, 2, 2, 2, 0, 0}, {3, 10, 11, 4, 4, 3, 2, 2, 2},
}

func poolParams(g [9]int) cpu.PoolParams {
	p := cpu.PoolParams{Planes: uint32(g[0]), H: uint32(g[1]), W: uint32(g[2]), KH: uint32(g[3]), KW: uint32(g[4]),
		SH: uint32(g[5]), SW: uint32(g[6]), PH: uint32(g[7]), PW: uint32(g[8])}
	p.OH = (p.H+2*p.PH-p.KH)/p.SH + 1
	p.OW = (p.W+2*p.PW-p.KW)/p.SW + 1
	p.T = poolCeilLog2(p.KH * p.KW)
	return p
}

// layerU8Sets generate U8 planes [rows, cols], packed: random bytes, all 255,
// and three distinct values (many ties for the argmax and .5 ties for the
// average).
var layerU8Sets = []struct {
	name string
	gen  func(rng *rand.Rand, rows, cols int) []uint32
}{
	{"random", func(rng *rand.Rand, rows, cols int) []uint32 {
		return layerPackU8(rows, cols, func(int) uint8 { return uint8(rng.IntN(256)) })
	}},
	{"all255", func(_ *rand.Rand, rows, cols int) []uint32 {
		return layerPackU8(rows, cols, func(int) uint8 { return 255 })
	}},
	{"ties", func(rng *rand.Rand, rows, cols int) []uint32 {
		v := []uint8{0, 7, 255}
		return layerPackU8(rows, cols, func(int) uint8 { return v[rng.IntN(3)] })
	}},
}

func layerPackU8(rows, cols int, f func(i int) uint8) []uint32 {
	v := make([]uint8, rows*cols)
	for i := range v {
		v[i] = f(i)
	}
	return packNarrow[uint8](4)([]int{rows, cols}, v)
}

func poolFwdCases(rng *rand.Rand, isMax bool) []kcase {
	var cs []kcase
	for _, g := range poolGeoms {
		p := poolParams(g)
		rows, cols := int(p.Planes*p.H), int(p.W)
		for _, vs := range layerU8Sets {
			c := kcase{name: fmt.Sprintf("geom=%v/%s", g, vs.name), params: p,
				outs: []int{int(poolOutWords(p))}, ins: [][]uint32{vs.gen(rng, rows, cols)}}
			if isMax {
				c.outs = append(c.outs, int(poolOutElems(p)))
			}
			cs = append(cs, c)
		}
	}
	return cs
}

func poolBwdCases(rng *rand.Rand, isMax bool) []kcase {
	var cs []kcase
	for _, g := range poolGeoms {
		p := poolParams(g)
		orows, ocols := int(p.Planes*p.OH), int(p.OW)
		// The argmax of a real forward on random codes, and random indices
		// (any int32 is a valid input of the gather).
		fwd := make([]uint32, poolOutWords(p))
		arg := make([]uint32, poolOutElems(p))
		cpu.Maxpool2dFwd(p, fwd, arg, layerU8Sets[2].gen(rng, int(p.Planes*p.H), int(p.W)))
		randArg := fillWith(len(arg), func(int) uint32 { return uint32(int32(rng.IntN(int(p.H*p.W)+1) - 1)) })
		deltas := []struct {
			name string
			i8   uint32
			w    []uint32
		}{
			{"i8", 1, i8Sets[0].gen(rng, orows, ocols)},
			{"i8-128", 1, i8Sets[1].gen(rng, orows, ocols)},
			{"i32", 0, valueSets[1].gen(rng, orows*ocols)},
			{"i32-wide", 0, valueSets[0].gen(rng, orows*ocols)},
		}
		for _, d := range deltas {
			q := p
			q.DI8 = d.i8
			c := kcase{name: fmt.Sprintf("geom=%v/%s", g, d.name), params: q, outs: []int{int(poolInElems(p))}, ins: [][]uint32{d.w}}
			if isMax {
				c.ins = append(c.ins, arg)
				cs = append(cs, c)
				c.name += "/random-arg"
				c.ins = [][]uint32{d.w, randArg}
			}
			cs = append(cs, c)
		}
	}
	return cs
}

func init() {
	caseGens["optim_wageubn"] = func(rng *rand.Rand) []kcase { return optimCases(rng, false) }
	caseGens["optim_wageubn_plus"] = func(rng *rand.Rand) []kcase { return optimCases(rng, true) }
	caseGens["optim_sgd_f32"] = sgdCases
	caseGens["optim_adam_f32"] = adamCases
}

// optimCases: masters near ±1.0 (codes ±2^23) and random words, momenta of
// 13 bits and random words, I8 G (random, all -128) and I32 G (G_BN-sized
// and random words, which overflow), learning-rate codes of the schedule
// (26, 3, 2, 1 of B§2.8) and the extremes ±511, 1023. For the plus kernel,
// Scale values put e_g = -7 + Scale on each side of the grids' edges
// (-15, -39) and past the flagged shift (e_g - e_c > 31).
func optimCases(rng *rand.Rand, plus bool) []kcase {
	var cs []kcase
	shapes := layerShapes
	if !plus {
		shapes = append(shapes, [2]int{1, 65535*64 + 1})
	}
	lrs := []int32{26, 3, 1, 511, -511, 1023, 0}
	scales := []int32{-2, -8, -10, -30, -32, -33, -60, 20, 30, 4000, -4000}
	for si, s := range shapes {
		rows, cols := s[0], s[1]
		n, cw := rows*cols, (cols+3)/4
		ws := map[string][]uint32{
			"w-real": fillWith(n, func(int) uint32 { return uint32(int32(rng.IntN(1<<25) - 1<<24)) }),
			"w-rand": valueSets[0].gen(rng, n),
		}
		ms := map[string][]uint32{
			"m-13b":  fillWith(n, func(int) uint32 { return uint32(int32(rng.IntN(8191) - 4095)) }),
			"m-rand": valueSets[0].gen(rng, n),
		}
		type gset struct {
			name string
			i8   uint32
			w    []uint32
		}
		gs := []gset{{"g-i8", 1, i8Sets[0].gen(rng, rows, cols)}, {"g-i8-128", 1, i8Sets[1].gen(rng, rows, cols)}}
		if !plus {
			gs = append(gs, gset{"g-i32", 0, fillWith(n, func(int) uint32 { return uint32(int32(rng.IntN(1<<17) - 1<<16)) })},
				gset{"g-i32-rand", 0, valueSets[0].gen(rng, n)})
		}
		for _, wn := range []string{"w-real", "w-rand"} {
			for _, mn := range []string{"m-13b", "m-rand"} {
				for gi, g := range gs {
					for li, lr := range lrs {
						if n > 5000 && (li > 0 || gi > 0) {
							continue
						}
						p := cpu.OptimParams{N: uint32(n), Cols: uint32(cols), CW: uint32(cw), GI8: g.i8, LR: lr, GExp: -7, UseScale: 1}
						c := kcase{name: fmt.Sprintf("rows=%d/cols=%d/%s/%s/%s/lr=%d", rows, cols, wn, mn, g.name, lr),
							params: p, outs: []int{n, n}, outInit: [][]uint32{ws[wn], ms[mn]}, ins: [][]uint32{g.w}}
						if plus {
							sc := scales[(si+gi+li)%len(scales)]
							if wn == "w-real" && mn == "m-13b" && gi == 0 && li == 0 {
								for _, sc := range scales {
									c2 := c
									c2.name += fmt.Sprintf("/scale=%d", sc)
									c2.ins = [][]uint32{g.w, {uint32(sc)}}
									cs = append(cs, c2)
								}
								c.params = cpu.OptimParams{N: uint32(n), Cols: uint32(cols), CW: uint32(cw), GI8: g.i8, LR: lr, GExp: -19}
								c.name += "/no-scale"
								c.ins = [][]uint32{g.w, {12345}}
								cs = append(cs, c)
								continue
							}
							c.name += fmt.Sprintf("/scale=%d", sc)
							c.ins = append(c.ins, []uint32{uint32(sc)})
						}
						cs = append(cs, c)
					}
				}
			}
		}
	}
	return cs
}

// layerF32Words returns n float32 words from f.
func layerF32Words(n int, f func() float64) []uint32 {
	return fillWith(n, func(int) uint32 { return math.Float32bits(float32(f())) })
}

func sgdCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range elemSizes[:len(elemSizes)-1] {
		for _, p := range []cpu.SGDParams{{LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4}, {LR: 0.1}, {LR: 1, Momentum: 0.25, WeightDecay: 0.5}} {
			p.N = uint32(n)
			cs = append(cs, kcase{name: fmt.Sprintf("n=%d/lr=%g/mu=%g/wd=%g", n, p.LR, p.Momentum, p.WeightDecay), params: p,
				outs: []int{n, n}, outInit: [][]uint32{layerF32Words(n, rng.NormFloat64), layerF32Words(n, rng.NormFloat64)},
				ins: [][]uint32{layerF32Words(n, rng.NormFloat64)}, tol: 1e-5})
		}
	}
	return cs
}

func adamCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range elemSizes[:len(elemSizes)-1] {
		for step, p := range []cpu.AdamParams{{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, {LR: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-6, WeightDecay: 1e-4}} {
			p.N = uint32(n)
			t := float64(step*10 + 1)
			p.BC1, p.BC2 = float32(1-math.Pow(float64(p.Beta1), t)), float32(1-math.Pow(float64(p.Beta2), t))
			v := layerF32Words(n, func() float64 { return rng.Float64() * 0.01 })
			cs = append(cs, kcase{name: fmt.Sprintf("n=%d/lr=%g/step=%g", n, p.LR, t), params: p,
				outs: []int{n, n, n}, outInit: [][]uint32{layerF32Words(n, rng.NormFloat64), layerF32Words(n, func() float64 { return rng.NormFloat64() * 0.1 }), v},
				ins: [][]uint32{layerF32Words(n, func() float64 { return rng.NormFloat64() * 0.1 })}, tol: 1e-5})
		}
	}
	return cs
}

func init() {
	caseGens["softmax_xent_f32"] = func(rng *rand.Rand) []kcase { return xentCases(rng, false) }
	caseGens["xent_correct"] = func(rng *rand.Rand) []kcase { return xentCases(rng, true) }
}

// xentCases: (n, k) from one sample and one class to ImageNet's 1000
// classes; logits as I32 codes (moderate, with exponent -8; many ties;
// random words, for the exact argmax only) and F32; labels random in
// [0, k], so some samples are ignored, and half of them equal to the
// argmax, so that the correct count is large.
func xentCases(rng *rand.Rand, correct bool) []kcase {
	var cs []kcase
	for _, s := range [][2]int{{1, 1}, {1, 10}, {3, 7}, {64, 10}, {65, 100}, {7, 1000}, {1000, 3}, {4097, 10}} {
		n, k := s[0], s[1]
		sets := []struct {
			name  string
			isI32 uint32
			exp   int32
			w     []uint32
		}{
			{"i32", 1, -8, fillWith(n*k, func(int) uint32 { return uint32(int32(rng.IntN(1<<13) - 1<<12)) })},
			{"i32-ties", 1, -2, fillWith(n*k, func(int) uint32 { return uint32(int32(rng.IntN(3))) })},
			{"f32", 0, 0, layerF32Words(n*k, func() float64 { return 3 * rng.NormFloat64() })},
		}
		if correct {
			sets = append(sets, struct {
				name  string
				isI32 uint32
				exp   int32
				w     []uint32
			}{"i32-rand", 1, 0, valueSets[0].gen(rng, n*k)})
		}
		for _, vs := range sets {
			p := cpu.XentParams{N: uint32(n), K: uint32(k), IsI32: vs.isI32, Exp: vs.exp}
			pred := make([]uint32, n)
			cpu.XentCorrect(p, pred, make([]uint32, 1), vs.w, make([]uint32, n))
			labels := fillWith(n, func(i int) uint32 {
				if rng.IntN(2) == 0 {
					return pred[i]
				}
				return uint32(rng.IntN(k + 1))
			})
			c := kcase{name: fmt.Sprintf("n=%d/k=%d/%s", n, k, vs.name), params: p, ins: [][]uint32{vs.w, labels}}
			if correct {
				c.outs = []int{n, 1}
				for _, init := range []uint32{0, 1000} {
					ci := c
					ci.outInit = [][]uint32{make([]uint32, n), {init}}
					ci.name += fmt.Sprintf("/init=%d", init)
					cs = append(cs, ci)
				}
				continue
			}
			c.outs, c.tol = []int{n, n * k}, 1e-4
			cs = append(cs, c)
		}
	}
	return cs
}

func init() {
	caseGens["sum_i32_wide"] = sumCases
	caseGens["sumsq_i32_wide"] = sumSqCases
	caseGens["histogram_i32"] = histCases
}

// sumCases: rows of 1, chunk edges (255, 256, 257), many rows, and long
// rows; values of every set plus all ±2^31 extremes (carries on every
// chunk), accumulating onto 0 and onto -1 (both words all ones, so every
// carry ripples into hi).
func sumCases(rng *rand.Rand) []kcase {
	var cs []kcase
	sets := append(valueSets[:len(valueSets):len(valueSets)],
		struct {
			name string
			gen  func(rng *rand.Rand, n int) []uint32
		}{"allmax", func(_ *rand.Rand, n int) []uint32 { return fillWith(n, func(int) uint32 { return math.MaxInt32 }) }},
		struct {
			name string
			gen  func(rng *rand.Rand, n int) []uint32
		}{"allmin", func(_ *rand.Rand, n int) []uint32 { return fillWith(n, func(int) uint32 { return 1 << 31 }) }})
	for _, s := range [][2]int{{1, 1}, {1, 255}, {1, 256}, {1, 257}, {3, 1000}, {64, 64}, {7, 513}, {1, 100003}, {2, 1 << 20}} {
		rows, cols := s[0], s[1]
		for _, vs := range sets {
			for _, init := range []uint32{0, math.MaxUint32} {
				cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/cols=%d/%s/init=%#x", rows, cols, vs.name, init),
					params:  cpu.SumParams{Rows: uint32(rows), Cols: uint32(cols), Chunks: ceilDiv(uint32(cols), cpu.SumChunk)},
					outs:    []int{2 * rows},
					outInit: [][]uint32{fillWith(2*rows, func(int) uint32 { return init })},
					ins:     [][]uint32{vs.gen(rng, rows*cols)}})
			}
		}
	}
	return cs
}

// histCases: the int8 range in 256 and 7 bins, more bins than codes, the
// whole int32 range but one code (u·bins past 2^32: the wide division), a
// small window most codes miss, and one bin of one code.
func histCases(rng *rand.Rand) []kcase {
	var cs []kcase
	ranges := []cpu.HistParams{{Lo: -128, Width: 256, Bins: 256}, {Lo: -128, Width: 256, Bins: 7}, {Lo: 0, Width: 1000, Bins: 2048},
		{Lo: math.MinInt32, Width: math.MaxUint32, Bins: 2048}, {Lo: -5, Width: 10, Bins: 3}, {Lo: 127, Width: 1, Bins: 1}}
	for _, n := range elemSizes {
		for _, vs := range valueSets {
			if n > 5000 && vs.name != "random" && vs.name != "int8" {
				continue
			}
			in := vs.gen(rng, n)
			for _, h := range ranges {
				h.N = uint32(n)
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/lo=%d/width=%d/bins=%d", n, vs.name, h.Lo, h.Width, h.Bins),
					params: h, outs: []int{int(h.Bins)}, outInit: [][]uint32{fillWith(int(h.Bins), func(i int) uint32 { return uint32(i) })},
					ins: [][]uint32{in}})
			}
		}
	}
	return cs
}

// sumSqCases: the shapes and value sets of sumCases (squares of ±2^31
// overflow 2^64 after four terms, so the extreme sets raise the error
// word), accumulating onto 0 and onto a value just below 2^64.
func sumSqCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, c := range sumCases(rng) {
		p := c.params.(cpu.SumParams)
		c.params = cpu.SumSqParams(p)
		cs = append(cs, c)
	}
	return cs
}
