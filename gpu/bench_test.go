package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// gemmBenchSizes are the square GEMM sizes n (M = N = K = n) benchmarked.
var gemmBenchSizes = []int{64, 256, 512}

// BenchmarkGemmI8 times gemm_i8_nt and its variant gemm_i8_nt_k16 (one
// dispatch per submit, waiting for it) on each backend and reports GOP/s =
// 2·n³ / time; both share one Go twin, timed once. For comparison, gonum's
// Sgemm reached 17.7 / 28.7 GFLOP/s at n = 256 / 512 on the development
// machine (shared/notes.md).
func BenchmarkGemmI8(b *testing.B) {
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		for _, kernel := range []string{"gemm_i8_nt", "gemm_i8_nt_k16"} {
			if be == CPU && kernel != "gemm_i8_nt" {
				continue
			}
			for _, n := range gemmBenchSizes {
				b.Run(fmt.Sprintf("backend=%v/kernel=%s/n=%d", be, kernel, n), func(b *testing.B) {
					rng := rand.New(rand.NewPCG(seed, uint64(n)))
					a8, b8 := make([]int8, n*n), make([]int8, n*n)
					for i := range a8 {
						a8[i], b8[i] = int8(rng.IntN(256)-128), int8(rng.IntN(256)-128)
					}
					at, err := d.UploadI8([]int{n, n}, 0, a8)
					check(b, err)
					bt, err := d.UploadI8([]int{n, n}, 0, b8)
					check(b, err)
					ct, err := d.Empty(I32, []int{n, n}, 0)
					check(b, err)
					p := cpu.GemmParams{M: uint32(n), N: uint32(n), KW: uint32(n / 4)}
					r := d.Record()
					b.ResetTimer()
					for b.Loop() {
						if err := r.Run(kernel, p, ct, at, bt); err != nil {
							b.Fatal(err)
						}
						check(b, r.Submit())
						check(b, d.Wait())
					}
					b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
				})
			}
		}
	}
}
