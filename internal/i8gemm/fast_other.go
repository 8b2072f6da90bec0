//go:build !(goexperiment.simd && amd64)

package i8gemm

// hasSIMD is false: this build has no SIMD path (it needs GOEXPERIMENT=simd
// on amd64; see fast_simd.go).
const hasSIMD = false

// fast is the hook for the SIMD path; without it, it declines.
func fast[T elem](M, N, K int, A []T, lda int, B []int8, ldb int, C []int32, ldc int) bool {
	return false
}
