package gpu

import (
	"github.com/wageubn/wageubn/gpu/cpu"
)

// The typed wrappers: each validates shapes and dtypes, allocates its
// output, records its kernel(s) and returns the output (nil after an error,
// which sticks in the Recorder; see Recorder.Err).

// MaxGemmK is the largest k for which gemm_i8_nt is exact in int32: every
// product is at most 128*128 = 2^14 in magnitude, and k*2^14 <= 2^31-1
// holds for k <= 131071.
const MaxGemmK = (1<<31 - 1) / (128 * 128)

// Fill records fill_u32: every word of t becomes word. It returns t.
func (r *Recorder) Fill(t *Tensor, word uint32) *Tensor {
	const k = "fill_u32"
	if r.err != nil {
		return nil
	}
	if t == nil {
		r.fail(kernelErr(k, nil, ErrShape, "tensor is nil"))
		return nil
	}
	if r.Run(k, cpu.FillParams{N: uint32(t.words), Value: word}, t) != nil {
		return nil
	}
	return t
}

// Relu records relu_i32: y = max(x, 0) elementwise on the int32 codes of x,
// with y.Exp = x.Exp. x: I32 of any shape.
func (r *Recorder) Relu(x *Tensor) *Tensor {
	const k = "relu_i32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, I32, -1); err != nil {
		r.fail(err)
		return nil
	}
	return r.output(k, shapes, I32, x.shape, x.Exp, cpu.ReluParams{N: uint32(x.Len())}, x)
}

// Add records add_i32, the residual add: y = a + b in value, exactly, with
// y.Exp = min(a.Exp, b.Exp) and the codes of the operand with the larger
// exponent shifted left by the difference. The codes wrap in int32 as in
// WGSL if the shifted sum does not fit, and the kernel then raises
// ErrOverflow in the device's error word (see Options.Debug). a, b: I32 of
// the same shape. A difference of exponents over 30 is refused with
// ErrTooLarge.
func (r *Recorder) Add(a, b *Tensor) *Tensor {
	const k = "add_i32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(a, b)
	if err := r.checkTensor(k, shapes, "a", a, I32, -1); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkTensor(k, shapes, "b", b, I32, len(a.shape)); err != nil {
		r.fail(err)
		return nil
	}
	if !equalShape(a.shape, b.shape) {
		r.fail(kernelErr(k, shapes, ErrShape, "operand shapes differ"))
		return nil
	}
	e := min(a.Exp, b.Exp)
	sa, sb := a.Exp-e, b.Exp-e
	if sa > 30 || sb > 30 {
		r.fail(kernelErr(k, shapes, ErrTooLarge, "exponents %d and %d differ by more than 30", a.Exp, b.Exp))
		return nil
	}
	p := cpu.AddParams{N: uint32(a.Len()), ShiftA: uint32(sa), ShiftB: uint32(sb)}
	return r.output(k, shapes, I32, a.shape, e, p, a, b)
}

// MaxAbs records fill_u32 and max_abs_i32: m = max_i |x_i| over the whole
// tensor as a one-element U32 tensor with m.Exp = x.Exp (|x| of -2^31 is
// 2^31, exact). This is max|x| of R(x) in method.md. x: I32 of any shape.
func (r *Recorder) MaxAbs(x *Tensor) *Tensor {
	const k = "max_abs_i32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, I32, -1); err != nil {
		r.fail(err)
		return nil
	}
	return r.accumulator(k, shapes, U32, []int{1}, x.Exp, cpu.MaxAbsParams{N: uint32(x.Len())}, x)
}

// PackI8 records pack_i8: int32 codes x [rows, k] become int8 codes packed 4
// per word along k, [rows, k] I8, saturating codes outside [-128, 127].
// The exponent is kept.
func (r *Recorder) PackI8(x *Tensor) *Tensor {
	return r.pack("pack_i8", x, false)
}

// PackI8T records pack_i8_t: int32 codes x [k, rows] become the transpose
// packed as int8, [rows, k] I8, saturating codes outside [-128, 127].
// With it the input gradient dX = dY·W and the weight gradient dW = dYᵀ·X
// become gemm_i8_nt products. The exponent is kept.
func (r *Recorder) PackI8T(x *Tensor) *Tensor {
	return r.pack("pack_i8_t", x, true)
}

func (r *Recorder) pack(k string, x *Tensor, transpose bool) *Tensor {
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, I32, 2); err != nil {
		r.fail(err)
		return nil
	}
	rows, kk := x.shape[0], x.shape[1]
	if transpose {
		rows, kk = kk, rows
	}
	p := cpu.PackParams{Rows: uint32(rows), K: uint32(kk), KW: uint32((kk + 3) / 4)}
	return r.output(k, shapes, I8, []int{rows, kk}, x.Exp, p, x)
}

// GemmI8NT records gemm_i8_nt: C[m, n] = sum_k A[m, k]·B[n, k] in int32,
// with C.Exp = A.Exp + B.Exp. A: I8 [M, K], B: I8 [N, K] (both packed along
// K, as PackI8 and PackI8T produce), C: I32 [M, N]. The sum is exact for
// K <= MaxGemmK (131071); a larger K is refused with ErrTooLarge. When
// ceil(K/4) is a positive multiple of 4 it records the faster variant
// gemm_i8_nt_k16 (same result); on discrete and integrated GPUs it records
// gemm_i8_nt_tiled (workgroup-memory tiles) instead.
func (r *Recorder) GemmI8NT(a, b *Tensor) *Tensor {
	k := "gemm_i8_nt"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(a, b)
	if err := r.checkTensor(k, shapes, "A", a, I8, 2); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkTensor(k, shapes, "B", b, I8, 2); err != nil {
		r.fail(err)
		return nil
	}
	m, n, kk := a.shape[0], b.shape[0], a.shape[1]
	if b.shape[1] != kk {
		r.fail(kernelErr(k, shapes, ErrShape, "inner dimensions %d and %d differ", kk, b.shape[1]))
		return nil
	}
	if kk > MaxGemmK {
		r.fail(kernelErr(k, shapes, ErrTooLarge, "K = %d exceeds %d, the largest K summed exactly in int32", kk, MaxGemmK))
		return nil
	}
	p := cpu.GemmParams{M: uint32(m), N: uint32(n), KW: uint32((kk + 3) / 4)}
	if p.KW > 0 && p.KW%4 == 0 {
		k = "gemm_i8_nt_k16"
	}
	k = r.gemmI8Variant(k) // gemm_i8_nt_tiled on real GPUs (ops_gemm.go)
	return r.output(k, shapes, I32, []int{m, n}, a.Exp+b.Exp, p, a, b)
}

// equalShape reports whether two shapes are equal.
func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Reshape records a copy of x with a new shape holding the same elements in
// the same row-major order (PyTorch's reshape/flatten), the exponent and
// Scale unchanged. Narrow dtypes move lanes between words when the last
// dimension changes (reshape_b8, reshape_b16); wider ones copy words
// (reshape_b32). The element counts must agree (ErrShape otherwise).
func (r *Recorder) Reshape(x *Tensor, shape []int) *Tensor {
	const k = "reshape"
	if r.err != nil {
		return nil
	}
	if x == nil {
		r.fail(kernelErr(k, nil, ErrShape, "x is nil"))
		return nil
	}
	shapes := [][]int{x.shape, shape}
	if err := r.checkTensor(k, shapes, "x", x, x.dtype, -1); err != nil {
		r.fail(err)
		return nil
	}
	if err := checkShape(shape); err != nil || numElems(shape) != x.Len() {
		r.fail(kernelErr(k, shapes, ErrShape, "cannot reshape %d elements to %v", x.Len(), shape))
		return nil
	}
	y := r.newOutput(k, shapes, x.dtype, shape, x.Exp)
	if y == nil {
		return nil
	}
	y.Scale = x.Scale
	last := func(s []int) uint32 {
		if len(s) == 0 {
			return 1
		}
		return uint32(s[len(s)-1])
	}
	p := cpu.ReshapeParams{N: uint32(x.Len()), OldLast: last(x.shape), NewLast: last(shape), OutWords: uint32(y.words)}
	name := "reshape_b32"
	switch x.dtype.perWord() {
	case 4:
		name = "reshape_b8"
	case 2:
		name = "reshape_b16"
	default:
		// Whole words: the layout does not depend on the shape.
		p = cpu.ReshapeParams{N: uint32(y.words), OldLast: uint32(y.words), NewLast: uint32(y.words), OutWords: uint32(y.words)}
	}
	if p.N == 0 {
		return y
	}
	if r.Run(name, p, y, x) != nil {
		y.Release()
		return nil
	}
	return y
}
