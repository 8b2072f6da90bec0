package quant

import (
	"math"
	"math/bits"
)

// RoundShr returns v / 2^s rounded half to even, in exact integer
// arithmetic (method.md B§1 round on a power-of-two grid; A2):
//
//	q = v >> s (floor), r = v mod 2^s, h = 2^(s-1)
//	result = q + [r > h || (r == h && q odd)]
//
// s = 0 returns v. The result is exact for every s: for s >= 64 it is 0
// (|v| <= 2^63 <= 2^(s-1), and the one tie, v = -2^63 at s = 64, goes to
// the even 0).
func RoundShr(v int64, s uint) int64 {
	if s == 0 {
		return v
	}
	if s >= 64 {
		return 0
	}
	q := v >> s
	r := uint64(v) & (1<<s - 1)
	h := uint64(1) << (s - 1)
	if r > h || (r == h && q&1 != 0) {
		q++
	}
	return q
}

// StochasticShr returns v / 2^s rounded stochastically with the 32-bit
// uniform draw u (method.md A3, B§1 SR):
//
//	floor(v/2^s) + [u < frac·2^32],  frac = (v mod 2^s)/2^s,
//
// i.e. for 1 <= s <= 32 it rounds up iff (u >> (32-s)) < (v & (2^s-1)), so
// P(up) = frac exactly. s = 0 returns v. For s > 32 only the top 32 bits of
// the fraction are compared, F = floor(frac·2^32) = (v >> (s-32)) mod 2^32,
// and it rounds up iff u < F: P(up) = F/2^32, low by less than 2^-32. That
// rule holds for every s > 32, including s >= 64 (where floor(v/2^s) is 0
// or -1 and F is computed from the arithmetic shift by min(s-32, 63)).
func StochasticShr(v int64, s uint, u uint32) int64 {
	if s == 0 {
		return v
	}
	if s <= 32 {
		q := v >> s
		r := uint64(v) & (1<<s - 1)
		if uint64(u>>(32-s)) < r {
			q++
		}
		return q
	}
	q := v >> min(s, 63)
	f := uint32(v >> min(s-32, 63))
	if u < f {
		q++
	}
	return q
}

// Log2Round returns round(log2 m) for m > 0, exactly in integers: with
// j = floor(log2 m), it is j+1 when m² > 2^(2j+1) (m above 2^(j+1/2)) and j
// otherwise. m² = 2^(2j+1) cannot happen, so there are no ties. This is
// the exponent of R(x) = 2^round(log2 max|x|) (method.md B§1). m = 0 has
// no logarithm: Log2Round(0) returns math.MinInt.
func Log2Round(m uint64) int {
	if m == 0 {
		return math.MinInt
	}
	j := bits.Len64(m) - 1
	hi, lo := bits.Mul64(m, m)
	p := uint(2*j + 1) // compare (hi, lo) with 2^p
	var above bool
	if p >= 64 {
		t := uint64(1) << (p - 64)
		above = hi > t || (hi == t && lo > 0)
	} else {
		above = hi > 0 || lo > uint64(1)<<p
	}
	if above {
		return j + 1
	}
	return j
}
