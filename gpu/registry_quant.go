package gpu

import (
	"reflect"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// quantKernels: quantizers on device tensors (quant.wgsl, lib_philox.wgsl).
var quantKernels = []Kernel{
	// quant.wgsl — gpu/cpu/quant.go
	{Name: "rng_u32", File: "quant.wgsl", Twin: cpu.RngU32, Outputs: 1,
		Words: words(func(p cpu.RngParams) []uint64 { return []uint64{uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.RngParams) uint32 { return p.N })},
	{Name: "rng_philox4x32", File: "quant.wgsl", Twin: cpu.RngPhilox4x32, Outputs: 1,
		Words: words(func(p cpu.PhiloxParams) []uint64 { return []uint64{mul(4, p.N), mul(6, p.N)} }),
		Grid:  grid1D(64, func(p cpu.PhiloxParams) uint32 { return p.N })},
	{Name: "max_abs_i64", File: "quant.wgsl", Twin: cpu.MaxAbsI64, Outputs: 1,
		Words: words(func(p cpu.MaxAbsI64Params) []uint64 { return []uint64{2, mul(2, p.N)} }),
		Grid:  grid1D(64, func(p cpu.MaxAbsI64Params) uint32 { return ceilDiv(p.N, cpu.QuantMaxChunk) })},
	{Name: "max_abs_f32", File: "quant.wgsl", Twin: cpu.MaxAbsF32, Outputs: 1,
		Words: words(func(p cpu.MaxAbsF32Params) []uint64 { return []uint64{1, uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.MaxAbsF32Params) uint32 { return ceilDiv(p.N, cpu.QuantMaxChunk) })},
	{Name: "quant_weight", File: "quant.wgsl", Twin: cpu.QuantWeight, Outputs: 1,
		Words: words(func(p cpu.WeightParams) []uint64 { return []uint64{mul(p.Rows, p.KW), mul(p.Rows, p.K)} }),
		Grid:  grid1D(64, func(p cpu.WeightParams) uint32 { return p.Rows * p.KW }),
		Check: checkParams(func(p cpu.WeightParams) bool { return p.Shift <= 31 }, "shift must be 0..31")},
	{Name: "quant_regrid_i32", File: "quant.wgsl", Twin: cpu.QuantRegridI32, Outputs: 1, ErrorWord: true,
		Words: words(func(p cpu.RegridParams) []uint64 { return []uint64{uint64(p.N), uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.RegridParams) uint32 { return p.N }),
		Check: checkParams(func(p cpu.RegridParams) bool { return p.Shift >= -31 && p.Shift <= 31 && p.Lo <= p.Hi },
			"shift must be -31..31 and lo <= hi")},
	{Name: "quant_regrid_i64", File: "quant.wgsl", Twin: cpu.QuantRegridI64, Outputs: 1, ErrorWord: true,
		Words: words(func(p cpu.RegridI64Params) []uint64 { return []uint64{uint64(p.N), 2 * uint64(p.N), 1} }),
		Grid:  grid1D(64, func(p cpu.RegridI64Params) uint32 { return p.N }),
		Check: checkParams(func(p cpu.RegridI64Params) bool { return p.Lo <= p.Hi }, "lo must be <= hi")},
	{Name: "quant_shift", File: "quant.wgsl", Twin: cpu.QuantShift, Outputs: 2,
		Words: shiftWords(1), Grid: grid1D(64, func(p cpu.ShiftParams) uint32 { return p.Rows * p.KW })},
	{Name: "quant_shift_i64", File: "quant.wgsl", Twin: cpu.QuantShiftI64, Outputs: 2,
		Words: shiftWords(2), Grid: grid1D(64, func(p cpu.ShiftParams) uint32 { return p.Rows * p.KW })},
	{Name: "quant_flag", File: "quant.wgsl", Twin: cpu.QuantFlag, Outputs: 2,
		Words: flagWords(1), Grid: grid1D(64, func(p cpu.FlagParams) uint32 { return p.Rows * p.KW }), Check: flagCheck},
	{Name: "quant_flag_i64", File: "quant.wgsl", Twin: cpu.QuantFlagI64, Outputs: 2,
		Words: flagWords(2), Grid: grid1D(64, func(p cpu.FlagParams) uint32 { return p.Rows * p.KW }), Check: flagCheck},
	{Name: "quant_flag_f32", File: "quant.wgsl", Twin: cpu.QuantFlagF32, Outputs: 2,
		Words: flagWords(1), Grid: grid1D(64, func(p cpu.FlagParams) uint32 { return p.Rows * p.KW }), Check: flagCheck},
	{Name: "quant_const", File: "quant.wgsl", Twin: cpu.QuantConst, Outputs: 1,
		Words: words(func(p cpu.ConstParams) []uint64 { return []uint64{mul(p.Rows, p.KW), mul(p.Rows, p.K), 1} }),
		Grid:  grid1D(64, func(p cpu.ConstParams) uint32 { return p.Rows * p.KW }), Check: constCheck},
	{Name: "quant_const_i64", File: "quant.wgsl", Twin: cpu.QuantConstI64, Outputs: 1,
		Words: words(func(p cpu.ConstParams) []uint64 { return []uint64{mul(p.Rows, p.KW), 2 * mul(p.Rows, p.K), 2} }),
		Grid:  grid1D(64, func(p cpu.ConstParams) uint32 { return p.Rows * p.KW }), Check: constCheck},
	{Name: "quant_const_mag", File: "quant.wgsl", Twin: cpu.QuantConstMag, Outputs: 2,
		Words: words(func(p cpu.ConstParams) []uint64 { return []uint64{mul(p.Rows, p.KW), 1, mul(p.Rows, p.K), 1, 1} }),
		Grid:  grid1D(64, func(p cpu.ConstParams) uint32 { return p.Rows * p.KW }), Check: constCheck},
	{Name: "quant_const_mag_i64", File: "quant.wgsl", Twin: cpu.QuantConstMagI64, Outputs: 2,
		Words: words(func(p cpu.ConstParams) []uint64 { return []uint64{mul(p.Rows, p.KW), 1, 2 * mul(p.Rows, p.K), 2, 1} }),
		Grid:  grid1D(64, func(p cpu.ConstParams) uint32 { return p.Rows * p.KW }), Check: constCheck},
	{Name: "quant_decay", File: "quant.wgsl", Twin: cpu.QuantDecay, Outputs: 2, ErrorWord: true,
		Words: decayWords(1), Grid: grid1D(64, func(p cpu.DecayParams) uint32 { return p.N })},
	{Name: "quant_decay_i64", File: "quant.wgsl", Twin: cpu.QuantDecayI64, Outputs: 2, ErrorWord: true,
		Words: decayWords(2), Grid: grid1D(64, func(p cpu.DecayParams) uint32 { return p.N })},
	{Name: "tqt_qsigned_f32", File: "quant.wgsl", Twin: cpu.TqtQSignedF32, Outputs: 1,
		Words: tqtWords(1), Grid: grid1D(64, func(p cpu.TqtParams) uint32 { return p.N }), Check: tqtCheck},
	{Name: "tqt_qunsigned_f32", File: "quant.wgsl", Twin: cpu.TqtQUnsignedF32, Outputs: 1,
		Words: tqtWords(1), Grid: grid1D(64, func(p cpu.TqtParams) uint32 { return p.N }), Check: tqtCheck},
	{Name: "tqt_qsigned_bwd_f32", File: "quant.wgsl", Twin: cpu.TqtQSignedBwdF32, Outputs: 2,
		Words: tqtWords(2), Grid: grid1D(64, func(p cpu.TqtParams) uint32 { return p.N }), Check: tqtCheck},
	{Name: "tqt_qunsigned_bwd_f32", File: "quant.wgsl", Twin: cpu.TqtQUnsignedBwdF32, Outputs: 2,
		Words: tqtWords(2), Grid: grid1D(64, func(p cpu.TqtParams) uint32 { return p.N }), Check: tqtCheck},
	{Name: "tqt_sum_f32", File: "quant.wgsl", Twin: cpu.TqtSumF32, Outputs: 1,
		Words: words(func(p cpu.TqtSumParams) []uint64 { return []uint64{1, uint64(p.N)} }),
		Grid:  Grid{WG: [3]uint32{64, 1, 1}, Size: func(any) [3]uint32 { return [3]uint32{64, 1, 1} }, params: reflect.TypeFor[cpu.TqtSumParams]()}},
}

// tqtWords: forward out, x, log2t; backward gradIn, dlog2t, x, gradOut,
// log2t.
func tqtWords(outs int) func(any) []int {
	return words(func(p cpu.TqtParams) []uint64 {
		n := uint64(p.N)
		if outs == 1 {
			return []uint64{n, n, 1}
		}
		return []uint64{n, n, n, n, 1}
	})
}

var tqtCheck = checkParams(func(p cpu.TqtParams) bool { return p.Bits >= 1 && p.Bits <= 24 }, "bits must be 1..24")

// decayWords: t out (I64), scale out, dW (wide words per element), W,
// input scale.
func decayWords(wide uint64) func(any) []int {
	return words(func(p cpu.DecayParams) []uint64 {
		n := uint64(p.N)
		return []uint64{2 * n, 1, wide * n, n, 1}
	})
}

// shiftWords: codes out, scale out, input (wide words per element), max
// (wide words), input scale.
func shiftWords(wide uint64) func(any) []int {
	return words(func(p cpu.ShiftParams) []uint64 {
		return []uint64{mul(p.Rows, p.KW), 1, wide * mul(p.Rows, p.K), wide, 1}
	})
}

// flagWords is shiftWords for the flag kernels.
func flagWords(wide uint64) func(any) []int {
	return words(func(p cpu.FlagParams) []uint64 {
		return []uint64{mul(p.Rows, p.KW), 1, wide * mul(p.Rows, p.K), wide, 1}
	})
}

var flagCheck = checkParams(func(p cpu.FlagParams) bool {
	return p.Bits >= 2 && p.Bits <= 16 && (p.Lanes == 1 || (p.Lanes == 2 && p.Bits <= 8))
}, "bits must be 2..16, lanes 1, or 2 for bits <= 8")

var constCheck = checkParams(func(p cpu.ConstParams) bool { return p.G >= 1 && p.G <= 7 }, "g must be 1..7")
