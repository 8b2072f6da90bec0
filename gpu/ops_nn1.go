package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// Typed wrappers of the nn1 family (bias.wgsl): the per-channel bias of
// conv2d and linear layers. Channel layout: a tensor [N, C, ...] is
// [N, C, S] with S the product of the dimensions after C (1 for a linear
// layer's [N, C]).

// biasDims validates the shape of a [N, C, ...] tensor and returns N, C, S.
func biasDims(k string, shapes [][]int, what string, t *Tensor) (n, c, s uint32, err error) {
	if len(t.shape) < 2 {
		return 0, 0, 0, kernelErr(k, shapes, ErrShape, "%s has rank %d, want [N, C, ...]", what, len(t.shape))
	}
	sp := 1
	for _, d := range t.shape[2:] {
		sp *= d
	}
	if uint64(t.Len()) >= 1<<32 || sp < 1 || t.shape[0] < 1 || t.shape[1] < 1 {
		return 0, 0, 0, kernelErr(k, shapes, ErrShape, "%s %v: want non-empty dimensions and fewer than 2^32 elements", what, t.shape)
	}
	return uint32(t.shape[0]), uint32(t.shape[1]), uint32(sp), nil
}

// BiasAdd records bias_add, the bias of a conv2d or linear layer (docs/dataflow.md,
// Forward 2): with the bias master b shifted onto the output grid,
//
//	y[n, c, ...] = z[n, c, ...] + RoundShr(b[c], z.Exp - b.Exp)
//
// (rounded half to even; a left shift when z.Exp < b.Exp), exactly. z:
// I32 or I64 codes [N, C, ...] without Scale (the conv/GEMM output); b:
// I32 master codes [C] without Scale (exponent -23 in the method);
// |z.Exp - b.Exp| <= 31. y has z's dtype, shape and exponent. An I32 sum
// or left shift that wraps (an I64 sum that leaves int64) raises
// ErrOverflow in the error word; for the method's z (|z| <= K·255·127 at
// exponent -15 or -14) and masters (|b| < 2^31, shifted right 8 or 9 bits)
// the I32 sum is exact whenever z is I32.
func (r *Recorder) BiasAdd(z, b *Tensor) *Tensor {
	const k = "bias_add"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(z, b)
	if z == nil || (z.dtype != I32 && z.dtype != I64) {
		r.fail(kernelErr(k, shapes, ErrShape, "z must be I32 or I64"))
		return nil
	}
	if err := r.checkTensor(k, shapes, "z", z, z.dtype, -1); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkTensor(k, shapes, "b", b, I32, 1); err != nil {
		r.fail(err)
		return nil
	}
	n, c, s, err := biasDims(k, shapes, "z", z)
	if err != nil {
		r.fail(err)
		return nil
	}
	if b.shape[0] != int(c) {
		r.fail(kernelErr(k, shapes, ErrShape, "b has %d channels, z has %d", b.shape[0], c))
		return nil
	}
	if z.Scale != nil || b.Scale != nil {
		r.fail(kernelErr(k, shapes, ErrShape, "z and b must have no Scale"))
		return nil
	}
	shift := z.Exp - b.Exp
	if shift < -31 || shift > 31 {
		r.fail(kernelErr(k, shapes, ErrShape, "exponents z %d and b %d more than 31 apart", z.Exp, b.Exp))
		return nil
	}
	p := cpu.BiasParams{N: n, C: c, S: s, Shift: int32(shift)}
	if z.dtype == I64 {
		p.Wide = 1
	}
	return r.output(k, shapes, z.dtype, z.shape, z.Exp, p, z, b)
}

// BiasGrad records bias_grad, the bias gradient of a conv2d or linear
// layer: db[c] = Σ g[n, c, ...] over all but the channel axis, exactly,
// as I64 [C] with g's exponent and Scale. g: I16 or I32 codes [N, C, ...]
// (E2, docs/dataflow.md Backward 2), with or without a Scale.
func (r *Recorder) BiasGrad(g *Tensor) *Tensor {
	const k = "bias_grad"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(g)
	if g == nil || (g.dtype != I16 && g.dtype != I32) {
		r.fail(kernelErr(k, shapes, ErrShape, "g must be I16 or I32"))
		return nil
	}
	if err := r.checkTensor(k, shapes, "g", g, g.dtype, -1); err != nil {
		r.fail(err)
		return nil
	}
	n, c, s, err := biasDims(k, shapes, "g", g)
	if err != nil {
		r.fail(err)
		return nil
	}
	p := cpu.BiasGradParams{N: n, C: c, S: s, Cols: uint32(g.shape[len(g.shape)-1])}
	if g.dtype == I16 {
		p.I16 = 1
	}
	return withScale(r.output(k, shapes, I64, []int{int(c)}, g.Exp, p, g), g.Scale)
}

// BiasAddF32 records bias_add_f32: y[n, c, ...] = z[n, c, ...] + b[c] in
// float32. z: F32 [N, C, ...], b: F32 [C]; y has z's shape and exponent.
func (r *Recorder) BiasAddF32(z, b *Tensor) *Tensor {
	const k = "bias_add_f32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(z, b)
	if err := r.checkTensor(k, shapes, "z", z, F32, -1); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkTensor(k, shapes, "b", b, F32, 1); err != nil {
		r.fail(err)
		return nil
	}
	n, c, s, err := biasDims(k, shapes, "z", z)
	if err != nil {
		r.fail(err)
		return nil
	}
	if b.shape[0] != int(c) {
		r.fail(kernelErr(k, shapes, ErrShape, "b has %d channels, z has %d", b.shape[0], c))
		return nil
	}
	return r.output(k, shapes, F32, z.shape, z.Exp, cpu.BiasF32Params{N: n, C: c, S: s}, z, b)
}

// BiasGradF32 records bias_grad_f32: db[c] = Σ g[n, c, ...] in float32,
// in a fixed order (64 strided partial sums per channel, then pairwise),
// as F32 [C] with g's exponent. g: F32 [N, C, ...].
func (r *Recorder) BiasGradF32(g *Tensor) *Tensor {
	const k = "bias_grad_f32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(g)
	if err := r.checkTensor(k, shapes, "g", g, F32, -1); err != nil {
		r.fail(err)
		return nil
	}
	n, c, s, err := biasDims(k, shapes, "g", g)
	if err != nil {
		r.fail(err)
		return nil
	}
	return r.output(k, shapes, F32, []int{int(c)}, g.Exp, cpu.BiasF32Params{N: n, C: c, S: s}, g)
}
