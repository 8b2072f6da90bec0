package bench

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/internal/i8gemm"
)

// gemmOps returns 2n³, the operations of an n×n×n product (a multiply-add
// counts two).
func gemmOps(n int) float64 { return 2 * float64(n) * float64(n) * float64(n) }

// gemmBytes returns the bytes an n×n×n product reads and writes at least
// once: two n×n inputs of in bytes per element and one n×n output of out.
func gemmBytes(in, out float64) func(int) float64 {
	return func(n int) float64 { return (2*in + out) * elems(n) }
}

// gemmShape prints "[n n]x[n n]^T" (A and B, B transposed: C = A·Bᵀ).
func gemmShape(n int) string { return fmt.Sprintf("[%d %d]x[%d %d]^T", n, n, n, n) }

// gemmSamples is the number of entries of C each GEMM check recomputes.
const gemmSamples = 64

// gemmInputs returns the int8 operands A and B (n×n each, K contiguous)
// shared by every GEMM row of size n.
func gemmInputs(n int) (a, b []int8) {
	return randI8(n*n, n, 1), randI8(n*n, n, 2)
}

// dotI8 returns Σ_k a[k]·b[k] in int64 (exact).
func dotI8(a, b []int8) int64 {
	var s int64
	for k := range a {
		s += int64(a[k]) * int64(b[k])
	}
	return s
}

// checkGemm recomputes sampled entries C[i,j] = Σ_k A[i,k]·B[j,k] of an
// n×n×n product directly and compares them with got(i, j), exactly.
func checkGemm(n int, a, b []int8, got func(i, j int) int64) error {
	bad, first := 0, ""
	for _, p := range samples(n, n, gemmSamples) {
		i, j := p[0], p[1]
		want := dotI8(a[i*n:(i+1)*n], b[j*n:(j+1)*n])
		if g := got(i, j); g != want {
			if bad == 0 {
				first = fmt.Sprintf("C[%d,%d] = %d, want %d", i, j, g, want)
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%w: %s (%d of %d sampled entries differ)", ErrCheck, first, bad, gemmSamples)
	}
	return nil
}

// setupGemmI8 uploads A and B as I8 tensors; a run records GemmI8NT (the
// library's variant choice included), submits and waits, then the next run
// releases the previous C to the pool first.
func setupGemmI8(d *gpu.Device, n int) (Prepared, error) {
	a, b := gemmInputs(n)
	at, err := d.UploadI8([]int{n, n}, 0, a)
	if err != nil {
		return Prepared{}, err
	}
	bt, err := d.UploadI8([]int{n, n}, 0, b)
	if err != nil {
		at.Release()
		return Prepared{}, err
	}
	var c *gpu.Tensor
	return Prepared{
		Run: func() error {
			c.Release()
			r := d.Record()
			c = r.GemmI8NT(at, bt)
			if err := r.Submit(); err != nil {
				return err
			}
			return d.Wait()
		},
		Check: func() error {
			got, err := c.DownloadI32()
			if err != nil {
				return err
			}
			return checkGemm(n, a, b, func(i, j int) int64 { return int64(got[i*n+j]) })
		},
		Release: func() { c.Release(); at.Release(); bt.Release() },
	}, nil
}

// setupI8gemmGo times internal/i8gemm.NT, the CPU backend's int8 GEMM,
// called directly on Go slices (no device, no packing into words).
func setupI8gemmGo(_ *gpu.Device, n int) (Prepared, error) {
	a, b := gemmInputs(n)
	c := make([]int32, n*n)
	return Prepared{
		Run: func() error { return i8gemm.NT(n, n, n, a, n, b, n, c, n) },
		Check: func() error {
			return checkGemm(n, a, b, func(i, j int) int64 { return int64(c[i*n+j]) })
		},
		Release: func() {},
	}, nil
}

// setupSgemmGonum times gonum's blas32.Gemm, C = A·Bᵀ in float32, on the
// int8 inputs converted to float32: the bar of design.md "Performance".
// Its check allows the float32 rounding bound K·2⁻²⁴·Σ_k|A[i,k]·B[j,k]|
// (zero while partial sums stay below 2²⁴, as they do for K <= 1024).
func setupSgemmGonum(_ *gpu.Device, n int) (Prepared, error) {
	a, b := gemmInputs(n)
	x := blas32.General{Rows: n, Cols: n, Stride: n, Data: toF32(a)}
	y := blas32.General{Rows: n, Cols: n, Stride: n, Data: toF32(b)}
	z := blas32.General{Rows: n, Cols: n, Stride: n, Data: make([]float32, n*n)}
	return Prepared{
		Run: func() error {
			blas32.Gemm(blas.NoTrans, blas.Trans, 1, x, y, 0, z)
			return nil
		},
		Check: func() error {
			bad, first := 0, ""
			for _, p := range samples(n, n, gemmSamples) {
				i, j := p[0], p[1]
				var want, abs float64
				for k := range n {
					v := float64(a[i*n+k]) * float64(b[j*n+k])
					want += v
					abs += math.Abs(v)
				}
				got := float64(z.Data[i*n+j])
				if math.Abs(got-want) > float64(n)*0x1p-24*abs {
					if bad == 0 {
						first = fmt.Sprintf("C[%d,%d] = %g, want %g", i, j, got, want)
					}
					bad++
				}
			}
			if bad > 0 {
				return fmt.Errorf("%w: %s (%d of %d sampled entries differ)", ErrCheck, first, bad, gemmSamples)
			}
			return nil
		},
		Release: func() {},
	}, nil
}
