//go:build purego

package i8gemm_test

// purego is true in builds with the purego tag, which leave the assembly out.
const purego = true
