package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// quantBenchSizes are the element counts the quantizers are timed at.
var quantBenchSizes = []int{1 << 16, 1 << 20}

// BenchmarkQuant times the quant family's typed wrappers (one Submit and a
// Wait per iteration, the max|x| reduction included where the quantizer
// needs one) on each backend and reports GB/s of input read plus output
// written.
func BenchmarkQuant(b *testing.B) {
	key := quant.RNGKey{Seed: 1, Step: 2, Tensor: 3}
	type op struct {
		name  string
		bytes func(n int) float64
		run   func(r *Recorder, x *Tensor) *Tensor
	}
	ops := []op{
		{"rng_u32", func(n int) float64 { return 4 * float64(n) }, func(r *Recorder, x *Tensor) *Tensor { return r.Rng(x.Len(), key) }},
		{"quant_weight", func(n int) float64 { return 5 * float64(n) }, func(r *Recorder, x *Tensor) *Tensor { return r.QuantWeight(x) }},
		{"quant_shift", func(n int) float64 { return 9 * float64(n) }, func(r *Recorder, x *Tensor) *Tensor { return r.QuantShift(x, r.MaxAbs(x)) }},
		{"quant_flag", func(n int) float64 { return 10 * float64(n) }, func(r *Recorder, x *Tensor) *Tensor { return r.QuantFlag(x, r.MaxAbs(x), 8) }},
		{"quant_const", func(n int) float64 { return 9 * float64(n) }, func(r *Recorder, x *Tensor) *Tensor { return r.QuantConst(x, r.MaxAbs(x), 7, key) }},
	}
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		for _, o := range ops {
			for _, n := range quantBenchSizes {
				b.Run(fmt.Sprintf("backend=%v/kernel=%s/n=%d", be, o.name, n), func(b *testing.B) {
					rng := rand.New(rand.NewPCG(seed, uint64(n)))
					v := make([]int32, n)
					for i := range v {
						v[i] = rng.Int32N(1<<24) - 1<<23
					}
					x, err := d.UploadI32([]int{n / 256, 256}, -23, v)
					check(b, err)
					var keep []*Tensor
					b.ResetTimer()
					for b.Loop() {
						r := d.Record()
						y := o.run(r, x)
						check(b, r.Submit())
						check(b, d.Wait())
						keep = append(keep, y)
					}
					b.StopTimer()
					for _, y := range keep {
						y.Release()
					}
					b.ReportMetric(o.bytes(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
			}
		}
	}
}
