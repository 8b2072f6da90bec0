package i8gemm

// NTPortable and NTU8Portable are NT and NTU8 on the portable SWAR path
// alone, and NTNoVNNI and NTU8NoVNNI without the VNNI assembly (so the
// archsimd path where the build has it, else SWAR), so that the tests check
// every path on every build and CPU that has it.
func NTPortable(M, N, K int, A []int8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	return ntPath(pathPortable, M, N, K, A, lda, B, ldb, C, ldc)
}

func NTU8Portable(M, N, K int, A []uint8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	return ntu8Path(pathPortable, M, N, K, A, lda, B, ldb, C, ldc)
}

func NTNoVNNI(M, N, K int, A []int8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	return ntPath(pathNoVNNI, M, N, K, A, lda, B, ldb, C, ldc)
}

func NTU8NoVNNI(M, N, K int, A []uint8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	return ntu8Path(pathNoVNNI, M, N, K, A, lda, B, ldb, C, ldc)
}

func ntPath(pth path, M, N, K int, A []int8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	if err := check("NT", M, N, K, len(A), lda, len(B), ldb, len(C), ldc, MaxK); err != nil {
		return err
	}
	run(pth, M, N, K, A, lda, B, ldb, C, ldc)
	return nil
}

func ntu8Path(pth path, M, N, K int, A []uint8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	if err := check("NTU8", M, N, K, len(A), lda, len(B), ldb, len(C), ldc, MaxKU8); err != nil {
		return err
	}
	run(pth, M, N, K, A, lda, B, ldb, C, ldc)
	return nil
}

// SIMD reports whether NTNoVNNI and NTU8NoVNNI take the archsimd path on
// this build and CPU.
func SIMD() bool { return hasSIMD }

// VNNI reports whether NT and NTU8 take the VNNI assembly path on this build
// and CPU.
func VNNI() bool { return hasVNNI }
