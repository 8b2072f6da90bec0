package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// ToI32 records widen_i32 for a narrow tensor (I8, U8, I16): the same
// codes as I32, with the exponent and Scale unchanged. An I32 tensor is
// returned as it is (not copied).
func (r *Recorder) ToI32(x *Tensor) *Tensor {
	const k = "widen_i32"
	if r.err != nil {
		return nil
	}
	if x == nil {
		r.fail(kernelErr(k, nil, ErrShape, "x is nil"))
		return nil
	}
	shapes := [][]int{x.shape}
	if err := r.checkTensor(k, shapes, "x", x, x.dtype, -1); err != nil {
		r.fail(err)
		return nil
	}
	var p cpu.WidenParams
	switch x.dtype {
	case I32:
		return x
	case I8:
		p = cpu.WidenParams{Bits: 8, Signed: 1}
	case U8:
		p = cpu.WidenParams{Bits: 8}
	case I16:
		p = cpu.WidenParams{Bits: 16, Signed: 1}
	default:
		r.fail(kernelErr(k, shapes, ErrShape, "x is %v, want I8, U8, I16 or I32", x.dtype))
		return nil
	}
	p.N = uint32(x.Len())
	p.Last = 1
	if len(x.shape) > 0 {
		p.Last = uint32(x.shape[len(x.shape)-1])
	}
	y := r.newOutput(k, shapes, I32, x.shape, x.Exp)
	if y == nil {
		return nil
	}
	y.Scale = x.Scale
	if p.N > 0 && r.Run(k, p, y, x) != nil {
		y.Release()
		return nil
	}
	return y
}

// ToF32 records the conversion of integer codes (I8, U8, I16 or I32) to
// float32 values code·2^(Exp+Scale) (cast_i32_f32, after widen_i32 for
// narrow dtypes). The result has Exp 0 and no Scale. An F32 tensor is
// returned as it is. Codes above 2^24 in magnitude round to float32.
func (r *Recorder) ToF32(x *Tensor) *Tensor {
	const k = "cast_i32_f32"
	if r.err != nil {
		return nil
	}
	if x != nil && x.dtype == F32 {
		return x
	}
	w := r.ToI32(x)
	if w == nil {
		return nil
	}
	if w != x {
		r.temp(w)
	}
	scale := x.Scale
	if scale == nil {
		z, err := r.dev.UploadI32([]int{1}, 0, []int32{0})
		if err != nil {
			r.fail(&KernelError{Kernel: k, Shapes: [][]int{x.shape}, Err: err})
			return nil
		}
		r.temp(z)
		scale = z
	} else if scale.dtype != I32 || scale.Len() != 1 {
		r.fail(kernelErr(k, [][]int{x.shape}, ErrShape, "Scale of x is %v, want a one-element I32", scale))
		return nil
	}
	y := r.newOutput(k, [][]int{x.shape}, F32, x.shape, 0)
	if y == nil {
		return nil
	}
	if n := uint32(x.Len()); n > 0 && r.Run(k, cpu.CastI32F32Params{N: n, Exp: int32(x.Exp)}, y, w, scale) != nil {
		y.Release()
		return nil
	}
	return y
}

// FromF32 records cast_f32_i32: I32 codes round(x·2^-exp) (half to even,
// exact from the float bits) with exponent exp. Values outside int32
// saturate and NaN/Inf become 0, both raising ErrOverflow in the error word
// (see Options.Debug).
func (r *Recorder) FromF32(x *Tensor, exp int) *Tensor {
	const k = "cast_f32_i32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, F32, -1); err != nil {
		r.fail(err)
		return nil
	}
	if exp < -1000 || exp > 1000 {
		r.fail(kernelErr(k, shapes, ErrShape, "exponent %d out of range", exp))
		return nil
	}
	y := r.newOutput(k, shapes, I32, x.shape, exp)
	if y == nil {
		return nil
	}
	if n := uint32(x.Len()); n > 0 && r.Run(k, cpu.CastF32I32Params{N: n, Shift: int32(-exp)}, y, x) != nil {
		y.Release()
		return nil
	}
	return y
}
