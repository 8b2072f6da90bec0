package statedict

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Float32s returns the elements of t as float32, in row-major order.
//
// Exact for F32, F16, BF16, I8, U8, I16 and BOOL (false = 0, true = 1; any
// nonzero byte is true). F64, and I32/I64 values above 2^24 in magnitude,
// are rounded to the nearest float32, ties to even (Go's conversion, the same
// as PyTorch's tensor.to(torch.float32)); F64 values beyond the float32 range
// become ±Inf. NaN payloads of F16/BF16 are kept. An invalid tensor gives
// the error of [Tensor.Validate].
func (t Tensor) Float32s() ([]float32, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	n := len(t.Data) / t.DType.Size()
	out := make([]float32, n)
	d := t.Data
	le := binary.LittleEndian
	switch t.DType {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(d[4*i:]))
		}
	case F64:
		for i := range out {
			out[i] = float32(math.Float64frombits(le.Uint64(d[8*i:])))
		}
	case F16:
		for i := range out {
			out[i] = f16ToF32(le.Uint16(d[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = math.Float32frombits(uint32(le.Uint16(d[2*i:])) << 16)
		}
	default:
		ints, err := t.Int64s()
		if err != nil {
			return nil, err
		}
		for i, v := range ints {
			out[i] = float32(v)
		}
	}
	return out, nil
}

// f16ToF32 converts IEEE binary16 bits to float32, exactly: normal
// numbers rebias the exponent (15 → 127), subnormals are m·2^-24, Inf and
// NaN keep sign and payload.
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0: // zero or subnormal: man·2^-24, exact in float32
		f := float32(man) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
	}
}

// Int64s returns the elements of an integer or BOOL tensor as int64,
// exactly. Float dtypes give an error wrapping [ErrDType].
func (t Tensor) Int64s() ([]int64, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	n := len(t.Data) / t.DType.Size()
	out := make([]int64, n)
	d := t.Data
	le := binary.LittleEndian
	switch t.DType {
	case Bool:
		for i, b := range d {
			if b != 0 {
				out[i] = 1
			}
		}
	case U8:
		for i, b := range d {
			out[i] = int64(b)
		}
	case I8:
		for i, b := range d {
			out[i] = int64(int8(b))
		}
	case I16:
		for i := range out {
			out[i] = int64(int16(le.Uint16(d[2*i:])))
		}
	case I32:
		for i := range out {
			out[i] = int64(int32(le.Uint32(d[4*i:])))
		}
	case I64:
		for i := range out {
			out[i] = int64(le.Uint64(d[8*i:]))
		}
	default:
		return nil, fmt.Errorf("%w: integer view of a %v tensor", ErrDType, t.DType)
	}
	return out, nil
}

// Int32s returns the elements of an integer or BOOL tensor as int32. An
// I64 element outside [-2^31, 2^31) gives an error wrapping [ErrRange]; float
// dtypes give an error wrapping [ErrDType].
func (t Tensor) Int32s() ([]int32, error) {
	return narrowInts[int32](t, math.MinInt32, math.MaxInt32)
}

// Int8s returns the elements of an I8 tensor (such as quantized codes),
// or of any integer tensor whose values lie in [-128, 127]; other values give
// an error wrapping [ErrRange], float dtypes one wrapping [ErrDType].
func (t Tensor) Int8s() ([]int8, error) {
	return narrowInts[int8](t, math.MinInt8, math.MaxInt8)
}

// narrowInts converts Int64s to a narrower type, rejecting values
// outside [lo, hi].
func narrowInts[E int8 | int32](t Tensor, lo, hi int64) ([]E, error) {
	wide, err := t.Int64s()
	if err != nil {
		return nil, err
	}
	out := make([]E, len(wide))
	for i, v := range wide {
		if v < lo || v > hi {
			return nil, fmt.Errorf("%w: element %d of %v tensor is %d, outside [%d, %d]", ErrRange, i, t.DType, v, lo, hi)
		}
		out[i] = E(v)
	}
	return out, nil
}
