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
