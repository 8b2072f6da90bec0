package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// nn1Kernels: the per-channel bias of conv2d and linear layers (bias.wgsl,
// gpu/cpu/bias.go), integer and float32.
var nn1Kernels = []Kernel{
	{Name: "bias_add", File: "bias.wgsl", Twin: cpu.BiasAdd, Outputs: 1, ErrorWord: true,
		Check: checkParams(func(p cpu.BiasParams) bool {
			return p.S > 0 && p.Shift >= -31 && p.Shift <= 31 && p.Wide <= 1 && biasElems(p.N, p.C, p.S) < 1<<32
		}, "want S > 0, shift in -31..31, wide 0 or 1 and N·C·S < 2^32"),
		Words: words(func(p cpu.BiasParams) []uint64 {
			n := biasElems(p.N, p.C, p.S) * uint64(1+p.Wide)
			return []uint64{n, n, uint64(p.C)}
		}),
		Grid: grid1D(64, func(p cpu.BiasParams) uint32 { return uint32(min(biasElems(p.N, p.C, p.S), 1<<32-1)) })},
	{Name: "bias_grad", File: "bias.wgsl", Twin: cpu.BiasGrad, Outputs: 1,
		Check: checkParams(func(p cpu.BiasGradParams) bool {
			n := biasElems(p.N, p.C, p.S)
			return p.S > 0 && p.I16 <= 1 && n < 1<<32 && uint64(p.C)*cpu.BiasGroup < 1<<32 && p.Cols > 0 && n%uint64(p.Cols) == 0
		}, "want S > 0, i16 0 or 1, N·C·S < 2^32 and Cols dividing it"),
		Words: words(func(p cpu.BiasGradParams) []uint64 {
			g := biasElems(p.N, p.C, p.S)
			if p.I16 != 0 && p.Cols > 0 {
				g = g / uint64(p.Cols) * uint64((p.Cols+1)/2)
			}
			return []uint64{2 * uint64(p.C), g}
		}),
		Grid: grid1D(cpu.BiasGroup, func(p cpu.BiasGradParams) uint32 { return p.C * cpu.BiasGroup })},
	{Name: "bias_add_f32", File: "bias.wgsl", Twin: cpu.BiasAddF32, Outputs: 1,
		Check: checkParams(func(p cpu.BiasF32Params) bool { return p.S > 0 && biasElems(p.N, p.C, p.S) < 1<<32 },
			"want S > 0 and N·C·S < 2^32"),
		Words: words(func(p cpu.BiasF32Params) []uint64 {
			n := biasElems(p.N, p.C, p.S)
			return []uint64{n, n, uint64(p.C)}
		}),
		Grid: grid1D(64, func(p cpu.BiasF32Params) uint32 { return uint32(min(biasElems(p.N, p.C, p.S), 1<<32-1)) })},
	{Name: "bias_grad_f32", File: "bias.wgsl", Twin: cpu.BiasGradF32, Outputs: 1,
		Check: checkParams(func(p cpu.BiasF32Params) bool {
			return p.S > 0 && biasElems(p.N, p.C, p.S) < 1<<32 && uint64(p.C)*cpu.BiasGroup < 1<<32
		}, "want S > 0 and N·C·S < 2^32"),
		Words: words(func(p cpu.BiasF32Params) []uint64 { return []uint64{uint64(p.C), biasElems(p.N, p.C, p.S)} }),
		Grid:  grid1D(cpu.BiasGroup, func(p cpu.BiasF32Params) uint32 { return p.C * cpu.BiasGroup })},
}

// biasElems is N·C·S, saturating at 2^62.
func biasElems(n, c, s uint32) uint64 {
	nc := mul(n, c)
	if nc >= 1<<32 && s > 0 {
		return 1 << 62
	}
	return nc * uint64(s)
}
