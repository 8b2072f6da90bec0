package nn

import (
	"fmt"
	"math"

	"github.com/wageubn/wageubn/gpu"
)

// BatchNorm is BatchNorm2d ([N, C, H, W]) or BatchNorm1d ([N, C]).
//
// Parameters (PyTorch keys): weight (γ, init 1) and bias (β, init 0),
// trainable, no weight decay; buffers running_mean (init 0), running_var
// (init 1) and num_batches_tracked (I64 [], kept at 0: no mode counts
// it).
//
// Integer mode (method.md A9, docs/dataflow.md forward 3 and backward 6):
// masters γ, β are I32 codes with exponent -23 (momenta I32, exponent
// -12), running statistics I64 codes (mean exponent -31, variance -30).
// Forward takes z as I32 codes (the conv output; narrow codes widened, I64
// regridded exactly, F32 quantized at the BNIn grid 2^-(BNIn.Dec-1)); in
// training BNStats, then BNRunningUpdate with BNDecay16(Config.BNDecay),
// in evaluation BNEvalStats; γ8, β8 = RoundShr(master, 16) without clip
// (QuantRegrid); BNForward gives y, I32 codes with exponent -14. Backward
// takes δy as I8 (E1 with its Scale) or I32 codes, an I64 gradient through
// E1 first and F32 through E1 on its float bits (see errorCodes);
// BNBackward gives dγ, dβ (I32 G_BN codes, exponent -14) in Param.Grad and
// returns δz (I64, exponent δy.Exp - 38 with δy's Scale) for E2 at the
// previous conv.
//
// TQT thresholds weight_log2_t (γ) and bias_log2_t (β) (nn/tqt.go,
// [Thresholded], method.md B§7.2), unset until threshold.InitNetwork sets
// them. Once set, in FakeQuant mode γ is TQT's qsigned(γ, weight_log2_t,
// BNWeight.Dec) and β qsigned(β, bias_log2_t, BNBias.Dec) in place of
// their ADQ/DQ quantizers, and a set weight_log2_t makes the layer TQT's
// BatchNorm2d, F.batch_norm(x, running_mean, running_var, qsigned(γ),
// qsigned(β)) in inference mode: the input, running statistics and output
// are no longer quantized (IOStrict's quantizers and the statistics' DQ
// are dropped, as Conv2d and Linear drop theirs). The backward of γ and β
// is qsigned's: zero where the code clipped, and with Config.Retrain TQT's
// ∂/∂log2_t summed over the channels into the threshold's Grad. Integer
// mode does not use the thresholds (γ8, β8 stay RoundShr(master, 16),
// A9), and there they get no gradient; Float mode ignores them too.
//
// The parameters live in the domain of the mode: switching between
// integer and float (SetQuant, or a change of Config.Arith) converts
// masters, momenta and running statistics on the host at the next Forward
// (download, exact rounding half to even onto the integer grids, upload);
// the recording must have been submitted by then.
type BatchNorm struct {
	name string
	kind Kind
	cfg  Config
	c    int
	eps  float32

	weight, bias, runMean, runVar, tracked *Param
	// TQT thresholds (nn/tqt.go): weight_log2_t of γ, bias_log2_t of β.
	wlog2, blog2 *Param
	wl, bl       *gpu.Tensor // the thresholds the last FakeQuant forward used (nil: none)

	mode   computeMode
	train  bool
	xhat   *gpu.Tensor // integer: x̂ codes, γ8, σ
	gamma8 *gpu.Tensor
	sigma  *gpu.Tensor
	fx     *gpu.Tensor // float: the (quantized) input, γ, statistics
	fgamma *gpu.Tensor
	fmean  *gpu.Tensor
	fvar   *gpu.Tensor
	held   heldTensors
	grads  heldTensors
	ranFwd bool
}

// NewBatchNorm2d returns a batch norm over the channels of [N, C, H, W].
func NewBatchNorm2d(dev *gpu.Device, name string, cfg Config, channels int) (*BatchNorm, error) {
	return newBatchNorm(dev, KindBatchNorm2d, name, cfg, channels)
}

// NewBatchNorm1d returns a batch norm over the features of [N, C] (viewed
// as [N, C, 1, 1]).
func NewBatchNorm1d(dev *gpu.Device, name string, cfg Config, channels int) (*BatchNorm, error) {
	return newBatchNorm(dev, KindBatchNorm1d, name, cfg, channels)
}

func newBatchNorm(dev *gpu.Device, kind Kind, name string, cfg Config, c int) (*BatchNorm, error) {
	if err := checkLayer(kind, name, cfg); err != nil {
		return nil, err
	}
	if dev == nil {
		return nil, fmt.Errorf("%w: %s %s: nil device", ErrConfig, kind, name)
	}
	if c < 1 || c > gpu.BNMaxChannels {
		return nil, fmt.Errorf("%w: %s %s: %d channels, want 1..%d", ErrConfig, kind, name, c, gpu.BNMaxChannels)
	}
	l := &BatchNorm{name: name, kind: kind, cfg: cfg, c: c, eps: 1e-5,
		weight:  &Param{Name: "weight", Shape: []int{c}, Trainable: true},
		bias:    &Param{Name: "bias", Shape: []int{c}, Trainable: true},
		runMean: &Param{Name: "running_mean", Shape: []int{c}},
		runVar:  &Param{Name: "running_var", Shape: []int{c}},
		tracked: &Param{Name: "num_batches_tracked", Shape: []int{}},
	}
	l.wlog2 = newLog2T("weight_log2_t", &l.cfg)
	l.blog2 = newLog2T("bias_log2_t", &l.cfg)
	ones := make([]float32, c)
	for i := range ones {
		ones[i] = 1
	}
	zeros := make([]float32, c)
	var err error
	up := func(v []float32) *gpu.Tensor {
		if err != nil {
			return nil
		}
		var t *gpu.Tensor
		t, err = dev.UploadF32([]int{c}, 0, v)
		return t
	}
	l.weight.Value, l.weight.Momentum = up(ones), up(zeros)
	l.bias.Value, l.bias.Momentum = up(zeros), up(zeros)
	l.runMean.Value, l.runVar.Value = up(zeros), up(ones)
	if err == nil {
		l.tracked.Value, err = dev.UploadI64([]int{}, 0, []int64{0})
	}
	if err == nil {
		err = l.toDomain(modeOf(&l.cfg) == cmInteger)
	}
	if err != nil {
		for _, p := range l.Params() {
			p.Value.Release()
			p.Momentum.Release()
		}
		return nil, fmt.Errorf("%s %s: %w", kind, name, err)
	}
	return l, nil
}

// Name returns the layer's name.
func (l *BatchNorm) Name() string { return l.name }

// Kind returns KindBatchNorm2d or KindBatchNorm1d.
func (l *BatchNorm) Kind() Kind { return l.kind }

// Config returns the layer's settings.
func (l *BatchNorm) Config() *Config { return &l.cfg }

// SetQuant switches quantization on or off (the parameters follow at the
// next Forward).
func (l *BatchNorm) SetQuant(on bool) { l.cfg.Quant = on }

// Params returns weight, bias, running_mean, running_var and
// num_batches_tracked, PyTorch's order, followed by the TQT thresholds
// that are set (weight_log2_t, bias_log2_t; nn/tqt.go).
func (l *BatchNorm) Params() []*Param {
	return withSet([]*Param{l.weight, l.bias, l.runMean, l.runVar, l.tracked}, l.wlog2, l.blog2)
}

// Thresholds returns weight_log2_t and bias_log2_t, set or not
// ([Thresholded]).
func (l *BatchNorm) Thresholds() []*Param { return []*Param{l.wlog2, l.blog2} }

// toDomain converts the parameters to integer codes or to float32 (host
// round trip; a no-op when they are there already).
func (l *BatchNorm) toDomain(integer bool) error {
	type conv struct {
		t   **gpu.Tensor
		dt  gpu.DType
		exp int
	}
	cs := []conv{
		{&l.weight.Value, gpu.I32, gpu.ExpMaster}, {&l.bias.Value, gpu.I32, gpu.ExpMaster},
		{&l.weight.Momentum, gpu.I32, gpu.ExpMomentum}, {&l.bias.Momentum, gpu.I32, gpu.ExpMomentum},
		{&l.runMean.Value, gpu.I64, -31}, {&l.runVar.Value, gpu.I64, -30},
	}
	for _, c := range cs {
		dt := gpu.F32
		if integer {
			dt = c.dt
		}
		t, err := hostRecode(*c.t, dt, c.exp)
		if err != nil {
			return err
		}
		if t != *c.t {
			(*c.t).Release()
			*c.t = t
		}
	}
	return nil
}

// hostRecode returns t in dtype dt: F32 values as I32 or I64 codes with
// exponent exp (rounded half to even, saturating), codes as F32 values
// (exponent 0), or t itself when it has dtype dt. It downloads and
// uploads, so t's pending work must have been submitted.
func hostRecode(t *gpu.Tensor, dt gpu.DType, exp int) (*gpu.Tensor, error) {
	if t == nil || t.DType() == dt {
		return t, nil
	}
	dev, shape := t.Device(), t.Shape()
	if dt == gpu.F32 {
		var v []float64
		switch t.DType() {
		case gpu.I32:
			c, err := t.DownloadI32()
			if err != nil {
				return nil, err
			}
			for _, x := range c {
				v = append(v, float64(x))
			}
		case gpu.I64:
			c, err := t.DownloadI64()
			if err != nil {
				return nil, err
			}
			for _, x := range c {
				v = append(v, float64(x))
			}
		default:
			return nil, fmt.Errorf("%w: cannot convert %v to F32", ErrConfig, t)
		}
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(math.Ldexp(x, t.Exp))
		}
		return dev.UploadF32(shape, 0, f)
	}
	if t.DType() != gpu.F32 {
		return nil, fmt.Errorf("%w: cannot convert %v to %v", ErrConfig, t, dt)
	}
	f, err := t.DownloadF32()
	if err != nil {
		return nil, err
	}
	lim := float64(math.MaxInt32)
	if dt == gpu.I64 {
		lim = 1 << 62
	}
	codes := make([]int64, len(f))
	for i, x := range f {
		codes[i] = int64(min(max(math.RoundToEven(math.Ldexp(float64(x), t.Exp-exp)), -lim), lim))
	}
	if dt == gpu.I64 {
		return dev.UploadI64(shape, exp, codes)
	}
	c32 := make([]int32, len(codes))
	for i, x := range codes {
		c32[i] = int32(x)
	}
	return dev.UploadI32(shape, exp, c32)
}

// Forward records batch norm for x (one input): batch statistics in
// training (p.Train), running statistics in evaluation.
func (l *BatchNorm) Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor {
	r := p.R
	l.held.release()
	l.ranFwd = false
	l.xhat, l.gamma8, l.sigma, l.fx, l.fgamma, l.fmean, l.fvar = nil, nil, nil, nil, nil, nil, nil
	l.wl, l.bl = nil, nil
	for _, t := range l.Thresholds() {
		t.Trainable, t.Grad = l.cfg.Retrain, nil
	}
	if len(in) != 1 {
		r.Fail(fmt.Errorf("%w: %s %s takes 1 input, got %d", ErrNetwork, l.kind, l.name, len(in)))
		return nil
	}
	if r.Err() != nil {
		return nil
	}
	l.mode, l.train = modeOf(&l.cfg), p.Train
	if err := l.toDomain(l.mode == cmInteger); err != nil {
		r.Fail(fmt.Errorf("%s %s: converting the parameters: %w", l.kind, l.name, err))
		return nil
	}
	var y *gpu.Tensor
	if l.mode == cmInteger {
		y = l.forwardInteger(r, in[0])
	} else {
		y = l.forwardFloat(r, in[0])
	}
	l.ranFwd = y != nil
	return y
}

func (l *BatchNorm) forwardInteger(r *gpu.Recorder, x *gpu.Tensor) *gpu.Tensor {
	z := inputCodes(r, x, -(l.cfg.Bits.BNIn.Dec - 1), &l.held)
	if z == nil {
		return nil
	}
	g8 := l.held.add(r.QuantRegrid(l.weight.Value, -7, math.MinInt32, math.MaxInt32))
	b8 := l.held.add(r.QuantRegrid(l.bias.Value, -7, math.MinInt32, math.MaxInt32))
	var mu, sigma *gpu.Tensor
	if l.train {
		var mean, variance *gpu.Tensor
		mu, sigma, mean, variance = r.BNStats(z)
		l.held.add(mu, sigma, mean, variance)
		r.BNRunningUpdate(l.runMean.Value, l.runVar.Value, mean, variance, gpu.BNDecay16(l.cfg.BNDecay))
	} else {
		mu, sigma = r.BNEvalStats(l.runMean.Value, l.runVar.Value)
		l.held.add(mu, sigma)
	}
	xhat, y := r.BNForward(z, mu, sigma, g8, b8)
	l.held.add(xhat, y)
	if r.Err() != nil {
		return nil
	}
	l.xhat, l.gamma8, l.sigma = xhat, g8, sigma
	return y
}

// Backward records the backward for the gradient at the output, sets the
// gradients of weight and bias and returns the gradient at the input.
func (l *BatchNorm) Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	r := p.R
	if r.Err() != nil {
		return nil
	}
	if !l.ranFwd {
		r.Fail(fmt.Errorf("%w: %s %s: Backward before Forward", ErrNetwork, l.kind, l.name))
		return nil
	}
	l.grads.release()
	l.weight.Grad, l.bias.Grad = nil, nil
	l.wlog2.Grad, l.blog2.Grad = nil, nil
	if l.mode != cmInteger {
		return []*gpu.Tensor{l.backwardFloat(r, grad)}
	}
	dy := errorCodes(r, grad, true, &l.held)
	if dy == nil {
		return nil
	}
	g := r.BNBackward(dy, l.xhat, l.gamma8, l.sigma)
	if g == nil {
		return nil
	}
	l.held.add(g.DZ, g.Sums, g.Coef)
	l.grads.add(g.DGamma, g.DBeta)
	l.weight.Grad, l.bias.Grad = g.DGamma, g.DBeta
	return []*gpu.Tensor{g.DZ}
}

// forwardFloat records the float forward (BNF32 with batch statistics
// and the running update, momentum 1 - BNDecay, in training; BNEvalF32 in
// evaluation) or the fake-quant one of the PyTorch package (golden README
// batchnorm2d): always the running statistics, nothing updated,
//
//	y = ADQ(BN(ADQ(x), ADQ(γ), ADQ(β), ADQ(μ), ADQ(σ²)), out)
//
// with the BNIn, BNWeight, BNBias, BNMean, BNVar and BNOut widths when
// iostrict (without: x as it is, DQ of the parameters and the output),
// eps 1e-5. A set TQT threshold replaces γ's or β's quantizer by qsigned;
// a set weight_log2_t gives TQT's y = BN(x, qsigned(γ), qsigned(β), μ, σ²)
// (see [BatchNorm]).
func (l *BatchNorm) forwardFloat(r *gpu.Recorder, x *gpu.Tensor) *gpu.Tensor {
	xf := floatValues(r, x, &l.held)
	if xf == nil {
		return nil
	}
	g, b, rm, rv := l.weight.Value, l.bias.Value, l.runMean.Value, l.runVar.Value
	if l.mode == cmFakeQuant {
		bits, io := l.cfg.Bits, l.cfg.IOStrict
		tqt := log2TSet(l.wlog2) // TQT's BatchNorm2d (B§7.2)
		if io && !tqt {
			xf = fakeQuant(r, xf, bits.BNIn, true, &l.held)
		}
		if tqt {
			l.wl = l.wlog2.Value
			g = l.held.add(r.QSigned(g, l.wl, bits.BNWeight.Dec))
		} else {
			g = fakeQuant(r, g, bits.BNWeight, io, &l.held)
		}
		if log2TSet(l.blog2) {
			l.bl = l.blog2.Value
			b = l.held.add(r.QSigned(b, l.bl, bits.BNBias.Dec))
		} else {
			b = fakeQuant(r, b, bits.BNBias, io, &l.held)
		}
		if !tqt {
			rm = fakeQuant(r, rm, bits.BNMean, io, &l.held)
			rv = fakeQuant(r, rv, bits.BNVar, io, &l.held)
		}
		y := l.held.add(r.BNEvalF32(xf, g, b, rm, rv, l.eps))
		if y == nil {
			return nil
		}
		l.fx, l.fgamma, l.fmean, l.fvar, l.train = xf, g, rm, rv, false
		if tqt {
			return y
		}
		return fakeQuant(r, y, bits.BNOut, io, &l.held)
	}
	if !l.train {
		y := l.held.add(r.BNEvalF32(xf, g, b, rm, rv, l.eps))
		l.fx, l.fgamma, l.fmean, l.fvar = xf, g, rm, rv
		return y
	}
	y, mean, variance := r.BNF32(xf, g, b, rm, rv, l.eps, float32(1-l.cfg.BNDecay))
	l.held.add(y, mean, variance)
	l.fx, l.fgamma, l.fmean, l.fvar = xf, g, mean, variance
	return y
}

// backwardFloat records the float backward (BNBwdF32: through the batch
// statistics in float training, with fixed statistics otherwise) and sets
// the F32 gradients of weight and bias (through qsigned's backward where
// a TQT threshold was used, with the threshold's gradient under Retrain).
func (l *BatchNorm) backwardFloat(r *gpu.Recorder, grad *gpu.Tensor) *gpu.Tensor {
	g := floatValues(r, grad, &l.held)
	if g == nil {
		return nil
	}
	dx, dg, db := r.BNBwdF32(g, l.fx, l.fgamma, l.fmean, l.fvar, l.eps, l.train)
	if dx == nil {
		return nil
	}
	l.held.add(dx)
	l.grads.add(dg, db)
	l.weight.Grad = l.tqtGrad(r, l.weight, l.wlog2, l.wl, dg, l.cfg.Bits.BNWeight.Dec)
	l.bias.Grad = l.tqtGrad(r, l.bias, l.blog2, l.bl, db, l.cfg.Bits.BNBias.Dec)
	return dx
}

// tqtGrad returns the gradient of par for the gradient g at its quantized
// copy: g itself (straight-through) when the forward used no threshold
// (th == nil), else qsigned's backward: g masked to the in-range codes,
// and with Config.Retrain TQT's ∂/∂log2_t summed over the channels into
// lp.Grad (B§7.1).
func (l *BatchNorm) tqtGrad(r *gpu.Recorder, par, lp *Param, th, g *gpu.Tensor, dec int) *gpu.Tensor {
	if th == nil || g == nil {
		return g
	}
	gi, dl := r.QSignedBackward(par.Value, g, th, dec)
	l.grads.add(gi, dl)
	if l.cfg.Retrain && dl != nil {
		lp.Grad = l.grads.add(r.SumF32(dl))
	}
	return gi
}
