package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Case generators of the bn family (shaders/bn.wgsl).

func init() {
	caseGens["bn_stats"] = bnStatsCases
	caseGens["bn_fwd"] = bnFwdCases
	caseGens["bn_running_update"] = bnRunningCases
	caseGens["bn_eval_stats"] = bnEvalCases
	caseGens["bn_bwd_reduce"] = bnBwdReduceCases
	caseGens["bn_bwd_grads"] = bnBwdGradsCases
	caseGens["bn_bwd_dx"] = bnBwdDxCases
}

// bnShapes are (N, C, HW): n = 1, C = 1, odd H·W, n around the workgroup
// (256) and beyond it, linear layers (HW = 1), many channels.
var bnShapes = [][3]int{
	{1, 1, 1}, {1, 1, 3}, {2, 3, 5}, {3, 2, 7}, {4, 5, 1}, {1, 1, 255}, {1, 1, 256}, {1, 1, 257},
	{8, 3, 65}, {2, 1, 1000}, {1, 2, 4099}, {16, 4, 49}, {1, 300, 1}, {64, 6, 1},
}

// bnI32Sets generate int32 codes: small (a conv output at e_z = -14), int16
// range (x̂), E1 codes, full int32, constants, extremes, and pairs of
// neighbours that make RoundDiv ties (mean x.5).
var bnI32Sets = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []uint32
}{
	{"small", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return uint32(int32(rng.IntN(1<<17) - 1<<16)) })
	}},
	{"int16", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return uint32(int32(rng.IntN(1<<16) - 1<<15)) })
	}},
	{"int8", valueSets[1].gen},
	{"random", valueSets[0].gen},
	{"all-128", valueSets[2].gen},
	{"all127", valueSets[3].gen},
	{"extremes", valueSets[4].gen},
	{"ties", func(rng *rand.Rand, n int) []uint32 {
		b := int32(rng.IntN(2001) - 1000)
		return fillWith(n, func(i int) uint32 { return uint32(b + int32(i%2)) })
	}},
}

// wideWords packs int64 values as I64 words.
func wideWords(v []int64) []uint32 {
	w := make([]uint32, 2*len(v))
	for i, x := range v {
		w[2*i], w[2*i+1] = cpu.WideWords(x)
	}
	return w
}

// bnWideSets generate int64 values: small, 40-bit, full range, extremes.
var bnWideSets = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []int64
}{
	{"small", func(rng *rand.Rand, n int) []int64 {
		return fillI64(n, func(int) int64 { return rng.Int64N(1<<24) - 1<<23 })
	}},
	{"40bit", func(rng *rand.Rand, n int) []int64 {
		return fillI64(n, func(int) int64 { return rng.Int64N(1<<41) - 1<<40 })
	}},
	{"random", func(rng *rand.Rand, n int) []int64 { return fillI64(n, func(int) int64 { return int64(rng.Uint64()) }) }},
	{"extremes", func(_ *rand.Rand, n int) []int64 {
		ext := []int64{math.MinInt64, math.MaxInt64, 0, -1, 1, 1 << 47, -1 << 47, 1<<62 + 12345, -1 << 62, 65535, -32768}
		return fillI64(n, func(i int) int64 { return ext[i%len(ext)] })
	}},
}

func fillI64(n int, f func(i int) int64) []int64 {
	v := make([]int64, n)
	for i := range v {
		v[i] = f(i)
	}
	return v
}

func bnStatsCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, s := range bnShapes {
		nn, c, hw := s[0], s[1], s[2]
		for _, vs := range bnI32Sets {
			for _, sh := range []int32{-3, 0, 1, 16, 31} {
				if vs.name == "random" && sh > 1 || vs.name != "small" && vs.name != "random" && sh != 1 && sh != 31 {
					continue
				}
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/c=%d/hw=%d/%s/shift=%d", nn, c, hw, vs.name, sh),
					params: cpu.BNStatsParams{C: uint32(c), N: uint32(nn), HW: uint32(hw), Shift: sh},
					outs:   []int{c, c, 2 * c, 2 * c}, ins: [][]uint32{vs.gen(rng, nn*c*hw)}})
			}
		}
	}
	// Many channels (one workgroup each; BNMaxChannels caps the grid).
	c := 4097
	cs = append(cs, kcase{name: fmt.Sprintf("n=3/c=%d", c),
		params: cpu.BNStatsParams{C: uint32(c), N: 3, HW: 1, Shift: 1},
		outs:   []int{c, c, 2 * c, 2 * c}, ins: [][]uint32{bnI32Sets[0].gen(rng, 3*c)}})
	return cs
}

// bnChannelSets generate per-channel (μ, σ, γ8, β8) codes.
func bnChannelParams(rng *rand.Rand, c int, kind string) [][]uint32 {
	mu, sigma, g, b := make([]uint32, c), make([]uint32, c), make([]uint32, c), make([]uint32, c)
	for i := range c {
		switch kind {
		case "typical":
			mu[i] = uint32(int32(rng.IntN(1<<17) - 1<<16))
			sigma[i] = uint32(1 + rng.IntN(1<<18))
			g[i] = uint32(int32(rng.IntN(512) - 128))
			b[i] = uint32(int32(rng.IntN(512) - 256))
		case "small-sigma":
			mu[i] = uint32(int32(rng.IntN(3) - 1))
			sigma[i] = uint32(int32(rng.IntN(4) - 1)) // 0 and -1 are flagged
			g[i] = uint32(int32(rng.IntN(1<<16) - 1<<15))
			b[i] = uint32(int32(rng.IntN(1<<16) - 1<<15))
		case "extremes":
			ext := []int32{math.MinInt32, math.MaxInt32, 0, 1, -1, 32767, -32768}
			mu[i] = uint32(ext[rng.IntN(len(ext))])
			sigma[i] = uint32(ext[rng.IntN(len(ext))])
			g[i] = uint32(ext[rng.IntN(len(ext))])
			b[i] = uint32(ext[rng.IntN(len(ext))])
		}
	}
	return [][]uint32{mu, sigma, g, b}
}

func bnFwdCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, s := range bnShapes {
		nn, c, hw := s[0], s[1], s[2]
		t := nn * c * hw
		for _, vs := range bnI32Sets {
			for _, kind := range []string{"typical", "small-sigma", "extremes"} {
				for _, sh := range []int32{-2, 1, 31} {
					if sh != 1 && (kind != "typical" || vs.name != "small" && vs.name != "random") {
						continue
					}
					ins := append([][]uint32{vs.gen(rng, t)}, bnChannelParams(rng, c, kind)...)
					cs = append(cs, kcase{name: fmt.Sprintf("n=%d/c=%d/hw=%d/%s/%s/shift=%d", nn, c, hw, vs.name, kind, sh),
						params: cpu.BNFwdParams{C: uint32(c), HW: uint32(hw), Total: uint32(t), Shift: sh},
						outs:   []int{t, t}, ins: ins})
				}
			}
		}
	}
	// Ties of RoundDiv((z'-μ)·128, σ): σ = 256 and odd z'-μ gives x.5.
	for _, n := range []int{1, 7, 64, 1000} {
		z := fillWith(n, func(i int) uint32 { return uint32(int32(2*i + 1 - n)) })
		cs = append(cs, kcase{name: fmt.Sprintf("ties/n=%d", n),
			params: cpu.BNFwdParams{C: 1, HW: uint32(n), Total: uint32(n), Shift: 0},
			outs:   []int{n, n}, ins: [][]uint32{z, {0}, {256}, {128}, {0}}})
	}
	// Past 65535 workgroups of 64: the grid spills into y.
	t := 65535*64 + 1
	cs = append(cs, kcase{name: fmt.Sprintf("spill/n=%d", t),
		params: cpu.BNFwdParams{C: 3, HW: 1, Total: uint32(t), Shift: 1},
		outs:   []int{t, t}, ins: append([][]uint32{bnI32Sets[0].gen(rng, t)}, bnChannelParams(rng, 3, "typical")...)})
	return cs
}

var bnChannelCounts = []int{1, 3, 63, 64, 65, 1000}

func bnRunningCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, c := range bnChannelCounts {
		for _, ws := range bnWideSets {
			for _, d := range []uint32{0, 1, 58982, 65339, 65535, 65536, 70000} {
				cs = append(cs, kcase{name: fmt.Sprintf("c=%d/%s/d16=%d", c, ws.name, d),
					params:  cpu.BNRunningParams{C: uint32(c), D16: d},
					outs:    []int{2 * c, 2 * c},
					outInit: [][]uint32{wideWords(ws.gen(rng, c)), wideWords(ws.gen(rng, c))},
					ins:     [][]uint32{wideWords(ws.gen(rng, c)), wideWords(bnWideSets[0].gen(rng, c))}})
			}
		}
	}
	return cs
}

func bnEvalCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, c := range bnChannelCounts {
		for _, ws := range bnWideSets {
			cs = append(cs, kcase{name: fmt.Sprintf("c=%d/%s", c, ws.name), params: cpu.BNEvalParams{C: uint32(c)},
				outs: []int{c, c}, ins: [][]uint32{wideWords(ws.gen(rng, c)), wideWords(ws.gen(rng, c))}})
		}
		// RoundSqrt ties: f²+f rounds down, f²+f+1 up; perfect squares.
		v := fillI64(c, func(i int) int64 {
			f := rng.Int64N(3037000499)
			return f*f + f + int64(i%3) - 1
		})
		cs = append(cs, kcase{name: fmt.Sprintf("c=%d/sqrt-ties", c), params: cpu.BNEvalParams{C: uint32(c)},
			outs: []int{c, c}, ins: [][]uint32{wideWords(bnWideSets[0].gen(rng, c)), wideWords(v)}})
	}
	return cs
}

func bnBwdReduceCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, s := range bnShapes {
		nn, c, hw := s[0], s[1], s[2]
		t := nn * c * hw
		for _, pair := range [][2]int{{2, 1}, {2, 3}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {2, 7}} {
			dy, xh := bnI32Sets[pair[0]], bnI32Sets[pair[1]]
			cs = append(cs, kcase{name: fmt.Sprintf("n=%d/c=%d/hw=%d/dy=%s/xhat=%s", nn, c, hw, dy.name, xh.name),
				params: cpu.BNBwdReduceParams{C: uint32(c), N: uint32(nn), HW: uint32(hw)},
				outs:   []int{4 * c}, ins: [][]uint32{dy.gen(rng, t), xh.gen(rng, t)}})
		}
		for _, xh := range bnI32Sets[1:4] {
			dy, last := bnDyI8(rng, nn, c, hw)
			cs = append(cs, kcase{name: fmt.Sprintf("n=%d/c=%d/hw=%d/dy=i8/xhat=%s", nn, c, hw, xh.name),
				params: cpu.BNBwdReduceParams{C: uint32(c), N: uint32(nn), HW: uint32(hw), DyLast: last},
				outs:   []int{4 * c}, ins: [][]uint32{dy, xh.gen(rng, t)}})
		}
	}
	return cs
}

func bnBwdGradsCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, c := range bnChannelCounts {
		for _, ws := range bnWideSets {
			for _, kind := range []string{"typical", "small-sigma", "extremes"} {
				for _, e := range [][2]int32{{-20, 0}, {-14, 0}, {-7, 1}, {0, 1}, {40, 1}, {-100, 0}} {
					for _, count := range []uint32{1, 1000, math.MaxUint32} {
						if count != 1000 && (kind != "typical" || e[0] != -20) {
							continue
						}
						ch := bnChannelParams(rng, c, kind)
						scale := []uint32{uint32(int32(rng.IntN(41) - 20))}
						if e[0] == 40 {
							scale[0] = 1 << 31 // MinInt32: clamped to -2^16
						}
						sums := make([]int64, 2*c)
						copy(sums, ws.gen(rng, 2*c))
						cs = append(cs, kcase{name: fmt.Sprintf("c=%d/%s/%s/e=%d,%d/count=%d", c, ws.name, kind, e[0], e[1], count),
							params: cpu.BNBwdGradsParams{C: uint32(c), Count: count, ExpDy: e[0], UseScale: uint32(e[1])},
							outs:   []int{c, c, 2 * c},
							ins:    [][]uint32{wideWords(sums), ch[2], ch[1], scale}})
					}
				}
			}
		}
	}
	return cs
}

func bnBwdDxCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, s := range bnShapes {
		nn, c, hw := s[0], s[1], s[2]
		t := nn * c * hw
		for _, pair := range [][2]int{{2, 1}, {2, 0}, {3, 3}, {4, 5}, {6, 6}, {-1, 1}} {
			for _, coefKind := range []string{"grads", "random"} {
				var last uint32
				var dyw []uint32
				dyName := "i8"
				if pair[0] >= 0 {
					dyw, dyName = bnI32Sets[pair[0]].gen(rng, t), bnI32Sets[pair[0]].name
				} else {
					dyw, last = bnDyI8(rng, nn, c, hw)
				}
				xh := bnI32Sets[pair[1]]
				xhw := xh.gen(rng, t)
				sums := make([]uint32, 4*c)
				cpu.BNBwdReduce(cpu.BNBwdReduceParams{C: uint32(c), N: uint32(nn), HW: uint32(hw), DyLast: last}, sums, dyw, xhw, []uint32{0})
				coef := make([]uint32, 2*c)
				if coefKind == "grads" {
					ch := bnChannelParams(rng, c, "typical")
					cpu.BNBwdGrads(cpu.BNBwdGradsParams{C: uint32(c), Count: uint32(nn * hw), ExpDy: -20},
						make([]uint32, c), make([]uint32, c), coef, sums, ch[2], ch[1], []uint32{0}, []uint32{0})
				} else {
					for i := range coef {
						coef[i] = rng.Uint32()
						if i%2 == 1 {
							coef[i] = uint32(int32(rng.IntN(200) - 100))
						}
					}
				}
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/c=%d/hw=%d/dy=%s/xhat=%s/coef=%s", nn, c, hw, dyName, xh.name, coefKind),
					params: cpu.BNBwdDxParams{C: uint32(c), HW: uint32(hw), Total: uint32(t), Count: uint32(nn * hw), DyLast: last},
					outs:   []int{2 * t}, ins: [][]uint32{dyw, xhw, sums, coef}})
			}
		}
	}
	return cs
}

// bnDyI8 returns random int8 δy codes for an [N, C, HW] tensor (as [N, C,
// 1, HW], or [N, C] when HW = 1) packed along its last dimension, and that
// dimension.
func bnDyI8(rng *rand.Rand, n, c, hw int) ([]uint32, uint32) {
	rows, last := n*c, hw
	if hw == 1 {
		rows, last = n, c
	}
	return i8Sets[0].gen(rng, rows, last), uint32(last)
}
