package quant

import (
	"math"
)

// Codes is the integer form of a quantized tensor: element i has the value
// Q[i]·2^Exp exactly (method.md A1, B§9.1). One exponent serves the whole
// tensor.
type Codes struct {
	Q   []int32 // integer codes, one per input element
	Exp int     // power-of-two exponent of the least significant bit
}

// Float returns the float view of c: out[i] = float32(Q[i]·2^Exp), rounded
// to nearest even. The conversion is exact when the value is zero, or a
// normal float32 (2^-126 <= |value| <= MaxFloat32) whose code has at most
// 24 significant bits, which every code of a width up to 25 bits has
// (|code| <= 2^24). Wider codes (k = 26..31) and exponents outside float32's
// range round: the integer form is then the only exact result.
func (c Codes) Float() []float32 {
	out := make([]float32, len(c.Q))
	for i, q := range c.Q {
		out[i] = float32(math.Ldexp(float64(q), c.Exp))
	}
	return out
}

// float32 bit layout.
const (
	expMask  = 0x7f800000 // exponent field
	fracMask = 0x007fffff // fraction field
	hidden   = 0x00800000 // implicit leading one of a normal number
)

// split returns the exact decomposition x = m·2^e of a finite float32, with
// |m| < 2^24 (m = 0 for ±0). It reads the bits only: no float arithmetic,
// as a WGSL kernel would do with bitcast<u32>.
func split(x float32) (m int64, e int) {
	b := math.Float32bits(x)
	ef := int((b & expMask) >> 23)
	f := int64(b & fracMask)
	if ef == 0 { // zero or subnormal
		m, e = f, -149
	} else {
		m, e = f|hidden, ef-150
	}
	if b>>31 != 0 {
		m = -m
	}
	return m, e
}

// satBits bounds every intermediate code: |code| <= 2^62 keeps later
// additions of one and the clips below free of int64 overflow.
const satBits = 62

// scaleRound returns round(m·2^n) with round half to even, for |m| < 2^24.
// Results whose magnitude would reach 2^62 saturate at ±2^62 (every caller
// clips to an int32 range or reports ErrRange afterwards).
func scaleRound(m int64, n int) int64 {
	if n >= 0 {
		if m == 0 {
			return 0
		}
		if n > satBits-25 { // |m| < 2^24: m<<n is exact below 2^62 for n <= 37
			if m < 0 {
				return -1 << satBits
			}
			return 1 << satBits
		}
		return m << n
	}
	return RoundShr(m, uint(-n))
}

// clip returns min(max(v, lo), hi).
func clip(v, lo, hi int64) int64 {
	return min(max(v, lo), hi)
}

// absGeqPow2 reports |m|·2^n >= 2^p exactly, for |m| < 2^24.
func absGeqPow2(m int64, n, p int) bool {
	if m < 0 {
		m = -m
	}
	if m == 0 {
		return false
	}
	d := p - n // |m| >= 2^d ?
	if d <= 0 {
		return true
	}
	if d >= 62 {
		return false
	}
	return m >= 1<<d
}
