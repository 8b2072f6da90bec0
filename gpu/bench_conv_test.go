package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// convBenchShapes are the benchmarked convolutions: LeNet-5's conv2
// (6 -> 16 channels, 5x5, 14x14 input, batch 64) and a ResNet 3x3
// 64 -> 64 convolution on 32x32 (batch 8, to keep the CPU runs short).
var convBenchShapes = []struct {
	name string
	s    convShape
}{
	{"lenet_conv2", convShape{N: 64, C: 6, H: 14, W: 14, K: 16, KH: 5, KW: 5, Stride: 1, Pad: 0, Groups: 1}},
	{"resnet_3x3_64", convShape{N: 8, C: 64, H: 32, W: 32, K: 64, KH: 3, KW: 3, Stride: 1, Pad: 1, Groups: 1}},
}

// BenchmarkConv2d times the integer conv2d (im2col + gemm_i8_nt + layout)
// forward, input-gradient and weight-gradient passes, and the direct
// float32 kernels, on each backend; one pass per submit, waiting for it.
// GOP/s counts 2·N·K·OH·OW·(C/G)·KH·KW operations (multiply and add) per
// pass, the same for all three.
func BenchmarkConv2d(b *testing.B) {
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		for _, bs := range convBenchShapes {
			s := bs.s
			oh, ow := s.out()
			ops := 2 * float64(s.N*s.K*oh*ow) * float64(s.C/s.Groups*s.KH*s.KW)
			rng := rand.New(rand.NewPCG(seed, 3))
			xs, ws, ys := s.xShape(), s.wShape(), s.yShape()
			x, err := d.UploadI8(xs, 0, randI8(rng, numElems(xs), "random"))
			check(b, err)
			w, err := d.UploadI8(ws, 0, randI8(rng, numElems(ws), "random"))
			check(b, err)
			dy, err := d.UploadI8(ys, 0, randI8(rng, numElems(ys), "random"))
			check(b, err)
			f := func(shape []int) *Tensor {
				v := make([]float32, numElems(shape))
				for i := range v {
					v[i] = float32(2*rng.Float64() - 1)
				}
				t, err := d.UploadF32(shape, 0, v)
				check(b, err)
				return t
			}
			xf, wf, dyf := f(xs), f(ws), f(ys)
			passes := []struct {
				name string
				run  func(r *Recorder) *Tensor
			}{
				{"fwd_i8", func(r *Recorder) *Tensor { return r.Conv2dI8(x, w, s.geom()) }},
				{"bwd_data_i8", func(r *Recorder) *Tensor { return r.Conv2dBwdData(dy, w, xs, s.geom()) }},
				{"bwd_weight_i8", func(r *Recorder) *Tensor { return r.Conv2dBwdWeight(dy, x, ws, s.geom()) }},
				{"fwd_f32", func(r *Recorder) *Tensor { return r.Conv2dF32(xf, wf, s.geom()) }},
				{"bwd_data_f32", func(r *Recorder) *Tensor { return r.Conv2dBwdDataF32(dyf, wf, xs, s.geom()) }},
				{"bwd_weight_f32", func(r *Recorder) *Tensor { return r.Conv2dBwdWeightF32(dyf, xf, ws, s.geom()) }},
			}
			for _, p := range passes {
				b.Run(fmt.Sprintf("backend=%v/%s/%s", be, bs.name, p.name), func(b *testing.B) {
					pass := func() {
						r := d.Record()
						y := p.run(r)
						check(b, r.Submit())
						check(b, d.Wait())
						y.Release()
					}
					pass() // compiles the pipelines, fills the buffer pool
					for b.Loop() {
						pass()
					}
					b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
				})
			}
			for _, t := range []*Tensor{x, w, dy, xf, wf, dyf} {
				t.Release()
			}
		}
	}
}
