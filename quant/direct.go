package quant

import (
	"fmt"
	"math"
)

// Direct does the direct quantizer Q(x, k) of method.md B§1 (golden fn
// direct_quant): code = round(x·2^(k-1)), no clipping, Exp = -(k-1). Its
// backward pass is straight-through. Errors: ErrBitWidth unless 1 <= k <=
// 31; ErrNonFinite; ErrRange when a code does not fit int32 (|x| >=
// 2^(32-k) or so).
func Direct(x []float32, k int) (Codes, error) {
	return direct("Direct", x, k)
}

// DirectFloat is the float view of [Direct]: Q(x, k) as float32 values,
// with the same errors.
func DirectFloat(x []float32, k int) ([]float32, error) {
	return floatView(Direct(x, k))
}

// GradBN does the BN-parameter gradient quantizer G_BN of method.md B§2.7
// (golden fn gbn_quant, whose forward pass is the identity): the gradient
// g is direct-quantized, code = round(g·2^(k-1)), Exp = -(k-1); the method
// uses k = 15. Errors as [Direct].
func GradBN(g []float32, k int) (Codes, error) {
	return direct("GradBN", g, k)
}

// GradBNFloat is the float view of [GradBN].
func GradBNFloat(g []float32, k int) ([]float32, error) {
	return floatView(GradBN(g, k))
}

func direct(fn string, x []float32, k int) (Codes, error) {
	if err := checkWidth(fn, "k", k, 1, maxWidth); err != nil {
		return Codes{}, err
	}
	if err := checkFinite(fn, x); err != nil {
		return Codes{}, err
	}
	out := Codes{Q: make([]int32, len(x)), Exp: -(k - 1)}
	for i, v := range x {
		m, e := split(v)
		c := scaleRound(m, e-out.Exp)
		if c < math.MinInt32 || c > math.MaxInt32 {
			return Codes{}, fmt.Errorf("%w: %s: x[%d] = %v at k = %d gives a code beyond int32", ErrRange, fn, i, v, k)
		}
		out.Q[i] = int32(c)
	}
	return out, nil
}

// AllDirect does the all-direct quantizer of the reference package
// (golden fn all_direct_quant): code = clip(round(x·2^(kdec-1)),
// -(2^(kall-1)-1), 2^(kall-1)-1), Exp = -(kdec-1). The integer range is
// symmetric (kall = 8: -127..127, never -128) and kall = 1 gives zeros.
// Backward: straight-through, also where it clipped. Every (kdec, kall)
// with both in 1..31 fits the int32 container. Errors: ErrBitWidth,
// ErrNonFinite.
func AllDirect(x []float32, kdec, kall int) (Codes, error) {
	const fn = "AllDirect"
	if err := checkWidth(fn, "kdec", kdec, 1, maxWidth); err != nil {
		return Codes{}, err
	}
	if err := checkWidth(fn, "kall", kall, 1, maxWidth); err != nil {
		return Codes{}, err
	}
	return clipped(fn, x, -(kdec - 1), int64(1)<<(kall-1)-1)
}

// AllDirectFloat is the float view of [AllDirect].
func AllDirectFloat(x []float32, kdec, kall int) ([]float32, error) {
	return floatView(AllDirect(x, kdec, kall))
}

// Weight does the weight quantizer Q_W = C_k(Q(x, k)) of method.md B§2.2
// (golden fn weight_quant): code = clip(round(x·2^(k-1)), ±(2^(k-1)-1)),
// Exp = -(k-1); at k = 8 the codes are int8 in -127..127. Backward:
// straight-through. Errors: ErrBitWidth, ErrNonFinite.
func Weight(x []float32, k int) (Codes, error) {
	const fn = "Weight"
	if err := checkWidth(fn, "k", k, 1, maxWidth); err != nil {
		return Codes{}, err
	}
	return clipped(fn, x, -(k - 1), int64(1)<<(k-1)-1)
}

// WeightFloat is the float view of [Weight].
func WeightFloat(x []float32, k int) ([]float32, error) {
	return floatView(Weight(x, k))
}

// clipped returns code = clip(round(x·2^-exp), ±lim) with exponent exp.
func clipped(fn string, x []float32, exp int, lim int64) (Codes, error) {
	if err := checkFinite(fn, x); err != nil {
		return Codes{}, err
	}
	out := Codes{Q: make([]int32, len(x)), Exp: exp}
	for i, v := range x {
		m, e := split(v)
		out.Q[i] = int32(clip(scaleRound(m, e-exp), -lim, lim))
	}
	return out, nil
}

// floatView converts the result of an integer form into its float view.
func floatView(c Codes, err error) ([]float32, error) {
	if err != nil {
		return nil, err
	}
	return c.Float(), nil
}
