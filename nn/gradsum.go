package nn

import "github.com/wageubn/wageubn/gpu"

// sumGrads records the sum of two gradients of the same layer output (a
// residual branch point), appending the tensors it creates to *held (the
// List releases them at its next Backward, after the step's Submit).
//
// Two I32 gradients without Scale add exactly (r.Add, exponent
// alignment). Other combinations meet in float32, as the residual
// gradient does in the float recipes: narrow or I32 codes (with or without
// Scale) convert with r.ToF32 (code·2^(Exp+Scale)); I64 codes (a
// convolution's wide input gradient) first go through the flag quantizer
// at 16 bits (r.QuantFlag: I32 codes with a Scale, 15 significant bits),
// since no kernel converts I64 to float; then r.AddF32. Like E1 and E2,
// the flag quantizer takes R = 2^round(log2 max|x|), so elements above R
// (when max|x| lies in (R, √2·R]) saturate at R·(1 - 2^-15): up to 29% on
// the largest elements of that branch, the same saturation E1 applies to
// the sum right after. Every step
// is an integer kernel or a correctly rounded float32 operation, so the
// sum is the same on every backend. The receiving layer quantizes the F32
// gradient itself (E1 at an activation, E2 at a convolution), so the extra
// rounding of the float32 sum (24 bits) is far below the 8-bit error
// quantizer that follows.
func sumGrads(r *gpu.Recorder, a, b *gpu.Tensor, held *[]*gpu.Tensor) *gpu.Tensor {
	if a.DType() == gpu.I32 && b.DType() == gpu.I32 && a.Scale == nil && b.Scale == nil {
		return keep(held, r.Add(a, b))
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
