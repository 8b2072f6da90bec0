package nn

import "github.com/wageubn/wageubn/gpu"

// sumGrads records the sum of two gradients of the same layer output (a
// residual branch point), appending the tensors it creates to *held (the
// List releases them at its next Backward, after the step's Submit).
//
// Two I32 gradients without a Scale add exactly with r.Add. Other integer
// gradients (I8/I32 codes with or without a Scale, the I64 input
// gradients of conv and BN) add exactly with r.AddGrad: the operand on the
// coarser grid is shifted left, the sum is I64 with a Scale, and the
// receiving layer quantizes it (E1 at an activation, E2 at a convolution).
// Where a float layer meets (mixed networks), both meet in float32: integer
// codes convert with r.ToF32, I64 codes first through the flag quantizer at
// 16 bits (no kernel converts I64 to float). Every step is an integer
// kernel or a correctly rounded float32 operation, so the sum is the same
// on every backend.
func sumGrads(r *gpu.Recorder, a, b *gpu.Tensor, held *[]*gpu.Tensor) *gpu.Tensor {
	if a.DType() == gpu.I32 && b.DType() == gpu.I32 && a.Scale == nil && b.Scale == nil {
		return keep(held, r.Add(a, b)) // exact, and stays I32
	}
	if a.DType() != gpu.F32 && b.DType() != gpu.F32 {
		s := keep(held, r.AddGrad(a, b))
		if s != nil && s.Scale != nil {
			keep(held, s.Scale)
		}
		return s
	}
	return keep(held, r.AddF32(gradF32(r, a, held), gradF32(r, b, held)))
}

// gradF32 converts a gradient to float32 values (see sumGrads).
func gradF32(r *gpu.Recorder, g *gpu.Tensor, held *[]*gpu.Tensor) *gpu.Tensor {
	switch g.DType() {
	case gpu.F32:
		return g
	case gpu.I64:
		m := keep(held, r.MaxAbsI64(g))
		g = keep(held, r.QuantFlag(g, m, 16))
		if g == nil {
			return nil
		}
		if g.Scale != nil {
			keep(held, g.Scale)
		}
	}
	return keep(held, r.ToF32(g))
}

// keep appends t (when it is new) to *held and returns it.
func keep(held *[]*gpu.Tensor, t *gpu.Tensor) *gpu.Tensor {
	if t != nil {
		*held = append(*held, t)
	}
	return t
}
