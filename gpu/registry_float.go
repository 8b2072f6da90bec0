package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// floatKernels: float32 kernels for layers a recipe keeps in float (recipes
// float, wageubn's first and last layers, pytorch's fake-quantized layers).
var floatKernels = []Kernel{
	// float.wgsl — gpu/cpu/float.go
	{Name: "relu_f32", File: "float.wgsl", Twin: cpu.ReluF32, Outputs: 2,
		Words: floatEltWords(3), Grid: floatEltGrid},
	{Name: "relu6_f32", File: "float.wgsl", Twin: cpu.Relu6F32, Outputs: 2,
		Words: floatEltWords(3), Grid: floatEltGrid},
	{Name: "relu_bwd_f32", File: "float.wgsl", Twin: cpu.ReluBwdF32, Outputs: 1,
		Words: floatEltWords(3), Grid: floatEltGrid},
	{Name: "add_f32", File: "float.wgsl", Twin: cpu.AddF32, Outputs: 1,
		Words: floatEltWords(3), Grid: floatEltGrid},
	{Name: "quant_direct_f32", File: "float.wgsl", Twin: cpu.QuantDirectF32, Outputs: 1,
		Words: quantF32Words, Grid: quantF32Grid},
	{Name: "quant_alldirect_f32", File: "float.wgsl", Twin: cpu.QuantAllDirectF32, Outputs: 1,
		Words: quantF32Words, Grid: quantF32Grid},
	{Name: "bn_f32", File: "float.wgsl", Twin: cpu.BNF32, Outputs: 5,
		Words: words(func(p cpu.BNF32Params) []uint64 {
			t, c := bnF32Total(p), uint64(p.C)
			return []uint64{t, c, c, c, c, t, c, c}
		}),
		Grid: bnF32Grid},
	{Name: "bn_eval_f32", File: "float.wgsl", Twin: cpu.BNEvalF32, Outputs: 1,
		Words: words(func(p cpu.BNF32Params) []uint64 {
			t, c := bnF32Total(p), uint64(p.C)
			return []uint64{t, t, c, c, c, c}
		}),
		Grid: grid1D(64, func(p cpu.BNF32Params) uint32 { return uint32(min(bnF32Total(p), 1<<32-1)) })},
	{Name: "bn_bwd_f32", File: "float.wgsl", Twin: cpu.BNBwdF32, Outputs: 3,
		Words: words(func(p cpu.BNF32Params) []uint64 {
			t, c := bnF32Total(p), uint64(p.C)
			return []uint64{t, c, c, t, t, c, c, c}
		}),
		Grid: bnF32Grid},
	{Name: "maxpool2d_f32", File: "float.wgsl", Twin: cpu.MaxPool2dF32, Outputs: 2,
		Words: words(func(p cpu.PoolF32Params) []uint64 { o, i := poolF32Sizes(p); return []uint64{o, o, i} }),
		Grid:  poolF32OutGrid},
	{Name: "maxpool2d_bwd_f32", File: "float.wgsl", Twin: cpu.MaxPool2dBwdF32, Outputs: 1,
		Words: words(func(p cpu.PoolF32Params) []uint64 { o, i := poolF32Sizes(p); return []uint64{i, o, o} }),
		Grid:  poolF32InGrid},
	{Name: "avgpool2d_f32", File: "float.wgsl", Twin: cpu.AvgPool2dF32, Outputs: 1,
		Words: words(func(p cpu.PoolF32Params) []uint64 { o, i := poolF32Sizes(p); return []uint64{o, i} }),
		Grid:  poolF32OutGrid},
	{Name: "avgpool2d_bwd_f32", File: "float.wgsl", Twin: cpu.AvgPool2dBwdF32, Outputs: 1,
		Words: words(func(p cpu.PoolF32Params) []uint64 { o, i := poolF32Sizes(p); return []uint64{i, o} }),
		Grid:  poolF32InGrid},
	{Name: "adder2d_f32", File: "float.wgsl", Twin: cpu.Adder2dF32, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{mulSat(p.N, p.K, p.OH, p.OW), mulSat(p.N, p.C, p.H, p.W), mulSat(p.K, p.CG, p.KH, p.KW)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.N * p.K * p.OH * p.OW }),
		Check: checkConv(true, true)},
	{Name: "adder2d_bwd_data_f32", File: "float.wgsl", Twin: cpu.Adder2dBwdDataF32, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			nx := mulSat(p.N, p.C, p.H, p.W)
			return []uint64{nx, mulSat(p.N, p.K, p.OH, p.OW), nx, mulSat(p.K, p.CG, p.KH, p.KW)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.N * p.C * p.H * p.W }),
		Check: checkConv(true, true)},
	{Name: "adder2d_bwd_weight_f32", File: "float.wgsl", Twin: cpu.Adder2dBwdWeightF32, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			nw := mulSat(p.K, p.CG, p.KH, p.KW)
			return []uint64{nw, mulSat(p.N, p.K, p.OH, p.OW), mulSat(p.N, p.C, p.H, p.W), nw}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.K * p.CG * p.KH * p.KW }),
		Check: checkConv(true, true)},
	{Name: "adder_grad_scale_f32", File: "float.wgsl", Twin: cpu.AdderGradScaleF32, Outputs: 1,
		Words: words(func(p cpu.AdderScaleParams) []uint64 { return []uint64{uint64(p.N), uint64(p.N)} }),
		Grid:  grid1D(cpu.F32BNGroup, func(cpu.AdderScaleParams) uint32 { return cpu.F32BNGroup })},
}

// poolF32Sizes returns the words of y (N·C·OH·OW) and x (N·C·H·W).
func poolF32Sizes(p cpu.PoolF32Params) (out, in uint64) {
	nc := mul(p.N, p.C)
	return nc * mul(p.OH, p.OW), nc * mul(p.H, p.W)
}

var (
	poolF32OutGrid = grid1D(64, func(p cpu.PoolF32Params) uint32 { o, _ := poolF32Sizes(p); return uint32(min(o, 1<<32-1)) })
	poolF32InGrid  = grid1D(64, func(p cpu.PoolF32Params) uint32 { _, i := poolF32Sizes(p); return uint32(min(i, 1<<32-1)) })
)

// bnF32Total is N·C·HW.
func bnF32Total(p cpu.BNF32Params) uint64 { return mul(p.N, p.C) * uint64(p.HW) }

// bnF32Grid: one workgroup of cpu.F32BNGroup per channel.
var bnF32Grid = grid1D(cpu.F32BNGroup, func(p cpu.BNF32Params) uint32 { return p.C * cpu.F32BNGroup })

// floatEltWords: nbuf buffers of N words each.
func floatEltWords(nbuf int) func(any) []int {
	return words(func(p cpu.F32EltParams) []uint64 {
		w := make([]uint64, nbuf)
		for i := range w {
			w[i] = uint64(p.N)
		}
		return w
	})
}

var (
	floatEltGrid  = grid1D(64, func(p cpu.F32EltParams) uint32 { return p.N })
	quantF32Words = words(func(p cpu.F32QuantParams) []uint64 { return []uint64{uint64(p.N), uint64(p.N)} })
	quantF32Grid  = grid1D(64, func(p cpu.F32QuantParams) uint32 { return p.N })
)
