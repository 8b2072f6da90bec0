package i8gemm

import "errors"

// Sentinel errors, for errors.Is. Every error returned by this package wraps
// exactly one of them and carries the offending values in its message.
var (
	// ErrShape reports a negative dimension or a leading dimension shorter
	// than the row it must hold.
	ErrShape = errors.New("i8gemm: bad shape")
	// ErrLength reports a slice too short for the shape and leading dimension
	// it is given with.
	ErrLength = errors.New("i8gemm: slice too short")
	// ErrK reports a K so large that an int32 result could overflow
	// (K > [MaxK] for [NT], K > [MaxKU8] for [NTU8]).
	ErrK = errors.New("i8gemm: K exceeds the exact int32 bound")
)
