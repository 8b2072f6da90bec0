package quant

// Const does the constant quantizer of method.md B§2.6 in the form of the
// reference package (golden fn const_quant), with stochastic rounding:
//
//	dr = 2^(kdr-1), y = dr·x/R(x),
//	code = clip(SR(y), ±(dr-1)), Exp = -(k-1)
//
// R(x) is not multiplied back: every tensor is normalised to the same
// integer range. SR(y) = floor(y) + [u < y - floor(y)] with
// u = float32(d>>8)·2^-24 and d = key.Uint32(i) for element i (see
// [RNGKey]); integers stay put. Backward: straight-through. Zero guard:
// zeros. Errors: ErrBitWidth unless kdr and k are in 1..31,
// ErrNonFinite, ErrRange for more than 2^32 elements.
func Const(x []float32, kdr, k int, key RNGKey) (Codes, error) {
	return constant("Const", x, kdr, k, false, key)
}

// ConstFloat is the float view of [Const].
func ConstFloat(x []float32, kdr, k int, key RNGKey) ([]float32, error) {
	return floatView(Const(x, kdr, k, key))
}

// GradWeight does the weight-gradient quantizer G (golden fn gw_quant,
// whose forward pass is the identity): the gradient g goes through
// [Const] with k_dr = kdr and k = kgw (note the order of the widths).
// With the method's kdr = 8 and the ±(g_scale-1) clip at g_scale = 128,
// GradWeight(g, 15, 8, key) gives the codes n of G = n·2^-14 (B§2.6).
func GradWeight(g []float32, kgw, kdr int, key RNGKey) (Codes, error) {
	return constant("GradWeight", g, kdr, kgw, false, key)
}

// GradWeightFloat is the float view of [GradWeight].
func GradWeightFloat(g []float32, kgw, kdr int, key RNGKey) ([]float32, error) {
	return floatView(GradWeight(g, kgw, kdr, key))
}

// ConstMag does the weight-gradient quantizer of recipe full8plus
// (method.md A15), a constant quantizer that keeps the magnitude:
//
//	dr = 2^(k-1), code = clip(SR(dr·g/R(g)), ±(dr-1)), Exp = log2R - (k-1)
//
// so that the value is R(g)·code/2^(k-1); at k = 8 the codes are int8 in
// ±127 with exponent log2R - 7. SR and the zero guard (zeros, Exp =
// -(k-1)) are as in [Const]. Errors: ErrBitWidth unless 1 <= k <= 31,
// ErrNonFinite, ErrRange.
func ConstMag(g []float32, k int, key RNGKey) (Codes, error) {
	return constant("ConstMag", g, k, k, true, key)
}

// ConstMagFloat is the float view of [ConstMag].
func ConstMagFloat(g []float32, k int, key RNGKey) ([]float32, error) {
	return floatView(ConstMag(g, k, key))
}

// constant computes clip(SR(2^(kdr-1)·x/R), ±(2^(kdr-1)-1)) with exponent
// -(k-1), or log2R-(k-1) when keepR.
func constant(fn string, x []float32, kdr, k int, keepR bool, key RNGKey) (Codes, error) {
	if err := checkWidth(fn, "kdr", kdr, 1, maxWidth); err != nil {
		return Codes{}, err
	}
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
	if keepR {
		out.Exp += log2R
	}
	lim := int64(1)<<(kdr-1) - 1
	for i, v := range x {
		m, e := split(v)
		n := e + (kdr - 1) - log2R // y = m·2^n
		var c int64
		if n >= 0 {
			c = scaleRound(m, n)
		} else {
			c = stochasticShr24(m, uint(-n), key.Uint32(uint32(i)))
		}
		out.Q[i] = int32(clip(c, -lim, lim))
	}
	return out, nil
}

// stochasticShr24 returns SR(m/2^s) for |m| < 2^24 and s >= 1 with the
// float rule of the package: floor(y) + [float32(u>>8)·2^-24 < frac(y)].
// In integers: a = u>>8 < 2^24 rounds up iff a < ceil(frac·2^24). Where y
// has at most 24 fractional bits (s <= 24) this equals
// StochasticShr(m, s, u&^0xff).
func stochasticShr24(m int64, s uint, u uint32) int64 {
	a := uint64(u >> 8)
	if s >= 63 { // |y| < 2^-39: floor is 0 (m >= 0) or -1 (m < 0)
		if m < 0 {
			return 0 // frac = 1 - |y|: ceil(frac·2^24) = 2^24 > a, always up
		}
		if m > 0 && a == 0 {
			return 1 // frac = y > 0: ceil(frac·2^24) = 1
		}
		return 0
	}
	q := m >> s
	r := uint64(m) & (1<<s - 1)
	var f uint64 // ceil(r·2^(24-s))
	if s <= 24 {
		f = r << (24 - s)
	} else {
		f = (r + 1<<(s-24) - 1) >> (s - 24)
	}
	if a < f {
		q++
	}
	return q
}
