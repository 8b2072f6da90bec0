package cpu

import "math"

// Twins of shaders/act.wgsl — keep in sync.

// ActQParams is the uniform of act_relu_q and act_relu6_q (struct
// ActQParams in WGSL).
type ActQParams struct {
	Rows  uint32 // product of the leading dimensions
	Cols  uint32 // last dimension
	CW    uint32 // words per row of the U8 outputs, ceil(Cols/4)
	Shift int32  // e_a - e_y: a = RoundShr(y, Shift); negative shifts left
	Six   int32  // ReLU6 clip in y codes, 6·2^-e_y (act_relu6_q only)
}

// actCode is the twin of act_code: Q_A of one y code as (code, mask), code
// = clamp(RoundShr(y, shift), 0, 255), mask = 1 iff y > 0 and the unclamped
// code is at most 255.
func actCode(y, shift int32) (code, mask uint32) {
	if y <= 0 {
		return 0, 0
	}
	var c int32
	if shift > 0 {
		c = RoundShrI32(y, shift)
	} else {
		u := uint32(-shift)
		if y > Shr(255, u) {
			return 255, 0
		}
		c = Shl(y, u)
	}
	if c > 255 {
		return 255, 0
	}
	return uint32(c), 1
}

// actQ is the twin of actq_word over every output word.
func actQ(p ActQParams, a, mask, y []uint32, six int32) {
	for w := range a[:p.Rows*p.CW] {
		r, j0 := uint32(w)/p.CW, uint32(w)%p.CW*4
		var aw, mw uint32
		for l := range uint32(4) {
			j := j0 + l
			if j >= p.Cols {
				continue
			}
			v := int32(y[r*p.Cols+j])
			c, m := actCode(min(v, six), p.Shift)
			if v > six {
				m = 0 // the clip at 6 zeroes the gradient beyond 6
			}
			aw |= c << (8 * l)
			mw |= m << (8 * l)
		}
		a[w], mask[w] = aw, mw
	}
}

// ActReluQ is the twin of act_relu_q, ReLU and Q_A (method.md A5): for every
// element of y (I32 [Rows, Cols], exponent e_y),
//
//	a    = clamp(RoundShr(y, e_a - e_y), 0, 255)        U8, exponent e_a
//	mask = 1 if y > 0 and RoundShr(y, e_a - e_y) <= 255 U8, else 0
//
// with a and mask packed 4 per word along Cols.
func ActReluQ(p ActQParams, a, mask, y []uint32) { actQ(p, a, mask, y, math.MaxInt32) }

// ActRelu6Q is the twin of act_relu6_q: ActReluQ of min(y, p.Six), with the
// mask also 0 where y > p.Six (ReLU6 clips at 6 first, method.md A5).
func ActRelu6Q(p ActQParams, a, mask, y []uint32) { actQ(p, a, mask, y, p.Six) }

// ActBwdParams is the uniform of act_bwd (struct ActBwdParams in WGSL).
type ActBwdParams struct {
	Rows uint32 // product of the leading dimensions
	Cols uint32 // last dimension
	CW   uint32 // words per row of the U8 mask (and of an I8 δ), ceil(Cols/4)
	I8   uint32 // 1: δ and out are I8, packed like the mask; 0: I32
}

// ActBwd is the twin of act_bwd, the straight-through backward of Q_A with
// the in-range mask: out = δ·mask elementwise, in δ's dtype (I8 or I32).
func ActBwd(p ActBwdParams, out, d, mask []uint32) {
	if p.I8 != 0 {
		for i := range out[:p.Rows*p.CW] {
			out[i] = d[i] & (mask[i] * 0xFF)
		}
		return
	}
	for i := range out[:p.Rows*p.Cols] {
		r, j := uint32(i)/p.Cols, uint32(i)%p.Cols
		m := mask[r*p.CW+j/4] >> (8 * (j % 4)) & 0xFF
		out[i] = 0
		if m != 0 {
			out[i] = d[i]
		}
	}
}
