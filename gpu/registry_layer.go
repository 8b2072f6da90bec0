package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// layerKernels: activations, pools, loss and the optimizer update, and the
// reductions for calibration and metrics.
var layerKernels = []Kernel{
	// act.wgsl — gpu/cpu/act.go
	{Name: "act_relu_q", File: "act.wgsl", Twin: cpu.ActReluQ, Outputs: 2,
		Words: actQWords, Grid: grid1D(64, func(p cpu.ActQParams) uint32 { return p.Rows * p.CW })},
	{Name: "act_relu6_q", File: "act.wgsl", Twin: cpu.ActRelu6Q, Outputs: 2,
		Words: actQWords, Grid: grid1D(64, func(p cpu.ActQParams) uint32 { return p.Rows * p.CW })},
	{Name: "act_bwd", File: "act.wgsl", Twin: cpu.ActBwd, Outputs: 1,
		Words: words(func(p cpu.ActBwdParams) []uint64 {
			n := mul(p.Rows, p.Cols)
			if p.I8 != 0 {
				n = mul(p.Rows, p.CW)
			}
			return []uint64{n, n, mul(p.Rows, p.CW)}
		}),
		Grid: grid1D(64, func(p cpu.ActBwdParams) uint32 {
			if p.I8 != 0 {
				return p.Rows * p.CW
			}
			return p.Rows * p.Cols
		})},

	// pool.wgsl — gpu/cpu/pool.go
	{Name: "maxpool2d_fwd", File: "pool.wgsl", Twin: cpu.Maxpool2dFwd, Outputs: 2, Check: poolCheck,
		Words: words(func(p cpu.PoolParams) []uint64 { return []uint64{poolOutWords(p), poolOutElems(p), poolInWords(p)} }),
		Grid:  grid1D(64, func(p cpu.PoolParams) uint32 { return uint32(min(poolOutWords(p), 1<<32-1)) })},
	{Name: "maxpool2d_bwd", File: "pool.wgsl", Twin: cpu.Maxpool2dBwd, Outputs: 1, ErrorWord: true, Check: poolCheck,
		Words: words(func(p cpu.PoolParams) []uint64 { return []uint64{poolInElems(p), poolDeltaWords(p), poolOutElems(p)} }),
		Grid:  grid1D(64, func(p cpu.PoolParams) uint32 { return uint32(min(poolInElems(p), 1<<32-1)) })},
	{Name: "avgpool2d_fwd", File: "pool.wgsl", Twin: cpu.Avgpool2dFwd, Outputs: 1, Check: poolCheck,
		Words: words(func(p cpu.PoolParams) []uint64 { return []uint64{poolOutWords(p), poolInWords(p)} }),
		Grid:  grid1D(64, func(p cpu.PoolParams) uint32 { return uint32(min(poolOutWords(p), 1<<32-1)) })},
	{Name: "avgpool2d_bwd", File: "pool.wgsl", Twin: cpu.Avgpool2dBwd, Outputs: 1, ErrorWord: true, Check: poolCheck,
		Words: words(func(p cpu.PoolParams) []uint64 { return []uint64{poolInElems(p), poolDeltaWords(p)} }),
		Grid:  grid1D(64, func(p cpu.PoolParams) uint32 { return uint32(min(poolInElems(p), 1<<32-1)) })},
}

// Pool buffer sizes: U8 tensors pad each row (of W or OW) to whole words.
func poolOutWords(p cpu.PoolParams) uint64 { return mul(p.Planes, p.OH) * uint64((p.OW+3)/4) }
func poolOutElems(p cpu.PoolParams) uint64 { return mul(p.Planes, p.OH) * uint64(p.OW) }
func poolInWords(p cpu.PoolParams) uint64  { return mul(p.Planes, p.H) * uint64((p.W+3)/4) }
func poolInElems(p cpu.PoolParams) uint64  { return mul(p.Planes, p.H) * uint64(p.W) }
func poolDeltaWords(p cpu.PoolParams) uint64 {
	if p.DI8 != 0 {
		return poolOutWords(p)
	}
	return poolOutElems(p)
}

// poolCheck keeps the pool params away from divisions by zero and from
// shifts the kernels do not define: windows and strides of at least 1, a
// window of at most 2^24 positions (so the U8 window sum fits uint32), and
// T = ceil(log2(KH·KW)) (avgpool2d_bwd).
var poolCheck = checkParams(func(p cpu.PoolParams) bool {
	d := mul(p.KH, p.KW)
	return p.KH > 0 && p.KW > 0 && p.SH > 0 && p.SW > 0 && d <= 1<<24 && p.T == ceilLog2(uint32(d))
}, "want KH, KW, SH, SW >= 1, KH·KW <= 2^24 and T = ceil(log2(KH·KW))")

// ceilLog2 returns ceil(log2 d) for d >= 1 (0 for d <= 1).
func ceilLog2(d uint32) uint32 {
	t := uint32(0)
	for uint64(1)<<t < uint64(d) {
		t++
	}
	return t
}

// actQWords: a and mask are Rows·CW words, y is Rows·Cols.
var actQWords = words(func(p cpu.ActQParams) []uint64 {
	return []uint64{mul(p.Rows, p.CW), mul(p.Rows, p.CW), mul(p.Rows, p.Cols)}
})
