package cpu

import (
	"math/bits"

	"github.com/wageubn/wageubn/quant"
)

// Twins of shaders/lib_wide.wgsl. WGSL has no 64-bit integers, so the
// shaders carry wide values as (lo, hi) u32 pairs; Go uses int64, and these
// functions pin down the operations that are not plain int64 operators.
// Keep in sync with lib_wide.wgsl.

// RoundDiv returns a / d rounded half to even, for d > 0: the twin of
// wide_round_div_u32.
func RoundDiv(a int64, d uint32) int64 {
	neg := a < 0
	ua := uint64(a)
	if neg {
		ua = -ua
	}
	q, r := ua/uint64(d), ua%uint64(d)
	if above, tie := r > uint64(d)-r, r == uint64(d)-r; above || (tie && q&1 != 0) {
		q++
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

// ISqrt returns floor(sqrt(a)): the twin of wide_isqrt.
func ISqrt(a uint64) uint32 {
	var res uint32
	for b := 31; b >= 0; b-- {
		c := res | 1<<b
		hi, lo := bits.Mul64(uint64(c), uint64(c))
		if hi == 0 && lo <= a {
			res = c
		}
	}
	return res
}

// RoundShrI32 returns x / 2^s rounded half to even for s in 0..31 and x·2^-s
// for s in -31..0: the twin of round_shr_i32.
func RoundShrI32(x int32, s int32) int32 {
	if s <= 0 {
		return x << uint(-s)
	}
	return int32(quant.RoundShr(int64(x), uint(s)))
}

// WideWords splits v into the (lo, hi) words of a DType I64 element.
func WideWords(v int64) (lo, hi uint32) { return uint32(v), uint32(uint64(v) >> 32) }

// FromWideWords joins the (lo, hi) words of a DType I64 element.
func FromWideWords(lo, hi uint32) int64 { return int64(uint64(hi)<<32 | uint64(lo)) }
