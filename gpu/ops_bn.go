package gpu

import (
	"math"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Batch norm in integer arithmetic: docs/dataflow.md "Forward 3." and
// "Backward 6.", method.md A2, A9, B§2.4. Kernels in shaders/bn.wgsl,
// twins in gpu/cpu/bn.go.
//
// Codes and exponents (value = code·2^Exp):
//
//	z        I32 [N, C, H, W] or [N, C]   e_z, -46 <= e_z <= 16 (no Scale)
//	z'       wide, exp -15                 z·2^(e_z+15): a left shift (exact) for e_z >= -15,
//	                                       RoundShr (half to even, Q(z,16)) for e_z < -15
//	μ, σ     I32 [C]                       -15 (σ includes ε = 1 code)
//	mean     I64 [C]                       -31 (batch mean, 16 bits finer than μ, for the running mean)
//	variance I64 [C]                       -30 (batch variance RoundDiv(S, n), for the running variance)
//	x̂        I32 [N, C, H, W]              -7, int16 range (a 32-bit container: no packing races,
//	                                       and bn_bwd_* read it directly)
//	γ8, β8   I32 [C]                       -7 (Q(·,8) of the masters, computed elsewhere)
//	y        I32 [N, C, H, W]              -14
//	running  I64 [C] mean -31, var -30     initial values 0 and 1 (= 2^30 codes): Device.BNRunningStats
//	δy       I32 or I8 [N, C, H, W]        e1 = δy.Exp (+ δy.Scale[0])
//	dγ, dβ   I32 [C]                       -14 (G_BN = Q(·,15))
//	δz       I64 [N, C, H, W]              δy.Exp - 38, Scale = δy.Scale (E2 is applied afterwards)
//
// Every kernel flags ErrOverflow in the device's error word (see "Error
// word" in doc.go) when a wide sum or product leaves int64 or a result its
// container, and saturates that value; none wraps silently.

// BNMinExp and BNMaxExp bound the exponent of BN's input z: the kernels put
// z on the exponent -15 grid with a shift of e_z + 15 in -31..31.
const (
	BNMinExp = -46
	BNMaxExp = 16
)

// BNMaxChannels is the most channels BN takes: the per-channel reductions
// run one workgroup per channel, within one grid dimension.
const BNMaxChannels = 65535

// BNDecay16 returns the fixed-point decay round(decay·2^16) of
// BNRunningUpdate (0.9 -> 58982, [OFF]'s 0.997 -> 65339), clamped to
// [0, 65536].
func BNDecay16(decay float64) uint32 {
	return uint32(min(max(math.RoundToEven(decay*65536), 0), 65536))
}

// BNRunningStats allocates the running statistics of a BN layer with c
// channels at their initial values (B§2.4): mean 0 (I64 [c], Exp -31) and
// variance 1 (I64 [c], Exp -30, codes 2^30).
func (d *Device) BNRunningStats(c int) (mean, variance *Tensor, err error) {
	zero, one := make([]int64, c), make([]int64, c)
	for i := range one {
		one[i] = 1 << 30
	}
	if mean, err = d.UploadI64([]int{c}, -31, zero); err != nil {
		return nil, nil, err
	}
	if variance, err = d.UploadI64([]int{c}, -30, one); err != nil {
		mean.Release()
		return nil, nil, err
	}
	return mean, variance, nil
}

// bnDims returns (N, C, HW) of an NCHW or NC tensor.
func bnDims(t *Tensor) (n, c, hw int) {
	n, c, hw = t.shape[0], t.shape[1], 1
	if len(t.shape) == 4 {
		hw = t.shape[2] * t.shape[3]
	}
	return n, c, hw
}

// checkBNInput validates an activation-shaped BN tensor: I32, rank 2 or 4,
// N·H·W >= 1, 1 <= C <= BNMaxChannels.
func (r *Recorder) checkBNInput(k string, shapes [][]int, what string, t *Tensor) error {
	if err := r.checkTensor(k, shapes, what, t, I32, -1); err != nil {
		return err
	}
	if len(t.shape) != 2 && len(t.shape) != 4 {
		return kernelErr(k, shapes, ErrShape, "%s has rank %d, want 2 ([N, C]) or 4 ([N, C, H, W])", what, len(t.shape))
	}
	n, c, hw := bnDims(t)
	if n*hw < 1 || c < 1 {
		return kernelErr(k, shapes, ErrShape, "%s is empty", what)
	}
	if c > BNMaxChannels {
		return kernelErr(k, shapes, ErrTooLarge, "%s has %d channels, over %d", what, c, BNMaxChannels)
	}
	return nil
}

// checkBNChannel validates a per-channel tensor: dtype dt, shape [c], exponent exp.
func (r *Recorder) checkBNChannel(k string, shapes [][]int, what string, t *Tensor, dt DType, c, exp int) error {
	if err := r.checkTensor(k, shapes, what, t, dt, 1); err != nil {
		return err
	}
	if t.shape[0] != c {
		return kernelErr(k, shapes, ErrShape, "%s has %d channels, want %d", what, t.shape[0], c)
	}
	if t.Exp != exp {
		return kernelErr(k, shapes, ErrShape, "%s has exponent %d, want %d", what, t.Exp, exp)
	}
	return nil
}

// BNStats records bn_stats: the batch statistics of BN in training, per
// channel c over the n = N·H·W values of z (I32 [N, C, H, W] or [N, C],
// exponent BNMinExp <= z.Exp <= BNMaxExp, no Scale), with z' = z·2^(z.Exp+15)
// on the exponent -15 grid (RoundShr when z.Exp < -15):
//
//	mu       = RoundDiv(Σ z', n)                 I32 [C], Exp -15
//	sigma    = RoundSqrt(S / n) + 1              I32 [C], Exp -15, S = Σ (z' - mu)²
//	mean     = RoundDiv(Σ z'·2^16, n)            I64 [C], Exp -31
//	variance = RoundDiv(S, n)                    I64 [C], Exp -30
//
// RoundDiv rounds half to even; RoundSqrt(S/n) is the integer r with
// (2r-1)²·n <= 4S < (2r+1)²·n, decided exactly. mean and variance feed
// BNRunningUpdate. Overflow (a sum beyond int64, mu or sigma beyond int32)
// saturates and raises ErrOverflow in the error word.
func (r *Recorder) BNStats(z *Tensor) (mu, sigma, mean, variance *Tensor) {
	const k = "bn_stats"
	if r.err != nil {
		return nil, nil, nil, nil
	}
	shapes := shapesOf(z)
	if err := r.checkBNInput(k, shapes, "z", z); err != nil {
		r.fail(err)
		return nil, nil, nil, nil
	}
	if z.Exp < BNMinExp || z.Exp > BNMaxExp || z.Scale != nil {
		r.fail(kernelErr(k, shapes, ErrShape, "z exponent %d (scale %v): want %d..%d without Scale", z.Exp, z.Scale != nil, BNMinExp, BNMaxExp))
		return nil, nil, nil, nil
	}
	n, c, hw := bnDims(z)
	mu = r.newOutput(k, shapes, I32, []int{c}, -15)
	sigma = r.newOutput(k, shapes, I32, []int{c}, -15)
	mean = r.newOutput(k, shapes, I64, []int{c}, -31)
	variance = r.newOutput(k, shapes, I64, []int{c}, -30)
	p := cpu.BNStatsParams{C: uint32(c), N: uint32(n), HW: uint32(hw), Shift: int32(z.Exp + 15)}
	if variance == nil || r.Run(k, p, mu, sigma, mean, variance, z) != nil {
		for _, t := range []*Tensor{mu, sigma, mean, variance} {
			t.Release()
		}
		return nil, nil, nil, nil
	}
	return mu, sigma, mean, variance
}

// BNForward records bn_fwd: with c the channel of each element of z
// (as BNStats),
//
//	xhat = RoundDiv((z' - mu[c])·128, sigma[c])   I32 (int16 range), Exp -7
//	y    = xhat·gamma8[c] + 128·beta8[c]          I32, Exp -14
//
// mu, sigma: I32 [C] with Exp -15 (BNStats in training, BNEvalStats in
// evaluation); gamma8, beta8: I32 [C] with Exp -7. xhat saturates to
// [-32768, 32767] and y to int32, raising ErrOverflow; a sigma below 1 is
// taken as 1 (flagged).
func (r *Recorder) BNForward(z, mu, sigma, gamma8, beta8 *Tensor) (xhat, y *Tensor) {
	const k = "bn_fwd"
	if r.err != nil {
		return nil, nil
	}
	shapes := shapesOf(z, mu, sigma, gamma8, beta8)
	if err := r.checkBNInput(k, shapes, "z", z); err != nil {
		r.fail(err)
		return nil, nil
	}
	if z.Exp < BNMinExp || z.Exp > BNMaxExp || z.Scale != nil {
		r.fail(kernelErr(k, shapes, ErrShape, "z exponent %d (scale %v): want %d..%d without Scale", z.Exp, z.Scale != nil, BNMinExp, BNMaxExp))
		return nil, nil
	}
	n, c, hw := bnDims(z)
	for _, a := range []struct {
		what string
		t    *Tensor
		exp  int
	}{{"mu", mu, -15}, {"sigma", sigma, -15}, {"gamma8", gamma8, -7}, {"beta8", beta8, -7}} {
		if err := r.checkBNChannel(k, shapes, a.what, a.t, I32, c, a.exp); err != nil {
			r.fail(err)
			return nil, nil
		}
	}
	xhat = r.newOutput(k, shapes, I32, z.shape, -7)
	y = r.newOutput(k, shapes, I32, z.shape, -14)
	p := cpu.BNFwdParams{C: uint32(c), HW: uint32(hw), Total: uint32(n * c * hw), Shift: int32(z.Exp + 15)}
	if y == nil || r.Run(k, p, xhat, y, z, mu, sigma, gamma8, beta8) != nil {
		xhat.Release()
		y.Release()
		return nil, nil
	}
	return xhat, y
}

// BNRunningUpdate records bn_running_update: the moving averages of
// B§2.4 (no zero-debias) in place, with d = d16/2^16 (see BNDecay16),
//
//	runMean = RoundShr(d16·runMean + (2^16 - d16)·mean, 16)          I64 [C], Exp -31
//	runVar  = RoundShr(d16·runVar + (2^16 - d16)·variance, 16)       I64 [C], Exp -30
//
// on the unquantized batch statistics mean and variance of BNStats. It
// returns runMean. d16 > 65536 is refused with ErrShape.
func (r *Recorder) BNRunningUpdate(runMean, runVar, mean, variance *Tensor, d16 uint32) *Tensor {
	const k = "bn_running_update"
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(runMean, runVar, mean, variance)
	if err := r.checkTensor(k, shapes, "runMean", runMean, I64, 1); err != nil {
		r.fail(err)
		return nil
	}
	c := runMean.shape[0]
	for _, a := range []struct {
		what string
		t    *Tensor
		exp  int
	}{{"runMean", runMean, -31}, {"runVar", runVar, -30}, {"mean", mean, -31}, {"variance", variance, -30}} {
		if err := r.checkBNChannel(k, shapes, a.what, a.t, I64, c, a.exp); err != nil {
			r.fail(err)
			return nil
		}
	}
	if d16 > 65536 {
		r.fail(kernelErr(k, shapes, ErrShape, "d16 = %d exceeds 65536 (decay 1)", d16))
		return nil
	}
	if r.Run(k, cpu.BNRunningParams{C: uint32(c), D16: d16}, runMean, runVar, mean, variance) != nil {
		return nil
	}
	return runMean
}

// BNEvalStats records bn_eval_stats: the statistics of BN in evaluation,
// from the running averages (I64 [C], Exp -31 and -30),
//
//	mu    = RoundShr(runMean, 16)       I32 [C], Exp -15
//	sigma = RoundSqrt(runVar) + 1       I32 [C], Exp -15
//
// the same grids as BNStats, for BNForward.
func (r *Recorder) BNEvalStats(runMean, runVar *Tensor) (mu, sigma *Tensor) {
	const k = "bn_eval_stats"
	if r.err != nil {
		return nil, nil
	}
	shapes := shapesOf(runMean, runVar)
	if err := r.checkTensor(k, shapes, "runMean", runMean, I64, 1); err != nil {
		r.fail(err)
		return nil, nil
	}
	c := runMean.shape[0]
	if err := r.checkBNChannel(k, shapes, "runMean", runMean, I64, c, -31); err != nil {
		r.fail(err)
		return nil, nil
	}
	if err := r.checkBNChannel(k, shapes, "runVar", runVar, I64, c, -30); err != nil {
		r.fail(err)
		return nil, nil
	}
	if c < 1 {
		r.fail(kernelErr(k, shapes, ErrShape, "no channels"))
		return nil, nil
	}
	mu = r.newOutput(k, shapes, I32, []int{c}, -15)
	sigma = r.newOutput(k, shapes, I32, []int{c}, -15)
	if sigma == nil || r.Run(k, cpu.BNEvalParams{C: uint32(c)}, mu, sigma, runMean, runVar) != nil {
		mu.Release()
		sigma.Release()
		return nil, nil
	}
	return mu, sigma
}

// BNGrad holds the results of BNBackward. Sums and Coef are intermediates
// (per channel Σδy and Σδy·x̂ as I64 [C, 2]; the dx coefficient k and shift
// as I32 [C, 2]); Release frees all five after the Submit that uses them.
type BNGrad struct {
	DZ     *Tensor // I64 [N, C, H, W], Exp dy.Exp - 38, Scale dy.Scale
	DGamma *Tensor // I32 [C], Exp -14
	DBeta  *Tensor // I32 [C], Exp -14
	Sums   *Tensor // I64 [C, 2]: Σδy (Exp e1), Σδy·x̂ (Exp e1 - 7)
	Coef   *Tensor // I32 [C, 2]: k, shift (bn_bwd_grads)
}

// Release releases the tensors of g.
func (g *BNGrad) Release() {
	if g == nil {
		return
	}
	for _, t := range []*Tensor{g.DZ, g.DGamma, g.DBeta, g.Sums, g.Coef} {
		t.Release()
	}
}

// BNBackward records bn_bwd_reduce, bn_bwd_grads and bn_bwd_dx: the BN
// backward in fixed point (A9, docs/dataflow.md "Backward 6."). dy: I32
// codes, or I8 codes (E1, packed along the last dimension), [N, C, H, W] or
// [N, C] with exponent e1 = dy.Exp (+ dy.Scale[0] when dy has a Scale),
// |dy.Exp| <= 2^20; xhat: BNForward's I32 x̂ codes
// (Exp -7) of the same shape; gamma8: I32 [C], Exp -7; sigma: the I32 [C]
// σ (Exp -15) of the forward. With n = N·H·W, per channel:
//
//	Σδy, Σδy·x̂                                    wide (Sums)
//	dβ = RoundShr(Σδy, -14 - e1)                   I32 [C], Exp -14 (G_BN)
//	dγ = RoundShr(Σδy·x̂, -7 - e1)                  I32 [C], Exp -14 (G_BN)
//	k  = RoundDiv(γ8·2^S, σ·n), S chosen per channel so that k has 24-25 bits
//	T  = 2^14·n·δy - 2^14·Σδy - x̂·Σδy·x̂           wide, in units of 2^(e1-14)/n
//	δz = RoundShr(T·k, S - 32)                     I64, Exp dy.Exp - 38, Scale dy.Scale
//
// δz is dx = γ/σ·(δy - mean(δy) - x̂·mean(δy·x̂)) with dx = δz·2^(e1-38),
// γ = γ8·2^-7, σ = sigma·2^-15, x̂ = xhat·2^-7 (the forward's quantized
// values, STE through every Q as in B§2.4): one rounding of the exact
// 96-bit T·k, with k exact to 2^-24 relative (k > 2^23). So δz keeps at
// least 15 significant bits wherever |dx| >= 2^(e1-24) and fits int64
// while |dx| < 2^(e1+25): for E1 codes (max |δy| >= 64 codes) that is
// 2^-30 <= |γ/σ| < 2^18. Beyond, δz (or T) saturates with ErrOverflow.
// δz is meant for quant_flag (E2), which scales it to 8 bits and the flag.
func (r *Recorder) BNBackward(dy, xhat, gamma8, sigma *Tensor) *BNGrad {
	const (
		kr = "bn_bwd_reduce"
		kg = "bn_bwd_grads"
		kd = "bn_bwd_dx"
	)
	if r.err != nil {
		return nil
	}
	shapes := shapesOf(dy, xhat, gamma8, sigma)
	var dyLast uint32
	if dy != nil && dy.dtype == I8 && len(dy.shape) > 0 {
		dyLast = uint32(dy.shape[len(dy.shape)-1]) // int8 codes packed along the last dimension
	}
	if err := r.checkBNInput(kr, shapes, "xhat", xhat); err != nil {
		r.fail(err)
		return nil
	}
	if dy == nil || dy.dtype != I8 && dy.dtype != I32 {
		r.fail(kernelErr(kr, shapes, ErrShape, "dy must be I32 or I8 codes"))
		return nil
	}
	if err := r.checkTensor(kr, shapes, "dy", dy, dy.dtype, len(xhat.shape)); err != nil {
		r.fail(err)
		return nil
	}
	if !equalShape(dy.shape, xhat.shape) || xhat.Exp != -7 {
		r.fail(kernelErr(kr, shapes, ErrShape, "xhat %v must have dy's shape and exponent -7", xhat))
		return nil
	}
	if dy.Exp < -1<<20 || dy.Exp > 1<<20 {
		r.fail(kernelErr(kr, shapes, ErrShape, "dy exponent %d out of range", dy.Exp))
		return nil
	}
	n, c, hw := bnDims(xhat)
	if err := r.checkBNChannel(kg, shapes, "gamma8", gamma8, I32, c, -7); err != nil {
		r.fail(err)
		return nil
	}
	if err := r.checkBNChannel(kg, shapes, "sigma", sigma, I32, c, -15); err != nil {
		r.fail(err)
		return nil
	}
	scale, useScale := gamma8, uint32(0) // any bound buffer when there is no Scale
	if dy.Scale != nil {
		if err := r.checkTensor(kg, shapes, "dy.Scale", dy.Scale, I32, -1); err != nil {
			r.fail(err)
			return nil
		}
		if dy.Scale.Len() != 1 {
			r.fail(kernelErr(kg, shapes, ErrShape, "dy.Scale has %d elements, want 1", dy.Scale.Len()))
			return nil
		}
		scale, useScale = dy.Scale, 1
	}
	g := &BNGrad{
		Sums:   r.newOutput(kr, shapes, I64, []int{c, 2}, dy.Exp),
		Coef:   r.newOutput(kg, shapes, I32, []int{c, 2}, 0),
		DGamma: r.newOutput(kg, shapes, I32, []int{c}, -14),
		DBeta:  r.newOutput(kg, shapes, I32, []int{c}, -14),
		DZ:     r.newOutput(kd, shapes, I64, dy.shape, dy.Exp+cpu.BNDxShift-6),
	}
	if g.DZ == nil {
		g.Release()
		return nil
	}
	g.DZ.Scale, g.Sums.Scale = dy.Scale, dy.Scale
	count := uint32(n * hw)
	if r.Run(kr, cpu.BNBwdReduceParams{C: uint32(c), N: uint32(n), HW: uint32(hw), DyLast: dyLast}, g.Sums, dy, xhat) != nil ||
		r.Run(kg, cpu.BNBwdGradsParams{C: uint32(c), Count: count, ExpDy: int32(dy.Exp), UseScale: useScale},
			g.DGamma, g.DBeta, g.Coef, g.Sums, gamma8, sigma, scale) != nil ||
		r.Run(kd, cpu.BNBwdDxParams{C: uint32(c), HW: uint32(hw), Total: uint32(n * c * hw), Count: count, DyLast: dyLast},
			g.DZ, dy, xhat, g.Sums, g.Coef) != nil {
		g.Release()
		return nil
	}
	return g
}
