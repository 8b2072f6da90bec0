package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMulhilo32 checks the 16-bit-split product against the 64-bit one,
// at the edges and on random operands.
func TestMulhilo32(t *testing.T) {
	edges := []uint32{0, 1, 0xffff, 0x10000, 0xffffffff, 0xfffffffe, philoxM0, philoxM1, 0x80000000}
	r := rand.New(rand.NewPCG(1, 1))
	check := func(a, b uint32) {
		p := uint64(a) * uint64(b)
		if hi, lo := mulhilo32(a, b); hi != uint32(p>>32) || lo != uint32(p) {
			t.Fatalf("mulhilo32(%#x, %#x) = %#x, %#x, want %#x, %#x", a, b, hi, lo, uint32(p>>32), uint32(p))
		}
	}
	for _, a := range edges {
		for _, b := range edges {
			check(a, b)
		}
	}
	for range 1 << 20 {
		check(r.Uint32(), r.Uint32())
	}
}

// TestStochasticShr24 checks the float rule of stochastic rounding against
// its definition, float32(u>>8)·2^-24 < frac(y) evaluated in float64, and
// against StochasticShr with the low 8 bits of u cleared where y has at
// most 24 fractional bits.
func TestStochasticShr24(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	for range 1 << 18 {
		m := int64(r.Int32N(1<<25)) - 1<<24 + 1 // |m| < 2^24
		s := uint(1 + r.IntN(70))
		u := r.Uint32()
		if r.IntN(4) == 0 {
			u &^= 0xff
		}
		y := float64(m) / float64(uint64(1)<<min(s, 63))
		if s > 63 {
			y /= float64(uint64(1) << (s - 63))
		}
		fl := math.Floor(y)
		want := int64(fl)
		if float64(float32(u>>8))*0x1p-24 < y-fl {
			want++
		}
		if got := stochasticShr24(m, s, u); got != want {
			t.Fatalf("stochasticShr24(%d, %d, %#x) = %d, want %d (y = %g)", m, s, u, got, want, y)
		}
		if s <= 24 {
			if got := StochasticShr(m, s, u&^0xff); got != want {
				t.Fatalf("StochasticShr(%d, %d, %#x) = %d, want %d", m, s, u&^0xff, got, want)
			}
		}
	}
}
