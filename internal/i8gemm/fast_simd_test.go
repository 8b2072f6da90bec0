//go:build goexperiment.simd && amd64

package i8gemm

import (
	"math/rand/v2"
	"testing"
)

// TestFallback checks that with hasSIMD cleared (a CPU without AVX-512) fast
// declines and NT without the VNNI path still gives the naive loop's
// integers.
func TestFallback(t *testing.T) {
	defer func(old bool) { hasSIMD = old }(hasSIMD)
	hasSIMD = false
	const M, N, K = 37, 53, 301 // odd sizes, several panels and strips
	r := rand.New(rand.NewPCG(1, 2))
	A, B := make([]int8, M*K), make([]int8, N*K)
	for i := range A {
		A[i] = int8(r.IntN(256) - 128)
	}
	for i := range B {
		B[i] = int8(r.IntN(256) - 128)
	}
	C := make([]int32, M*N)
	if fast(M, N, K, A, K, B, K, C, N) {
		t.Fatal("fast accepted the call with hasSIMD = false")
	}
	if err := ntPath(pathNoVNNI, M, N, K, A, K, B, K, C, N); err != nil {
		t.Fatal(err)
	}
	for m := range M {
		for n := range N {
			var want int32
			for k := range K {
				want += int32(A[m*K+k]) * int32(B[n*K+k])
			}
			if C[m*N+n] != want {
				t.Fatalf("C[%d][%d] = %d, want %d", m, n, C[m*N+n], want)
			}
		}
	}
}
