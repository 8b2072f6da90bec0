package nn

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/quant"
)

// affine is the computation Conv2d and Linear share (a Linear layer is a
// 1x1 convolution of [N, in, 1, 1] with a kernel [out, in, 1, 1]): the three
// modes of a layer, the parameters and what Forward saves for Backward.
//
// Modes, from the Config at every call (never cached):
//
//   - Integer (Quant, Arith Integer; docs/dataflow.md): the input becomes
//     narrow codes (U8 and I8 as they are; I32 and I64 codes and F32
//     values re-gridded onto the input grid 2^-(Input.Dec-1) and clipped
//     to ±127, then packed as I8). w8 = QuantWeight(master) (I8, exponent
//     -7); z = Conv2dI8(x, w8) (I32, exponent e_x - 7, or I64 where the
//     sum could pass int32); the bias master is shifted onto z's grid and
//     added (BiasAdd). Backward: the incoming gradient (any integer codes
//     with or without a Scale, or F32) -> E2 = QuantFlag(·, Bits.E2) (I16
//     codes with a Scale; Bits.E2 <= 8); dW = E2 x x (wide), plus weight
//     decay 1e-4 (QuantDecay, Param.Decay), -> G: QuantConst with g_scale
//     Pass.GScale (I8, exponent -14), or QuantConstMag under
//     GKeepsMagnitude (full8plus), keyed by (Pass.Seed, Pass.Step,
//     ParamTensorID(key)); the bias gradient is the channel sum of E2
//     (BiasGrad) through the same decay and G; dx = E2 x w8 (I64 with
//     E2's Scale) is returned.
//   - Float (Quant off): float32 convolution on the float masters; integer
//     inputs and gradients are converted (ToF32; I64 through the 16-bit
//     flag quantizer first, 15 significant bits). Param.Grad is the plain
//     float32 gradient (weight decay is the optimizer's).
//   - FakeQuant (Quant, Arith FakeQuant): Float with the PyTorch package's
//     quantizers (the golden README "Quantized layers"): IOStrict on, xq =
//     ADQ(x, Input), Wq = ADQ(W, Weight), bq = ADQ(b, Bias), y = ADQ(conv(xq,
//     Wq) + bq, Output); IOStrict off, xq = x, Wq = DQ(W, Weight.Dec), bq =
//     DQ(b, Bias.Dec), y = conv(x, Wq) + bq. ADQ with All = 0 is DQ. The
//     backward is straight-through with the quantized operands. Once a
//     TQT threshold is set (nn/tqt.go; threshold.InitNetwork), Wq =
//     qsigned(W, weight_log2_t, Weight.Dec) and bq = qsigned(b,
//     bias_log2_t, Bias.Dec) replace ADQ/DQ on that operand, and a set
//     weight_log2_t drops IOStrict's input and output quantizers (the
//     layer is then TQT's conv(x, qsigned(W), qsigned(b)), B§7.2, whose
//     output is not quantized), and the operand's gradient is
//     qsigned's backward: zero where the code clipped, plus TQT's
//     ∂/∂log2_t summed into the threshold's Grad under Config.Retrain.
//     Integer mode ignores the weight thresholds (weights stay C_8(Q(W,8)),
//     A5).
//
// Masters are I32 codes with exponent -23 in Integer mode and F32 in the
// other two; a layer whose mode changed converts them at its next Forward
// (FromF32 at 2^-23, or ToF32), drops the optimizer slot (Param.Momentum =
// nil: the optimizer allocates a fresh one of the new kind) and releases
// the old tensors at the Forward after.
type affine struct {
	dev    *gpu.Device
	kind   Kind
	name   string
	cfg    Config
	geom   gpu.ConvGeom
	wShape []int // the weight as a convolution kernel [K, C/G, KH, KW]
	weight *Param
	bias   *Param // nil without a bias
	// TQT thresholds (nn/tqt.go): weight_log2_t, and bias_log2_t with a
	// bias (nil without).
	wlog2, blog2 *Param

	wl, bl *gpu.Tensor // the thresholds the last FakeQuant forward used (nil: none)

	mode   affMode
	x      *gpu.Tensor // saved input codes (Integer) or xq (float modes)
	w      *gpu.Tensor // saved w8 (Integer) or Wq (float modes), shape wShape
	xShape []int
	held   []*gpu.Tensor // released at the next Forward
	grads  []*gpu.Tensor // the last gradients (Param.Grad), released at the next Backward
}

type affMode int

const (
	affFloat affMode = iota
	affInteger
	affFake
)

func affModeOf(c *Config) affMode {
	switch {
	case !c.Quant:
		return affFloat
	case c.Arith == FakeQuant:
		return affFake
	default:
		return affInteger
	}
}

// newAffine validates the settings and uploads the initial parameters:
// weight of shape pShape (InitWeights with fan-in fanIn), bias zeros.
func newAffine(dev *gpu.Device, kind Kind, name string, cfg Config, pShape, wShape []int, fanIn int, bias bool,
	geom gpu.ConvGeom, seed uint64) (*affine, error) {
	if dev == nil {
		return nil, fmt.Errorf("%w: %s %s: nil device", ErrConfig, kind, name)
	}
	if name == "" {
		return nil, fmt.Errorf("%w: %s without a name", ErrConfig, kind)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, name, err)
	}
	a := &affine{dev: dev, kind: kind, name: name, cfg: cfg, geom: geom, wShape: wShape}
	n := 1
	for _, d := range pShape {
		n *= d
	}
	w := InitWeights(seed, name+".weight", n, fanIn)
	var err error
	if a.weight, err = a.upload("weight", pShape, w); err != nil {
		return nil, err
	}
	if bias {
		if a.bias, err = a.upload("bias", []int{pShape[0]}, make([]float32, pShape[0])); err != nil {
			a.weight.Value.Release()
			return nil, err
		}
		a.blog2 = newLog2T("bias_log2_t", &a.cfg)
	}
	a.wlog2 = newLog2T("weight_log2_t", &a.cfg)
	return a, nil
}

// upload makes a parameter with the float values v, stored as the current
// mode wants (I32 codes at 2^-23 in Integer mode, F32 otherwise).
func (a *affine) upload(name string, shape []int, v []float32) (*Param, error) {
	dev := a.dev
	var t *gpu.Tensor
	var err error
	if affModeOf(&a.cfg) == affInteger {
		t, err = dev.UploadI32(shape, gpu.ExpMaster, masterCodes(v))
	} else {
		t, err = dev.UploadF32(shape, 0, v)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: uploading %s: %w", a.kind, a.name, name, err)
	}
	return &Param{Name: name, Shape: slices.Clone(shape), Value: t, Trainable: true, Decay: true}, nil
}

// allParams returns the parameters and the set thresholds (Params).
func (a *affine) allParams() []*Param {
	return withSet(a.params(), a.wlog2, a.blog2)
}

// thresholds returns weight_log2_t and, with a bias, bias_log2_t.
func (a *affine) thresholds() []*Param {
	if a.blog2 == nil {
		return []*Param{a.wlog2}
	}
	return []*Param{a.wlog2, a.blog2}
}

func (a *affine) params() []*Param {
	if a.bias == nil {
		return []*Param{a.weight}
	}
	return []*Param{a.weight, a.bias}
}

// keep holds t until the next Forward and returns it.
func (a *affine) keep(t *gpu.Tensor) *gpu.Tensor {
	if t != nil {
		a.held = append(a.held, t)
	}
	return t
}

// keepScaled holds t and its Scale.
func (a *affine) keepScaled(t *gpu.Tensor) *gpu.Tensor {
	if t != nil && t.Scale != nil {
		a.held = append(a.held, t.Scale)
	}
	return a.keep(t)
}

func (a *affine) release() {
	for _, t := range a.held {
		t.Release()
	}
	a.held = nil
	a.x, a.w, a.xShape = nil, nil, nil
	a.wl, a.bl = nil, nil
}

// view reshapes t to shape when its shape differs (Linear's [out, in]
// versus the kernel [out, in, 1, 1]).
func (a *affine) view(r *gpu.Recorder, t *gpu.Tensor, shape []int) *gpu.Tensor {
	if t == nil || slices.Equal(t.Shape(), shape) {
		return t
	}
	return a.keep(r.Reshape(t, shape))
}

// syncMasters converts the masters to the dtype mode wants.
func (a *affine) syncMasters(r *gpu.Recorder, mode affMode) {
	for _, p := range a.params() {
		v := p.Value
		switch {
		case mode == affInteger && v.DType() == gpu.F32:
			p.Value = r.FromF32(v, gpu.ExpMaster)
		case mode != affInteger && v.DType() != gpu.F32:
			p.Value = r.ToF32(v)
		default:
			continue
		}
		if p.Value == nil {
			p.Value = v
			return
		}
		a.keep(v)
		if p.Momentum != nil {
			a.keep(p.Momentum)
			p.Momentum = nil
		}
	}
}

// forward records the layer on x, a rank-4 [N, C, H, W] tensor.
func (a *affine) forward(r *gpu.Recorder, x *gpu.Tensor) *gpu.Tensor {
	a.release()
	if r.Err() != nil {
		return nil
	}
	if x == nil {
		r.Fail(fmt.Errorf("%w: %s %s: nil input", ErrNetwork, a.kind, a.name))
		return nil
	}
	a.mode = affModeOf(&a.cfg)
	a.wlog2.Trainable = a.cfg.Retrain
	if a.blog2 != nil {
		a.blog2.Trainable = a.cfg.Retrain
	}
	a.syncMasters(r, a.mode)
	a.xShape = x.Shape()
	if a.mode == affInteger {
		xc := a.inputCodes(r, x)
		w8 := a.view(r, a.keep(r.QuantWeight(a.weight.Value)), a.wShape)
		z := a.keep(r.Conv2dI8(xc, w8, a.geom))
		if a.bias != nil {
			z = a.keep(r.BiasAdd(z, a.bias.Value))
		}
		a.x, a.w = xc, w8
		return z
	}
	fake, strict := a.mode == affFake, a.cfg.IOStrict
	b := a.cfg.Bits
	xq, wq := a.floatOf(r, x), a.weight.Value
	var bq *gpu.Tensor
	if a.bias != nil {
		bq = a.bias.Value
	}
	if fake {
		// TQT (B§7.2): a set threshold replaces the operand's quantizer by
		// qsigned(·, log2_t, Dec); a set weight threshold makes the layer
		// TQT's conv(x, qsigned(W), qsigned(b)), without IOStrict's input
		// and output quantizers.
		tqtW := log2TSet(a.wlog2)
		if strict && !tqtW {
			xq = a.fakeQuant(r, xq, b.Input)
		}
		switch {
		case tqtW:
			a.wl = a.wlog2.Value
			wq = a.keep(r.QSigned(a.weight.Value, a.wl, b.Weight.Dec))
		case strict:
			wq = a.fakeQuant(r, wq, b.Weight)
		default:
			wq = a.fakeQuant(r, wq, Width{Dec: b.Weight.Dec})
		}
		switch {
		case a.bias != nil && log2TSet(a.blog2):
			a.bl = a.blog2.Value
			bq = a.keep(r.QSigned(a.bias.Value, a.bl, b.Bias.Dec))
		case strict:
			bq = a.fakeQuant(r, bq, b.Bias)
		default:
			bq = a.fakeQuant(r, bq, Width{Dec: b.Bias.Dec})
		}
	}
	wq = a.view(r, wq, a.wShape)
	y := a.keep(r.Conv2dF32(xq, wq, a.geom))
	if bq != nil {
		y = a.keep(r.BiasAddF32(y, bq))
	}
	if fake && strict && a.wl == nil {
		y = a.fakeQuant(r, y, b.Output)
	}
	a.x, a.w = xq, wq
	return y
}

// backward records the backward of the last forward for the gradient g
// at its output (rank 4) and returns the gradient at its input.
func (a *affine) backward(r *gpu.Recorder, p *Pass, g *gpu.Tensor) *gpu.Tensor {
	if r.Err() != nil {
		return nil
	}
	if a.x == nil || a.w == nil {
		r.Fail(fmt.Errorf("%w: %s %s: Backward before Forward", ErrNetwork, a.kind, a.name))
		return nil
	}
	if g == nil {
		r.Fail(fmt.Errorf("%w: %s %s: nil gradient", ErrNetwork, a.kind, a.name))
		return nil
	}
	for _, t := range a.grads {
		t.Release()
	}
	a.grads = nil
	for _, p := range a.params() {
		p.Grad = nil
	}
	for _, p := range a.thresholds() {
		p.Grad = nil
	}
	if a.mode != affInteger {
		gf := a.floatOf(r, g)
		dx := a.keep(r.Conv2dBwdDataF32(gf, a.w, a.xShape, a.geom))
		dw := r.Conv2dBwdWeightF32(gf, a.x, a.wShape, a.geom)
		if dw != nil && !slices.Equal(a.wShape, a.weight.Shape) {
			dw = r.Reshape(a.keep(dw), a.weight.Shape)
		}
		a.weight.Grad = a.tqtGrad(r, a.weight, a.wlog2, a.wl, a.grad(dw), a.cfg.Bits.Weight.Dec)
		if a.bias != nil {
			a.bias.Grad = a.tqtGrad(r, a.bias, a.blog2, a.bl, a.grad(r.BiasGradF32(gf)), a.cfg.Bits.Bias.Dec)
		}
		return dx
	}
	if a.cfg.Bits.E2 > 8 {
		r.Fail(fmt.Errorf("%w: %s %s: E2 width %d: the integer conv takes E2 codes of at most 8 bits (I16)",
			ErrConfig, a.kind, a.name, a.cfg.Bits.E2))
		return nil
	}
	gi := g
	switch g.DType() {
	case gpu.I8, gpu.U8, gpu.I16:
		gi = a.keep(r.ToI32(g))
	}
	var m *gpu.Tensor
	if gi != nil {
		switch gi.DType() {
		case gpu.I64:
			m = r.MaxAbsI64(gi)
		case gpu.F32:
			m = r.MaxAbsF32(gi)
		default:
			m = r.MaxAbs(gi)
		}
	}
	e2 := a.keepScaled(r.QuantFlag(gi, a.keep(m), a.cfg.Bits.E2))
	if e2 == nil {
		return nil
	}
	dw := a.keep(r.Conv2dBwdWeight(e2, a.x, a.wShape, a.geom))
	a.weight.Grad = a.gradCodes(r, p, a.weight, a.view(r, dw, a.weight.Shape))
	if a.bias != nil {
		a.bias.Grad = a.gradCodes(r, p, a.bias, a.keep(r.BiasGrad(e2)))
	}
	return a.keep(r.Conv2dBwdData(e2, a.w, a.xShape, a.geom))
}

// tqtGrad returns the gradient of par for the gradient g at its quantized
// copy: g itself (straight-through) when the forward used no threshold
// (l == nil), else qsigned's backward: the in-range-masked gradient, and
// with Config.Retrain TQT's ∂/∂log2_t summed over the elements into
// lp.Grad (B§7.1).
func (a *affine) tqtGrad(r *gpu.Recorder, par, lp *Param, l, g *gpu.Tensor, dec int) *gpu.Tensor {
	if l == nil || g == nil {
		return g
	}
	gi, dl := r.QSignedBackward(par.Value, g, l, dec)
	a.grad(dl)
	if a.cfg.Retrain && dl != nil {
		lp.Grad = a.grad(r.SumF32(dl))
	}
	return a.grad(gi)
}

// grad keeps t as a parameter gradient until the next Backward.
func (a *affine) grad(t *gpu.Tensor) *gpu.Tensor {
	if t != nil {
		a.grads = append(a.grads, t)
	}
	return t
}

// gradCodes records weight decay (when par.Decay) and G on the wide
// gradient t of par (docs/dataflow.md backward 3).
func (a *affine) gradCodes(r *gpu.Recorder, p *Pass, par *Param, t *gpu.Tensor) *gpu.Tensor {
	if t == nil {
		return nil
	}
	if par.Decay {
		t = a.keepScaled(r.QuantDecay(t, par.Value, gpu.WeightDecay1e4))
		if t == nil {
			return nil
		}
	}
	var m *gpu.Tensor
	if t.DType() == gpu.I64 {
		m = a.keep(r.MaxAbsI64(t))
	} else {
		m = a.keep(r.MaxAbs(t))
	}
	key := quant.RNGKey{Seed: p.Seed, Step: p.Step, Tensor: ParamTensorID(a.name + "." + par.Name)}
	if a.cfg.GKeepsMagnitude {
		g := r.QuantConstMag(t, m, key)
		if g != nil && g.Scale != nil {
			a.grad(g.Scale)
		}
		return a.grad(g)
	}
	gb, err := gradBits(p.GScale, a.cfg.Bits.G)
	if err != nil {
		r.Fail(fmt.Errorf("%s %s: %w", a.kind, a.name, err))
		return nil
	}
	return a.grad(r.QuantConst(t, m, gb, key))
}

// gradBits returns g = log2(g_scale) for QuantConst: from Pass.GScale (a
// power of two 2..128), or G - 1 (g_scale = 2^(G-1)) when GScale is 0.
func gradBits(gscale, g int) (int, error) {
	if gscale == 0 {
		return g - 1, nil
	}
	if gscale < 2 || gscale > 128 || gscale&(gscale-1) != 0 {
		return 0, fmt.Errorf("%w: g_scale %d is not a power of two in 2..128", ErrConfig, gscale)
	}
	return bits.Len(uint(gscale)) - 1, nil
}

// inputCodes returns x as narrow codes for the integer convolution: U8 and
// I8 as they are; other integer codes and F32 values re-gridded onto the
// input grid 2^-(Input.Dec-1) with the ±127 clip of Q(·, 8) (method.md
// B§2.2) and packed as I8.
func (a *affine) inputCodes(r *gpu.Recorder, x *gpu.Tensor) *gpu.Tensor {
	exp := -(a.cfg.Bits.Input.Dec - 1)
	var c *gpu.Tensor
	switch x.DType() {
	case gpu.U8, gpu.I8:
		if x.Scale != nil {
			r.Fail(fmt.Errorf("%w: %s %s: narrow input codes with a data-dependent Scale", ErrNetwork, a.kind, a.name))
			return nil
		}
		return x
	case gpu.F32:
		c = a.keep(r.QuantRegrid(a.keep(r.FromF32(x, exp)), exp, -127, 127))
	case gpu.I64:
		c = a.keep(r.QuantRegridWide(x, exp, -127, 127))
	case gpu.I32:
		c = a.keep(r.QuantRegrid(x, exp, -127, 127))
	default:
		c = a.keep(r.QuantRegrid(a.keep(r.ToI32(x)), exp, -127, 127))
	}
	s := x.Shape()
	rows := 1
	for _, d := range s[:len(s)-1] {
		rows *= d
	}
	c2 := a.view(r, c, []int{rows, s[len(s)-1]})
	return a.view(r, a.keep(r.PackI8(c2)), s)
}

// floatOf returns x as float32 values: F32 as it is, codes converted
// (ToF32; I64 through the 16-bit flag quantizer first).
func (a *affine) floatOf(r *gpu.Recorder, x *gpu.Tensor) *gpu.Tensor {
	switch x.DType() {
	case gpu.F32:
		return x
	case gpu.I64:
		c := a.keepScaled(r.QuantFlag(x, a.keep(r.MaxAbsI64(x)), 16))
		return a.keep(r.ToF32(c))
	default:
		return a.keep(r.ToF32(x))
	}
}

// fakeQuant records the PyTorch package's quantizer of width w on float
// values: ADQ(x, Dec, All) = clip(round(x·2^(Dec-1)), ±(2^(All-1)-1)) /
// 2^(Dec-1) (quant_alldirect_f32), DQ when All = 0 (quant_direct_f32),
// round half to even. All = 32 clips nothing a float32 code can reach
// below 2^31 and is taken as DQ too. nil stays nil.
func (a *affine) fakeQuant(r *gpu.Recorder, x *gpu.Tensor, w Width) *gpu.Tensor {
	if x == nil {
		return nil
	}
	if w.All == 0 || w.All > 31 {
		return a.keep(r.QuantDirectF32(x, w.Dec))
	}
	return a.keep(r.QuantAllDirectF32(x, w.Dec, w.All))
}
