package i8gemm_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/wageubn/wageubn/internal/i8gemm"
)

// benchSizes are the square sizes n = M = N = K of the side-by-side run.
var benchSizes = []int{256, 512, 1024}

// BenchmarkGEMM runs, per size, this package's NT and NTU8 and gonum's
// float32 Sgemm (the bar, design.md "Performance") on the same shapes, and
// reports GOP/s = 2·M·N·K / time. On a CPU with AVX-512 VNNI, where NT takes
// the assembly path, it also times NT without it (i8gemm_novnni: the archsimd
// path under GOEXPERIMENT=simd, else the portable one); under
// GOEXPERIMENT=simd on an AVX-512 CPU it also times the portable path
// (i8gemm_portable).
func BenchmarkGEMM(b *testing.B) {
	for _, n := range benchSizes {
		r := rand.New(rand.NewPCG(uint64(n), 1))
		A8, B8, U8 := make([]int8, n*n), make([]int8, n*n), make([]uint8, n*n)
		Af, Bf := make([]float32, n*n), make([]float32, n*n)
		for i := range A8 {
			A8[i], B8[i], U8[i] = int8(r.IntN(256)-128), int8(r.IntN(256)-128), uint8(r.IntN(256))
			Af[i], Bf[i] = float32(A8[i]), float32(B8[i])
		}
		C := make([]int32, n*n)
		Cf := make([]float32, n*n)
		ops := 2 * float64(n) * float64(n) * float64(n)
		report := func(b *testing.B) {
			b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
		}
		// Each case makes one untimed call before b.Loop, so that -benchtime 2x
		// times the steady state (pooled buffers, faulted-in pages) that a
		// training loop sees, for gonum and for this package alike.
		b.Run(fmt.Sprintf("i8gemm/n=%d", n), func(b *testing.B) {
			_ = i8gemm.NT(n, n, n, A8, n, B8, n, C, n)
			for b.Loop() {
				if err := i8gemm.NT(n, n, n, A8, n, B8, n, C, n); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
		b.Run(fmt.Sprintf("i8gemm_u8/n=%d", n), func(b *testing.B) {
			_ = i8gemm.NTU8(n, n, n, U8, n, B8, n, C, n)
			for b.Loop() {
				if err := i8gemm.NTU8(n, n, n, U8, n, B8, n, C, n); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
		if i8gemm.VNNI() { // also time the path NT takes without the assembly
			b.Run(fmt.Sprintf("i8gemm_novnni/n=%d", n), func(b *testing.B) {
				_ = i8gemm.NTNoVNNI(n, n, n, A8, n, B8, n, C, n)
				for b.Loop() {
					if err := i8gemm.NTNoVNNI(n, n, n, A8, n, B8, n, C, n); err != nil {
						b.Fatal(err)
					}
				}
				report(b)
			})
		}
		if i8gemm.SIMD() { // also time the portable path this build bypasses
			b.Run(fmt.Sprintf("i8gemm_portable/n=%d", n), func(b *testing.B) {
				_ = i8gemm.NTPortable(n, n, n, A8, n, B8, n, C, n)
				for b.Loop() {
					if err := i8gemm.NTPortable(n, n, n, A8, n, B8, n, C, n); err != nil {
						b.Fatal(err)
					}
				}
				report(b)
			})
		}
		b.Run(fmt.Sprintf("sgemm_gonum/n=%d", n), func(b *testing.B) {
			ga := blas32.General{Rows: n, Cols: n, Stride: n, Data: Af}
			gb := blas32.General{Rows: n, Cols: n, Stride: n, Data: Bf}
			gc := blas32.General{Rows: n, Cols: n, Stride: n, Data: Cf}
			blas32.Gemm(blas.NoTrans, blas.Trans, 1, ga, gb, 0, gc)
			for b.Loop() {
				blas32.Gemm(blas.NoTrans, blas.Trans, 1, ga, gb, 0, gc)
			}
			report(b)
		})
	}
}
