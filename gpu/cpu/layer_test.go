package cpu

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// Twin-level property tests of the layer family (act, pool, optim): many
// more values than the cross-check runs, against the quant package and
// exact rational arithmetic.

// TestActCode: for every shift in 1..31 and y around the saturation
// boundary and the ties, code = clamp(RoundShr(y, shift), 0, 255) and mask
// = [y > 0 and RoundShr(y, shift) <= 255]; for shifts <= 0 the left shift
// is exact or saturates.
func TestActCode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for shift := int32(-31); shift <= 31; shift++ {
		for range 2000 {
			y := int32(rng.Uint32())
			if rng.IntN(2) == 0 && shift > 0 && shift < 24 { // near 255.5·2^shift
				y = int32(255<<shift + 1<<(shift-1) + rng.IntN(5) - 2)
			}
			code, mask := actCode(y, shift)
			var r int64
			if shift > 0 {
				r = quant.RoundShr(int64(y), uint(shift))
			} else {
				r = int64(y) << uint(-shift)
			}
			wantMask := uint32(0)
			if y > 0 && r <= 255 {
				wantMask = 1
			}
			wantCode := uint32(min(max(r, 0), 255))
			if code != wantCode || mask != wantMask {
				t.Fatalf("actCode(%d, %d) = %d, %d; want %d, %d", y, shift, code, mask, wantCode, wantMask)
			}
		}
	}
}

// TestPoolRoundDiv: the average pool's RoundDiv against big.Rat rounding,
// half to even.
func TestPoolRoundDiv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		s, d := rng.Uint32N(255*49+1), rng.Uint32N(49)+1
		if got, want := poolRoundDiv(s, d), uint32(RoundDiv(int64(s), d)); got != want {
			t.Fatalf("poolRoundDiv(%d, %d) = %d, want %d", s, d, got, want)
		}
	}
	for _, c := range [][3]uint32{{6, 4, 2}, {10, 4, 2}, {2, 4, 0}, {7, 4, 2}, {13, 9, 1}, {27, 6, 4}} { // 1.5, 2.5, 0.5, 1.75, 1.44, 4.5
		if got := poolRoundDiv(c[0], c[1]); got != c[2] {
			t.Errorf("poolRoundDiv(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

// layerPow2 returns 2^e as a rational.
func layerPow2(e int) *big.Rat {
	if e >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e)))
	}
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(-e)))
}

// layerRoundRat returns x/2^e rounded half to even.
func layerRoundRat(x *big.Rat, e int) int64 {
	q := new(big.Rat).Mul(x, layerPow2(-e))
	fl := new(big.Int).Div(q.Num(), q.Denom())
	switch new(big.Rat).Sub(q, new(big.Rat).SetInt(fl)).Cmp(big.NewRat(1, 2)) {
	case 1:
		fl.Add(fl, big.NewInt(1))
	case 0:
		if fl.Bit(0) == 1 {
			fl.Add(fl, big.NewInt(1))
		}
	}
	return fl.Int64()
}

// layerExactUpdate is B§2.8 in rationals with momentum coefficient mu: M_t =
// mu·M·2^-12 + G·2^eg, W_t = W·2^-23 - lr·2^-9·M_t, then Q(W_t, 24) and
// Q(M_t, 13).
func layerExactUpdate(w, m, g int32, lr int32, eg int, mu *big.Rat) (int64, int64) {
	mt := new(big.Rat).Mul(new(big.Rat).Mul(mu, big.NewRat(int64(m), 1)), layerPow2(-12))
	mt.Add(mt, new(big.Rat).Mul(big.NewRat(int64(g), 1), layerPow2(eg)))
	wt := new(big.Rat).Mul(big.NewRat(int64(w), 1), layerPow2(-23))
	wt.Sub(wt, new(big.Rat).Mul(new(big.Rat).Mul(big.NewRat(int64(lr), 1), layerPow2(-9)), mt))
	return layerRoundRat(wt, -23), layerRoundRat(mt, -12)
}

// TestOptimWageubnExact: the full8 update equals B§2.8 computed exactly
// (momentum 1/4, G at 2^-14), including its one rounding of M.
func TestOptimWageubnExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		w0, m0 := int32(rng.IntN(1<<26)-1<<25), int32(rng.IntN(8191)-4095)
		g0, lr := int32(rng.IntN(255)-127), int32(rng.IntN(1023)-511)
		w, m := []uint32{uint32(w0)}, []uint32{uint32(m0)}
		ew := []uint32{0}
		OptimWageubn(OptimParams{N: 1, Cols: 1, CW: 1, LR: lr}, w, m, []uint32{uint32(g0)}, ew)
		ww, wm := layerExactUpdate(w0, m0, g0, lr, -14, big.NewRat(1, 4))
		if int64(int32(w[0])) != ww || int64(int32(m[0])) != wm || ew[0] != 0 {
			t.Fatalf("W=%d M=%d G=%d lr=%d: got %d %d (err %d), exact %d %d", w0, m0, g0, lr, int32(w[0]), int32(m[0]), ew[0], ww, wm)
		}
	}
}

// TestOptimWageubnPlusExact: the full8plus update equals A15 computed
// exactly (momentum 7/8) for every e_g in -69..16, or flags ErrOverflow
// where the exact result is beyond int32. Below -39 G enters as a sticky
// sign bit; a quarter of the cases are there, and 1 in 8 momenta sits on
// a rounding tie (7·M ≡ 4 mod 8) that only G's sign decides.
func TestOptimWageubnPlusExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	seven8 := big.NewRat(7, 8)
	for i := range 40000 {
		w0, m0 := int32(rng.IntN(1<<26)-1<<25), int32(rng.IntN(8191)-4095)
		g0, lr := int32(rng.IntN(256)-128), int32(rng.IntN(1023)-511)
		eg := rng.IntN(56) - 39 // -39..16
		if i%4 == 0 {
			eg = -40 - rng.IntN(30)
		}
		w, m := []uint32{uint32(w0)}, []uint32{uint32(m0)}
		ew := []uint32{0}
		g := []uint32{uint32(g0) & 0xFF}
		OptimWageubnPlus(OptimParams{N: 1, Cols: 1, CW: 1, GI8: 1, LR: lr, GExp: int32(eg)}, w, m, g, []uint32{0}, ew)
		ww, wm := layerExactUpdate(w0, m0, g0, lr, eg, seven8)
		gw, gm := int64(int32(w[0])), int64(int32(m[0]))
		if ww != int64(int32(ww)) || wm != int64(int32(wm)) {
			if ew[0] == 0 {
				t.Fatalf("W=%d M=%d G=%d lr=%d e_g=%d: exact %d %d beyond int32, not flagged", w0, m0, g0, lr, eg, ww, wm)
			}
		} else if gw != ww || gm != wm || ew[0] != 0 {
			t.Fatalf("W=%d M=%d G=%d lr=%d e_g=%d: got %d %d (err %d), exact %d %d", w0, m0, g0, lr, eg, gw, gm, ew[0], ww, wm)
		}
	}
}

// TestOptimWageubnPlusFlags: e_g > 16 (even with G = 0) and masters
// leaving int32 raise ErrOverflow; the training range does not.
func TestOptimWageubnPlusFlags(t *testing.T) {
	for _, c := range []struct {
		w, eg int32
		g     uint32
		flag  bool
	}{{0, 16, 0, false}, {0, 17, 0, true}, {1<<31 - 1, -15, 100, true}, {1 << 24, -20, 100, false}} {
		ew := []uint32{0}
		OptimWageubnPlus(OptimParams{N: 1, Cols: 1, CW: 1, GI8: 1, LR: -511, GExp: c.eg}, []uint32{uint32(c.w)}, []uint32{0}, []uint32{c.g}, []uint32{0}, ew)
		if (ew[0] != 0) != c.flag {
			t.Errorf("W=%d e_g=%d: error word %d, want flag %v", c.w, c.eg, ew[0], c.flag)
		}
	}
}
