package quant

import "math"

// Scale returns the exponent of the power-of-two scale of method.md B§1,
//
//	R(x) = 2^round(log2 max|x|),  log2R = Log2Round of the exact max|x|,
//
// and ok = true. When max|x| = 0 (or x is empty) R is undefined: Scale
// returns ok = false, and every quantizer that divides by R returns zeros
// instead (the zero guard of method.md A4). Scale computes in integers on
// the float32 bits, so it is exact; it agrees with the float32 log2 of the
// golden reference except within float32 rounding of a .5 tie of log2.
// Errors: ErrNonFinite.
func Scale(x []float32) (log2R int, ok bool, err error) {
	if err := checkFinite("Scale", x); err != nil {
		return 0, false, err
	}
	log2R, ok = scaleLog2(x)
	return log2R, ok, nil
}

// scaleLog2 is Scale for finite x. For finite float32 values the order of
// the magnitudes is the order of their bit patterns without the sign.
func scaleLog2(x []float32) (int, bool) {
	var mb uint32
	for _, v := range x {
		mb = max(mb, math.Float32bits(v)&^(1<<31))
	}
	if mb == 0 {
		return 0, false
	}
	m, e := split(math.Float32frombits(mb))
	return Log2Round(uint64(m)) + e, true
}
