package cpu

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestBNRoundSqrt checks bnRoundSqrt against its definition in big
// integers, (2r-1)²·n <= 4S < (2r+1)²·n (docs/dataflow.md "Forward 3."),
// where 4S overflows 64 bits: random S and n, S near the top of int64,
// exact ties S/n = (f+1/2)² and squares.
func TestBNRoundSqrt(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(s uint64, n uint32) {
		t.Helper()
		r := bnRoundSqrt(s, n)
		four := new(big.Int).Lsh(new(big.Int).SetUint64(s), 2)
		bn := new(big.Int).SetUint64(uint64(n))
		lo := new(big.Int).SetInt64(2*int64(r) - 1)
		lo.Mul(lo, lo).Mul(lo, bn)
		hi := new(big.Int).SetInt64(2*int64(r) + 1)
		hi.Mul(hi, hi).Mul(hi, bn)
		if r > 0 && lo.Cmp(four) > 0 || four.Cmp(hi) >= 0 {
			t.Fatalf("bnRoundSqrt(%d, %d) = %d: (2r-1)²n = %v, 4S = %v, (2r+1)²n = %v", s, n, r, lo, four, hi)
		}
	}
	for range 20000 {
		n := uint32(rng.IntN(1<<20) + 1)
		if rng.IntN(4) == 0 {
			n = rng.Uint32() | 1
		}
		check(rng.Uint64()>>1, n)
		check(rng.Uint64()>>uint(rng.IntN(64)), n)
		f := rng.Uint64N(1 << 20)
		// S/n = (f+1/2)² exactly: n = 4, S = (2f+1)²; and n = 4m, S = m(2f+1)².
		check((2*f+1)*(2*f+1), 4)
		m := uint64(rng.IntN(1000) + 1)
		check(m*(2*f+1)*(2*f+1), uint32(4*m))
		check(f*f*uint64(n>>12+1), n>>12+1)
	}
	for _, s := range []uint64{0, 1, 2, 3, math.MaxInt64, math.MaxInt64 - 1, 1 << 62} {
		for _, n := range []uint32{1, 2, 3, 4, 5, math.MaxUint32} {
			check(s, n)
		}
	}
}

// TestBNShr128 checks bnShr128 against big-integer rounding half to even.
func TestBNShr128(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50000 {
		hi, lo := rng.Uint64()>>uint(32+rng.IntN(33)), rng.Uint64()
		if rng.IntN(3) == 0 {
			hi = 0
			lo >>= uint(rng.IntN(64))
		}
		s := int32(rng.IntN(140) - 40)
		if rng.IntN(5) == 0 { // ties: exactly half below the cut
			if s > 0 && s < 64 {
				lo = lo&^(1<<uint(s)-1) | 1<<uint(s-1)
			}
		}
		v := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
		v.Or(v, new(big.Int).SetUint64(lo))
		var want *big.Int
		if s < 0 {
			want = new(big.Int).Lsh(v, uint(-s))
		} else {
			q, r := new(big.Int).QuoRem(v, new(big.Int).Lsh(big.NewInt(1), uint(s)), new(big.Int))
			half := new(big.Int).Lsh(big.NewInt(1), uint(s))
			r2 := new(big.Int).Lsh(r, 1)
			if c := r2.Cmp(half); s > 0 && (c > 0 || c == 0 && q.Bit(0) == 1) {
				q.Add(q, big.NewInt(1))
			}
			want = q
		}
		got, ok := bnShr128(hi, lo, s)
		fits := want.BitLen() <= 63
		if ok != fits || ok && want.Uint64() != got {
			t.Fatalf("bnShr128(%#x, %#x, %d) = %d, %v; want %v (fits %v)", hi, lo, s, got, ok, want, fits)
		}
	}
}

// TestBNMul checks bnMul's saturation against bits.Mul64.
func TestBNMul(t *testing.T) {
	for _, c := range []struct {
		a    int64
		b    uint32
		neg  bool
		want int64
		flag bool
	}{
		{3, 5, true, -15, false},
		{-1 << 62, 2, false, math.MinInt64, false},
		{1 << 62, 2, false, math.MaxInt64, true},
		{1 << 62, 2, true, math.MinInt64, false},
		{math.MinInt64, 1, true, math.MaxInt64, true},
		{1 << 40, 1 << 30, false, math.MaxInt64, true},
	} {
		var flag uint32
		if got := bnMul(c.a, c.b, c.neg, &flag); got != c.want || (flag != 0) != c.flag {
			t.Errorf("bnMul(%d, %d, %v) = %d flag %d, want %d %v", c.a, c.b, c.neg, got, flag, c.want, c.flag)
		}
	}
}
