package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// nn2Kernels: the integer AdderNet kernels of nn.Adder2d (shaders/nnadder.wgsl,
// gpu/cpu/nnadder.go) and E1 on float32 values (shaders/nnshift.wgsl,
// gpu/cpu/nnshift.go) and the exact sum of two scaled gradients
// (shaders/nngrad.wgsl, gpu/cpu/nngrad.go); wrappers in ops_nn2.go.
var nn2Kernels = []Kernel{
	{Name: "grad_add_i64", File: "nngrad.wgsl", Twin: cpu.GradAdd, Outputs: 2, ErrorWord: true,
		Words: words(func(p cpu.GradAddParams) []uint64 {
			n := uint64(p.N)
			return []uint64{2 * n, 1, (1 + uint64(p.AWide)) * n, (1 + uint64(p.BWide)) * n, 1, 1}
		}),
		Grid: grid1D(64, func(p cpu.GradAddParams) uint32 { return p.N })},
	{Name: "shift_f32_i8", File: "nnshift.wgsl", Twin: cpu.ShiftF32I8, Outputs: 2,
		Words: words(func(p cpu.ShiftParams) []uint64 { return []uint64{mul(p.Rows, p.KW), 1, mul(p.Rows, p.K), 1, 1} }),
		Grid:  grid1D(64, func(p cpu.ShiftParams) uint32 { return p.Rows * p.KW })},
	{Name: "adder2d_i32", File: "nnadder.wgsl", Twin: cpu.Adder2dI32, Outputs: 1,
		Words: words(func(p cpu.AdderI32Params) []uint64 {
			return []uint64{adderOutElems(p), adderInElems(p), adderWElems(p)}
		}),
		Grid: grid1D(64, func(p cpu.AdderI32Params) uint32 { return uint32(adderOutElems(p)) })},
	{Name: "adder2d_bwd_data_i32", File: "nnadder.wgsl", Twin: cpu.Adder2dBwdDataI32, Outputs: 1,
		Words: words(func(p cpu.AdderI32Params) []uint64 {
			return []uint64{2 * adderInElems(p), adderOutElems(p), adderInElems(p), adderWElems(p)}
		}),
		Grid: grid1D(64, func(p cpu.AdderI32Params) uint32 { return uint32(adderInElems(p)) })},
	{Name: "adder2d_bwd_weight_i32", File: "nnadder.wgsl", Twin: cpu.Adder2dBwdWeightI32, Outputs: 1,
		Words: words(func(p cpu.AdderI32Params) []uint64 {
			return []uint64{2 * adderWElems(p), adderOutElems(p), adderInElems(p), adderWElems(p)}
		}),
		Grid: grid1D(64, func(p cpu.AdderI32Params) uint32 { return uint32(adderWElems(p)) })},
}

func adderInElems(p cpu.AdderI32Params) uint64  { return mul(p.N, p.C) * mul(p.H, p.W) }
func adderOutElems(p cpu.AdderI32Params) uint64 { return mul(p.N, p.K) * mul(p.OH, p.OW) }
func adderWElems(p cpu.AdderI32Params) uint64   { return mul(p.K, p.CG) * mul(p.KH, p.KW) }
