package gpu

import (
	"github.com/wageubn/wageubn/gpu/cpu"
)

// Typed wrappers of the GEMM variants in shaders/gemm_ext.wgsl. All compute
// C = A·Bᵀ with A [M, K] and B [N, K] packed along K, C [M, N], and
// C.Exp = A.Exp + B.Exp. A data-dependent exponent (Tensor.Scale, e.g. of
// E2 codes) carries over: C.Scale is the Scale of whichever operand has one
// (the same 1-element tensor, not a copy); operands that both have one are
// refused with ErrShape.

// MaxGemmKU8 is the largest K for which GemmU8I8NT is exact in int32: every
// uint8 x int8 product is at most 255·128 = 32640 in magnitude, and
// K·32640 <= 2^31 - 1 holds for K <= 65793 (65793·32640 = 2^31 - 128).
// GemmU8I8NTWide takes larger K.
const MaxGemmKU8 = (1<<31 - 1) / (255 * 128)

// GemmU8I8NT records gemm_u8i8_nt: C[m, n] = sum_k A[m, k]·B[n, k] in int32,
// exactly, with A: U8 [M, K] (activation codes 0..255) and B: I8 [N, K]
// (weights), C: I32 [M, N]. K over MaxGemmKU8 is refused with ErrTooLarge
// (use GemmU8I8NTWide). When ceil(K/4) is a positive multiple of 4 it
// records the faster gemm_u8i8_nt_k16 (same result).
func (r *Recorder) GemmU8I8NT(a, b *Tensor) *Tensor {
	const name = "gemm_u8i8_nt"
	p, shapes, ok := r.gemmArgs(name, a, U8, b, I8)
	if !ok {
		return nil
	}
	if kk := a.shape[1]; kk > MaxGemmKU8 {
		r.fail(kernelErr(name, shapes, ErrTooLarge,
			"K = %d exceeds %d, the largest K a uint8 x int8 sum is exact for in int32: use GemmU8I8NTWide (int64 output)", kk, MaxGemmKU8))
		return nil
	}
	return r.gemmRun(k16(name, p), shapes, p, I32, a, b)
}

// GemmI8NTWide records gemm_i8_nt_wide: C[m, n] = sum_k A[m, k]·B[n, k]
// exactly in int64 for any K, with A: I8 [M, K], B: I8 [N, K], C: I64
// [M, N]. Use it where K may exceed MaxGemmK (weight gradients, K = N·H·W).
// Like every integer wrapper here it records the _k16 variant (vec4 loads, same
// result) when ceil(K/4) is a positive multiple of 4.
func (r *Recorder) GemmI8NTWide(a, b *Tensor) *Tensor {
	const k = "gemm_i8_nt_wide"
	p, shapes, ok := r.gemmArgs(k, a, I8, b, I8)
	if !ok {
		return nil
	}
	return r.gemmRun(k16(k, p), shapes, p, I64, a, b)
}

// GemmU8I8NTWide records gemm_u8i8_nt_wide: GemmU8I8NT with an exact int64
// output C: I64 [M, N] for any K. A: U8 [M, K], B: I8 [N, K].
func (r *Recorder) GemmU8I8NTWide(a, b *Tensor) *Tensor {
	const k = "gemm_u8i8_nt_wide"
	p, shapes, ok := r.gemmArgs(k, a, U8, b, I8)
	if !ok {
		return nil
	}
	return r.gemmRun(k16(k, p), shapes, p, I64, a, b)
}

// SplitI16 records pack_i16_split: the int16 codes X: I16 [R, K] become two
// int8 planes in one I8 tensor [2, R, K], H = planes[0] and L = planes[1],
// with X = 256·H + L + 128 element by element, exactly for every int16
// (H = X >> 8, L = (X & 255) - 128). The exponent and Scale are kept. GemmI16I8NT and
// GemmI16U8NT record it themselves; it is exported for callers that reuse
// the planes.
func (r *Recorder) SplitI16(x *Tensor) *Tensor {
	const k = "pack_i16_split"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "X", x, I16, 2); err != nil {
		r.fail(err)
		return nil
	}
	rows, kk := x.shape[0], x.shape[1]
	p := cpu.SplitParams{Rows: uint32(rows), K: uint32(kk), KW: uint32((kk + 3) / 4)}
	return withScale(r.output(k, shapes, I8, []int{2, rows, kk}, x.Exp, p, x), x.Scale)
}

// GemmI16I8NT records pack_i16_split and gemm_i16i8_nt: C[m, n] =
// sum_k A[m, k]·B[n, k] exactly in int64 for any K, with A: I16 [M, K]
// (E2 error codes), B: I8 [N, K] (weights), C: I64 [M, N]: the input
// gradient dx = E2·W (docs/dataflow.md, Backward 2). The split of A into
// int8 planes is an intermediate released by Submit.
func (r *Recorder) GemmI16I8NT(a, b *Tensor) *Tensor {
	return r.gemmI16("gemm_i16i8_nt", a, b, I8)
}

// GemmI16U8NT records pack_i16_split and gemm_i16u8_nt: as GemmI16I8NT with
// B: U8 [N, K] (activation codes): the weight gradient dW = E2ᵀ·a.
func (r *Recorder) GemmI16U8NT(a, b *Tensor) *Tensor {
	return r.gemmI16("gemm_i16u8_nt", a, b, U8)
}

func (r *Recorder) gemmI16(k string, a, b *Tensor, bt DType) *Tensor {
	p, shapes, ok := r.gemmArgs(k, a, I16, b, bt)
	if !ok {
		return nil
	}
	planes := r.temp(r.SplitI16(a))
	if planes == nil {
		return nil
	}
	return r.gemmRun(k16(k, p), shapes, p, I64, planes, b)
}

// k16 returns the variant k_k16 (vec4 loads, same result) of an int8-plane
// kernel when KW is a positive multiple of 4, else k.
func k16(k string, p cpu.GemmParams) string {
	if p.KW > 0 && p.KW%4 == 0 {
		return k + "_k16"
	}
	return k
}

// GemmF32NT records gemm_f32_nt: C[m, n] = sum_k A[m, k]·B[n, k] in
// float32, with A: F32 [M, K], B: F32 [N, K], C: F32 [M, N], for the layers
// a recipe keeps in float. Float sums are not bit-exact across backends
// (they agree within about 1e-5·K·max|A|·max|B|). When K is a positive
// multiple of 4 it records the faster gemm_f32_nt_k4.
func (r *Recorder) GemmF32NT(a, b *Tensor) *Tensor {
	k := "gemm_f32_nt"
	p, shapes, ok := r.gemmArgs(k, a, F32, b, F32)
	if !ok {
		return nil
	}
	p.KW = uint32(a.shape[1]) // f32: one value per word
	if p.KW > 0 && p.KW%4 == 0 {
		k = "gemm_f32_nt_k4"
	}
	return r.gemmRun(k, shapes, p, F32, a, b)
}

// gemmI8Variant picks the gemm_i8_nt row for GemmI8NT (ops.go) on this
// device: the workgroup-memory tiled gemm_i8_nt_tiled on discrete and
// integrated GPUs, the register-blocked k (gemm_i8_nt or gemm_i8_nt_k16)
// on CPU adapters such as lavapipe, unknown adapters and the CPU backend
// (shared/notes.md).
func (r *Recorder) gemmI8Variant(k string) string {
	return gemmI8VariantFor(r.dev.info, k)
}

func gemmI8VariantFor(info Info, k string) string {
	if info.Backend == WebGPU && (info.AdapterType == AdapterDiscrete || info.AdapterType == AdapterIntegrated) {
		return "gemm_i8_nt_tiled"
	}
	return k
}

// gemmArgs validates the operands of a GEMM wrapper: A of dtype at [M, K]
// and B of dtype bt [N, K], and returns the params (KW = ceil(K/4)).
func (r *Recorder) gemmArgs(k string, a *Tensor, at DType, b *Tensor, bt DType) (cpu.GemmParams, [][]int, bool) {
	if r.err != nil {
		return cpu.GemmParams{}, nil, false
	}
	shapes := shapesOf(a, b)
	if err := r.checkTensor(k, shapes, "A", a, at, 2); err != nil {
		r.fail(err)
		return cpu.GemmParams{}, shapes, false
	}
	if err := r.checkTensor(k, shapes, "B", b, bt, 2); err != nil {
		r.fail(err)
		return cpu.GemmParams{}, shapes, false
	}
	m, n, kk := a.shape[0], b.shape[0], a.shape[1]
	if b.shape[1] != kk {
		r.fail(kernelErr(k, shapes, ErrShape, "inner dimensions %d and %d differ", kk, b.shape[1]))
		return cpu.GemmParams{}, shapes, false
	}
	if a.Scale != nil && b.Scale != nil {
		r.fail(kernelErr(k, shapes, ErrShape, "A and B both have a data-dependent Scale"))
		return cpu.GemmParams{}, shapes, false
	}
	return cpu.GemmParams{M: uint32(m), N: uint32(n), KW: uint32((kk + 3) / 4)}, shapes, true
}

// gemmRun allocates C [M, N] of dtype dt with exponent A.Exp + B.Exp and
// the Scale of A or B (of the wrapper's operands, checked by gemmArgs) and
// records kernel k on (C, a, b).
func (r *Recorder) gemmRun(k string, shapes [][]int, p cpu.GemmParams, dt DType, a, b *Tensor) *Tensor {
	c := r.newOutput(k, shapes, dt, []int{int(p.M), int(p.N)}, a.Exp+b.Exp)
	if c == nil || r.Run(k, p, c, a, b) != nil {
		c.Release()
		return nil
	}
	c.Scale = a.Scale
	if c.Scale == nil {
		c.Scale = b.Scale
	}
	return c
}
