//go:build !purego

package i8gemm_test

// purego is false in builds without the purego tag.
const purego = false
