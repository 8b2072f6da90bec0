package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Benchmarks of the gemm_ext.wgsl variants through their wrappers (one
// product per submit, waiting for it), n = M = N = K, GOP/s = 2·n³ / time.
// Run them with BenchmarkGemmExtGonum, the float32 bar measured in the same
// run (design.md "Performance"):
//
//	go test -run '^$' -bench 'Gemm(U8I8|I16I8|F32|Tiled|ExtGonum)' -benchtime 3x ./gpu/

// gemmExtBenchSizes are the square sizes benchmarked.
var gemmExtBenchSizes = []int{256, 512, 1024}

// benchGemm runs one wrapper at every size on every backend; setup uploads
// the operands of size n and returns the product to record.
func benchGemm(b *testing.B, setup func(b *testing.B, d *Device, rng *rand.Rand, n int) func(r *Recorder) *Tensor) {
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		for _, n := range gemmExtBenchSizes {
			b.Run(fmt.Sprintf("backend=%v/n=%d", be, n), func(b *testing.B) {
				f := setup(b, d, rand.New(rand.NewPCG(seed, uint64(n))), n)
				r := d.Record()
				c := f(r) // compiles the pipelines outside the timing
				check(b, r.Submit())
				check(b, d.Wait())
				c.Release()
				b.ResetTimer()
				for b.Loop() {
					c := f(r)
					check(b, r.Submit())
					check(b, d.Wait())
					c.Release()
				}
				b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
			})
		}
	}
}

func uploadI8(b testing.TB, d *Device, rng *rand.Rand, n int) *Tensor {
	t, err := d.UploadI8([]int{n, n}, 0, randI8(rng, n*n, "random"))
	check(b, err)
	return t
}

// BenchmarkGemmU8I8 times GemmU8I8NT (gemm_u8i8_nt_k16 at these sizes).
func BenchmarkGemmU8I8(b *testing.B) {
	benchGemm(b, func(b *testing.B, d *Device, rng *rand.Rand, n int) func(*Recorder) *Tensor {
		a, err := d.UploadU8([]int{n, n}, 0, randU8(rng, n*n))
		check(b, err)
		w := uploadI8(b, d, rng, n)
		return func(r *Recorder) *Tensor { return r.GemmU8I8NT(a, w) }
	})
}

// BenchmarkGemmI16I8 times GemmI16I8NT: pack_i16_split and gemm_i16i8_nt
// (two int8 products sharing the B loads, int64 output).
func BenchmarkGemmI16I8(b *testing.B) {
	benchGemm(b, func(b *testing.B, d *Device, rng *rand.Rand, n int) func(*Recorder) *Tensor {
		v := make([]int16, n*n)
		for i := range v {
			v[i] = int16(rng.Uint32())
		}
		a, err := d.UploadI16([]int{n, n}, 0, v)
		check(b, err)
		w := uploadI8(b, d, rng, n)
		return func(r *Recorder) *Tensor { return r.GemmI16I8NT(a, w) }
	})
}

// BenchmarkGemmWide times GemmI8NTWide (gemm_i8_nt_wide, int64 output).
func BenchmarkGemmWide(b *testing.B) {
	benchGemm(b, func(b *testing.B, d *Device, rng *rand.Rand, n int) func(*Recorder) *Tensor {
		x, y := uploadI8(b, d, rng, n), uploadI8(b, d, rng, n)
		return func(r *Recorder) *Tensor { return r.GemmI8NTWide(x, y) }
	})
}

// BenchmarkGemmF32 times GemmF32NT (gemm_f32_nt_k4 at these sizes).
func BenchmarkGemmF32(b *testing.B) {
	benchGemm(b, func(b *testing.B, d *Device, rng *rand.Rand, n int) func(*Recorder) *Tensor {
		mk := func() *Tensor {
			v := make([]float32, n*n)
			for i := range v {
				v[i] = float32(rng.Float64()*2 - 1)
			}
			t, err := d.UploadF32([]int{n, n}, 0, v)
			check(b, err)
			return t
		}
		x, y := mk(), mk()
		return func(r *Recorder) *Tensor { return r.GemmF32NT(x, y) }
	})
}

// BenchmarkGemmTiled times gemm_i8_nt_tiled through Run whatever the adapter
// (GemmI8NT picks it only on real GPUs); the CPU backend runs its twin,
// cpu.GemmI8NT.
func BenchmarkGemmTiled(b *testing.B) {
	benchGemm(b, func(b *testing.B, d *Device, rng *rand.Rand, n int) func(*Recorder) *Tensor {
		x, y := uploadI8(b, d, rng, n), uploadI8(b, d, rng, n)
		p, shapes, _ := d.Record().gemmArgs("gemm_i8_nt_tiled", x, I8, y, I8)
		return func(r *Recorder) *Tensor { return r.gemmRun("gemm_i8_nt_tiled", shapes, p, I32, x, y) }
	})
}

// BenchmarkGemmExtGonum is gonum's blas32.Gemm (float32, C = A·Bᵀ) at the
// sizes above, in GFLOP/s: the bar of design.md.
func BenchmarkGemmExtGonum(b *testing.B) {
	for _, n := range gemmExtBenchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(seed, uint64(n)))
			mk := func() blas32.General {
				m := blas32.General{Rows: n, Cols: n, Stride: n, Data: make([]float32, n*n)}
				for i := range m.Data {
					m.Data[i] = float32(rng.Float64()*2 - 1)
				}
				return m
			}
			x, y, z := mk(), mk(), mk()
			for b.Loop() {
				blas32.Gemm(blas.NoTrans, blas.Trans, 1, x, y, 0, z)
			}
			b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
