package gpu

import (
	"math"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Typed wrappers of the integer AdderNet kernels (nn.Adder2d in integer
// mode; shaders/nnadder.wgsl). Codes and exponents:
//
//	x    U8 or I8 [N, C, H, W]        e_x   (activations: U8, -7)
//	w    I8 [K, C/G, KH, KW]          e_w   (QuantWeight: -7)
//	y    I32 [N, K, OH, OW]           e = min(e_x, e_w), |e_x - e_w| <= 8
//	dy   I8, I16 or I32 [N, K, OH, OW] e_dy (+ Scale: E2 codes)
//	dx   I64 of x's shape             e + e_dy, dy's Scale
//	dw   I64 of w's shape             e + e_dy, dy's Scale
//
// Each wrapper proves its sums exact from the dtypes' ranges (|U8| <= 255,
// |I8| <= 128, |I16| <= 2^15, |I32| <= 2^31) and refuses a geometry whose
// bound it cannot prove with ErrTooLarge, so the kernels cannot wrap.

// adderCodeMax is the largest |code| of an integer dtype.
func adderCodeMax(dt DType) uint64 {
	switch dt {
	case U8:
		return 255
	case I8:
		return 128
	case I16:
		return 1 << 15
	default:
		return 1 << 31
	}
}

// adderSetup validates x and w and returns the params, the common exponent
// and the largest |x·2^sx - w·2^sw|.
func (r *Recorder) adderSetup(k string, shapes [][]int, x, w *Tensor, geom ConvGeom) (cpu.AdderI32Params, int, uint64, error) {
	var p cpu.AdderI32Params
	if x == nil || x.dtype != U8 && x.dtype != I8 {
		return p, 0, 0, kernelErr(k, shapes, ErrShape, "x must be U8 or I8 codes")
	}
	if err := r.checkTensor(k, shapes, "x", x, x.dtype, 4); err != nil {
		return p, 0, 0, err
	}
	if err := r.checkTensor(k, shapes, "w", w, I8, 4); err != nil {
		return p, 0, 0, err
	}
	if x.Scale != nil || w.Scale != nil {
		return p, 0, 0, kernelErr(k, shapes, ErrShape, "x and w must not carry a Scale")
	}
	e := min(x.Exp, w.Exp)
	sx, sw := x.Exp-e, w.Exp-e
	if sx > 8 || sw > 8 {
		return p, 0, 0, kernelErr(k, shapes, ErrTooLarge, "exponents %d and %d differ by more than 8", x.Exp, w.Exp)
	}
	c, err := convParams(k, shapes, x.shape, w.shape, geom)
	if err != nil {
		return p, 0, 0, err
	}
	p = cpu.AdderI32Params{N: c.N, C: c.C, H: c.H, W: c.W, K: c.K, KH: c.KH, KW: c.KW, OH: c.OH, OW: c.OW,
		Stride: c.Stride, Pad: c.Pad, CG: c.CG, KG: c.KG, SX: uint32(sx), SW: uint32(sw)}
	if adderInElems(p) > math.MaxUint32 || adderOutElems(p) > math.MaxUint32 || adderWElems(p) > math.MaxUint32 {
		return p, 0, 0, kernelErr(k, shapes, ErrTooLarge, "more than 2^32-1 elements")
	}
	return p, e, adderCodeMax(x.dtype)<<sx + adderCodeMax(I8)<<sw, nil
}

// adderWiden returns t as I32 codes (a temporary when it had to be widened).
func (r *Recorder) adderWiden(t *Tensor) *Tensor {
	y := r.ToI32(t)
	if y != nil && y != t {
		r.temp(y)
	}
	return y
}

// Adder2dInt records adder2d_i32, AdderNet's forward on codes, exactly in
// int32 with e = min(x.Exp, w.Exp):
//
//	y[n, k, oh, ow] = -Σ_{c', kh, kw} |x·2^(x.Exp-e) - w[k, c', kh, kw]·2^(w.Exp-e)|
//
// (padding as x = 0), I32 [N, K, OH, OW] with exponent e. x: U8 or I8
// [N, C, H, W]; w: I8 [K, C/G, KH, KW]; neither with a Scale. The sum is
// exact when (C/G)·KH·KW·(max|x|·2^sx + 128·2^sw) < 2^31 (for U8 and I8
// on one exponent, (C/G)·KH·KW <= 5,621,579); beyond, ErrTooLarge.
func (r *Recorder) Adder2dInt(x, w *Tensor, geom ConvGeom) *Tensor {
	const k = "adder2d_i32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x, w)
	p, e, term, err := r.adderSetup(k, shapes, x, w, geom)
	if err != nil {
		return r.layerFail(err)
	}
	if uint64(p.CG)*uint64(p.KH)*uint64(p.KW)*term > math.MaxInt32 {
		return r.layerFail(kernelErr(k, shapes, ErrTooLarge, "a window of %d terms up to %d can leave int32", p.CG*p.KH*p.KW, term))
	}
	xi, wi := r.adderWiden(x), r.adderWiden(w)
	y := r.newOutput(k, shapes, I32, []int{int(p.N), int(p.K), int(p.OH), int(p.OW)}, e)
	if xi == nil || wi == nil || y == nil || r.Run(k, p, y, xi, wi) != nil {
		y.Release()
		return nil
	}
	return y
}

// Adder2dBwdDataInt records adder2d_bwd_data_i32, AdderNet's input gradient
// (HardTanh of the full-precision gradient) on codes, exactly in int64:
// with e = min(x.Exp, w.Exp) and the bound 1 as L = 2^-e codes,
//
//	dx[n, c, ih, iw] = Σ_{k', kh, kw} clamp(w·2^sw - x·2^sx, -L, L)·dy[n, g·KG + k', oh, ow]
//
// over the outputs the input position feeds; I64 of x's shape with
// exponent e + dy.Exp and dy's Scale. dy: I8, I16 or I32 codes
// [N, K, OH, OW] (E2 codes with their Scale); x, w as Adder2dInt;
// -30 <= e <= 0. ErrTooLarge when (K/G)·KH·KW·L·max|dy| could reach 2^63.
func (r *Recorder) Adder2dBwdDataInt(dy, x, w *Tensor, geom ConvGeom) *Tensor {
	return r.adderBwd("adder2d_bwd_data_i32", dy, x, w, geom)
}

// Adder2dBwdWeightInt records adder2d_bwd_weight_i32, AdderNet's
// full-precision weight gradient on codes, exactly in int64:
//
//	dw[k, c', kh, kw] = Σ_{n, oh, ow} (x·2^sx - w·2^sw)·dy[n, k, oh, ow]
//
// (padding as x = 0), I64 of w's shape with exponent e + dy.Exp and dy's
// Scale; arguments as Adder2dBwdDataInt (AdderNet's adaptive scaling is
// the layer's). ErrTooLarge when N·OH·OW·max|x·2^sx - w·2^sw|·max|dy|
// could reach 2^63.
func (r *Recorder) Adder2dBwdWeightInt(dy, x, w *Tensor, geom ConvGeom) *Tensor {
	return r.adderBwd("adder2d_bwd_weight_i32", dy, x, w, geom)
}

func (r *Recorder) adderBwd(k string, dy, x, w *Tensor, geom ConvGeom) *Tensor {
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(dy, x, w)
	p, e, term, err := r.adderSetup(k, shapes, x, w, geom)
	if err != nil {
		return r.layerFail(err)
	}
	if dy == nil || dy.dtype != I8 && dy.dtype != I16 && dy.dtype != I32 {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "dy must be I8, I16 or I32 codes"))
	}
	if err := r.checkTensor(k, shapes, "dy", dy, dy.dtype, 4); err != nil {
		return r.layerFail(err)
	}
	if want := []int{int(p.N), int(p.K), int(p.OH), int(p.OW)}; !equalShape(dy.shape, want) {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "dy is %v, want %v", dy.shape, want))
	}
	if dy.Scale != nil && (dy.Scale.dtype != I32 || dy.Scale.Len() != 1) {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "dy.Scale must be a one-element I32"))
	}
	if e < -30 || e > 0 {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "common exponent %d: want -30..0 (the HardTanh bound 2^-e in codes)", e))
	}
	p.Lim = int32(1) << -e
	terms, out := uint64(p.N)*uint64(p.OH)*uint64(p.OW), w.shape
	if k == "adder2d_bwd_data_i32" {
		terms, out, term = uint64(p.KG)*uint64(p.KH)*uint64(p.KW), x.shape, min(term, uint64(p.Lim))
	}
	if bound := math.MaxInt64 / adderCodeMax(dy.dtype) / term; terms > bound {
		return r.layerFail(kernelErr(k, shapes, ErrTooLarge, "%d terms up to %d·%d can leave int64", terms, term, adderCodeMax(dy.dtype)))
	}
	dyi, xi, wi := r.adderWiden(dy), r.adderWiden(x), r.adderWiden(w)
	g := r.newOutput(k, shapes, I64, out, e+dy.Exp)
	if dyi == nil || xi == nil || wi == nil || g == nil || r.Run(k, p, g, dyi, xi, wi) != nil {
		g.Release()
		return nil
	}
	g.Scale = dy.Scale
	return g
}

// QuantShiftF32 records shift_f32_i8, E1 (QuantShift) on float32 values,
// exactly as quant.Shift at k = 8 from the float bits: with r = round(log2
// max|x|) from m (MaxAbsF32's float bits),
//
//	code = clamp(round(x·2^(7-r)), -127, 127)
//
// as I8 codes of x's shape with Exp = x.Exp and a new Scale holding r - 7
// (plus x.Scale[0] when x has a Scale). A zero max gives zero codes and
// Scale -7. x: F32, finite; m: MaxAbsF32(x) (or any max at least max|x|).
func (r *Recorder) QuantShiftF32(x, m *Tensor) *Tensor {
	const k = "shift_f32_i8"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x, m)
	sc, has, err := r.checkScaled(k, shapes, x, m, F32)
	if err != nil {
		return r.layerFail(err)
	}
	rows, last := rowsOf(x.shape)
	p := cpu.ShiftParams{Rows: uint32(rows), K: uint32(last), KW: uint32((last + 3) / 4), HasScale: has}
	return r.scaledOutput(k, shapes, I8, x.shape, x.Exp, p, x, m, sc)
}

// AddGrad records grad_add_i64, the exact sum of two gradients of one shape
// whose exponents may depend on the data (E1 codes with a Scale, the I64
// input gradients of conv and BN with theirs): with e_a = a.Exp (+
// a.Scale[0]), e_b likewise and e = min(e_a, e_b),
//
//	out = a·2^(e_a - e) + b·2^(e_b - e)
//
// as I64 codes with Exp = min(a.Exp, b.Exp) and a new Scale holding e -
// Exp, exactly (the operand on the coarser grid is shifted left). This is
// the sum of the gradients of an output read by two layers (a residual
// branch), which add_i32 cannot do: it takes neither narrow or wide codes
// nor a Scale. a, b: I8, U8, I16, I32 or I64 codes; |Exp| <= 2^20 and
// Scales within ±2^20. A shift or sum beyond int64 saturates and raises
// ErrOverflow in the error word.
func (r *Recorder) AddGrad(a, b *Tensor) *Tensor {
	const k = "grad_add_i64"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(a, b)
	p := cpu.GradAddParams{}
	ins := make([]*Tensor, 2)
	scales := make([]*Tensor, 2)
	for i, t := range []*Tensor{a, b} {
		if t == nil || t.dtype == F32 || t.dtype == U32 {
			return r.layerFail(kernelErr(k, shapes, ErrShape, "operand %d must be integer codes", i))
		}
		if err := r.checkTensor(k, shapes, "operand", t, t.dtype, -1); err != nil {
			return r.layerFail(err)
		}
		if t.Exp < -1<<20 || t.Exp > 1<<20 {
			return r.layerFail(kernelErr(k, shapes, ErrShape, "exponent %d outside ±2^20", t.Exp))
		}
		if t.Scale != nil && (t.Scale.dtype != I32 || t.Scale.Len() != 1) {
			return r.layerFail(kernelErr(k, shapes, ErrShape, "operand %d has a Scale that is not a one-element I32", i))
		}
	}
	if !equalShape(a.shape, b.shape) {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "operand shapes differ"))
	}
	for i, t := range []*Tensor{a, b} {
		w := t
		if t.dtype != I64 {
			w = r.adderWiden(t)
			if w == nil {
				return nil
			}
		}
		ins[i], scales[i] = w, t.Scale
		if t.Scale == nil {
			scales[i] = w // placeholder binding, unread
		}
	}
	p.N = uint32(a.Len())
	p.AExp, p.BExp, p.OutExp = int32(a.Exp), int32(b.Exp), int32(min(a.Exp, b.Exp))
	if a.dtype == I64 {
		p.AWide = 1
	}
	if b.dtype == I64 {
		p.BWide = 1
	}
	if a.Scale != nil {
		p.AHasScale = 1
	}
	if b.Scale != nil {
		p.BHasScale = 1
	}
	return r.scaledOutput(k, shapes, I64, a.shape, int(p.OutExp), p, ins[0], ins[1], scales[0], scales[1])
}
