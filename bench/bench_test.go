package bench

import (
	"errors"
	"testing"

	"github.com/wageubn/wageubn/gpu"
)

// benchSizes are the sizes n of BenchmarkCases (GEMM n³, quant n×n, conv
// one (n/8)² image of 64 channels).
var benchSizes = []int{64, 256, 512}

// openDevices opens the CPU backend and, when an adapter exists, WebGPU.
func openDevices(tb testing.TB) []*gpu.Device {
	tb.Helper()
	cpuDev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cpuDev.Close() })
	devs := []*gpu.Device{cpuDev}
	wg, err := gpu.Open(gpu.Options{Backend: gpu.WebGPU})
	switch {
	case errors.Is(err, gpu.ErrNoAdapter):
		tb.Logf("no WebGPU adapter: WebGPU cases left out (%v)", err)
	case err != nil:
		tb.Fatal(err)
	default:
		tb.Cleanup(func() { wg.Close() })
		tb.Logf("%v", wg.Info())
		devs = append(devs, wg)
	}
	return devs
}

// BenchmarkCases runs every case of the table (every family, every backend
// that opens, every size of benchSizes) as kernel/backend/n=size, checks
// its result once after an untimed run, and reports GOP/s, GB/s and, where
// a ceiling is configured (DevMachine), the fraction of it. Compare the
// int8 rows with sgemm_gonum of the same size, measured in the same run.
func BenchmarkCases(b *testing.B) {
	specs, err := Lookup(nil)
	if err != nil {
		b.Fatal(err)
	}
	cases, err := Expand(specs, openDevices(b), benchSizes, DevMachine)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		b.Run(c.Name(), func(b *testing.B) {
			p, err := c.Setup(c.Dev, c.Size)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Release()
			if err := p.Run(); err != nil {
				b.Fatal(err)
			}
			if p.Check != nil {
				if err := p.Check(); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if err := p.Run(); err != nil {
					b.Fatal(err)
				}
			}
			s := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(c.Ops(c.Size)/s/1e9, "GOP/s")
			b.ReportMetric(c.Bytes(c.Size)/s/1e9, "GB/s")
			if c.PeakValue > 0 {
				v := c.Ops(c.Size) / s / 1e9
				if c.Bound == Memory {
					v = c.Bytes(c.Size) / s / 1e9
				}
				b.ReportMetric(v/c.PeakValue, "peak-fraction")
			}
		})
	}
}
