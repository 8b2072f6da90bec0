package gpu

import (
	"fmt"
	"testing"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// BenchmarkLayer times one dispatch (submitted and waited for) of the main
// layer kernels on each backend and reports GB/s of the buffers each
// reads and writes once: act_relu_q on 2^20 codes, maxpool2d_fwd and
// avgpool2d_fwd 2x2/2 on [64, 16, 32, 32] codes, optim_wageubn on 2^20
// masters, sum_i32_wide on 2^22 codes, softmax_xent_f32 on [256, 1000].
func BenchmarkLayer(b *testing.B) {
	for _, be := range []Backend{CPU, WebGPU} {
		var d *Device
		if be == CPU {
			d = openCPUDevice(b)
		} else if d = tryGPU(b); d == nil {
			b.Log("no WebGPU adapter: WebGPU not benchmarked")
			continue
		}
		buf := func(words int) *Tensor {
			t, err := d.Empty(U32, []int{words}, 0)
			check(b, err)
			r := d.Record()
			r.Fill(t, 0)
			check(b, r.Submit())
			return t
		}
		const n = 1 << 20
		pool := cpu.PoolParams{Planes: 64 * 16, H: 32, W: 32, OH: 16, OW: 16, KH: 2, KW: 2, SH: 2, SW: 2, T: 2}
		cases := []struct {
			name   string
			params any
			words  []int // per binding, outputs first
		}{
			{"act_relu_q", cpu.ActQParams{Rows: n / 1024, Cols: 1024, CW: 256, Shift: 7, Six: 1<<31 - 1}, []int{n / 4, n / 4, n}},
			{"maxpool2d_fwd", pool, []int{int(poolOutWords(pool)), int(poolOutElems(pool)), int(poolInWords(pool))}},
			{"avgpool2d_fwd", pool, []int{int(poolOutWords(pool)), int(poolInWords(pool))}},
			{"optim_wageubn", cpu.OptimParams{N: n, Cols: 1024, CW: 256, GI8: 1, LR: 26}, []int{n, n, n / 4}},
			{"sum_i32_wide", cpu.SumParams{Rows: 1, Cols: 4 * n, Chunks: 4 * n / cpu.SumChunk}, []int{2, 4 * n}},
			{"softmax_xent_f32", cpu.XentParams{N: 256, K: 1000}, []int{256, 256000, 256000, 256}},
		}
		for _, c := range cases {
			b.Run(fmt.Sprintf("backend=%v/kernel=%s", be, c.name), func(b *testing.B) {
				var ts []*Tensor
				bytes := 0
				for _, w := range c.words {
					ts = append(ts, buf(w))
					bytes += 4 * w
				}
				r := d.Record()
				b.ResetTimer()
				for b.Loop() {
					check(b, r.Run(c.name, c.params, ts...))
					check(b, r.Submit())
					check(b, d.Wait())
				}
				b.ReportMetric(float64(bytes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				for _, t := range ts {
					t.Release()
				}
			})
		}
	}
}
