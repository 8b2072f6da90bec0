package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkFloat times the float32 layer kernels on each backend, one
// submit per iteration, waiting for it, on a CIFAR-sized activation
// [32, 64, 16, 16], and reports GB/s of the words each kernel reads and
// writes (adder: GOP/s, one op per |x - w| term).
func BenchmarkFloat(b *testing.B) {
	shape := []int{32, 64, 16, 16}
	total := 32 * 64 * 16 * 16
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		rng := rand.New(rand.NewPCG(seed, 8))
		vals := func(n int) []float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(2*rng.Float64() - 1)
			}
			return v
		}
		x, err := d.UploadF32(shape, 0, vals(total))
		check(b, err)
		defer x.Release()
		chans := func() *Tensor {
			t, err := d.UploadF32([]int{64}, 0, vals(64))
			check(b, err)
			return t
		}
		g, bb, rm, rv := chans(), chans(), chans(), chans()
		xa, err := d.UploadF32([]int{8, 16, 16, 16}, 0, vals(8*16*16*16))
		check(b, err)
		wa, err := d.UploadF32([]int{16, 16, 3, 3}, 0, vals(16*16*9))
		check(b, err)
		pool := Pool2d{KH: 2, KW: 2, SH: 2, SW: 2}
		for _, op := range []struct {
			name  string
			bytes float64 // per iteration; 0: ops instead
			ops   float64
			run   func(r *Recorder) []*Tensor
		}{
			{"relu", 12 * float64(total), 0, func(r *Recorder) []*Tensor { y, m := r.ReluF32(x); return []*Tensor{y, m} }},
			{"quant_alldirect", 8 * float64(total), 0, func(r *Recorder) []*Tensor { return []*Tensor{r.QuantAllDirectF32(x, 8, 8)} }},
			{"bn_train", 16 * float64(total), 0, func(r *Recorder) []*Tensor {
				y, m, v := r.BNF32(x, g, bb, rm, rv, 1e-5, 0.1)
				return []*Tensor{y, m, v}
			}},
			{"maxpool", 6 * float64(total), 0, func(r *Recorder) []*Tensor {
				y, a := r.Maxpool2dF32(x, pool)
				return []*Tensor{y, a}
			}},
			{"adder_fwd", 0, 2 * 8 * 16 * 16 * 16 * 16 * 9, func(r *Recorder) []*Tensor {
				return []*Tensor{r.Adder2dF32(xa, wa, ConvGeom{Stride: 1, Pad: 1, Groups: 1})}
			}},
		} {
			b.Run(fmt.Sprintf("backend=%v/op=%s", be, op.name), func(b *testing.B) {
				for b.Loop() {
					r := d.Record()
					outs := op.run(r)
					check(b, r.Submit())
					check(b, d.Wait())
					floatReleaseAll(outs)
				}
				if op.bytes > 0 {
					b.ReportMetric(op.bytes*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				} else {
					b.ReportMetric(op.ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
				}
			})
		}
	}
}
