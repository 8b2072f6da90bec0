package bench

import (
	"fmt"

	"github.com/wageubn/wageubn/nn"
)

// Specs is the case table: one row per benchmarked kernel, grouped by
// family. Adding a kernel (a conv_i8 forward, a quantizer, BN, a training
// step) is adding one row here and its Setup in the family's file.
var Specs = []Spec{
	// gemm: C[n,n] = A[n,n]·B[n,n]ᵀ, 2n³ operations. The int8 rows are
	// measured against gonum's float32 Sgemm at the same size (design.md,
	// "Performance"); the ceiling is the CPU's int8 VNNI peak (or the GPU's).
	{Family: "gemm", Kernel: "sgemm_gonum", Bound: Compute, Ceiling: F32Ops,
		Ops: gemmOps, Bytes: gemmBytes(4, 4), Shape: gemmShape, Setup: setupSgemmGonum},
	{Family: "gemm", Kernel: "i8gemm_go", Bound: Compute, Ceiling: Int8Ops, Baseline: "sgemm_gonum",
		Ops: gemmOps, Bytes: gemmBytes(1, 4), Shape: gemmShape, Setup: setupI8gemmGo},
	{Family: "gemm", Kernel: "gemm_i8", Device: true, Bound: Compute, Ceiling: Int8Ops, Baseline: "sgemm_gonum",
		Ops: gemmOps, Bytes: gemmBytes(1, 4), Shape: gemmShape, Setup: setupGemmI8},

	// conv: one (n/8)×(n/8) image, 64 -> 64 channels, 3×3, stride 1, pad 1.
	// conv_f32_go is the float32 baseline (im2col + gonum Sgemm) that the
	// device's int8 convolution conv_i8 is compared with.
	{Family: "conv", Kernel: "conv_f32_go", Bound: Compute, Ceiling: F32Ops,
		Ops: convOps, Bytes: convBytes, Shape: convShape, Setup: setupConvF32Go},
	{Family: "conv", Kernel: "conv_i8", Device: true, Bound: Compute, Ceiling: Int8Ops, Baseline: "conv_f32_go",
		Ops: convOps, Bytes: convBytes, Shape: convShape, Setup: setupConvI8},

	// quant: memory-bound passes over an n×n int32 tensor (GB/s).
	{Family: "quant", Kernel: "max_abs", Device: true, Bound: Memory, Ceiling: MemBytes,
		Ops: elems, Bytes: func(n int) float64 { return 4 * elems(n) }, Shape: squareShape("i32"), Setup: setupMaxAbs},
	{Family: "quant", Kernel: "pack_i8", Device: true, Bound: Memory, Ceiling: MemBytes,
		Ops: elems, Bytes: func(n int) float64 { return 5 * elems(n) }, Shape: squareShape("i32"), Setup: setupPackI8},

	// bn: the integer batch-norm forward of a training step over conv
	// outputs [n, 16, 16, 16] (memory-bound, GB/s).
	{Family: "bn", Kernel: "bn_forward", Device: true, Bound: Memory, Ceiling: MemBytes,
		Ops: bnElems, Bytes: func(n int) float64 { return 20 * bnElems(n) }, Shape: bnShape, Setup: setupBNForward},

	// train-step: one whole LeNet-5 training step (nn.Step) on a batch of
	// size n, in images per second; the float recipe on the same code path
	// is the in-run baseline (float PyTorch: bench/torch/lenet5.py).
	{Family: "train-step", Kernel: "lenet5_float", Device: true, Bound: Items, ItemUnit: "images/s",
		Ops: trainStepImages, Bytes: trainStepImages, Shape: trainStepShape, Setup: setupTrainStep(nn.Float)},
	{Family: "train-step", Kernel: "lenet5_full8", Device: true, Bound: Items, ItemUnit: "images/s", Baseline: "lenet5_float",
		Ops: trainStepImages, Bytes: trainStepImages, Shape: trainStepShape, Setup: setupTrainStep(nn.Full8)},
}

// elems returns n², the elements of an n×n tensor.
func elems(n int) float64 { return float64(n) * float64(n) }

// squareShape returns a Shape function printing "dt[n n]".
func squareShape(dt string) func(int) string {
	return func(n int) string { return fmt.Sprintf("%s[%d %d]", dt, n, n) }
}
