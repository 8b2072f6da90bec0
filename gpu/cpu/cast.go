package cpu

import (
	"math"

	"github.com/wageubn/wageubn/quant"
)

// Twins of shaders/cast.wgsl — keep in sync.

// CastF32I32Params is the uniform of cast_f32_i32.
type CastF32I32Params struct {
	N     uint32 // elements
	Shift int32  // codes have exponent -Shift
}

// CastF32I32 is the twin of cast_f32_i32: out[i] = round(x[i]·2^Shift),
// half to even, exact from the float's bits; saturation and NaN/Inf set
// ErrOverflow in errWord[0] (NaN/Inf give 0).
func CastF32I32(p CastF32I32Params, out, in, errWord []uint32) {
	for i := range out[:p.N] {
		b := in[i]
		ef := int32(b>>23) & 0xFF
		f := int32(b & 0x7FFFFF)
		if ef == 255 {
			out[i] = 0
			errWord[0] |= ErrOverflow
			continue
		}
		m, e := f|0x800000, ef-150
		if ef == 0 {
			m, e = f, -149
		}
		neg := b>>31 != 0
		s := e + p.Shift
		var q int32
		switch {
		case m == 0:
		case s >= 0:
			if s >= 31 || m > math.MaxInt32>>s {
				out[i] = math.MaxInt32
				if neg {
					out[i] = 1 << 31 // math.MinInt32
				}
				errWord[0] |= ErrOverflow
				continue
			}
			q = m << s
		case s >= -31:
			mm := m
			if neg {
				mm = -m
			}
			out[i] = uint32(int32(quant.RoundShr(int64(mm), uint(-s))))
			continue
		}
		if neg {
			q = -q
		}
		out[i] = uint32(q)
	}
}

// CastI32F32Params is the uniform of cast_i32_f32.
type CastI32F32Params struct {
	N   uint32 // elements
	Exp int32  // the codes' static exponent
}

// CastI32F32 is the twin of cast_i32_f32: out[i] = float32(in[i])·2^(Exp +
// scale[0]) (the exponent clamped to ±300).
func CastI32F32(p CastI32F32Params, out, in, scale []uint32) {
	e := min(max(int(p.Exp)+int(int32(scale[0])), -300), 300)
	for i := range out[:p.N] {
		out[i] = math.Float32bits(float32(math.Ldexp(float64(float32(int32(in[i]))), e)))
	}
}

// WidenParams is the uniform of widen_i32.
type WidenParams struct {
	N      uint32 // elements
	Last   uint32 // elements per row
	Bits   uint32 // 8 or 16
	Signed uint32 // 1: sign-extend
}

// WidenI32 is the twin of widen_i32: out[i] = element i of the packed
// narrow tensor in, sign- or zero-extended.
func WidenI32(p WidenParams, out, in []uint32) {
	per := 32 / p.Bits
	rowWords := (p.Last + per - 1) / per
	up := 32 - p.Bits
	for i := range out[:p.N] {
		row, col := uint32(i)/p.Last, uint32(i)%p.Last
		top := in[row*rowWords+col/per] << (up - p.Bits*(col%per))
		if p.Signed != 0 {
			out[i] = uint32(int32(top) >> up)
		} else {
			out[i] = top >> up
		}
	}
}
