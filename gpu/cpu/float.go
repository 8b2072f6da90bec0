package cpu

import "math"

// Twins of shaders/float.wgsl — keep in sync.
//
// The float32 kernels of layers that a recipe keeps in float (recipe float,
// the float first and last layers, the pytorch mode's fake-quantized
// layers). Every buffer holds float32 bits, except the U32 masks and argmax
// indices. Sums run in the order written; the shaders may contract a
// product and a sum into a fused multiply-add and WGSL fixes no rounding
// mode, so the backends agree within rounding, except where noted (the
// activations, the residual add and the quantizers, which are exact).

func ff(w uint32) float32    { return math.Float32frombits(w) }
func fbits(f float32) uint32 { return math.Float32bits(f) }

// F32EltParams is the uniform of the elementwise float kernels (struct
// F32EltParams in WGSL).
type F32EltParams struct {
	N uint32 // elements
}

// ReluF32 is the twin of relu_f32: y = max(x, 0) and mask = 1 where the
// gradient passes (x > 0, PyTorch's threshold backward on the output), else
// 0. A NaN x gives y = 0 here and in WGSL (max is IEEE maxNum there; both
// take the non-NaN operand) and mask 0.
func ReluF32(p F32EltParams, y, mask, x []uint32) {
	for i := range y[:p.N] {
		v := ff(x[i])
		if v > 0 {
			y[i], mask[i] = fbits(v), 1
		} else {
			y[i], mask[i] = 0, 0
		}
	}
}

// Relu6F32 is the twin of relu6_f32: y = min(max(x, 0), 6) and mask = 1
// where 0 < x < 6 (PyTorch's hardtanh backward), else 0.
func Relu6F32(p F32EltParams, y, mask, x []uint32) {
	for i := range y[:p.N] {
		v := ff(x[i])
		switch {
		case v > 0 && v < 6:
			y[i], mask[i] = fbits(v), 1
		case v >= 6:
			y[i], mask[i] = fbits(6), 0
		default:
			y[i], mask[i] = 0, 0
		}
	}
}

// ReluBwdF32 is the twin of relu_bwd_f32: dx = dy where mask != 0, else 0
// (+0), for ReLU and ReLU6 alike.
func ReluBwdF32(p F32EltParams, dx, dy, mask []uint32) {
	for i := range dx[:p.N] {
		if mask[i] != 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// AddF32 is the twin of add_f32, the residual add: out = a + b, one
// correctly rounded float32 addition (exact agreement).
func AddF32(p F32EltParams, out, a, b []uint32) {
	for i := range out[:p.N] {
		out[i] = fbits(ff(a[i]) + ff(b[i]))
	}
}

// F32QuantParams is the uniform of quant_direct_f32 and quant_alldirect_f32
// (struct F32QuantParams in WGSL). The wrapper fills it from the bit widths
// so that every float is exact: Scale = 2^(kdec-1), InvScale = 2^-(kdec-1),
// Lim = float32(2^(kall-1)-1) (rounded to nearest for kall > 25, which
// clips the integer-valued codes exactly as the float view of the clipped
// integer code).
type F32QuantParams struct {
	N        uint32  // elements
	Scale    float32 // 2^(kdec-1)
	InvScale float32 // 2^-(kdec-1)
	Lim      float32 // clip bound of the code (quant_alldirect_f32 only)
}

// quantF32 is round_half_even(x·Scale), clipped to ±lim when clip, times
// InvScale, with a zero result as +0. Every step is exact in float32
// (power-of-two scaling of finite values below 2^98; round of a float32).
func quantF32(p F32QuantParams, v float32, clip bool) uint32 {
	c := float32(math.RoundToEven(float64(v * p.Scale)))
	if clip {
		c = min(max(c, -p.Lim), p.Lim)
	}
	y := c * p.InvScale
	if y == 0 {
		return 0
	}
	return fbits(y)
}

// QuantDirectF32 is the twin of quant_direct_f32, the float view of
// quant.Direct: y = round(x·2^(kdec-1))/2^(kdec-1), exactly.
func QuantDirectF32(p F32QuantParams, y, x []uint32) {
	for i := range y[:p.N] {
		y[i] = quantF32(p, ff(x[i]), false)
	}
}

// QuantAllDirectF32 is the twin of quant_alldirect_f32, the float view of
// quant.AllDirect: y = clip(round(x·2^(kdec-1)), ±(2^(kall-1)-1))/2^(kdec-1),
// exactly.
func QuantAllDirectF32(p F32QuantParams, y, x []uint32) {
	for i := range y[:p.N] {
		y[i] = quantF32(p, ff(x[i]), true)
	}
}
