package i8gemm

import (
	"fmt"
	"math"
)

// Exactness bounds on K. An int8·int8 product lies in [-16256, 16384] and a
// uint8·int8 product in [-32640, 32385], so a sum of K products fits int32
// (at most 2^31-1 = 2147483647) whenever K·16384 resp. K·32640 does.
const (
	// MaxK is the largest K that [NT] accepts: floor((2^31-1) / 16384).
	MaxK = 131071
	// MaxKU8 is the largest K that [NTU8] accepts: floor((2^31-1) / 32640).
	MaxKU8 = 65793
)

// NT does C = A·Bᵀ in exact integer arithmetic:
//
//	C[m*ldc+n] = Σ_{k<K} int32(A[m*lda+k]) · int32(B[n*ldb+k])   for m < M, n < N.
//
// A is M×K and B is N×K, both int8 and row-major with K contiguous (the "NT"
// layout: B is stored transposed); C is M×N int32, row-major. Elements of C
// outside the M×N block (the padding between N and ldc) are not touched, and
// A and B are never modified. The result is bit-exact for every input when
// K <= [MaxK].
//
// NT returns an error wrapping [ErrShape] when M, N or K is negative or a
// leading dimension is shorter than its row (lda < K, ldb < K, ldc < N),
// [ErrLength] when a slice is too short for its shape, and [ErrK] when
// K > MaxK. It checks everything before writing anything.
func NT(M, N, K int, A []int8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	if err := check("NT", M, N, K, len(A), lda, len(B), ldb, len(C), ldc, MaxK); err != nil {
		return err
	}
	run(pathAuto, M, N, K, A, lda, B, ldb, C, ldc)
	return nil
}

// NTU8 does the same as [NT] with unsigned 8-bit activation codes in A:
//
//	C[m*ldc+n] = Σ_{k<K} int32(A[m*lda+k]) · int32(B[n*ldb+k])   for m < M, n < N,
//
// where A[·] is in 0..255 and B[·] in -128..127. It is exact when
// K <= [MaxKU8] and returns the same errors as NT, with MaxKU8 as the bound.
func NTU8(M, N, K int, A []uint8, lda int, B []int8, ldb int, C []int32, ldc int) error {
	if err := check("NTU8", M, N, K, len(A), lda, len(B), ldb, len(C), ldc, MaxKU8); err != nil {
		return err
	}
	run(pathAuto, M, N, K, A, lda, B, ldb, C, ldc)
	return nil
}

// check validates a GEMM call the way gonum's Dgemm does, before any work.
func check(fn string, M, N, K, lenA, lda, lenB, ldb, lenC, ldc, maxK int) error {
	if M < 0 || N < 0 || K < 0 {
		return fmt.Errorf("%w: %s: M = %d, N = %d, K = %d", ErrShape, fn, M, N, K)
	}
	if lda < max(1, K) || ldb < max(1, K) || ldc < max(1, N) {
		return fmt.Errorf("%w: %s: lda = %d, ldb = %d (need >= max(1, K = %d)), ldc = %d (need >= max(1, N = %d))",
			ErrShape, fn, lda, ldb, K, ldc, N)
	}
	if K > maxK {
		return fmt.Errorf("%w: %s: K = %d > %d", ErrK, fn, K, maxK)
	}
	if M == 0 || N == 0 {
		return nil
	}
	if need, ok := span(M, K, lda); !ok || lenA < need {
		return fmt.Errorf("%w: %s: len(A) = %d, need (M-1)·lda + K = (%d-1)·%d + %d", ErrLength, fn, lenA, M, lda, K)
	}
	if need, ok := span(N, K, ldb); !ok || lenB < need {
		return fmt.Errorf("%w: %s: len(B) = %d, need (N-1)·ldb + K = (%d-1)·%d + %d", ErrLength, fn, lenB, N, ldb, K)
	}
	if need, ok := span(M, N, ldc); !ok || lenC < need {
		return fmt.Errorf("%w: %s: len(C) = %d, need (M-1)·ldc + N = (%d-1)·%d + %d", ErrLength, fn, lenC, M, ldc, N)
	}
	return nil
}

// span returns (rows-1)·ld + cols, the length a row-major matrix needs (0
// when it has no columns), and false if that overflows an int. rows >= 1,
// ld >= 1 and cols >= 0.
func span(rows, cols, ld int) (int, bool) {
	if cols == 0 {
		return 0, true
	}
	if rows-1 > (math.MaxInt-cols)/ld {
		return 0, false
	}
	return (rows-1)*ld + cols, true
}
