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
		// run records the op on x (I32 codes) and f (the same as F32) and
		// returns every tensor it made, to be released after the run.
		run func(r *Recorder, x, f *Tensor) []*Tensor
	}
	withMax := func(q func(r *Recorder, x, m *Tensor) *Tensor) func(r *Recorder, x, f *Tensor) []*Tensor {
		return func(r *Recorder, x, _ *Tensor) []*Tensor { m := r.MaxAbs(x); return []*Tensor{m, q(r, x, m)} }
	}
	var log2t *Tensor // F32 [1], set per device
	ops := []op{
		{"rng_u32", func(n int) float64 { return 4 * float64(n) }, func(r *Recorder, x, _ *Tensor) []*Tensor { return []*Tensor{r.Rng(x.Len(), key)} }},
		{"quant_weight", func(n int) float64 { return 5 * float64(n) }, func(r *Recorder, x, _ *Tensor) []*Tensor { return []*Tensor{r.QuantWeight(x)} }},
		{"quant_shift", func(n int) float64 { return 9 * float64(n) }, withMax(func(r *Recorder, x, m *Tensor) *Tensor { return r.QuantShift(x, m) })},
		{"quant_flag", func(n int) float64 { return 10 * float64(n) }, withMax(func(r *Recorder, x, m *Tensor) *Tensor { return r.QuantFlag(x, m, 8) })},
		{"quant_const", func(n int) float64 { return 9 * float64(n) }, withMax(func(r *Recorder, x, m *Tensor) *Tensor { return r.QuantConst(x, m, 7, key) })},
		{"quant_decay", func(n int) float64 { return 16 * float64(n) }, func(r *Recorder, x, _ *Tensor) []*Tensor {
			return []*Tensor{r.QuantDecay(x, x, WeightDecay1e4)}
		}},
		{"tqt_qsigned_f32", func(n int) float64 { return 8 * float64(n) }, func(r *Recorder, _, f *Tensor) []*Tensor { return []*Tensor{r.QSigned(f, log2t, 8)} }},
		{"tqt_qsigned_bwd_f32+sum", func(n int) float64 { return 16 * float64(n) }, func(r *Recorder, _, f *Tensor) []*Tensor {
			gi, dl := r.QSignedBackward(f, f, log2t, 8)
			return []*Tensor{gi, dl, r.SumF32(dl)}
		}},
	}
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		var err error
		log2t, err = d.UploadF32([]int{1}, 0, []float32{-1.5})
		check(b, err)
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
					f, err := d.UploadF32([]int{n / 256, 256}, 0, convert(v, func(c int32) float32 { return float32(c) / (1 << 23) }))
					check(b, err)
					defer x.Release()
					defer f.Release()
					b.ResetTimer()
					for b.Loop() {
						r := d.Record()
						ys := o.run(r, x, f)
						check(b, r.Submit())
						check(b, d.Wait())
						b.StopTimer()
						for _, y := range ys {
							if y != nil {
								y.Release()
								y.Scale.Release()
							}
						}
						b.StartTimer()
					}
					b.ReportMetric(o.bytes(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
			}
		}
	}
}
