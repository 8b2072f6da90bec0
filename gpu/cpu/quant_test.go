package cpu

import (
	"math"
	"math/big"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// TestSqrt2Constants checks the constants of log2_round_u32/u64 in
// quant.wgsl: floor(sqrt(2)·2^31) + 1 and floor(sqrt(2)·2^63) + 1, i.e.
// isqrt(2^63) + 1 and isqrt(2^127) + 1, and that comparing the normalised
// m with them is quant.Log2Round at the octave edges.
func TestSqrt2Constants(t *testing.T) {
	for _, c := range []struct {
		p    uint
		want uint64
	}{{63, 3037000500}, {127, 0xB504F333F9DE6485}} {
		r := new(big.Int).Sqrt(new(big.Int).Lsh(big.NewInt(1), c.p))
		if got := r.Uint64() + 1; got != c.want {
			t.Errorf("isqrt(2^%d) + 1 = %#x, want %#x", c.p, got, c.want)
		}
	}
	// The WGSL rule in Go: j = floor(log2 m), y = m << (31 - j).
	rule := func(m uint32) int {
		j := 31 - countLeadingZeros(m)
		y := m << (31 - j)
		if y >= 3037000500 {
			return j + 1
		}
		return j
	}
	for _, m := range []uint32{1, 2, 3, 5, 6, 11, 12, 181, 182, 3037000499, 3037000500, 1 << 31, math.MaxUint32} {
		if got, want := rule(m), quant.Log2Round(uint64(m)); got != want {
			t.Errorf("rule(%d) = %d, quant.Log2Round = %d", m, got, want)
		}
	}
}

func countLeadingZeros(m uint32) int {
	n := 0
	for m&(1<<31) == 0 {
		m <<= 1
		n++
	}
	return n
}

// TestQuantShiftWords checks E1 on words worked out by hand: max 1000
// gives r = round(log2 1000) = 10 (log2 1000 = 9.97), shift 3.
func TestQuantShiftWords(t *testing.T) {
	in := []uint32{1000, uint32(0xFFFFFFFC), 12, 20, 4} // 1000, -4, 12 (tie 1.5 -> 2), 20 (2.5 -> 2), 4 (0.5 -> 0)
	out, scale := make([]uint32, 2), []uint32{0}
	QuantShift(ShiftParams{Rows: 1, K: 5, KW: 2, HasScale: 1}, out, scale, in, []uint32{1000}, []uint32{uint32(0xFFFFFFFE)})
	// codes 125, -0 (−4/8 = −0.5 -> −0 = 0), 2, 2, 0
	if want := []uint32{0x0202007D, 0x00}; out[0] != want[0] || out[1] != want[1] {
		t.Errorf("QuantShift words %#x, want %#x", out, want)
	}
	if int32(scale[0]) != 3-2 {
		t.Errorf("scale %d, want 3 + (-2)", int32(scale[0]))
	}
}

// TestF32Split checks the float split against math.Frexp on a few values.
func TestF32Split(t *testing.T) {
	for _, x := range []float32{1, -1, 0.3, 1e-40, -3e38, 0, math.SmallestNonzeroFloat32} {
		m, e := F32Split(math.Float32bits(x))
		if got := math.Ldexp(float64(m), int(e)); got != float64(x) || m >= 1<<24 || m <= -(1<<24) {
			t.Errorf("F32Split(%v) = %d·2^%d = %v", x, m, e, got)
		}
	}
}

// TestDecayTerm checks the weight-decay term: rounding, the far right shift
// and the overflowing left shift.
func TestDecayTerm(t *testing.T) {
	for _, c := range []struct {
		w   int32
		wd  uint32
		sh  int32
		v   int64
		ovf bool
	}{
		{3, 1, 1, 2, false},              // 1.5 -> 2
		{5, 1, 1, 2, false},              // 2.5 -> 2
		{-3, 1, 1, -2, false},            // -1.5 -> -2
		{1 << 30, 1 << 31, 64, 0, false}, // shifted out entirely
		{1, 1, -62, 1 << 62, false},
		{2, 1, -62, math.MinInt64, true}, // 2^63 wraps
		{-1, 1, -63, math.MinInt64, false},
	} {
		v, ovf := decayTerm(c.w, c.wd, c.sh)
		if v != c.v || ovf != c.ovf {
			t.Errorf("decayTerm(%d, %d, %d) = %d, %v; want %d, %v", c.w, c.wd, c.sh, v, ovf, c.v, c.ovf)
		}
	}
}

// TestTqtSumF32Order checks the fixed summation order of tqt_sum_f32 on
// float32 ties: ones at indices 0, 1, 2 and 2^24 at index 64. Partial 0 is
// 1 + 2^24 = 2^24 (the tie rounds to even), partials 1 and 2 are 1; the
// pairwise stage adds p2 to p0 (2^24 + 1 = 2^24), then p1 (again 2^24).
// A left-to-right sum would give 2^24 + 2.
func TestTqtSumF32Order(t *testing.T) {
	in := make([]uint32, 65)
	for i := range in {
		in[i] = math.Float32bits(0)
	}
	in[64] = math.Float32bits(1 << 24)
	in[0], in[1], in[2] = math.Float32bits(1), math.Float32bits(1), math.Float32bits(1)
	out := []uint32{0}
	TqtSumF32(TqtSumParams{N: 65}, out, in)
	if got := math.Float32frombits(out[0]); got != 1<<24 {
		t.Errorf("sum = %v, want 2^24", got)
	}
}

// TestTqtBwdNoSubnormalScaling checks that dlog2t_i of an x far below the
// scale s (x/s subnormal, round(x/s) = 0) is the single rounding
// g·(ln2·(-x)): the term is formed at the scale of x, so a GPU that
// flushes subnormals gets the same normal number. Forming it as
// (0 - x/s)·s drops the low bits of x with the subnormal x/s (and on an
// H100 gave 0).
func TestTqtBwdNoSubnormalScaling(t *testing.T) {
	log2t := []uint32{math.Float32bits(60)} // e = 60 - 7 = 53 for 8 bits
	for _, x := range []float32{
		float32(math.Ldexp(1+0x7FFFFF/float64(1<<23), -75)), // x/s = 2^-128·(2 - 2^-23): 21 bits left as a subnormal
		-float32(math.Ldexp(1.5, -90)),
		float32(math.Ldexp(1.2345678, -60)),
	} {
		g := float32(-0.8125)
		gin, dl := []uint32{0}, []uint32{0}
		TqtQSignedBwdF32(TqtParams{N: 1, Bits: 8}, gin, dl, []uint32{math.Float32bits(x)}, []uint32{math.Float32bits(g)}, log2t)
		want := g * (tqtLn2 * -x)
		if got := math.Float32frombits(dl[0]); got != want {
			t.Errorf("x = %g: dlog2t = %g, want %g", x, got, want)
		}
		if got := math.Float32frombits(gin[0]); got != g {
			t.Errorf("x = %g: grad_in = %g, want %g (inside the range)", x, got, g)
		}
	}
}

// fuzzCodes turns fuzz bytes into int32 codes |q| < 2^24 (exact as
// float32 values) and their words.
func fuzzCodes(data []byte) ([]int32, []uint32) {
	if len(data) > 3*4096 {
		data = data[:3*4096]
	}
	var q []int32
	for len(data) >= 3 {
		v := int32(data[0]) | int32(data[1])<<8 | int32(data[2]&0x7F)<<16
		if data[2]&0x80 != 0 {
			v = -v
		}
		q = append(q, v)
		data = data[3:]
	}
	w := make([]uint32, len(q))
	for i, v := range q {
		w[i] = uint32(v)
	}
	return q, w
}

func maxWord(q []int32) uint32 {
	var m uint32
	for _, v := range q {
		m = max(m, AbsU32(v))
	}
	return m
}

func asFloats(q []int32, exp int) []float32 {
	f := make([]float32, len(q))
	for i, v := range q {
		f[i] = float32(math.Ldexp(float64(v), exp))
	}
	return f
}

// unpack returns n lanes of bits each from words (sign-extended).
func unpack(w []uint32, n, bits int) []int32 {
	per := 32 / bits
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(w[i/per]<<(32-bits*(i%per+1))) >> (32 - bits)
	}
	return out
}

// FuzzQuantShift: the E1 twin equals quant.Shift on the same values, codes
// and exponent (a zero tensor: codes only), and stays within ±127.
func FuzzQuantShift(f *testing.F) {
	f.Add([]byte{0xE8, 0x03, 0x00, 0x04, 0x00, 0x80, 0x0C, 0, 0, 0x14, 0, 0}, int8(-20)) // 1000, -4, 12, 20: ties
	f.Add([]byte{0xFF, 0xFF, 0x7F, 1, 0, 0}, int8(0))
	f.Fuzz(func(t *testing.T, data []byte, exp int8) {
		q, w := fuzzCodes(data)
		exp /= 4 // -32..31: finite, normal float32 values
		if len(q) == 0 {
			return
		}
		want, err := quant.Shift(asFloats(q, int(exp)), 8)
		if err != nil {
			t.Fatal(err)
		}
		out, scale := make([]uint32, (len(q)+3)/4), []uint32{0}
		QuantShift(ShiftParams{Rows: 1, K: uint32(len(q)), KW: uint32(len(out))}, out, scale, w, []uint32{maxWord(q)}, nil)
		got := unpack(out, len(q), 8)
		for i := range q {
			if got[i] != want.Q[i] || got[i] < -127 {
				t.Fatalf("code %d of %d = %d, want %d", i, q[i], got[i], want.Q[i])
			}
		}
		if e := int(exp) + int(int32(scale[0])); maxWord(q) != 0 && e != want.Exp {
			t.Fatalf("exponent %d, want %d", e, want.Exp)
		}
	})
}

// FuzzQuantFlag: the E2 twins (I32 codes and F32 values) equal quant.Flag.
func FuzzQuantFlag(f *testing.F) {
	f.Add([]byte{0xE8, 0x03, 0x00, 0x04, 0x00, 0x80, 0x0C, 0, 0, 0x14, 0, 0}, int8(-20), uint8(8))
	f.Add([]byte{0xFF, 0xFF, 0x7F, 1, 0, 0, 0x80, 0, 0x80}, int8(3), uint8(16))
	f.Fuzz(func(t *testing.T, data []byte, exp int8, bits uint8) {
		q, w := fuzzCodes(data)
		exp /= 4
		b := int(bits%15) + 2 // 2..16
		if len(q) == 0 {
			return
		}
		x := asFloats(q, int(exp))
		want, err := quant.Flag(x, b)
		if err != nil {
			t.Fatal(err)
		}
		lanes := 1
		if b <= 8 {
			lanes = 2
		}
		kw := (len(q) + lanes - 1) / lanes
		p := FlagParams{Rows: 1, K: uint32(len(q)), KW: uint32(kw), Bits: uint32(b), Lanes: uint32(lanes)}
		out, scale := make([]uint32, kw), []uint32{0}
		QuantFlag(p, out, scale, w, []uint32{maxWord(q)}, nil)
		got := unpack(out, len(q), 32/lanes)
		outF, scaleF := make([]uint32, kw), []uint32{0}
		xw := make([]uint32, len(x))
		var mb uint32
		for i, v := range x {
			xw[i] = math.Float32bits(v)
			mb = max(mb, xw[i]&0x7FFFFFFF)
		}
		QuantFlagF32(p, outF, scaleF, xw, []uint32{mb}, nil)
		gotF := unpack(outF, len(q), 32/lanes)
		for i := range q {
			if got[i] != want.Q[i] || gotF[i] != want.Q[i] {
				t.Fatalf("bits %d: code %d of %d = %d (f32 %d), want %d", b, i, q[i], got[i], gotF[i], want.Q[i])
			}
		}
		if maxWord(q) != 0 && (int(exp)+int(int32(scale[0])) != want.Exp || int(int32(scaleF[0])) != want.Exp) {
			t.Fatalf("bits %d: exponents %d, %d, want %d", b, int(exp)+int(int32(scale[0])), int32(scaleF[0]), want.Exp)
		}
	})
}

// FuzzQuantConst: the G twin equals quant.GradWeight (its float rule
// agrees with StochasticShr for shifts <= 24, which |codes| < 2^24 keep).
func FuzzQuantConst(f *testing.F) {
	f.Add([]byte{0xE8, 0x03, 0x00, 0x04, 0x00, 0x80, 0x0C, 0, 0}, int8(-20), uint8(7), uint64(1))
	f.Fuzz(func(t *testing.T, data []byte, exp int8, g uint8, seed uint64) {
		q, w := fuzzCodes(data)
		exp /= 4
		gg := int(g%7) + 1
		if len(q) == 0 {
			return
		}
		key := quant.RNGKey{Seed: seed, Step: 3, Tensor: 5}
		want, err := quant.GradWeight(asFloats(q, int(exp)), 15, gg+1, key)
		if err != nil {
			t.Fatal(err)
		}
		p := ConstParams{Rows: 1, K: uint32(len(q)), KW: uint32((len(q) + 3) / 4), G: uint32(gg),
			SeedLo: uint32(seed), SeedHi: uint32(seed >> 32), Step: 3, Tensor: 5}
		out := make([]uint32, p.KW)
		QuantConst(p, out, w, []uint32{maxWord(q)})
		got := unpack(out, len(q), 8)
		for i := range q {
			if got[i] != want.Q[i] {
				t.Fatalf("g %d: code %d of %d = %d, want %d", gg, i, q[i], got[i], want.Q[i])
			}
		}
	})
}
