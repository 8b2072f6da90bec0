//go:build !amd64 || purego

package i8gemm

// hasVNNI is false: this build has no VNNI path (it needs amd64 assembly;
// see vnni_amd64.go).
const hasVNNI = false

// vnni is the hook for the VNNI path; without it, it declines.
func vnni[T elem](M, N, K int, A []T, lda int, B []int8, ldb int, C []int32, ldc int) bool {
	return false
}
