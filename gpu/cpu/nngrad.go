package cpu

import "math"

// GradAddParams is the uniform of grad_add_i64 (shaders/nngrad.wgsl): the
// exact sum of two gradients with data-dependent exponents.
type GradAddParams struct {
	N         uint32 // elements
	AWide     uint32 // 1: a is I64 (two words per element), 0: I32
	BWide     uint32 // likewise for b
	AHasScale uint32 // 1: a's exponent adds a_scale[0]
	BHasScale uint32 // likewise for b
	AExp      int32  // a.Exp
	BExp      int32  // b.Exp
	OutExp    int32  // the output's Exp, min(a.Exp, b.Exp)
}

// gradAddShl is the twin of gadd_shl: v·2^s and whether it fits int64
// (s >= 0; any s >= 63 overflows a nonzero v).
func gradAddShl(v int64, s int32) (int64, bool) {
	if v == 0 {
		return 0, true
	}
	if s >= 63 {
		return 0, false
	}
	r := int64(uint64(v) << uint(s))
	return r, r>>uint(s) == v
}

// GradAdd is the twin of grad_add_i64: with e_a = AExp (+ aScale[0]), e_b
// likewise and e = min(e_a, e_b),
//
//	out[i] = a[i]·2^(e_a - e) + b[i]·2^(e_b - e)      (exact in int64)
//
// and outScale[0] = e - OutExp. A shift or a sum beyond int64 saturates
// (to the sign of a's shifted value, else b's, else of the shifted a) and
// raises ErrOverflow.
func GradAdd(p GradAddParams, out, outScale, a, b, aScale, bScale, errWord []uint32) {
	ea, eb := int64(p.AExp), int64(p.BExp)
	if p.AHasScale != 0 {
		ea += int64(int32(aScale[0]))
	}
	if p.BHasScale != 0 {
		eb += int64(int32(bScale[0]))
	}
	e := min(ea, eb)
	sa, sb := int32(min(ea-e, 63)), int32(min(eb-e, 63))
	if p.N > 0 {
		outScale[0] = uint32(int32(e - int64(p.OutExp)))
	}
	at := func(w []uint32, wide uint32, i uint32) int64 {
		if wide != 0 {
			return FromWideWords(w[2*i], w[2*i+1])
		}
		return int64(int32(w[i]))
	}
	sat := func(neg bool) int64 {
		if neg {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	for i := range p.N {
		va, vb := at(a, p.AWide, i), at(b, p.BWide, i)
		xa, oka := gradAddShl(va, sa)
		xb, okb := gradAddShl(vb, sb)
		var r int64
		switch {
		case !oka:
			r = sat(va < 0)
		case !okb:
			r = sat(vb < 0)
		default:
			r = xa + xb
			if (xa < 0) == (xb < 0) && (r < 0) != (xa < 0) {
				r, oka = sat(xa < 0), false
			}
		}
		if !oka || !okb {
			errWord[0] |= ErrOverflow
		}
		out[2*i], out[2*i+1] = WideWords(r)
	}
}
