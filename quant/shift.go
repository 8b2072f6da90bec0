package quant

// Shift does the shift quantizer E1 of method.md B§2.5 with the clip of
// A6 (golden fn shift_quant):
//
//	R = R(x), code = clip(round(x/R·2^(k-1)), ±(2^(k-1)-1)), Exp = log2R-(k-1)
//
// i.e. R·C_k(Q(x/R, k)): a true k-bit code (±127 at k = 8), not the ±1
// clip of the authors' code, which needs one more bit. Backward:
// straight-through. Zero guard: when max|x| = 0 every code is 0 and Exp is
// -(k-1) (as if R = 1). Errors: ErrBitWidth unless 1 <= k <= 31,
// ErrNonFinite.
func Shift(x []float32, k int) (Codes, error) {
	const fn = "Shift"
	if err := checkWidth(fn, "k", k, 1, maxWidth); err != nil {
		return Codes{}, err
	}
	if err := checkFinite(fn, x); err != nil {
		return Codes{}, err
	}
	log2R, ok := scaleLog2(x)
	out := Codes{Q: make([]int32, len(x)), Exp: -(k - 1)}
	if !ok {
		return out, nil
	}
	out.Exp = log2R - (k - 1)
	lim := int64(1)<<(k-1) - 1
	for i, v := range x {
		m, e := split(v)
		out.Q[i] = int32(clip(scaleRound(m, e-out.Exp), -lim, lim))
	}
	return out, nil
}

// ShiftFloat is the float view of [Shift].
func ShiftFloat(x []float32, k int) ([]float32, error) {
	return floatView(Shift(x, k))
}
