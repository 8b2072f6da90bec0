package i8gemm

// NTPortable and NTU8Portable are NT and NTU8 without the SIMD path, so that
// the tests check the portable SWAR code on every build.
func NTPortable(M, N, K int, A []int8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	if err := check("NT", M, N, K, len(A), lda, len(B), ldb, len(C), ldc, MaxK); err != nil {
		return err
	}
	runPortable(M, N, K, A, lda, B, ldb, C, ldc)
	return nil
}

func NTU8Portable(M, N, K int, A []uint8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	if err := check("NTU8", M, N, K, len(A), lda, len(B), ldb, len(C), ldc, MaxKU8); err != nil {
		return err
	}
	runPortable(M, N, K, A, lda, B, ldb, C, ldc)
	return nil
}

// SIMD reports whether NT and NTU8 take the SIMD path on this build and CPU.
func SIMD() bool { return hasSIMD }
