package statedict

import (
	"fmt"

	"github.com/nlpodyssey/safetensors"
)

// DType is the element type of a [Tensor]. Names follow safetensors ("F32",
// "I8", "BOOL"); all multi-byte types are stored little-endian. The zero
// value is Invalid.
type DType uint8

// The element types. Each comment gives the PyTorch dtype and the element
// size in bytes.
const (
	Invalid DType = iota // no type; never valid in a Tensor
	Bool                 // torch.bool, 1 byte, 0 or 1
	U8                   // torch.uint8, 1
	I8                   // torch.int8, 1
	I16                  // torch.int16, 2
	I32                  // torch.int32, 4
	I64                  // torch.int64, 8
	F16                  // torch.float16 (IEEE binary16), 2
	BF16                 // torch.bfloat16, 2
	F32                  // torch.float32, 4
	F64                  // torch.float64, 8
)

// dtypeInfo is one row of the dtype table: name, size and the safetensors
// twin.
type dtypeInfo struct {
	name string
	size int
	st   safetensors.DType
}

var dtypes = [...]dtypeInfo{
	Bool: {"BOOL", 1, safetensors.BOOL},
	U8:   {"U8", 1, safetensors.U8},
	I8:   {"I8", 1, safetensors.I8},
	I16:  {"I16", 2, safetensors.I16},
	I32:  {"I32", 4, safetensors.I32},
	I64:  {"I64", 8, safetensors.I64},
	F16:  {"F16", 2, safetensors.F16},
	BF16: {"BF16", 2, safetensors.BF16},
	F32:  {"F32", 4, safetensors.F32},
	F64:  {"F64", 8, safetensors.F64},
}

// Valid reports whether dt is one of the element types above.
func (dt DType) Valid() bool { return dt > Invalid && int(dt) < len(dtypes) }

// Size returns the element size in bytes, or 0 for an invalid dtype.
func (dt DType) Size() int {
	if !dt.Valid() {
		return 0
	}
	return dtypes[dt].size
}

// String returns the safetensors name ("F32", "BOOL"), or "DType(N)" for
// an invalid dtype.
func (dt DType) String() string {
	if !dt.Valid() {
		return fmt.Sprintf("DType(%d)", uint8(dt))
	}
	return dtypes[dt].name
}

// ParseDType returns the dtype named s ("F32", "I8", "BOOL", ...); other
// names give an error wrapping [ErrDType].
func ParseDType(s string) (DType, error) {
	for dt := Bool; int(dt) < len(dtypes); dt++ {
		if dtypes[dt].name == s {
			return dt, nil
		}
	}
	return Invalid, fmt.Errorf("%w: unknown dtype %q", ErrDType, s)
}

// fromSafetensors maps a safetensors dtype to ours; U16, U32 and U64 have
// no twin here.
func fromSafetensors(st safetensors.DType) (DType, bool) {
	for dt := Bool; int(dt) < len(dtypes); dt++ {
		if dtypes[dt].st == st {
			return dt, true
		}
	}
	return Invalid, false
}
