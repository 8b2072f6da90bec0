package quant

// maxFlagWidth is the widest k of [Flag]: its largest code is
// (2^(k-1)-1)·2^(k-1), which fits int32 for k <= 16.
const maxFlagWidth = 16

// Flag does the flag quantizer E2 of method.md B§2.5 and A6 (golden fn
// error_quant). With sc = R(x)/2^(k-1) and v = x/sc:
//
//	|v| <  1: value sc·Q(v, k)                          (fraction mode)
//	|v| >= 1: value sc·clip(round(v), ±(2^(k-1)-1))     (integer mode)
//
// The integer form stores both modes on one grid, as A6 asks: code =
// m·2^(k-1) for the value sc·m, so code = round(v·2^(k-1)) in fraction
// mode and round(v)·2^(k-1) in integer mode, with Exp = log2R - 2(k-1).
// |v| = 1 belongs to integer mode; fraction mode may round up to 1. The
// mode is |code| >= 2^(k-1) (a code of exactly 2^(k-1) means the value sc
// in either mode). Backward: straight-through. Zero guard: zeros with Exp
// = -2(k-1). Errors: ErrBitWidth unless 2 <= k <= 16 (k = 1 leaves integer
// mode empty, and k > 16 does not fit the int32 container), ErrNonFinite.
func Flag(x []float32, k int) (Codes, error) {
	const fn = "Flag"
	if err := checkWidth(fn, "k", k, 2, maxFlagWidth); err != nil {
		return Codes{}, err
	}
	if err := checkFinite(fn, x); err != nil {
		return Codes{}, err
	}
	log2R, ok := scaleLog2(x)
	out := Codes{Q: make([]int32, len(x)), Exp: -2 * (k - 1)}
	if !ok {
		return out, nil
	}
	out.Exp = log2R - 2*(k-1)
	half := int64(1) << (k - 1)
	for i, val := range x {
		m, e := split(val)
		// v·2^(k-1) = m·2^(e-Exp); |v| >= 1 iff |m|·2^(e-Exp) >= 2^(k-1).
		if absGeqPow2(m, e-out.Exp, k-1) {
			n := clip(scaleRound(m, e-out.Exp-(k-1)), -(half - 1), half-1)
			out.Q[i] = int32(n * half)
		} else {
			out.Q[i] = int32(scaleRound(m, e-out.Exp))
		}
	}
	return out, nil
}

// FlagFloat is the float view of [Flag].
func FlagFloat(x []float32, k int) ([]float32, error) {
	return floatView(Flag(x, k))
}
