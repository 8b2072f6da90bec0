package quant

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors of the package, for errors.Is. Every error returned by the
// package wraps one of them and names the function and the offending value.
var (
	// ErrBitWidth reports a bit width outside its range (1..31 for every
	// width, narrower where the codes would not fit an int32 container).
	ErrBitWidth = errors.New("quant: bit width out of range")
	// ErrNonFinite reports a NaN or infinite input element or parameter.
	ErrNonFinite = errors.New("quant: non-finite value")
	// ErrRange reports a code that does not fit int32 (Direct, GradBN,
	// which do not clip), a tensor longer than 2^32 elements (the RNG
	// index is 32-bit) or a log2_t too large to give an exponent.
	ErrRange = errors.New("quant: value out of range")
	// ErrShape reports slices whose lengths should agree and do not.
	ErrShape = errors.New("quant: length mismatch")
)

// maxWidth is the widest bit width any quantizer accepts: codes live in an
// int32 container.
const maxWidth = 31

// checkWidth returns an ErrBitWidth error unless lo <= k <= hi.
func checkWidth(fn, name string, k, lo, hi int) error {
	if k < lo || k > hi {
		return fmt.Errorf("%w: %s: %s = %d, want %d..%d", ErrBitWidth, fn, name, k, lo, hi)
	}
	return nil
}

// checkFinite returns an ErrNonFinite error naming the first NaN or
// infinite element of x, or an ErrRange error when x has more than 2^32
// elements.
func checkFinite(fn string, x []float32) error {
	if uint64(len(x)) > math.MaxUint32+1 {
		return fmt.Errorf("%w: %s: %d elements, at most 2^32", ErrRange, fn, len(x))
	}
	for i, v := range x {
		if math.Float32bits(v)&expMask == expMask {
			return fmt.Errorf("%w: %s: x[%d] = %v", ErrNonFinite, fn, i, v)
		}
	}
	return nil
}
