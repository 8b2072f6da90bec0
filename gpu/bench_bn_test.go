package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// bnBenchShapes are the NCHW shapes benchmarked: a CIFAR-sized conv output
// and a LeNet-sized one.
var bnBenchShapes = [][4]int{{32, 64, 8, 8}, {64, 16, 10, 10}}

// BenchmarkBN times the BN forward (BNStats + BNForward: z read three
// times, x̂ and y written) and backward (BNBackward: δy and x̂ read twice,
// δz written as I64) on each backend, one submit per iteration, waiting for
// it, and reports GB/s of that traffic.
func BenchmarkBN(b *testing.B) {
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		for _, s := range bnBenchShapes {
			shape := s[:]
			total := s[0] * s[1] * s[2] * s[3]
			rng := rand.New(rand.NewPCG(seed, uint64(total)))
			z, dy := make([]int32, total), make([]int32, total)
			for i := range z {
				z[i], dy[i] = int32(rng.IntN(1<<16)-1<<15), int32(rng.IntN(255)-127)
			}
			g8 := make([]int32, s[1])
			for i := range g8 {
				g8[i] = 128
			}
			zt, err := d.UploadI32(shape, -14, z)
			check(b, err)
			dyt, err := d.UploadI32(shape, -20, dy)
			check(b, err)
			gt, err := d.UploadI32([]int{s[1]}, -7, g8)
			check(b, err)
			bt, err := d.UploadI32([]int{s[1]}, -7, make([]int32, s[1]))
			check(b, err)
			b.Run(fmt.Sprintf("backend=%v/op=fwd/shape=%v", be, s), func(b *testing.B) {
				for b.Loop() {
					r := d.Record()
					mu, sigma, mean, variance := r.BNStats(zt)
					xhat, y := r.BNForward(zt, mu, sigma, gt, bt)
					check(b, r.Submit())
					check(b, d.Wait())
					for _, t := range []*Tensor{mu, sigma, mean, variance, xhat, y} {
						t.Release()
					}
				}
				b.ReportMetric(float64(5*4*total)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
			r := d.Record()
			mu, sigma, _, _ := r.BNStats(zt)
			xhat, _ := r.BNForward(zt, mu, sigma, gt, bt)
			check(b, r.Submit())
			b.Run(fmt.Sprintf("backend=%v/op=bwd/shape=%v", be, s), func(b *testing.B) {
				for b.Loop() {
					r := d.Record()
					g := r.BNBackward(dyt, xhat, gt, sigma)
					check(b, r.Submit())
					check(b, d.Wait())
					g.Release()
				}
				b.ReportMetric(float64(6*4*total)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
