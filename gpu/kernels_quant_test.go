package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Case generators of the quant family (quant.wgsl): shapes 1, odd, word and
// workgroup edges and large; value sets random, int8, all -128, all 127,
// extremes, ties of the rounding at hand, and max|x| at the edges of
// round(log2 ·) (sqrt(2)·2^j on either side).

func init() {
	caseGens["rng_u32"] = rngCases
	caseGens["rng_philox4x32"] = philoxCases
	caseGens["max_abs_i64"] = maxAbsI64Cases
	caseGens["max_abs_f32"] = maxAbsF32Cases
	caseGens["quant_weight"] = weightCases
	caseGens["quant_regrid_i32"] = regridCases
	caseGens["quant_regrid_i64"] = regridI64Cases
	caseGens["quant_shift"] = func(rng *rand.Rand) []kcase { return shiftCases(rng, false) }
	caseGens["quant_shift_i64"] = func(rng *rand.Rand) []kcase { return shiftCases(rng, true) }
	caseGens["quant_flag"] = func(rng *rand.Rand) []kcase { return flagCases(rng, I32) }
	caseGens["quant_flag_i64"] = func(rng *rand.Rand) []kcase { return flagCases(rng, I64) }
	caseGens["quant_flag_f32"] = func(rng *rand.Rand) []kcase { return flagCases(rng, F32) }
	caseGens["quant_const"] = func(rng *rand.Rand) []kcase { return constCases(rng, false, false) }
	caseGens["quant_const_i64"] = func(rng *rand.Rand) []kcase { return constCases(rng, true, false) }
	caseGens["quant_const_mag"] = func(rng *rand.Rand) []kcase { return constCases(rng, false, true) }
	caseGens["quant_const_mag_i64"] = func(rng *rand.Rand) []kcase { return constCases(rng, true, true) }
	caseGens["tqt_qsigned_f32"] = func(rng *rand.Rand) []kcase { return tqtCases(rng, false) }
	caseGens["tqt_qunsigned_f32"] = func(rng *rand.Rand) []kcase { return tqtCases(rng, false) }
	caseGens["tqt_qsigned_bwd_f32"] = func(rng *rand.Rand) []kcase { return tqtCases(rng, true) }
	caseGens["tqt_qunsigned_bwd_f32"] = func(rng *rand.Rand) []kcase { return tqtCases(rng, true) }
	caseGens["tqt_sum_f32"] = tqtSumCases
	caseGens["quant_decay"] = func(rng *rand.Rand) []kcase { return decayCases(rng, false) }
	caseGens["quant_decay_i64"] = func(rng *rand.Rand) []kcase { return decayCases(rng, true) }
}

// quantShapes are the (rows, k) tried by the quantizers: 1, odd, word
// edges (k = 3, 4, 5), workgroup edges (64·4 elements) and large.
var quantShapes = [][2]int{{1, 1}, {1, 3}, {1, 4}, {3, 5}, {7, 13}, {1, 256}, {1, 257}, {65, 63}, {257, 3}, {3, 1000}, {1, 100003}}

// fullShape reports the shapes that get every value set and every params
// variant; the others get the main sets (quantKeep) and params.
func fullShape(rows, k int) bool { return (rows == 7 && k == 13) || (rows == 65 && k == 63) }

// quantKeep reports whether a value set runs on a shape: every set on the
// full shapes, the main sets on the other small ones, random sets only on
// the large ones.
func quantKeep(rows, k int, name string) bool {
	switch {
	case fullShape(rows, k):
		return true
	case rows*k > 5000:
		return name == "random" || name == "normal"
	}
	switch name {
	case "random", "random24", "random40", "int8", "int32", "all-128", "all127", "extremes", "zeros", "ties13", "ties45",
		"normal", "wide", "subnormal", "ties", "golden":
		return true
	}
	return false
}

// sqrt2Edges are max|x| values at the edges of round(log2 m): sqrt(2)·2^j
// lies between each pair, so the rounding of log2 flips within each.
var sqrt2Edges = []uint64{1, 2, 3, 5, 6, 11, 12, 181, 182, 3037000499, 3037000500, 1 << 31,
	13043817825332782212, 13043817825332782213, 1 << 63}

// i32Set is one int32 value set: the codes and their max|x|.
type i32Set struct {
	name string
	v    []int32
}

// i32QuantSets returns the int32 value sets of the quantizer cases for n
// elements. ties puts odd multiples of 2^(s-1) around a max of 2^(s+7),
// the ties of RoundShr by s = r - 7 (E1) and friends.
func i32QuantSets(rng *rand.Rand, n int) []i32Set {
	gen := func(f func(i int) int32) []int32 {
		v := make([]int32, n)
		for i := range v {
			v[i] = f(i)
		}
		return v
	}
	sets := []i32Set{
		{"random", gen(func(int) int32 { return int32(rng.Uint32()) })},
		{"random24", gen(func(int) int32 { return int32(rng.IntN(1<<25)) - 1<<24 })},
		{"int8", gen(func(int) int32 { return int32(rng.IntN(256) - 128) })},
		{"all-128", gen(func(int) int32 { return -128 })},
		{"all127", gen(func(int) int32 { return 127 })},
		{"extremes", gen(func(i int) int32 {
			ext := []int32{math.MinInt32, math.MaxInt32, 0, -1, 1, -129, 128, -128, 127, 181, -182}
			return ext[i%len(ext)]
		})},
		{"zeros", gen(func(int) int32 { return 0 })},
	}
	for _, s := range []int{1, 5, 13, 20} {
		sets = append(sets, i32Set{fmt.Sprintf("ties%d", s), gen(func(i int) int32 {
			if i == 0 {
				return 1 << (s + 7) // the max: r = s + 7
			}
			j := int32(rng.IntN(1<<8)) - 1<<7 // |x| <= 2^(s+7)
			return (2*j + 1) << (s - 1)
		})})
	}
	// Max at the sqrt(2) edges of round(log2): the first element, the rest
	// random below it.
	for _, m := range sqrt2Edges {
		if m > 1<<31 {
			continue
		}
		sets = append(sets, i32Set{fmt.Sprintf("max%d", m), gen(func(i int) int32 {
			if i == 0 {
				return int32(-int64(m))
			}
			return int32(rng.Int64N(2*int64(m)+1) - int64(m))
		})})
	}
	return sets
}

// i64QuantSets are the int64 sets of the wide quantizers.
func i64QuantSets(rng *rand.Rand, n int) []struct {
	name string
	v    []int64
} {
	type set = struct {
		name string
		v    []int64
	}
	gen := func(f func(i int) int64) []int64 {
		v := make([]int64, n)
		for i := range v {
			v[i] = f(i)
		}
		return v
	}
	sets := []set{
		{"random", gen(func(int) int64 { return int64(rng.Uint64()) })},
		{"random40", gen(func(int) int64 { return rng.Int64N(1<<41) - 1<<40 })},
		{"int32", gen(func(int) int64 { return int64(int32(rng.Uint32())) })},
		{"int8", gen(func(int) int64 { return int64(rng.IntN(256) - 128) })},
		{"extremes", gen(func(i int) int64 {
			ext := []int64{math.MinInt64, math.MaxInt64, 0, -1, 1, 1 << 32, -(1 << 32), 1<<32 - 1, math.MinInt32, -129, 128}
			return ext[i%len(ext)]
		})},
		{"zeros", gen(func(int) int64 { return 0 })},
	}
	for _, s := range []int{1, 24, 33, 45, 56} {
		sets = append(sets, set{fmt.Sprintf("ties%d", s), gen(func(i int) int64 {
			if i == 0 {
				return 1 << (s + 7)
			}
			j := int64(rng.IntN(1<<8)) - 1<<7
			return (2*j + 1) << (s - 1)
		})})
	}
	for _, m := range sqrt2Edges {
		sets = append(sets, set{fmt.Sprintf("max%d", m), gen(func(i int) int64 {
			if i == 0 {
				return int64(-m) // -2^63 for m = 2^63
			}
			h := min(m, 1<<62)
			return rng.Int64N(int64(h)) - int64(h/2)
		})})
	}
	return sets
}

// f32QuantSets are the float32 sets of quant_flag_f32 and max_abs_f32:
// magnitudes across the exponent range, subnormals, zeros, ties of the
// flag quantizer's two modes (k = 8: values j·2^-8·R and (j+1/2)·R/128),
// and huge values.
func f32QuantSets(rng *rand.Rand, n int) []struct {
	name string
	v    []float32
} {
	type set = struct {
		name string
		v    []float32
	}
	gen := func(f func(i int) float32) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = f(i)
		}
		return v
	}
	sign := func() float32 { return float32(1 - 2*rng.IntN(2)) }
	return []set{
		{"random", gen(func(int) float32 { return sign() * float32(math.Ldexp(rng.Float64(), rng.IntN(40)-30)) })},
		{"normal", gen(func(int) float32 { return float32(rng.NormFloat64() * 1e-3) })},
		{"wide", gen(func(int) float32 { return sign() * float32(math.Ldexp(1+rng.Float64(), rng.IntN(250)-125)) })},
		{"subnormal", gen(func(int) float32 { return sign() * math.Float32frombits(rng.Uint32N(1<<23)) })},
		{"zeros", gen(func(i int) float32 { return float32(math.Copysign(0, float64(1-2*(i%2)))) })},
		{"ties", gen(func(i int) float32 {
			if i == 0 {
				return 1 // R = 1, s = 2^-7: fraction grid 2^-14, integer grid 2^-7
			}
			if i%2 == 0 {
				return sign() * float32(2*rng.IntN(64)+1) * 0x1p-15 // fraction-mode ties
			}
			return sign() * float32(2*rng.IntN(250)+1) * 0x1p-8 // integer-mode ties
		})},
		{"extremes", gen(func(i int) float32 {
			ext := []float32{math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 0x1p-126, 1, -1, 0.5, 1.4142135, 1.4142137, 3e38}
			return ext[i%len(ext)]
		})},
		{"golden", gen(func(i int) float32 { return []float32{0.5, 0.01, -0.0001, 0.3}[i%4] })}, // method.md B§2.5 example
	}
}

func i32Words(v []int32) []uint32 { return convert(v, func(x int32) uint32 { return uint32(x) }) }

func i64Words(v []int64) []uint32 {
	w := make([]uint32, 2*len(v))
	for i, x := range v {
		w[2*i], w[2*i+1] = cpu.WideWords(x)
	}
	return w
}

func maxAbsOf32(v []int32) uint32 {
	var m uint32
	for _, x := range v {
		m = max(m, cpu.AbsU32(x))
	}
	return m
}

func maxAbsOf64(v []int64) uint64 {
	var m uint64
	for _, x := range v {
		a := uint64(x)
		if x < 0 {
			a = -a
		}
		m = max(m, a)
	}
	return m
}

func rngCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range elemSizes {
		p := cpu.RngParams{N: uint32(n), SeedLo: rng.Uint32(), SeedHi: rng.Uint32(), Step: rng.Uint32(), Tensor: rng.Uint32()}
		cs = append(cs, kcase{name: fmt.Sprintf("n=%d", n), params: p, outs: []int{n}})
	}
	cs = append(cs, kcase{name: "n=1000/zero-key", params: cpu.RngParams{N: 1000}, outs: []int{1000}},
		kcase{name: "n=1000/ones-key", params: cpu.RngParams{N: 1000, SeedLo: math.MaxUint32, SeedHi: math.MaxUint32,
			Step: math.MaxUint32, Tensor: math.MaxUint32}, outs: []int{1000}})
	return cs
}

// philoxKAT are the Random123 known-answer vectors of Philox4x32-10 (as in
// quant/philox_test.go): counter, key, result.
var philoxKAT = [][10]uint32{
	{0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
	{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
	{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
}

func philoxCases(rng *rand.Rand) []kcase {
	var cs []kcase
	kat := make([]uint32, 0, 6*len(philoxKAT))
	for _, v := range philoxKAT {
		kat = append(kat, v[:6]...)
	}
	cs = append(cs, kcase{name: "kat", params: cpu.PhiloxParams{N: uint32(len(philoxKAT))}, outs: []int{4 * len(philoxKAT)}, ins: [][]uint32{kat}})
	for _, n := range []int{1, 63, 65, 4097} {
		in := fillWith(6*n, func(int) uint32 { return rng.Uint32() })
		cs = append(cs, kcase{name: fmt.Sprintf("n=%d", n), params: cpu.PhiloxParams{N: uint32(n)}, outs: []int{4 * n}, ins: [][]uint32{in}})
	}
	return cs
}

func maxAbsI64Cases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range []int{1, 3, 63, 65, 1000, 4097, 100003} {
		for _, vs := range i64QuantSets(rng, n) {
			if (n > 5000 && vs.name != "random" && vs.name != "random40") || (n != 1000 && len(vs.name) > 3 && vs.name[:3] == "max") {
				continue
			}
			m := maxAbsOf64(vs.v)
			lo, hi := cpu.WideWords(int64(m))
			for _, c := range []struct {
				phase uint32
				init  []uint32
			}{{0, []uint32{0, 0}}, {0, []uint32{7, 1000}}, {1, []uint32{0, hi}}, {1, []uint32{lo / 2, hi}}, {1, []uint32{0, hi + 1}}} {
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/phase=%d/init=%d,%d", n, vs.name, c.phase, c.init[0], c.init[1]),
					params: cpu.MaxAbsI64Params{N: uint32(n), Phase: c.phase}, outs: []int{2}, outInit: [][]uint32{c.init},
					ins: [][]uint32{i64Words(vs.v)}})
			}
		}
	}
	return cs
}

func maxAbsF32Cases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range []int{1, 3, 63, 64, 65, 1000, 4097, 100003} {
		for _, vs := range f32QuantSets(rng, n) {
			if n > 5000 && vs.name != "random" {
				continue
			}
			for _, init := range []uint32{0, 0x3F800000} {
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/init=%#x", n, vs.name, init),
					params: cpu.MaxAbsF32Params{N: uint32(n)}, outs: []int{1}, outInit: [][]uint32{{init}},
					ins: [][]uint32{convert(vs.v, math.Float32bits)}})
			}
		}
	}
	return cs
}

func weightCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, s := range quantShapes {
		rows, k := s[0], s[1]
		kw := (k + 3) / 4
		for _, vs := range i32QuantSets(rng, rows*k) {
			if !quantKeep(rows, k, vs.name) {
				continue
			}
			for _, shift := range []uint32{16, 0, 1, 7, 31} {
				if !fullShape(rows, k) && shift != 16 && shift != 13 {
					continue
				}
				cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/k=%d/%s/shift=%d", rows, k, vs.name, shift),
					params: cpu.WeightParams{Rows: uint32(rows), K: uint32(k), KW: uint32(kw), Shift: shift},
					outs:   []int{rows * kw}, ins: [][]uint32{i32Words(vs.v)}})
			}
		}
	}
	return cs
}

func regridCases(rng *rand.Rand) []kcase {
	var cs []kcase
	bounds := [][2]int32{{math.MinInt32, math.MaxInt32}, {-127, 127}, {0, 255}, {-32768, 32767}}
	for _, n := range []int{1, 3, 64, 65, 257, 1000, 100003} {
		for _, vs := range i32QuantSets(rng, n) {
			if !quantKeep(1, n, vs.name) || (n != 257 && len(vs.name) > 3 && vs.name[:3] == "max") {
				continue
			}
			for _, shift := range []int32{16, 9, 1, 0, -3, -31, 31} {
				for bi, b := range bounds {
					if bi > 0 && n != 257 {
						continue
					}
					cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/shift=%d/bounds=%d,%d", n, vs.name, shift, b[0], b[1]),
						params: cpu.RegridParams{N: uint32(n), Shift: shift, Lo: b[0], Hi: b[1]},
						outs:   []int{n}, ins: [][]uint32{i32Words(vs.v)}})
				}
			}
		}
	}
	// The spill into y.
	n := elemSizes[len(elemSizes)-1]
	cs = append(cs, kcase{name: fmt.Sprintf("n=%d/random/shift=16", n), params: cpu.RegridParams{N: uint32(n), Shift: 16, Lo: math.MinInt32, Hi: math.MaxInt32},
		outs: []int{n}, ins: [][]uint32{valueSets[0].gen(rng, n)}})
	return cs
}

// quantInput is one input of a quantizer case: words, max words.
type quantInput struct {
	name  string
	words []uint32
	max   []uint32
}

// quantInputs returns the inputs of dtype dt (I32, I64 or F32) for n
// elements, each with its max|x| (I32: 1 word, I64: 2, F32: the bits), and
// for I32/I64 also with a larger max (the next power of two above it).
func quantInputs(rng *rand.Rand, dt DType, n int) []quantInput {
	var ins []quantInput
	switch dt {
	case I32:
		for _, vs := range i32QuantSets(rng, n) {
			m := maxAbsOf32(vs.v)
			ins = append(ins, quantInput{vs.name, i32Words(vs.v), []uint32{m}})
			if m != 0 && m < 1<<30 {
				ins = append(ins, quantInput{vs.name + "/max-up", i32Words(vs.v), []uint32{2*m + 1}})
			}
		}
	case I64:
		for _, vs := range i64QuantSets(rng, n) {
			m := maxAbsOf64(vs.v)
			lo, hi := cpu.WideWords(int64(m))
			ins = append(ins, quantInput{vs.name, i64Words(vs.v), []uint32{lo, hi}})
			if m != 0 && m < 1<<62 {
				lo, hi := cpu.WideWords(int64(2*m + 1))
				ins = append(ins, quantInput{vs.name + "/max-up", i64Words(vs.v), []uint32{lo, hi}})
			}
		}
	case F32:
		for _, vs := range f32QuantSets(rng, n) {
			w := convert(vs.v, math.Float32bits)
			var m uint32
			for _, b := range w {
				m = max(m, b&0x7FFFFFFF)
			}
			ins = append(ins, quantInput{vs.name, w, []uint32{m}})
		}
	}
	return ins
}

func shiftCases(rng *rand.Rand, wide bool) []kcase {
	dt := I32
	if wide {
		dt = I64
	}
	var cs []kcase
	for _, s := range quantShapes {
		rows, k := s[0], s[1]
		kw := (k + 3) / 4
		for _, in := range quantInputs(rng, dt, rows*k) {
			if !quantKeep(rows, k, in.name) {
				continue
			}
			for _, has := range []uint32{0, 1} {
				if has == 1 && !fullShape(rows, k) {
					continue
				}
				cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/k=%d/%s/scale=%d", rows, k, in.name, has),
					params: cpu.ShiftParams{Rows: uint32(rows), K: uint32(k), KW: uint32(kw), HasScale: has},
					outs:   []int{rows * kw, 1}, ins: [][]uint32{in.words, in.max, {uint32(rng.IntN(200) - 100)}}})
			}
		}
	}
	return cs
}

func flagCases(rng *rand.Rand, dt DType) []kcase {
	var cs []kcase
	for _, s := range quantShapes {
		rows, k := s[0], s[1]
		for _, in := range quantInputs(rng, dt, rows*k) {
			if !quantKeep(rows, k, in.name) {
				continue
			}
			for _, bl := range [][2]uint32{{8, 2}, {16, 1}, {2, 2}, {5, 1}, {12, 1}} {
				if !fullShape(rows, k) && bl[0] != 8 && bl[0] != 16 {
					continue
				}
				lanes := bl[1]
				kw := (k + int(lanes) - 1) / int(lanes)
				has := uint32(rng.IntN(2))
				cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/k=%d/%s/bits=%d/lanes=%d", rows, k, in.name, bl[0], lanes),
					params: cpu.FlagParams{Rows: uint32(rows), K: uint32(k), KW: uint32(kw), Bits: bl[0], Lanes: lanes, HasScale: has},
					outs:   []int{rows * kw, 1}, ins: [][]uint32{in.words, in.max, {uint32(rng.IntN(200) - 100)}}})
			}
		}
	}
	return cs
}

func constCases(rng *rand.Rand, wide, mag bool) []kcase {
	dt := I32
	if wide {
		dt = I64
	}
	var cs []kcase
	for _, s := range quantShapes {
		rows, k := s[0], s[1]
		kw := (k + 3) / 4
		for _, in := range quantInputs(rng, dt, rows*k) {
			if !quantKeep(rows, k, in.name) {
				continue
			}
			for _, g := range []uint32{7, 5, 3, 1} {
				if !fullShape(rows, k) && g != 7 {
					continue
				}
				p := cpu.ConstParams{Rows: uint32(rows), K: uint32(k), KW: uint32(kw), G: g,
					SeedLo: rng.Uint32(), SeedHi: rng.Uint32(), Step: rng.Uint32N(100000), Tensor: rng.Uint32N(64), HasScale: uint32(rng.IntN(2))}
				name := fmt.Sprintf("rows=%d/k=%d/%s/g=%d", rows, k, in.name, g)
				if mag {
					cs = append(cs, kcase{name: name, params: p, outs: []int{rows * kw, 1},
						ins: [][]uint32{in.words, in.max, {uint32(rng.IntN(200) - 100)}}})
				} else {
					cs = append(cs, kcase{name: name, params: p, outs: []int{rows * kw}, ins: [][]uint32{in.words, in.max}})
				}
			}
		}
	}
	return cs
}

// decayCases: dW sets x master sets, the method's wd = 1e-4 (round(1e-4·2^40))
// and the extremes 0 and 2^32-1, shifts from far right (0 term) through
// ties to left shifts that overflow, with and without an input scale.
func decayCases(rng *rand.Rand, wide bool) []kcase {
	dt := I32
	if wide {
		dt = I64
	}
	var cs []kcase
	for _, n := range []int{1, 3, 65, 257, 1000, 100003} {
		masters := map[string][]uint32{
			"random":  valueSets[0].gen(rng, n),
			"masters": fillWith(n, func(int) uint32 { return uint32(rng.Int32N(1<<25) - 1<<24) }),
			"ties":    fillWith(n, func(i int) uint32 { return uint32(int32(2*rng.IntN(1000)-1000+1) << 10) }),
		}
		for _, in := range quantInputs(rng, dt, n) {
			if !quantKeep(1, n, in.name) || len(in.name) > 3 && in.name[:3] == "max" {
				continue
			}
			for _, mname := range []string{"random", "masters", "ties"} {
				if n > 5000 && mname != "masters" {
					continue
				}
				for _, wd := range []uint32{WeightDecay1e4, 0, math.MaxUint32, 1} {
					for _, shift := range []int32{63, 44, 40, 17, 11, 1, 0, -5, -32, -64, 64, 200} {
						if (n > 300 || mname != "ties" || wd != WeightDecay1e4) && shift != 40 && shift != 11 && shift != -5 {
							continue
						}
						has := uint32(rng.IntN(2))
						cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/%s/wd=%d/shift=%d/scale=%d", n, in.name, mname, wd, shift, has),
							params: cpu.DecayParams{N: uint32(n), WD: wd, Shift: shift, HasScale: has},
							outs:   []int{2 * n, 1}, ins: [][]uint32{in.words, masters[mname], {uint32(rng.IntN(21) - 10)}}})
					}
				}
			}
		}
	}
	return cs
}

// tqtTol is the float tolerance of the TQT kernels: both backends round
// every product once to float32 and ldexp is exact, so they differ only
// where a device flushes subnormals to zero (below 2^-126 ≈ 1.2e-38).
const tqtTol = 1e-30

// tqtLog2t are the thresholds tried: t = 0.9 (method.md B§7.1's example),
// exact powers of two (ceil is the identity), and far ones.
var tqtLog2t = []float32{-0.15200309, 0, 1, 3.7, -10.2, -40.5, 60}

func tqtCases(rng *rand.Rand, backward bool) []kcase {
	var cs []kcase
	for _, n := range []int{1, 3, 64, 65, 1000, 100003} {
		for _, vs := range f32QuantSets(rng, n) {
			if n > 5000 && vs.name != "normal" {
				continue
			}
			for _, l := range tqtLog2t {
				for _, bits := range []uint32{8, 16, 1, 4, 24} {
					if (n != 1000 && bits != 8) || (n > 5000 && l != 0) {
						continue
					}
					x := convert(vs.v, math.Float32bits)
					name := fmt.Sprintf("n=%d/%s/log2t=%v/bits=%d", n, vs.name, l, bits)
					p := cpu.TqtParams{N: uint32(n), Bits: bits}
					lt := []uint32{math.Float32bits(l)}
					if !backward {
						cs = append(cs, kcase{name: name, params: p, outs: []int{n}, ins: [][]uint32{x, lt}, tol: tqtTol})
						continue
					}
					g := fillWith(n, func(int) uint32 { return math.Float32bits(float32(rng.NormFloat64())) })
					cs = append(cs, kcase{name: name, params: p, outs: []int{n, n}, ins: [][]uint32{x, g, lt}, tol: tqtTol})
				}
			}
		}
	}
	return cs
}

func tqtSumCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range []int{0, 1, 3, 63, 64, 65, 1000, 4097, 100003} {
		for _, scale := range []float64{1, 1e-6, 1e6} {
			in := fillWith(max(n, 1), func(int) uint32 { return math.Float32bits(float32(rng.NormFloat64() * scale)) })
			// Float sums may be reassociated by a WGSL compiler: a
			// relative tolerance on the sum of magnitudes.
			var mag float64
			for _, w := range in[:n] {
				mag += math.Abs(float64(math.Float32frombits(w)))
			}
			cs = append(cs, kcase{name: fmt.Sprintf("n=%d/scale=%g", n, scale), params: cpu.TqtSumParams{N: uint32(n)},
				outs: []int{1}, ins: [][]uint32{in}, tol: float32(max(1e-6*mag, 1e-30))})
		}
	}
	return cs
}

func regridI64Cases(rng *rand.Rand) []kcase {
	var cs []kcase
	bounds := [][2]int32{{math.MinInt32, math.MaxInt32}, {-127, 127}, {-32768, 32767}}
	for _, n := range []int{1, 3, 65, 257, 1000, 100003} {
		for _, vs := range i64QuantSets(rng, n) {
			if !quantKeep(1, n, vs.name) && !(n == 257 && len(vs.name) > 3 && vs.name[:3] == "max") {
				continue
			}
			for _, shift := range []int32{20, 33, 45, 1, 0, -3, -40, 63, 64, 100, -70} {
				for bi, b := range bounds {
					if (bi > 0 && n != 257) || (n > 5000 && shift != 20) {
						continue
					}
					has := uint32(rng.IntN(2))
					cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/shift=%d/bounds=%d,%d/scale=%d", n, vs.name, shift, b[0], b[1], has),
						params: cpu.RegridI64Params{N: uint32(n), Shift: shift, Lo: b[0], Hi: b[1], HasScale: has},
						outs:   []int{n}, ins: [][]uint32{i64Words(vs.v), {uint32(rng.IntN(41) - 20)}}})
				}
			}
		}
	}
	return cs
}
