package gpu

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkAdderInt times the integer AdderNet passes (forward, input
// gradient, weight gradient) on LeNet-5's conv2 geometry, on each backend;
// one pass per submit, waiting for it. GOP/s counts 2·N·K·OH·OW·(C/G)·KH·KW
// operations (subtract and accumulate) per pass.
func BenchmarkAdderInt(b *testing.B) {
	s := convBenchShapes[0].s
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		oh, ow := s.out()
		ops := 2 * float64(s.N*s.K*oh*ow) * float64(s.C/s.Groups*s.KH*s.KW)
		rng := rand.New(rand.NewPCG(seed, 4))
		xv := make([]uint8, numElems(s.xShape()))
		for i := range xv {
			xv[i] = uint8(rng.IntN(256))
		}
		x, err := d.UploadU8(s.xShape(), -7, xv)
		check(b, err)
		w, err := d.UploadI8(s.wShape(), -7, randI8(rng, numElems(s.wShape()), "random"))
		check(b, err)
		dy, err := d.UploadI8(s.yShape(), -10, randI8(rng, numElems(s.yShape()), "random"))
		check(b, err)
		for _, pass := range []struct {
			name string
			run  func(r *Recorder) *Tensor
		}{
			{"fwd", func(r *Recorder) *Tensor { return r.Adder2dInt(x, w, s.geom()) }},
			{"bwd_data", func(r *Recorder) *Tensor { return r.Adder2dBwdDataInt(dy, x, w, s.geom()) }},
			{"bwd_weight", func(r *Recorder) *Tensor { return r.Adder2dBwdWeightInt(dy, x, w, s.geom()) }},
		} {
			b.Run(be.String()+"/"+pass.name, func(b *testing.B) {
				for b.Loop() {
					r := d.Record()
					y := pass.run(r)
					if err := r.Submit(); err != nil {
						b.Fatal(err)
					}
					check(b, d.Wait())
					y.Release()
				}
				b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
			})
		}
		x.Release()
		w.Release()
		dy.Release()
	}
}

// BenchmarkQuantShiftF32 times MaxAbsF32 and QuantShiftF32 (E1 of a float
// gradient) on a LeNet-sized activation gradient [64, 6, 28, 28], on each
// backend; GB/s counts the float32 bytes read once.
func BenchmarkQuantShiftF32(b *testing.B) {
	shape := []int{64, 6, 28, 28}
	n := numElems(shape)
	rng := rand.New(rand.NewPCG(seed, 5))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * 1e-3)
	}
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		x, err := d.UploadF32(shape, 0, v)
		check(b, err)
		b.Run(be.String(), func(b *testing.B) {
			for b.Loop() {
				r := d.Record()
				m := r.MaxAbsF32(x)
				e := r.QuantShiftF32(x, m)
				if err := r.Submit(); err != nil {
					b.Fatal(err)
				}
				check(b, d.Wait())
				m.Release()
				e.Scale.Release()
				e.Release()
			}
			b.ReportMetric(4*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		x.Release()
	}
}

// BenchmarkAddGrad times AddGrad of I8 E1 codes and I64 input-gradient
// codes, both with a Scale, on a ResNet-sized activation [8, 64, 32, 32],
// on each backend; GB/s counts the bytes read and written (1 + 8 + 8 per
// element).
func BenchmarkAddGrad(b *testing.B) {
	shape := []int{8, 64, 32, 32}
	n := numElems(shape)
	rng := rand.New(rand.NewPCG(seed, 6))
	a8 := randI8(rng, n, "random")
	w := make([]int64, n)
	for i := range w {
		w[i] = int64(rng.IntN(1<<30)) - 1<<29
	}
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		at, err := d.UploadI8(shape, -10, a8)
		check(b, err)
		bt, err := d.UploadI64(shape, -40, w)
		check(b, err)
		sa, err := d.UploadI32([]int{1}, 0, []int32{-3})
		check(b, err)
		sb, err := d.UploadI32([]int{1}, 0, []int32{2})
		check(b, err)
		at.Scale, bt.Scale = sa, sb
		b.Run(be.String(), func(b *testing.B) {
			for b.Loop() {
				r := d.Record()
				y := r.AddGrad(at, bt)
				if err := r.Submit(); err != nil {
					b.Fatal(err)
				}
				check(b, d.Wait())
				y.Scale.Release()
				y.Release()
			}
			b.ReportMetric(17*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		for _, t := range []*Tensor{at, bt, sa, sb} {
			t.Release()
		}
	}
}
