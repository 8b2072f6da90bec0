// Package quant holds the number formats and quantizers of WAGEUBN
// (/work/shared/method.md), as scalar reference math on plain Go slices,
// TQT's power-of-two threshold quantizers, and the counter-based random
// number generator of stochastic rounding. It depends on nothing else of
// the project; the kernels of package gpu are its twins and call its
// integer primitives.
//
// # Overview
//
// Every quantizer exists in two forms. The integer form returns [Codes]:
// int32 codes and one power-of-two exponent, value = Q[i]·2^Exp (method.md
// A1, B§9.1). The float view (suffix Float) returns the same values as
// []float32, exactly as the golden data states them; it is Codes.Float of
// the integer form, so the two agree by construction.
//
//	golden fn         integer form                   float view        method.md
//	direct_quant      Direct(x, k)                   DirectFloat       B§1 Q(x,k)
//	all_direct_quant  AllDirect(x, kdec, kall)       AllDirectFloat    A7 (reference package)
//	weight_quant      Weight(x, k)                   WeightFloat       B§2.2 C_k(Q(x,k))
//	shift_quant       Shift(x, k)                    ShiftFloat        B§2.5 E1, A6 clip
//	error_quant       Flag(x, k)                     FlagFloat         B§2.5 E2, A6
//	gbn_quant         GradBN(g, k)                   GradBNFloat       B§2.7 Q(g,15)
//	const_quant       Const(x, kdr, k, key)          ConstFloat        B§2.6, stochastic
//	gw_quant          GradWeight(g, kgw, kdr, key)   GradWeightFloat   B§2.6 G
//	-                 ConstMag(g, k, key)            ConstMagFloat     A15 (full8plus G)
//	qsigned           QSigned(x, log2t, bits)        QSignedFloat      B§7.1, A10
//	qunsigned         QUnsigned(x, log2t, bits)      QUnsignedFloat    B§7.1, A10
//
// TQT's backward passes are QSignedBackward and QUnsignedBackward (gradient
// wrt x and wrt log2_t, defects T-1 and T-2 fixed). Every other quantizer
// has a straight-through backward pass (grad_in = grad_out), or is the
// identity forward with a quantized gradient (GradBN, GradWeight), so the
// package has no separate backward function for them.
//
// The integer primitives, shared with the GPU kernels, are [RoundShr]
// (round half to even of v/2^s), [StochasticShr], [Log2Round] (the
// exponent of R(x)), [Philox4x32] and [RNGKey]. [Scale] gives log2 R(x).
//
// # Number format
//
// A float32 input x is taken apart exactly as m·2^e (|m| < 2^24) from its
// bits, and each integer form works on (m, e) in integer arithmetic:
//
//	Q(x, k)     code = round(m·2^(e+k-1))                 Exp = -(k-1)
//	C_k(Q)      clip to ±(2^(k-1)-1)                      Exp = -(k-1)
//	E1 (Shift)  code = clip(round(x/R·2^(k-1)), ±(2^(k-1)-1)), Exp = log2R-(k-1)
//	E2 (Flag)   code = m'·2^(k-1) for the value s·m', s = R/2^(k-1), Exp = log2R-2(k-1)
//	Const       code = clip(SR(2^(kdr-1)·x/R), ±(2^(kdr-1)-1)), Exp = -(k-1)
//	ConstMag    same codes, Exp = log2R-(k-1)
//	TQT         code = clip(round(x/s), n, p), s = 2^Exp, Exp = ceil(log2t)-(bits-1) (unsigned: -bits)
//
// round is round half to even; R(x) = 2^round(log2 max|x|) is computed
// exactly with Log2Round on the mantissa of max|x|. Stochastic rounding of
// a float input y rounds up iff u < y - floor(y), u = float32(d>>8)·2^-24,
// d = key.Uint32(i) for element i; integer kernels use StochasticShr. See
// docs/numerics.md for the full specification.
//
// # Invariants
//
//   - Inputs are never modified; every result is a new slice.
//   - The float view is Codes.Float of the integer form: exact for every
//     code of at most 24 significant bits in float32's normal range.
//   - A stochastic result depends only on (input, widths, RNGKey): the same
//     key gives the same codes in any call order, on every backend.
//   - All-zero input to a quantizer that divides by R gives zero codes
//     (the zero guard of method.md A4), never NaN.
//   - No function panics on user data.
//
// # Errors
//
// Integer forms and float views return the same errors, which wrap the
// sentinels [ErrBitWidth] (a width outside 1..31, or the narrower range
// of Flag, 2..16), [ErrNonFinite] (a NaN or Inf element or log2t),
// [ErrRange] (a Direct/GradBN code beyond int32, |log2t| > 256, more than
// 2^32 elements) and [ErrShape] (gradient and input lengths differ). The
// message names the function and the offending value, e.g. "quant: bit
// width out of range: Shift: k = 40, want 1..31".
package quant
