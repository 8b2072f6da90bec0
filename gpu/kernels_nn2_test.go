package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Case generators of the integer AdderNet kernels (nnadder.wgsl), over the
// conv geometries of kernels_conv_test.go: random codes, the extremes
// (x = 255 or -128, w = -128 and 127, dy at its dtype's limits) and
// exponent shifts sx, sw of 0, 1 and 8.

func init() {
	caseGens["adder2d_i32"] = func(rng *rand.Rand) []kcase { return adderI32Cases(rng, "fwd") }
	caseGens["adder2d_bwd_data_i32"] = func(rng *rand.Rand) []kcase { return adderI32Cases(rng, "data") }
	caseGens["adder2d_bwd_weight_i32"] = func(rng *rand.Rand) []kcase { return adderI32Cases(rng, "weight") }
	caseGens["shift_f32_i8"] = shiftF32Cases
	caseGens["grad_add_i64"] = gradAddCases
}

// gradAddCases: sizes 1, odd, a workgroup edge and large; I32 and I64
// operands in every combination, with and without Scales, exponent gaps
// of 0 to 70 either way, and overflowing shifts and sums.
func gradAddCases(rng *rand.Rand) []kcase {
	var cases []kcase
	for _, n := range []int{1, 7, 64, 65, 4099} {
		for combo := range 4 {
			for vi, vals := range []string{"random", "gap", "overflow"} {
				p := cpu.GradAddParams{N: uint32(n), AWide: uint32(combo & 1), BWide: uint32(combo >> 1),
					AHasScale: uint32(vi % 2), BHasScale: uint32((vi + combo) % 2),
					AExp: int32(rng.IntN(40) - 20), BExp: int32(rng.IntN(40) - 20)}
				p.OutExp = min(p.AExp, p.BExp)
				aScale, bScale := uint32(int32(rng.IntN(20)-10)), uint32(int32(rng.IntN(20)-10))
				if vals == "gap" {
					aScale = uint32(int32(rng.IntN(140) - 70))
				}
				operand := func(wide uint32) []uint32 {
					w := make([]uint32, int(1+wide)*n)
					for i := range n {
						var v int64
						switch vals {
						case "overflow":
							v = int64(rng.Uint64())
							if rng.IntN(3) == 0 {
								v >>= 40
							}
						default:
							v = int64(rng.IntN(1<<20)) - 1<<19
							if rng.IntN(5) == 0 {
								v = 0
							}
						}
						if wide != 0 {
							w[2*i], w[2*i+1] = cpu.WideWords(v)
						} else {
							w[i] = uint32(int32(v))
						}
					}
					return w
				}
				cases = append(cases, kcase{name: fmt.Sprintf("n=%d/wide=%d/%s", n, combo, vals), params: p,
					outs: []int{2 * n, 1}, ins: [][]uint32{operand(p.AWide), operand(p.BWide), {aScale}, {bScale}}})
			}
		}
	}
	return cases
}

// shiftF32Cases: E1 on float32 bits, shapes 1, odd, a tile edge and large;
// normal values of several scales, exact ties of the code grid, a max
// that is a power of two or at sqrt(2) boundaries, subnormals, zeros, and
// an input Scale.
func shiftF32Cases(rng *rand.Rand) []kcase {
	var cases []kcase
	for _, sh := range [][2]int{{1, 1}, {5, 7}, {3, 64}, {33, 129}, {300, 257}} {
		rows, k := sh[0], sh[1]
		n := rows * k
		for vi, vals := range []string{"normal", "ties", "pow2", "subnormal", "zero"} {
			x := make([]float32, n)
			for i := range x {
				switch vals {
				case "normal":
					x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-6)))
				case "ties": // (j + 1/2)·2^-10 with max about 2^-3: codes at ties of 2^-10
					x[i] = float32((float64(rng.IntN(255)-127) + 0.5) * math.Ldexp(1, -10))
				case "pow2":
					x[i] = float32(math.Ldexp(float64(rng.IntN(3)-1), rng.IntN(5)-2))
				case "subnormal":
					x[i] = math.Float32frombits(uint32(rng.IntN(1 << 23)))
					if rng.IntN(2) == 0 {
						x[i] = -x[i]
					}
				}
			}
			var mx uint32
			in := make([]uint32, n)
			for i, v := range x {
				in[i] = math.Float32bits(v)
				mx = max(mx, in[i]&0x7FFFFFFF)
			}
			has := uint32(vi % 2)
			p := cpu.ShiftParams{Rows: uint32(rows), K: uint32(k), KW: uint32((k + 3) / 4), HasScale: has}
			cases = append(cases, kcase{name: fmt.Sprintf("%dx%d/%s", rows, k, vals), params: p,
				outs: []int{rows * ((k + 3) / 4), 1}, ins: [][]uint32{in, {mx}, {0xFFFFFFFB}}}) // in_scale -5
		}
	}
	return cases
}

// adderParams returns the kernels' uniform for a conv shape.
func adderParams(s convShape, sx, sw uint32, lim int32) cpu.AdderI32Params {
	c := s.params(0)
	return cpu.AdderI32Params{N: c.N, C: c.C, H: c.H, W: c.W, K: c.K, KH: c.KH, KW: c.KW, OH: c.OH, OW: c.OW,
		Stride: c.Stride, Pad: c.Pad, CG: c.CG, KG: c.KG, SX: sx, SW: sw, Lim: lim}
}

func adderI32Cases(rng *rand.Rand, which string) []kcase {
	words := func(n int, f func() int32) []uint32 {
		out := make([]uint32, n)
		for i := range out {
			out[i] = uint32(f())
		}
		return out
	}
	var cases []kcase
	for si, s := range convShapes {
		for vi, vals := range []string{"random", "extreme", "i16", "shifted"} {
			sx, sw, lim := uint32(0), uint32(0), int32(128)
			xf := func() int32 { return int32(rng.IntN(256)) }
			wf := func() int32 { return int32(rng.IntN(256)) - 128 }
			dyf := func() int32 { return int32(rng.IntN(255)) - 127 }
			switch vals {
			case "extreme":
				xf = func() int32 { return []int32{255, 0, -128}[rng.IntN(3)] }
				wf = func() int32 { return []int32{-128, 127}[rng.IntN(2)] }
				dyf = func() int32 { return []int32{-1 << 31, 1<<31 - 1, 0}[rng.IntN(3)] }
			case "i16":
				dyf = func() int32 { return int32(rng.IntN(1<<16)) - 1<<15 }
			case "shifted":
				sx, sw, lim = []uint32{1, 0, 8}[si%3], []uint32{0, 1, 0}[si%3], []int32{256, 256, 1 << 15}[si%3]
			}
			oh, ow := s.out()
			nx, nw, ny := s.N*s.C*s.H*s.W, s.K*(s.C/s.Groups)*s.KH*s.KW, s.N*s.K*oh*ow
			p := adderParams(s, sx, sw, lim)
			x, w, dy := words(nx, xf), words(nw, wf), words(ny, dyf)
			name := fmt.Sprintf("%v/%s/%d", s, vals, vi)
			switch which {
			case "fwd":
				cases = append(cases, kcase{name: name, params: p, outs: []int{ny}, ins: [][]uint32{x, w}})
			case "data":
				cases = append(cases, kcase{name: name, params: p, outs: []int{2 * nx}, ins: [][]uint32{dy, x, w}})
			default:
				cases = append(cases, kcase{name: name, params: p, outs: []int{2 * nw}, ins: [][]uint32{dy, x, w}})
			}
		}
	}
	return cases
}
