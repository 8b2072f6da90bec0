package quant

import (
	"fmt"
	"math"
)

// maxLog2T bounds |log2_t|: float32 values lie within 2^-149..2^128, so a
// wider threshold has no use, and the bound keeps s = 2^Exp and every
// gradient term finite in float64.
const maxLog2T = 256

// QSigned does the forward pass of TQT's signed power-of-two quantizer
// qSigned (method.md B§7.1, A10; golden fn qsigned):
//
//	s = 2^ceil(log2t)/2^(bits-1), code = clip(round(x/s), -2^(bits-1), 2^(bits-1)-1)
//
// with Exp = ceil(log2t) - (bits-1), so the value is code·s. log2t is the
// float32 parameter widened to float64. Errors: ErrBitWidth unless 1 <=
// bits <= 31, ErrNonFinite (also for log2t), ErrRange when |log2t| >
// 256.
func QSigned(x []float32, log2t float64, bits int) (Codes, error) {
	g, err := newTQT("QSigned", x, log2t, bits, true)
	if err != nil {
		return Codes{}, err
	}
	return g.forward(x), nil
}

// QSignedFloat is the float view of [QSigned].
func QSignedFloat(x []float32, log2t float64, bits int) ([]float32, error) {
	return floatView(QSigned(x, log2t, bits))
}

// QUnsigned does the forward pass of TQT's unsigned quantizer qUnsigned
// (method.md B§7.1; golden fn qunsigned): s = 2^ceil(log2t)/2^bits, code =
// clip(round(x/s), 0, 2^bits-1), Exp = ceil(log2t) - bits. Errors as
// [QSigned].
func QUnsigned(x []float32, log2t float64, bits int) (Codes, error) {
	g, err := newTQT("QUnsigned", x, log2t, bits, false)
	if err != nil {
		return Codes{}, err
	}
	return g.forward(x), nil
}

// QUnsignedFloat is the float view of [QUnsigned].
func QUnsignedFloat(x []float32, log2t float64, bits int) ([]float32, error) {
	return floatView(QUnsigned(x, log2t, bits))
}

// QSignedBackward does the backward pass of [QSigned] for the upstream
// gradient gradOut (same length as x). With v = x/s, r = round(v) and
// in = (n <= r <= p):
//
//	gradIn[i]  = gradOut[i]·[in_i]
//	gradLog2t  = Σ_i gradOut[i]·ln2·s·(r_i - v_i if in_i; n if r_i < n; p if r_i > p)
//
// ceil is the identity in the backward pass. The two defects of the
// reference package are fixed: v = x/s is used, not round(x/s) (T-1, so
// in-range elements move the threshold too), and the rounding ops pass the
// upstream gradient on rather than ones (T-2). The per-element term is
// computed in float32 in the order of the golden README, t =
// float32(float32(ln2)·g), then t·s, then float32(gradOut·that), and
// summed in float64 (a product beyond float32's range is kept in float64
// rather than turned into Inf). Errors: as [QSigned], and ErrShape when the
// lengths differ (also ErrNonFinite for gradOut).
func QSignedBackward(x, gradOut []float32, log2t float64, bits int) (gradIn []float32, gradLog2t float64, err error) {
	g, err := newTQT("QSignedBackward", x, log2t, bits, true)
	if err != nil {
		return nil, 0, err
	}
	return g.backward(x, gradOut)
}

// QUnsignedBackward does the backward pass of [QUnsigned], with the same
// formulas as [QSignedBackward] for n = 0 and p = 2^bits-1 (the r - v term
// is kept: defect T-1 fixed).
func QUnsignedBackward(x, gradOut []float32, log2t float64, bits int) (gradIn []float32, gradLog2t float64, err error) {
	g, err := newTQT("QUnsignedBackward", x, log2t, bits, false)
	if err != nil {
		return nil, 0, err
	}
	return g.backward(x, gradOut)
}

// tqt holds the grid of one TQT quantizer call.
type tqt struct {
	fn   string
	exp  int   // s = 2^exp
	n, p int64 // code range
}

func newTQT(fn string, x []float32, log2t float64, bits int, signed bool) (tqt, error) {
	if err := checkWidth(fn, "bits", bits, 1, maxWidth); err != nil {
		return tqt{}, err
	}
	if math.IsNaN(log2t) || math.IsInf(log2t, 0) {
		return tqt{}, fmt.Errorf("%w: %s: log2_t = %v", ErrNonFinite, fn, log2t)
	}
	if math.Abs(log2t) > maxLog2T {
		return tqt{}, fmt.Errorf("%w: %s: log2_t = %v, want |log2_t| <= %d", ErrRange, fn, log2t, maxLog2T)
	}
	if err := checkFinite(fn, x); err != nil {
		return tqt{}, err
	}
	c := int(math.Ceil(log2t))
	if signed {
		return tqt{fn: fn, exp: c - (bits - 1), n: -1 << (bits - 1), p: 1<<(bits-1) - 1}, nil
	}
	return tqt{fn: fn, exp: c - bits, n: 0, p: 1<<bits - 1}, nil
}

func (g tqt) forward(x []float32) Codes {
	out := Codes{Q: make([]int32, len(x)), Exp: g.exp}
	for i, v := range x {
		m, e := split(v)
		out.Q[i] = int32(clip(scaleRound(m, e-g.exp), g.n, g.p))
	}
	return out
}

func (g tqt) backward(x, gradOut []float32) ([]float32, float64, error) {
	if len(gradOut) != len(x) {
		return nil, 0, fmt.Errorf("%w: %s: len(gradOut) = %d, len(x) = %d", ErrShape, g.fn, len(gradOut), len(x))
	}
	if err := checkFinite(g.fn, gradOut); err != nil {
		return nil, 0, err
	}
	s := math.Ldexp(1, g.exp)
	ln2 := float32(math.Ln2)
	gradIn := make([]float32, len(x))
	var sum float64
	for i, xv := range x {
		m, e := split(xv)
		r := scaleRound(m, e-g.exp) // round(x/s), exact (saturated far outside)
		var term float32
		switch {
		case r < g.n:
			term = float32(g.n)
		case r > g.p:
			term = float32(g.p)
		default:
			gradIn[i] = gradOut[i]
			v := math.Ldexp(float64(xv), -g.exp)
			term = float32(float64(r) - v) // exact: the fraction of v has at most 24 bits
		}
		t := float32(ln2 * term)
		// t·s and gradOut·(t·s) in float64 are exact (a power of two, a
		// 24×24-bit product); rounding to float32 then gives the float32
		// products of the reference. Outside float32's range the float64
		// value is kept, so that the sum never meets Inf - Inf.
		c := float64(gradOut[i]) * (float64(t) * s)
		if math.Abs(c) <= math.MaxFloat32 {
			c = float64(float32(c))
		}
		sum += c
	}
	return gradIn, sum, nil
}
