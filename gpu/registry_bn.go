package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// bnKernels: batch norm forward and backward in integer arithmetic
// (shaders/bn.wgsl — gpu/cpu/bn.go; docs/dataflow.md "Forward 3." and
// "Backward 6."). The per-channel reductions (bn_stats, bn_bwd_reduce) run
// one workgroup of cpu.BNGroup threads per channel.
var bnKernels = []Kernel{
	{Name: "bn_stats", File: "bn.wgsl", Twin: cpu.BNStats, Outputs: 4, ErrorWord: true,
		Words: words(func(p cpu.BNStatsParams) []uint64 {
			c := uint64(p.C)
			return []uint64{c, c, 2 * c, 2 * c, mul(p.N, p.HW) * c}
		}),
		Grid:  grid1D(cpu.BNGroup, func(p cpu.BNStatsParams) uint32 { return p.C * cpu.BNGroup }),
		Check: checkParams(func(p cpu.BNStatsParams) bool { return bnCheckC(p.C) && p.Shift >= -31 && p.Shift <= 31 }, "need C <= 65535 and -31 <= Shift <= 31")},
	{Name: "bn_fwd", File: "bn.wgsl", Twin: cpu.BNFwd, Outputs: 2, ErrorWord: true,
		Words: words(func(p cpu.BNFwdParams) []uint64 {
			t, c := uint64(p.Total), uint64(p.C)
			return []uint64{t, t, t, c, c, c, c}
		}),
		Grid: grid1D(64, func(p cpu.BNFwdParams) uint32 { return p.Total }),
		Check: checkParams(func(p cpu.BNFwdParams) bool {
			return p.C > 0 && p.HW > 0 && p.Shift >= -31 && p.Shift <= 31
		}, "need C > 0, HW > 0 and -31 <= Shift <= 31")},
	{Name: "bn_running_update", File: "bn.wgsl", Twin: cpu.BNRunningUpdate, Outputs: 2, ErrorWord: true,
		Words: words(func(p cpu.BNRunningParams) []uint64 {
			c := 2 * uint64(p.C)
			return []uint64{c, c, c, c}
		}),
		Grid: grid1D(64, func(p cpu.BNRunningParams) uint32 { return p.C })},
	{Name: "bn_eval_stats", File: "bn.wgsl", Twin: cpu.BNEvalStats, Outputs: 2, ErrorWord: true,
		Words: words(func(p cpu.BNEvalParams) []uint64 {
			c := uint64(p.C)
			return []uint64{c, c, 2 * c, 2 * c}
		}),
		Grid: grid1D(64, func(p cpu.BNEvalParams) uint32 { return p.C })},
	{Name: "bn_bwd_reduce", File: "bn.wgsl", Twin: cpu.BNBwdReduce, Outputs: 1, ErrorWord: true,
		Words: words(func(p cpu.BNBwdReduceParams) []uint64 {
			t := mul(p.N, p.HW) * uint64(p.C)
			return []uint64{4 * uint64(p.C), bnDyWords(t, p.DyLast), t}
		}),
		Grid:  grid1D(cpu.BNGroup, func(p cpu.BNBwdReduceParams) uint32 { return p.C * cpu.BNGroup }),
		Check: checkParams(func(p cpu.BNBwdReduceParams) bool { return bnCheckC(p.C) }, "need C <= 65535")},
	{Name: "bn_bwd_grads", File: "bn.wgsl", Twin: cpu.BNBwdGrads, Outputs: 3, ErrorWord: true,
		Words: words(func(p cpu.BNBwdGradsParams) []uint64 {
			c := uint64(p.C)
			return []uint64{c, c, 2 * c, 4 * c, c, c, 1}
		}),
		Grid: grid1D(64, func(p cpu.BNBwdGradsParams) uint32 { return p.C })},
	{Name: "bn_bwd_dx", File: "bn.wgsl", Twin: cpu.BNBwdDx, Outputs: 1, ErrorWord: true,
		Words: words(func(p cpu.BNBwdDxParams) []uint64 {
			t, c := uint64(p.Total), uint64(p.C)
			return []uint64{2 * t, bnDyWords(t, p.DyLast), t, 4 * c, 2 * c}
		}),
		Grid:  grid1D(64, func(p cpu.BNBwdDxParams) uint32 { return p.Total }),
		Check: checkParams(func(p cpu.BNBwdDxParams) bool { return p.C > 0 && p.HW > 0 }, "need C > 0 and HW > 0")},
}

// bnCheckC: the per-channel reductions run one workgroup per channel, at
// most BNMaxChannels (so that the grid never spills into y).
func bnCheckC(c uint32) bool { return c <= BNMaxChannels }

// bnDyWords: the words of δy for t elements, int32 (last = 0) or int8
// packed along rows of last elements.
func bnDyWords(t uint64, last uint32) uint64 {
	if last == 0 {
		return t
	}
	l := uint64(last)
	return (t + l - 1) / l * ((l + 3) / 4)
}
