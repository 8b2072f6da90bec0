package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// floatKernels: float32 kernels for layers a recipe keeps in float (recipes
// float, wageubn's first and last layers, pytorch's fake-quantized layers).
var floatKernels = []Kernel{
	// float.wgsl — gpu/cpu/float.go
	{Name: "relu_f32", File: "float.wgsl", Twin: cpu.ReluF32, Outputs: 2,
		Words: eltWords(3), Grid: eltGrid},
	{Name: "relu6_f32", File: "float.wgsl", Twin: cpu.Relu6F32, Outputs: 2,
		Words: eltWords(3), Grid: eltGrid},
	{Name: "relu_bwd_f32", File: "float.wgsl", Twin: cpu.ReluBwdF32, Outputs: 1,
		Words: eltWords(3), Grid: eltGrid},
	{Name: "add_f32", File: "float.wgsl", Twin: cpu.AddF32, Outputs: 1,
		Words: eltWords(3), Grid: eltGrid},
	{Name: "quant_direct_f32", File: "float.wgsl", Twin: cpu.QuantDirectF32, Outputs: 1,
		Words: quantF32Words, Grid: quantF32Grid},
	{Name: "quant_alldirect_f32", File: "float.wgsl", Twin: cpu.QuantAllDirectF32, Outputs: 1,
		Words: quantF32Words, Grid: quantF32Grid},
}

// eltWords: nbuf buffers of N words each.
func eltWords(nbuf int) func(any) []int {
	return words(func(p cpu.F32EltParams) []uint64 {
		w := make([]uint64, nbuf)
		for i := range w {
			w[i] = uint64(p.N)
		}
		return w
	})
}

var (
	eltGrid       = grid1D(64, func(p cpu.F32EltParams) uint32 { return p.N })
	quantF32Words = words(func(p cpu.F32QuantParams) []uint64 { return []uint64{uint64(p.N), uint64(p.N)} })
	quantF32Grid  = grid1D(64, func(p cpu.F32QuantParams) uint32 { return p.N })
)
