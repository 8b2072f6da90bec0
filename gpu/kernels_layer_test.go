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

// i32Sets generate int32 codes for the activation kernels: random words,
// codes around the saturation point 255.5·2^7 of shift 7, exact ties k·128+64
// (RoundShr by 7 rounds half to even), and extremes.
var i32Sets = []struct {
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
		for _, vs := range i32Sets {
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

// maskWords returns a random U8 mask [rows, cols] of 0/1 bytes, packed.
func maskWords(rng *rand.Rand, rows, cols int) []uint32 {
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
		mask := maskWords(rng, rows, cols)
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
	p.T = ceilLog2(p.KH * p.KW)
	return p
}

// u8Sets generate U8 planes [rows, cols], packed: random bytes, all 255,
// and three distinct values (many ties for the argmax and .5 ties for the
// average).
var u8Sets = []struct {
	name string
	gen  func(rng *rand.Rand, rows, cols int) []uint32
}{
	{"random", func(rng *rand.Rand, rows, cols int) []uint32 { return packU8(rows, cols, func(int) uint8 { return uint8(rng.IntN(256)) }) }},
	{"all255", func(_ *rand.Rand, rows, cols int) []uint32 { return packU8(rows, cols, func(int) uint8 { return 255 }) }},
	{"ties", func(rng *rand.Rand, rows, cols int) []uint32 {
		v := []uint8{0, 7, 255}
		return packU8(rows, cols, func(int) uint8 { return v[rng.IntN(3)] })
	}},
}

func packU8(rows, cols int, f func(i int) uint8) []uint32 {
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
		for _, vs := range u8Sets {
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
		cpu.Maxpool2dFwd(p, fwd, arg, u8Sets[2].gen(rng, int(p.Planes*p.H), int(p.W)))
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
