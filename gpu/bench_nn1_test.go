package gpu

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkBias times bias_add (I32) and bias_grad (I16) on a ResNet-sized
// conv output [8, 64, 32, 32] on each backend, one pass per submit;
// GB/s counts the bytes read and written.
func BenchmarkBias(b *testing.B) {
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		shape := []int{8, 64, 32, 32}
		n := numElems(shape)
		rng := rand.New(rand.NewPCG(seed, 4))
		z32 := make([]int32, n)
		g16 := make([]int16, n)
		for i := range z32 {
			z32[i] = int32(rng.Uint32() >> 8)
			g16[i] = int16(rng.Uint32())
		}
		z, err := d.UploadI32(shape, -15, z32)
		check(b, err)
		g, err := d.UploadI16(shape, -20, g16)
		check(b, err)
		bias, err := d.UploadI32([]int{64}, -23, z32[:64])
		check(b, err)
		for _, c := range []struct {
			name  string
			bytes float64
			run   func(r *Recorder) *Tensor
		}{
			{"add_i32", 8 * float64(n), func(r *Recorder) *Tensor { return r.BiasAdd(z, bias) }},
			{"grad_i16", 2 * float64(n), func(r *Recorder) *Tensor { return r.BiasGrad(g) }},
		} {
			b.Run(be.String()+"/"+c.name, func(b *testing.B) {
				for b.Loop() {
					r := d.Record()
					y := c.run(r)
					check(b, r.Submit())
					check(b, d.Wait())
					y.Release()
				}
				b.ReportMetric(c.bytes*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
		z.Release()
		g.Release()
		bias.Release()
	}
}
