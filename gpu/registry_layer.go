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

	// optim.wgsl — gpu/cpu/optim.go
	{Name: "optim_wageubn", File: "optim.wgsl", Twin: cpu.OptimWageubn, Outputs: 2, ErrorWord: true, Check: optimCheck,
		Words: words(func(p cpu.OptimParams) []uint64 { n := uint64(p.N); return []uint64{n, n, optimGWords(p)} }),
		Grid:  grid1D(64, func(p cpu.OptimParams) uint32 { return p.N })},
	{Name: "optim_wageubn_plus", File: "optim.wgsl", Twin: cpu.OptimWageubnPlus, Outputs: 2, ErrorWord: true, Check: optimCheck,
		Words: words(func(p cpu.OptimParams) []uint64 { n := uint64(p.N); return []uint64{n, n, optimGWords(p), 1} }),
		Grid:  grid1D(64, func(p cpu.OptimParams) uint32 { return p.N })},
	{Name: "optim_sgd_f32", File: "optim.wgsl", Twin: cpu.OptimSGDF32, Outputs: 2,
		Words: words(func(p cpu.SGDParams) []uint64 { n := uint64(p.N); return []uint64{n, n, n} }),
		Grid:  grid1D(64, func(p cpu.SGDParams) uint32 { return p.N })},
	{Name: "optim_adam_f32", File: "optim.wgsl", Twin: cpu.OptimAdamF32, Outputs: 3,
		Words: words(func(p cpu.AdamParams) []uint64 { n := uint64(p.N); return []uint64{n, n, n, n} }),
		Grid:  grid1D(64, func(p cpu.AdamParams) uint32 { return p.N })},

	// loss.wgsl — gpu/cpu/loss.go
	{Name: "softmax_xent_f32", File: "loss.wgsl", Twin: cpu.SoftmaxXentF32, Outputs: 2,
		Words: words(func(p cpu.XentParams) []uint64 {
			return []uint64{uint64(p.N), mul(p.N, p.K), mul(p.N, p.K), uint64(p.N)}
		}),
		Grid: grid1D(64, func(p cpu.XentParams) uint32 { return p.N })},
	{Name: "xent_correct", File: "loss.wgsl", Twin: cpu.XentCorrect, Outputs: 2,
		Words: words(func(p cpu.XentParams) []uint64 { return []uint64{uint64(p.N), 1, mul(p.N, p.K), uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.XentParams) uint32 { return p.N })},

	// stats.wgsl — gpu/cpu/stats.go
	{Name: "sum_i32_wide", File: "stats.wgsl", Twin: cpu.SumI32Wide, Outputs: 1,
		Words: words(func(p cpu.SumParams) []uint64 { return []uint64{2 * uint64(p.Rows), mul(p.Rows, p.Cols)} }),
		Grid:  grid1D(64, func(p cpu.SumParams) uint32 { return uint32(min(mul(p.Rows, p.Chunks), 1<<32-1)) }),
		Check: checkParams(func(p cpu.SumParams) bool { return p.Chunks == ceilDiv(p.Cols, cpu.SumChunk) }, "want Chunks = ceil(Cols/256)")},
	{Name: "sumsq_i32_wide", File: "stats.wgsl", Twin: cpu.SumSqI32Wide, Outputs: 1, ErrorWord: true,
		Words: words(func(p cpu.SumSqParams) []uint64 { return []uint64{2 * uint64(p.Rows), mul(p.Rows, p.Cols)} }),
		Grid:  grid1D(64, func(p cpu.SumSqParams) uint32 { return uint32(min(mul(p.Rows, p.Chunks), 1<<32-1)) }),
		Check: checkParams(func(p cpu.SumSqParams) bool { return p.Chunks == ceilDiv(p.Cols, cpu.SumChunk) }, "want Chunks = ceil(Cols/256)")},
	{Name: "histogram_i32", File: "stats.wgsl", Twin: cpu.HistogramI32, Outputs: 1,
		Words: words(func(p cpu.HistParams) []uint64 { return []uint64{uint64(p.Bins), uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.HistParams) uint32 { return p.N }),
		Check: checkParams(func(p cpu.HistParams) bool { return p.Width > 0 && p.Bins > 0 }, "want Width and Bins >= 1")},
}

// optimGWords: an I8 G pads each row of Cols to CW words.
func optimGWords(p cpu.OptimParams) uint64 {
	if p.GI8 != 0 && p.Cols > 0 {
		return (uint64(p.N) + uint64(p.Cols) - 1) / uint64(p.Cols) * uint64(p.CW)
	}
	return uint64(p.N)
}

// optimCheck: rows of at least one element (no division by zero) and a
// static G exponent within ±4096 (so e_g cannot wrap).
var optimCheck = checkParams(func(p cpu.OptimParams) bool {
	return p.Cols > 0 && p.GExp >= -4096 && p.GExp <= 4096
}, "want Cols >= 1 and |GExp| <= 4096")

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
	return p.KH > 0 && p.KW > 0 && p.SH > 0 && p.SW > 0 && d <= 1<<24 && p.T == poolCeilLog2(uint32(d))
}, "want KH, KW, SH, SW >= 1, KH·KW <= 2^24 and T = ceil(log2(KH·KW))")

// poolCeilLog2 returns ceil(log2 d) for d >= 1 (0 for d <= 1).
func poolCeilLog2(d uint32) uint32 {
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
