package gpu

import (
	"math"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Typed wrappers of the layer family: activations (act.wgsl), pools
// (pool.wgsl), the loss (loss.wgsl), the optimizer updates (optim.wgsl) and
// the reductions for calibration and metrics (stats.wgsl).

// layerFail records err and returns nil (a wrapper's failure path).
func (r *Recorder) layerFail(err error) *Tensor {
	r.fail(err)
	return nil
}

// layerRowsCols returns (rows, cols) of a shape, the layout of the narrow
// dtypes: cols is the last dimension, rows the product of the others.
func layerRowsCols(shape []int) (rows, cols uint32) {
	rs, c := rowsOf(shape)
	return uint32(rs), uint32(c)
}

// layerNoScale rejects a tensor with a data-dependent exponent where a kernel
// needs it on the host.
func layerNoScale(k string, shapes [][]int, what string, t *Tensor) error {
	if t.Scale != nil {
		return kernelErr(k, shapes, ErrShape, "%s has a data-dependent exponent (Scale), which %s does not take", what, k)
	}
	return nil
}

// ActReluQ records act_relu_q, ReLU followed by the activation quantizer
// Q_A (method.md A5, docs/dataflow.md Forward 4): for the BN output y (I32
// of any shape, exponent e_y = y.Exp) and the activation exponent expA
// (-7 by default, or from a TQT threshold),
//
//	a    = clamp(RoundShr(y, expA - e_y), 0, 255)             U8, a.Exp = expA
//	mask = 1 where y > 0 and RoundShr(y, expA - e_y) <= 255    U8, else 0
//
// RoundShr rounds half to even; a negative shift is an exact left shift.
// The mask is 0 where the forward saturated, so that the backward (ActBwd)
// gives zero gradient there (A5). expA - e_y must lie in -31..31, and y
// must not carry a Scale.
func (r *Recorder) ActReluQ(y *Tensor, expA int) (a, mask *Tensor) {
	return r.actQ("act_relu_q", y, expA)
}

// ActRelu6Q records act_relu6_q: ActReluQ of min(y, 6) (ReLU6 clips at 6
// first, method.md A5), with the mask also 0 where y > 6, so the clip at 6
// zeroes the gradient beyond 6 too. The 6 is 6·2^-e_y codes, so y.Exp must
// lie in -28..1.
func (r *Recorder) ActRelu6Q(y *Tensor, expA int) (a, mask *Tensor) {
	return r.actQ("act_relu6_q", y, expA)
}

func (r *Recorder) actQ(k string, y *Tensor, expA int) (a, mask *Tensor) {
	if r.err != nil {
		return nil, nil
	}
	shapes := shapesOf(y)
	if err := r.checkTensor(k, shapes, "y", y, I32, -1); err != nil {
		r.fail(err)
		return nil, nil
	}
	if err := layerNoScale(k, shapes, "y", y); err != nil {
		r.fail(err)
		return nil, nil
	}
	shift := expA - y.Exp
	if shift < -31 || shift > 31 {
		r.fail(kernelErr(k, shapes, ErrShape, "shift expA - y.Exp = %d - %d = %d, want -31..31", expA, y.Exp, shift))
		return nil, nil
	}
	rows, cols := layerRowsCols(y.shape)
	p := cpu.ActQParams{Rows: rows, Cols: cols, CW: (cols + 3) / 4, Shift: int32(shift), Six: 1<<31 - 1}
	if k == "act_relu6_q" {
		if y.Exp < -28 || y.Exp > 1 {
			r.fail(kernelErr(k, shapes, ErrShape, "y.Exp = %d: 6·2^-e_y is not an int32 code, want -28..1", y.Exp))
			return nil, nil
		}
		p.Six = int32(6 << (1 - y.Exp) >> 1)
	}
	a = r.newOutput(k, shapes, U8, y.shape, expA)
	mask = r.newOutput(k, shapes, U8, y.shape, 0)
	if a == nil || mask == nil || r.Run(k, p, a, mask, y) != nil {
		a.Release()
		mask.Release()
		return nil, nil
	}
	return a, mask
}

// ActBwd records act_bwd, the straight-through backward of Q_A inside its
// range (method.md A5): out = δ·mask elementwise, with δ's dtype, Exp and
// Scale. δ: I8 or I32 codes of the shape of mask (U8, from ActReluQ or
// ActRelu6Q).
func (r *Recorder) ActBwd(d, mask *Tensor) *Tensor {
	const k = "act_bwd"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(d, mask)
	if err := r.checkTensor(k, shapes, "mask", mask, U8, -1); err != nil {
		return r.layerFail(err)
	}
	if d != nil && d.dtype == I8 {
		if err := r.checkTensor(k, shapes, "δ", d, I8, len(mask.shape)); err != nil {
			return r.layerFail(err)
		}
	} else if err := r.checkTensor(k, shapes, "δ", d, I32, len(mask.shape)); err != nil {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "δ must be I8 or I32: %v", err))
	}
	if !equalShape(d.shape, mask.shape) {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "δ and mask shapes differ"))
	}
	rows, cols := layerRowsCols(d.shape)
	p := cpu.ActBwdParams{Rows: rows, Cols: cols, CW: (cols + 3) / 4}
	if d.dtype == I8 {
		p.I8 = 1
	}
	return withScale(r.output(k, shapes, d.dtype, d.shape, d.Exp, p, d, mask), d.Scale)
}

// Pool2d is the window of a 2-D pool: size KH x KW, strides SH, SW and
// zero padding PH, PW on each side. The output is OH = (H + 2PH - KH)/SH + 1
// by OW = (W + 2PW - KW)/SW + 1 (floor, PyTorch's ceil_mode=False). Padding
// may be at most half the window (PyTorch's rule), so every window holds an
// input position.
type Pool2d struct {
	KH, KW, SH, SW, PH, PW int
}

// params validates the window against an NCHW input shape and returns the
// kernel params.
func (g Pool2d) params(k string, shapes [][]int, in []int) (cpu.PoolParams, error) {
	if len(in) != 4 {
		return cpu.PoolParams{}, kernelErr(k, shapes, ErrShape, "input shape %v, want NCHW", in)
	}
	n, c, h, w := in[0], in[1], in[2], in[3]
	if g.KH < 1 || g.KW < 1 || g.SH < 1 || g.SW < 1 || g.PH < 0 || g.PW < 0 || 2*g.PH > g.KH || 2*g.PW > g.KW ||
		g.KH*g.KW > 1<<24 || h+2*g.PH < g.KH || w+2*g.PW < g.KW || h < 1 || w < 1 {
		return cpu.PoolParams{}, kernelErr(k, shapes, ErrShape, "pool window %+v on %dx%d: want windows and strides >= 1, padding <= half the window, a window of at most 2^24 inside the padded input", g, h, w)
	}
	p := cpu.PoolParams{Planes: uint32(n * c), H: uint32(h), W: uint32(w),
		OH: uint32((h+2*g.PH-g.KH)/g.SH + 1), OW: uint32((w+2*g.PW-g.KW)/g.SW + 1),
		KH: uint32(g.KH), KW: uint32(g.KW), SH: uint32(g.SH), SW: uint32(g.SW), PH: uint32(g.PH), PW: uint32(g.PW)}
	p.T = poolCeilLog2(p.KH * p.KW)
	return p, nil
}

// GlobalPool returns the window of a global average pool over an NCHW
// input shape: the whole H x W plane, output 1x1.
func GlobalPool(in []int) Pool2d {
	if len(in) != 4 {
		return Pool2d{}
	}
	return Pool2d{KH: in[2], KW: in[3], SH: 1, SW: 1}
}

// Maxpool2d records maxpool2d_fwd: max pooling of activation codes x (U8
// [N, C, H, W]) into y (U8 [N, C, OH, OW], y.Exp = x.Exp) and arg (I32
// [N, C, OH, OW], the index ih·W + iw of each window's maximum within its
// plane, ties to the first index in row-major window order), which
// Maxpool2dBwd takes.
func (r *Recorder) Maxpool2d(x *Tensor, g Pool2d) (y, arg *Tensor) {
	const k = "maxpool2d_fwd"
	if r.err != nil {
		return nil, nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, U8, 4); err != nil {
		r.fail(err)
		return nil, nil
	}
	p, err := g.params(k, shapes, x.shape)
	if err != nil {
		r.fail(err)
		return nil, nil
	}
	os := []int{x.shape[0], x.shape[1], int(p.OH), int(p.OW)}
	y = r.newOutput(k, shapes, U8, os, x.Exp)
	arg = r.newOutput(k, shapes, I32, os, 0)
	if y == nil || arg == nil || r.Run(k, p, y, arg, x) != nil {
		y.Release()
		arg.Release()
		return nil, nil
	}
	y.Scale = x.Scale
	return y, arg
}

// Maxpool2dBwd records maxpool2d_bwd, the max-pool backward as a gather
// (no atomics): dx[n, c, ih, iw] = the sum of d over the windows whose
// argmax (from Maxpool2d) is (ih, iw); dx is I32 of the input shape in
// (NCHW), with d's Exp and Scale. d: I8 or I32 [N, C, OH, OW]. A sum over
// I32 codes that wraps raises ErrOverflow (see Options.Debug); I8 codes
// cannot.
func (r *Recorder) Maxpool2dBwd(d, arg *Tensor, g Pool2d, in []int) *Tensor {
	const k = "maxpool2d_bwd"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(d, arg)
	p, err := r.poolBwdCheck(k, shapes, d, g, in)
	if err != nil {
		return r.layerFail(err)
	}
	if err := r.checkTensor(k, shapes, "arg", arg, I32, 4); err != nil {
		return r.layerFail(err)
	}
	if !equalShape(arg.shape, d.shape) {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "δ and argmax shapes differ"))
	}
	return withScale(r.output(k, shapes, I32, in, d.Exp, p, d, arg), d.Scale)
}

// poolBwdCheck validates δ (I8 or I32 of the pool's output shape) and the
// window, and returns the params with DI8 set.
func (r *Recorder) poolBwdCheck(k string, shapes [][]int, d *Tensor, g Pool2d, in []int) (cpu.PoolParams, error) {
	dt := I32
	if d != nil && d.dtype == I8 {
		dt = I8
	}
	if err := r.checkTensor(k, shapes, "δ", d, dt, 4); err != nil {
		return cpu.PoolParams{}, err
	}
	p, err := g.params(k, shapes, in)
	if err != nil {
		return p, err
	}
	if want := []int{in[0], in[1], int(p.OH), int(p.OW)}; !equalShape(d.shape, want) {
		return p, kernelErr(k, shapes, ErrShape, "δ shape %v, want the pool output %v", d.shape, want)
	}
	if dt == I8 {
		p.DI8 = 1
	}
	return p, nil
}

// Avgpool2d records avgpool2d_fwd: average pooling of activation codes x
// (U8 [N, C, H, W]) into y (U8 [N, C, OH, OW], y.Exp = x.Exp), y =
// RoundDiv(window sum, KH·KW) rounded half to even, exactly; padding counts
// as zero and the divisor is always KH·KW (count_include_pad). Global
// average pooling is Avgpool2d(x, GlobalPool(x.Shape())).
func (r *Recorder) Avgpool2d(x *Tensor, g Pool2d) *Tensor {
	const k = "avgpool2d_fwd"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, U8, 4); err != nil {
		return r.layerFail(err)
	}
	p, err := g.params(k, shapes, x.shape)
	if err != nil {
		return r.layerFail(err)
	}
	return withScale(r.output(k, shapes, U8, []int{x.shape[0], x.shape[1], int(p.OH), int(p.OW)}, x.Exp, p, x), x.Scale)
}

// Avgpool2dBwd records avgpool2d_bwd, the average-pool backward: with S the
// exact sum of d over the windows containing an input position and t =
// ceil(log2(KH·KW)),
//
//	dx = RoundDiv(S·2^t, KH·KW)   I32 of the input shape, dx.Exp = d.Exp - t
//
// so the factor 1/(KH·KW) is folded into the exponent: exactly (dx = S)
// when KH·KW is a power of two, else rounded half to even with t more bits
// than d. d: I8 or I32 [N, C, OH, OW]; dx keeps d's Scale. A result beyond
// int32 (only from I32 codes) raises ErrOverflow.
func (r *Recorder) Avgpool2dBwd(d *Tensor, g Pool2d, in []int) *Tensor {
	const k = "avgpool2d_bwd"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(d)
	p, err := r.poolBwdCheck(k, shapes, d, g, in)
	if err != nil {
		return r.layerFail(err)
	}
	return withScale(r.output(k, shapes, I32, in, d.Exp-int(p.T), p, d), d.Scale)
}

// The exponents of the optimizer state (method.md B§9.1, docs/dataflow.md).
const (
	ExpMaster   = -23 // master weights, the 2^-23 grid ("24-bit")
	ExpMomentum = -12 // momentum accumulator, 13-bit grid
	ExpGrad     = -14 // G and G_BN of full8
	ExpLR       = -9  // learning rate, C_10(Q(lr, 10))
	// MaxLRCode bounds the learning-rate code of the integer optimizers
	// (C_10 gives at most 511).
	MaxLRCode = 1023
)

// checkOptimState validates master w (I32, exponent ExpMaster) and
// momentum m (I32 of w's shape, exponent ExpMomentum) and the lr code.
func (r *Recorder) checkOptimState(k string, shapes [][]int, w, m *Tensor, lr int) error {
	if err := r.checkTensor(k, shapes, "master", w, I32, -1); err != nil {
		return err
	}
	if err := r.checkTensor(k, shapes, "momentum", m, I32, len(w.shape)); err != nil {
		return err
	}
	if !equalShape(w.shape, m.shape) {
		return kernelErr(k, shapes, ErrShape, "master and momentum shapes differ")
	}
	if w.Exp != ExpMaster || m.Exp != ExpMomentum || w.Scale != nil || m.Scale != nil {
		return kernelErr(k, shapes, ErrShape, "master exponent %d and momentum exponent %d, want %d and %d without Scale", w.Exp, m.Exp, ExpMaster, ExpMomentum)
	}
	if lr < -MaxLRCode || lr > MaxLRCode {
		return kernelErr(k, shapes, ErrShape, "learning-rate code %d outside ±%d", lr, MaxLRCode)
	}
	return nil
}

// OptimWageubn records optim_wageubn, the full8 update (method.md A8,
// B§2.8), in place on the master weights w (I32, exponent -23) and the
// momentum m (I32, exponent -12): with G codes g (I8 or I32 of w's shape,
// exponent -14, no Scale) and the learning-rate code lr (exponent -9,
// |lr| <= MaxLRCode),
//
//	M' = M + G;  W = W - lr·M' (exact on the 2^-23 grid);  M = RoundShr(M', 2)
//
// It returns w. A wrap (M + G beyond int32, or a W beyond int32, which
// |lr·M'| <= 1023·|M'| rules out for masters and momenta of training sizes)
// raises ErrOverflow.
func (r *Recorder) OptimWageubn(w, m, g *Tensor, lr int) *Tensor {
	const k = "optim_wageubn"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(w, m, g)
	if err := r.checkOptimState(k, shapes, w, m, lr); err != nil {
		return r.layerFail(err)
	}
	p, err := r.optimGrad(k, shapes, w, g, true)
	if err != nil {
		return r.layerFail(err)
	}
	if g.Exp != ExpGrad || g.Scale != nil {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "G exponent %d, want %d without Scale", g.Exp, ExpGrad))
	}
	p.LR = int32(lr)
	if r.Run(k, p, w, m, g) != nil {
		return nil
	}
	return w
}

// optimGrad validates G (I8, or I32 when i32 is allowed, of w's shape) and
// returns the params' shape fields.
func (r *Recorder) optimGrad(k string, shapes [][]int, w, g *Tensor, i32 bool) (cpu.OptimParams, error) {
	dt := I8
	if i32 && g != nil && g.dtype == I32 {
		dt = I32
	}
	if err := r.checkTensor(k, shapes, "G", g, dt, len(w.shape)); err != nil {
		return cpu.OptimParams{}, err
	}
	if !equalShape(w.shape, g.shape) {
		return cpu.OptimParams{}, kernelErr(k, shapes, ErrShape, "master and G shapes differ")
	}
	_, cols := layerRowsCols(w.shape)
	p := cpu.OptimParams{N: uint32(w.Len()), Cols: max(cols, 1), CW: (cols + 3) / 4}
	if dt == I8 {
		p.GI8 = 1
	}
	return p, nil
}

// OptimWageubnPlus records optim_wageubn_plus, the full8plus update
// (method.md A15), in place on w (I32, exponent -23) and m (I32, exponent
// -12): G is g, 8-bit codes (I8 of w's shape) with exponent e_g = g.Exp +
// g.Scale[0] (g.Exp alone without a Scale), and the momentum coefficient is
// 7/8. On the common grid e_c = clamp(e_g, -39, -15):
//
//	M' = 7·M·2^(-15-e_c) + G·2^(e_g-e_c)      (7/8 of M on the -12 grid is 7·M on -15)
//	W  = Q(W - lr·M', 24)                     (RoundShr onto 2^-23, once)
//	M  = RoundShr(M', -12-e_c)                (back to the 13-bit grid 2^-12)
//
// Only these two re-quantizations round, so W and M are exactly those of
// A15 in rationals; a G finer than 2^-39 enters as its sign on the 2^-39
// grid, which can only break rounding ties and is exact too (see the
// shader). lr is the learning-rate code (exponent -9, |lr| <= MaxLRCode);
// g.Exp must lie within ±4096. It returns w. ErrOverflow flags a G coarser
// than 2^16 (e_g > 16), |M'| >= 2^52, or a W or M beyond int32.
func (r *Recorder) OptimWageubnPlus(w, m, g *Tensor, lr int) *Tensor {
	const k = "optim_wageubn_plus"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(w, m, g)
	if err := r.checkOptimState(k, shapes, w, m, lr); err != nil {
		return r.layerFail(err)
	}
	p, err := r.optimGrad(k, shapes, w, g, false)
	if err != nil {
		return r.layerFail(err)
	}
	if g.Exp < -4096 || g.Exp > 4096 {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "G exponent %d outside ±4096", g.Exp))
	}
	p.LR, p.GExp = int32(lr), int32(g.Exp)
	scale := g
	if g.Scale != nil {
		if err := r.checkTensor(k, shapes, "G.Scale", g.Scale, I32, -1); err != nil {
			return r.layerFail(err)
		}
		scale, p.UseScale = g.Scale, 1
	}
	if r.Run(k, p, w, m, g, scale) != nil {
		return nil
	}
	return w
}

// checkF32State validates float32 tensors of one shape (no exponents).
func (r *Recorder) checkF32State(k string, shapes [][]int, names []string, ts ...*Tensor) error {
	for i, t := range ts {
		if err := r.checkTensor(k, shapes, names[i], t, F32, -1); err != nil {
			return err
		}
		if !equalShape(t.shape, ts[0].shape) {
			return kernelErr(k, shapes, ErrShape, "%s shape %v differs from %s %v", names[i], t.shape, names[0], ts[0].shape)
		}
	}
	return nil
}

// OptimSGD records optim_sgd_f32, PyTorch's SGD with momentum (dampening
// 0) in float32, in place on w and the velocity v: g' = g + wd·w, v = μ·v
// + g', w = w - lr·v. w, v, g: F32 of one shape (v starts at zeros). It
// returns w.
func (r *Recorder) OptimSGD(w, v, g *Tensor, lr, momentum, weightDecay float32) *Tensor {
	const k = "optim_sgd_f32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(w, v, g)
	if err := r.checkF32State(k, shapes, []string{"w", "v", "g"}, w, v, g); err != nil {
		return r.layerFail(err)
	}
	p := cpu.SGDParams{N: uint32(w.Len()), LR: lr, Momentum: momentum, WeightDecay: weightDecay}
	if r.Run(k, p, w, v, g) != nil {
		return nil
	}
	return w
}

// Adam holds the hyper-parameters of OptimAdam (PyTorch's names and
// defaults: Beta1 0.9, Beta2 0.999, Eps 1e-8 where zero).
type Adam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
}

// OptimAdam records optim_adam_f32, PyTorch's Adam in float32, in place on
// w and the moments m, v, for the float recipe and the trainable log2_t
// thresholds of TQT: g' = g + wd·w, m = β1·m + (1-β1)·g', v = β2·v +
// (1-β2)·g'², w = w - lr·(m/(1-β1^step))/(sqrt(v/(1-β2^step)) + eps).
// step counts from 1. w, m, v, g: F32 of one shape (m, v start at zeros).
// It returns w.
func (r *Recorder) OptimAdam(w, m, v, g *Tensor, h Adam, step int) *Tensor {
	const k = "optim_adam_f32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(w, m, v, g)
	if err := r.checkF32State(k, shapes, []string{"w", "m", "v", "g"}, w, m, v, g); err != nil {
		return r.layerFail(err)
	}
	if step < 1 {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "step %d, want >= 1", step))
	}
	if h.Beta1 == 0 {
		h.Beta1 = 0.9
	}
	if h.Beta2 == 0 {
		h.Beta2 = 0.999
	}
	if h.Eps == 0 {
		h.Eps = 1e-8
	}
	p := cpu.AdamParams{N: uint32(w.Len()), LR: h.LR, Beta1: h.Beta1, Beta2: h.Beta2, Eps: h.Eps, WeightDecay: h.WeightDecay,
		BC1: float32(1 - math.Pow(float64(h.Beta1), float64(step))), BC2: float32(1 - math.Pow(float64(h.Beta2), float64(step)))}
	if r.Run(k, p, w, m, v, g) != nil {
		return nil
	}
	return w
}

// Xent is the result of SoftmaxXent, tensors on the device.
type Xent struct {
	Loss    *Tensor // F32 [N], the per-sample loss
	Grad    *Tensor // F32 [N, K], ∂(mean loss)/∂logits = (softmax - onehot)/N
	Pred    *Tensor // I32 [N], argmax of the logits (ties to the lowest index)
	Correct *Tensor // U32 [1], the number of samples with Pred == label
}

// Release releases the four tensors.
func (x Xent) Release() {
	x.Loss.Release()
	x.Grad.Release()
	x.Pred.Release()
	x.Correct.Release()
}

// SoftmaxXent records softmax_xent_f32 and (after clearing the count)
// xent_correct: the softmax cross-entropy of logits (I32 codes [N, K] with
// value code·2^logits.Exp, or F32 [N, K]) against labels (U32 [N]), in
// float32 (method.md A2, docs/dataflow.md Forward 6):
//
//	Loss[s]    = log Σ_j exp(x_j - max x) - (x_y - max x)
//	Grad[s, j] = (softmax(x)_j - [j == y]) / N
//
// and, exactly on the codes (or on the floats, whose comparisons are exact
// too), Pred[s] = argmax_j x_j with ties to the lowest index and Correct =
// #{s : Pred[s] == label[s]}. A label >= K marks a sample to ignore: loss 0,
// zero gradient, never correct (the mean still divides by N). Release
// every tensor of the result (Xent.Release) after use.
func (r *Recorder) SoftmaxXent(logits, labels *Tensor) Xent {
	const k = "softmax_xent_f32"
	if r.err != nil {
		return Xent{}
	}
	shapes := shapesOf(logits, labels)
	var p cpu.XentParams
	if logits != nil && logits.dtype == F32 {
		if err := r.checkTensor(k, shapes, "logits", logits, F32, 2); err != nil {
			r.fail(err)
			return Xent{}
		}
	} else {
		if err := r.checkTensor(k, shapes, "logits", logits, I32, 2); err != nil {
			r.fail(err)
			return Xent{}
		}
		if err := layerNoScale(k, shapes, "logits", logits); err != nil {
			r.fail(err)
			return Xent{}
		}
		if logits.Exp < -300 || logits.Exp > 300 {
			r.fail(kernelErr(k, shapes, ErrShape, "logits exponent %d outside ±300", logits.Exp))
			return Xent{}
		}
		p.IsI32, p.Exp = 1, int32(logits.Exp)
	}
	if err := r.checkTensor(k, shapes, "labels", labels, U32, 1); err != nil {
		r.fail(err)
		return Xent{}
	}
	n, kk := logits.shape[0], logits.shape[1]
	if labels.shape[0] != n {
		r.fail(kernelErr(k, shapes, ErrShape, "%d labels for %d samples", labels.shape[0], n))
		return Xent{}
	}
	p.N, p.K = uint32(n), uint32(kk)
	x := Xent{
		Loss:    r.newOutput(k, shapes, F32, []int{n}, 0),
		Grad:    r.newOutput(k, shapes, F32, []int{n, kk}, 0),
		Pred:    r.newOutput(k, shapes, I32, []int{n}, 0),
		Correct: r.newOutput(k, shapes, U32, []int{1}, 0),
	}
	if x.Loss == nil || x.Grad == nil || x.Pred == nil || x.Correct == nil ||
		r.Run(k, p, x.Loss, x.Grad, logits, labels) != nil || r.Fill(x.Correct, 0) == nil ||
		r.Run("xent_correct", p, x.Pred, x.Correct, logits, labels) != nil {
		x.Release()
		return Xent{}
	}
	return x
}

// SumWide records fill_u32 and sum_i32_wide: the exact sums of the int32
// codes of x (I32, any shape) as I64, with x's Exp and Scale: one sum over
// the whole tensor ([1]) or, with perRow, one per row of the last
// dimension ([rows], rows = the product of the leading dimensions). For
// calibration statistics and metrics; |sum| <= 2^31·len(x) < 2^63 always.
func (r *Recorder) SumWide(x *Tensor, perRow bool) *Tensor {
	const k = "sum_i32_wide"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, I32, -1); err != nil {
		return r.layerFail(err)
	}
	rows, cols := uint32(1), uint32(x.Len())
	if perRow {
		rows, cols = layerRowsCols(x.shape)
	}
	p := cpu.SumParams{Rows: rows, Cols: cols, Chunks: ceilDiv(cols, cpu.SumChunk)}
	return withScale(r.accumulator(k, shapes, I64, []int{int(rows)}, x.Exp, p, x), x.Scale)
}

// SumSquaresWide records fill_u32 and sumsq_i32_wide: the exact sums of
// the squared int32 codes of x (I32, any shape), over the whole tensor
// ([1]) or, with perRow, per row of the last dimension, as two words per
// sum (I64 dtype; the value is unsigned: read a sum at or above 2^63 as
// uint64). The exponent is 2·x.Exp (a Scale on x is refused). A sum that
// reaches 2^64 raises ErrOverflow in the error word (see Options.Debug).
// For calibration statistics (3-sigma thresholds).
func (r *Recorder) SumSquaresWide(x *Tensor, perRow bool) *Tensor {
	const k = "sumsq_i32_wide"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, I32, -1); err != nil {
		return r.layerFail(err)
	}
	if x.Scale != nil {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "x has a data-dependent Scale; square the codes of a fixed-exponent tensor"))
	}
	rows, cols := uint32(1), uint32(x.Len())
	if perRow {
		rows, cols = layerRowsCols(x.shape)
	}
	p := cpu.SumSqParams{Rows: rows, Cols: cols, Chunks: ceilDiv(cols, cpu.SumChunk)}
	return r.accumulator(k, shapes, I64, []int{int(rows)}, 2*x.Exp, p, x)
}

// Histogram records fill_u32 and histogram_i32: counts (U32 [bins]) of the
// int32 codes of x (I32, any shape) in [lo, hi] over bins of equal width,
// code c going to bin floor((c - lo)·bins / (hi - lo + 1)); codes outside
// [lo, hi] are not counted. Exact (integer bins, atomic counts). hi >= lo,
// bins >= 1, and [lo, hi] must not be the whole int32 range.
func (r *Recorder) Histogram(x *Tensor, lo, hi int32, bins int) *Tensor {
	const k = "histogram_i32"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(x)
	if err := r.checkTensor(k, shapes, "x", x, I32, -1); err != nil {
		return r.layerFail(err)
	}
	width := int64(hi) - int64(lo) + 1
	if width < 1 || width > 1<<32-1 || bins < 1 || bins > 1<<28 {
		return r.layerFail(kernelErr(k, shapes, ErrShape, "range [%d, %d] with %d bins: want hi >= lo, not the whole int32 range, 1..2^28 bins", lo, hi, bins))
	}
	p := cpu.HistParams{N: uint32(x.Len()), Lo: lo, Width: uint32(width), Bins: uint32(bins)}
	return r.accumulator(k, shapes, U32, []int{bins}, 0, p, x)
}
