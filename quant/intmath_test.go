package quant_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// roundShrRef is round-half-even of v/2^s with math/big, the oracle.
func roundShrRef(v int64, s uint) int64 {
	num := new(big.Rat).SetInt64(v)
	den := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), s))
	q := new(big.Rat).Quo(num, den)
	fl := new(big.Int).Div(q.Num(), q.Denom()) // Euclidean: floor for positive denominators
	frac := new(big.Rat).Sub(q, new(big.Rat).SetInt(fl))
	switch frac.Cmp(big.NewRat(1, 2)) {
	case 1:
		fl.Add(fl, big.NewInt(1))
	case 0:
		if fl.Bit(0) == 1 {
			fl.Add(fl, big.NewInt(1))
		}
	}
	return fl.Int64()
}

func TestRoundShr(t *testing.T) {
	tests := []struct {
		v    int64
		s    uint
		want int64
	}{
		{5, 1, 2},   // 2.5 -> 2 (method.md B§1: half to even)
		{7, 1, 4},   // 3.5 -> 4
		{-5, 1, -2}, // -2.5 -> -2
		{-7, 1, -4}, // -3.5 -> -4
		{1, 1, 0},   // 0.5 -> 0
		{3, 1, 2},   // 1.5 -> 2
		{-1, 1, 0},  // -0.5 -> -0
		{-3, 1, -2}, // -1.5 -> -2
		{11, 2, 3},  // 2.75 -> 3
		{9, 2, 2},   // 2.25 -> 2
		{-9, 2, -2}, // -2.25 -> -2
		{-11, 2, -3},
		{12345, 0, 12345},
		{math.MaxInt64, 62, 2}, // 1.99999... -> 2
		{math.MinInt64, 63, -1},
		{math.MinInt64, 64, 0}, // -0.5 -> 0
		{math.MinInt64, 200, 0},
		{math.MaxInt64, 63, 1}, // 0.99999... -> 1
		{1 << 40, 41, 0},       // 0.5 -> 0
		{3 << 40, 41, 2},       // 1.5 -> 2
	}
	for _, tt := range tests {
		if got := quant.RoundShr(tt.v, tt.s); got != tt.want {
			t.Errorf("RoundShr(%d, %d) = %d, want %d", tt.v, tt.s, got, tt.want)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		v := int64(r.Uint64()) >> r.UintN(63)
		s := r.UintN(64)
		if got, want := quant.RoundShr(v, s), roundShrRef(v, s); got != want {
			t.Fatalf("RoundShr(%d, %d) = %d, want %d (math/big)", v, s, got, want)
		}
	}
}

// TestStochasticShrExact checks the rounding rule draw by draw: the result
// is floor or floor+1, and it rounds up for exactly frac·2^32 of the 2^32
// draws (for s <= 32), counted exactly over the threshold.
func TestStochasticShrExact(t *testing.T) {
	tests := []struct {
		v     int64
		s     uint
		floor int64
	}{
		{5, 1, 2}, {-5, 1, -3}, {7, 3, 0}, {-7, 3, -1}, {-23, 1, -12},
		{12, 2, 3}, {-12, 2, -3}, {1<<32 + 1, 32, 1}, {-(1 << 31), 32, -1},
		{0x7fffffff, 31, 0}, {-1, 32, -1},
	}
	for _, tt := range tests {
		mask := int64(1)<<tt.s - 1
		frac := uint64(tt.v & mask) // numerator of frac over 2^s
		// u rounds up iff u < frac·2^(32-s): check both sides of that threshold.
		thr := frac << (32 - tt.s)
		for _, u := range []uint64{0, thr - 1, thr, thr + 1, 1<<32 - 1} {
			if u > math.MaxUint32 {
				continue
			}
			want := tt.floor
			if u < thr {
				want++
			}
			if got := quant.StochasticShr(tt.v, tt.s, uint32(u)); got != want {
				t.Errorf("StochasticShr(%d, %d, %#x) = %d, want %d", tt.v, tt.s, u, got, want)
			}
		}
	}
	if got := quant.StochasticShr(-17, 0, 123); got != -17 {
		t.Errorf("StochasticShr(-17, 0, u) = %d, want -17", got)
	}
	// Integers stay put for every draw (method.md B§9.3).
	for _, u := range []uint32{0, 1, 1 << 31, math.MaxUint32} {
		for _, s := range []uint{1, 8, 31, 32, 40, 61} {
			v := int64(-3) << s
			if got := quant.StochasticShr(v, s, u); got != -3 {
				t.Errorf("StochasticShr(-3<<%d, %d, %#x) = %d, want -3", s, s, u, got)
			}
		}
	}
	// s > 32: the top 32 bits of the fraction are compared.
	v := int64(5)<<40 | int64(0x80000000)<<8 | 0xff // frac top bits 0x80000000, below them 0xff
	if got := quant.StochasticShr(v, 40, 0x7fffffff); got != 6 {
		t.Errorf("s=40, u below F: got %d, want 6", got)
	}
	if got := quant.StochasticShr(v, 40, 0x80000000); got != 5 {
		t.Errorf("s=40, u = F: got %d, want 5", got)
	}
	if got := quant.StochasticShr(-1, 100, 0); got != 0 {
		t.Errorf("StochasticShr(-1, 100, 0) = %d, want 0 (frac ≈ 1)", got)
	}
	if got := quant.StochasticShr(1, 100, 0); got != 0 {
		t.Errorf("StochasticShr(1, 100, 0) = %d, want 0 (F = 0)", got)
	}
}

// TestStochasticShrStats checks E[SR(v/2^s)] = v/2^s with Philox draws
// (method.md B§9.3: SR(-2.3) is -3 with probability 0.3).
func TestStochasticShrStats(t *testing.T) {
	const n = 40000
	tests := []struct {
		v int64
		s uint
	}{
		{-2411725, 20}, // ≈ -2.3 = round(-2.3·2^20)/2^20
		{13743895, 24}, // ≈ 0.8192 (method.md B§2.6 example)
		{-41943, 10},   // ≈ -40.96
		{13, 4},
		{-(1 << 40) / 3, 40},
	}
	for j, tt := range tests {
		key := quant.RNGKey{Seed: 7, Step: uint32(j)}
		x := float64(tt.v) / math.Ldexp(1, int(tt.s))
		lo := math.Floor(x)
		p := x - lo
		ups := 0
		for i := range n {
			got := quant.StochasticShr(tt.v, tt.s, key.Uint32(uint32(i)))
			switch float64(got) {
			case lo + 1:
				ups++
			case lo:
			default:
				t.Fatalf("StochasticShr(%d, %d) = %d, want %g or %g", tt.v, tt.s, got, lo, lo+1)
			}
		}
		sd := math.Sqrt(n * p * (1 - p))
		if d := math.Abs(float64(ups) - n*p); d > 6*sd+1 {
			t.Errorf("x = %g: %d ups of %d, want %g ± %g", x, ups, n, n*p, 6*sd)
		}
	}
}

func TestLog2Round(t *testing.T) {
	tests := []struct {
		m    uint64
		want int
	}{
		{1, 0}, {2, 1}, {3, 2}, // log2 3 = 1.585
		{4, 2}, {5, 2}, {6, 3}, // log2 5 = 2.32, log2 6 = 2.585
		{7, 3}, {8, 3},
		{181, 7}, {182, 8}, // 2^7.5 = 181.02
		{1 << 40, 40},
		{1448, 10}, {1449, 11}, // 2^10.5 = 1448.15
		{3037000499, 31}, {3037000500, 32}, // 2^31.5 = 3037000499.98
		{13043817825332782212, 63}, {13043817825332782213, 64}, // 2^63.5 = 13043817825332782212.35
		{math.MaxUint64, 64},
		{1 << 63, 63},
	}
	for _, tt := range tests {
		if got := quant.Log2Round(tt.m); got != tt.want {
			t.Errorf("Log2Round(%d) = %d, want %d", tt.m, got, tt.want)
		}
	}
	if got := quant.Log2Round(0); got != math.MinInt {
		t.Errorf("Log2Round(0) = %d, want math.MinInt", got)
	}
	// Around 2^(j+1/2) for every j: floor(2^(j+0.5)) rounds down, +1 up.
	for j := 0; j < 63; j++ {
		b := new(big.Int).Sqrt(new(big.Int).Lsh(big.NewInt(1), uint(2*j+1))) // floor(2^(j+0.5))
		m := b.Uint64()
		if got := quant.Log2Round(m); got != j {
			t.Errorf("Log2Round(floor(2^%d.5) = %d) = %d, want %d", j, m, got, j)
		}
		if got := quant.Log2Round(m + 1); got != j+1 {
			t.Errorf("Log2Round(floor(2^%d.5)+1 = %d) = %d, want %d", j, m+1, got, j+1)
		}
	}
}
