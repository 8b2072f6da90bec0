package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// lossIntKernels: the integer softmax cross-entropy (loss_int.wgsl), whose
// gradient is bit-identical on every backend.
var lossIntKernels = []Kernel{
	{Name: "softmax_xent_i32", File: "loss_int.wgsl", Twin: cpu.SoftmaxXentI32, Outputs: 2,
		Words: words(func(p cpu.XentIntParams) []uint64 {
			return []uint64{mul(p.N, p.K), uint64(p.N), mul(p.N, p.K), uint64(p.N)}
		}),
		Grid: grid1D(64, func(p cpu.XentIntParams) uint32 { return p.N }),
		Check: checkParams(func(p cpu.XentIntParams) bool {
			return p.K >= 1 && p.K <= 255 && p.N >= 1 && p.Shift <= 32 && p.Exp >= -1000 && p.Exp <= 1000
		}, "want 1..255 classes, N >= 1, Shift <= 32")},
}
