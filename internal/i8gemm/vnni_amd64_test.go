//go:build amd64 && !purego

package i8gemm

import (
	"math/rand/v2"
	"testing"
)

// TestVNNIFallback checks that with hasVNNI cleared (a CPU without AVX-512
// VNNI) vnni declines without writing C, and NT still gives the naive loop's
// integers through the other paths.
func TestVNNIFallback(t *testing.T) {
	defer func(old bool) { hasVNNI = old }(hasVNNI)
	hasVNNI = false
	const M, N, K = 37, 53, 301 // odd sizes, several panels and strips
	r := rand.New(rand.NewPCG(3, 4))
	A, B := make([]int8, M*K), make([]int8, N*K)
	for i := range A {
		A[i] = int8(r.IntN(256) - 128)
	}
	for i := range B {
		B[i] = int8(r.IntN(256) - 128)
	}
	C := make([]int32, M*N)
	for i := range C {
		C[i] = 7
	}
	if vnni(M, N, K, A, K, B, K, C, N) {
		t.Fatal("vnni accepted the call with hasVNNI = false")
	}
	for i, c := range C {
		if c != 7 {
			t.Fatalf("vnni declined but wrote C[%d] = %d", i, c)
		}
	}
	if err := NT(M, N, K, A, K, B, K, C, N); err != nil {
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

// BenchmarkVNNIKernel times the micro-kernels alone on one core, with their
// operands in L1 (vkq quads, the K block of the driver), in GOP/s.
func BenchmarkVNNIKernel(b *testing.B) {
	if !hasVNNI {
		b.Skip("no AVX-512 VNNI")
	}
	a := make([]uint32, vkq*vmr)
	bp := make([]uint32, vkq*vnc)
	var c [vmr * vnc]int32
	ops := float64(2 * vmr * vnc * 4 * vkq)
	b.Run("packed", func(b *testing.B) {
		for b.Loop() {
			vnniKernel(&a[0], &bp[0], vkq, &c[0], vnc, &zeroInit[0], vmr, 1)
		}
		b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
	})
	b.Run("direct", func(b *testing.B) {
		A := make([]byte, vmr*4*vkq)
		for b.Loop() {
			vnniDirect(&A[0], 4*vkq, 0x80808080, &bp[0], vkq, &c[0], vnc, &zeroInit[0], vmr, 1)
		}
		b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
	})
}
