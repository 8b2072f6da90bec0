package nn

import (
	"fmt"
	"math/bits"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/quant"
)

// Adder2d is AdderNet's adder layer (method.md B§7.2, the PyTorch
// package's Adder2d): y = -Σ |x - w| over each window, in place of the
// products of a convolution; weight [out, in/groups, k, k], no bias
// (AdderNet's default; ConvOptions.Bias is refused with ErrConfig).
//
// Float mode: the float adder kernels, with AdderNet's backward rules
// (adder.py): dx = Σ HardTanh(w - x)·dy, dw = Σ (x - w)·dy scaled
// adaptively to η·sqrt(numel(w))/5·dw/‖dw‖₂ (η = 1).
// FakeQuant mode: the same on TQT-quantized weights, qsigned(W,
// weight_log2_t, Bits.Weight.Dec) (B§7.2); the weight gradient passes
// through qsigned's straight-through rule (zero outside the range) and,
// with Config.Retrain, weight_log2_t gets TQT's gradient. weight_log2_t
// starts at 0 (t = 1) until threshold.InitNetwork sets it.
//
// Integer mode (AdderNet on codes, exact): the master weights are I32
// codes with exponent -23 (momenta I32, exponent -12); the forward uses
// w8 = QuantWeight(master) (I8, exponent -7) and takes x as U8 or I8
// activation codes, y = Adder2dInt(x, w8): I32 codes with exponent
// min(x.Exp, -7). The backward quantizes the incoming gradient with E2
// (QuantFlag at Bits.E2; I16 codes with a Scale pass as they are), then
// dx = Adder2dBwdDataInt (I64, exact, returned) and dW =
// Adder2dBwdWeightInt (I64, exact), weight decay 1e-4 (QuantDecay) and G:
// QuantConst with g = log2 Pass.GScale (0: 128) and the Philox key (Pass.Seed,
// Pass.Step, FNV-1a of name + ".weight"), or QuantConstMag under
// Config.GKeepsMagnitude (full8plus). AdderNet's adaptive gradient
// scaling is left out in integer mode: G's constant quantizer divides by
// R(dW) anyway, so only its rounding of log2 would change.
//
// Switching between integer and float modes converts the weight master
// and momentum on the host at the next Forward (as BatchNorm).
type Adder2d struct {
	name string
	cfg  Config
	geom gpu.ConvGeom

	weight, log2t *Param

	mode   computeMode
	xf, wq *gpu.Tensor
	x8, w8 *gpu.Tensor // integer mode
	held   heldTensors
	grads  heldTensors
	ranFwd bool
}

// NewAdder2d returns an adder layer with in input and out output channels
// and a kernel x kernel window. Weights are Q(TruncNormal(0,
// 1/sqrt(fan_in)), 16) (truncated at two standard deviations, on the
// 2^-15 grid) drawn from a PCG seeded by (seed, FNV-1a of name +
// ".weight").
func NewAdder2d(dev *gpu.Device, name string, cfg Config, in, out, kernel int, opt ConvOptions, seed uint64) (*Adder2d, error) {
	if err := checkLayer(KindAdder2d, name, cfg); err != nil {
		return nil, err
	}
	g := ConvOptions{Stride: max(opt.Stride, 1), Padding: opt.Padding, Groups: max(opt.Groups, 1), Bias: opt.Bias}
	switch {
	case dev == nil:
		return nil, fmt.Errorf("%w: Adder2d %s: nil device", ErrConfig, name)
	case in < 1 || out < 1 || kernel < 1 || g.Padding < 0 || opt.Stride < 0 || opt.Groups < 0:
		return nil, fmt.Errorf("%w: Adder2d %s: in %d, out %d, kernel %d, %+v", ErrConfig, name, in, out, kernel, opt)
	case opt.Bias:
		return nil, fmt.Errorf("%w: Adder2d %s: no bias (AdderNet's default)", ErrConfig, name)
	case in%g.Groups != 0 || out%g.Groups != 0:
		return nil, fmt.Errorf("%w: Adder2d %s: %d groups do not divide in %d and out %d", ErrConfig, name, g.Groups, in, out)
	}
	cg := in / g.Groups
	shape := []int{out, cg, kernel, kernel}
	n := out * cg * kernel * kernel
	w := InitWeights(seed, name+".weight", n, cg*kernel*kernel)
	l := &Adder2d{name: name, cfg: cfg, geom: gpu.ConvGeom{Stride: g.Stride, Pad: g.Padding, Groups: g.Groups},
		weight: &Param{Name: "weight", Shape: shape, Trainable: true, Decay: true},
		log2t:  &Param{Name: "weight_log2_t", Shape: []int{1}, Trainable: cfg.Retrain},
	}
	var err error
	up := func(s []int, v []float32) *gpu.Tensor {
		if err != nil {
			return nil
		}
		var t *gpu.Tensor
		t, err = dev.UploadF32(s, 0, v)
		return t
	}
	l.weight.Value, l.weight.Momentum = up(shape, w), up(shape, make([]float32, n))
	l.log2t.Value, l.log2t.Momentum = up([]int{1}, []float32{0}), up([]int{1}, []float32{0})
	if err == nil {
		err = l.toDomain(modeOf(&cfg) == cmInteger)
	}
	if err != nil {
		for _, p := range l.Params() {
			p.Value.Release()
			p.Momentum.Release()
		}
		return nil, fmt.Errorf("Adder2d %s: %w", name, err)
	}
	return l, nil
}

// toDomain converts the weight master and momentum to integer codes or to
// float32 (host round trip; a no-op when they are there).
func (l *Adder2d) toDomain(integer bool) error {
	for _, p := range []*Param{l.weight} {
		for _, c := range []struct {
			t   **gpu.Tensor
			exp int
		}{{&p.Value, gpu.ExpMaster}, {&p.Momentum, gpu.ExpMomentum}} {
			dt := gpu.F32
			if integer {
				dt = gpu.I32
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
	}
	return nil
}

// Name returns the layer's name.
func (l *Adder2d) Name() string { return l.name }

// Kind returns KindAdder2d.
func (l *Adder2d) Kind() Kind { return KindAdder2d }

// Config returns the layer's settings.
func (l *Adder2d) Config() *Config { return &l.cfg }

// SetQuant switches quantization on or off.
func (l *Adder2d) SetQuant(on bool) { l.cfg.Quant = on }

// Params returns weight and weight_log2_t.
func (l *Adder2d) Params() []*Param {
	return []*Param{l.weight, l.log2t}
}

// Forward records the adder layer for x (one input, [N, C, H, W]).
func (l *Adder2d) Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor {
	r := p.R
	l.held.release()
	l.ranFwd = false
	if len(in) != 1 {
		r.Fail(fmt.Errorf("%w: Adder2d %s takes 1 input, got %d", ErrNetwork, l.name, len(in)))
		return nil
	}
	if r.Err() != nil {
		return nil
	}
	l.mode = modeOf(&l.cfg)
	l.log2t.Trainable = l.cfg.Retrain
	if err := l.toDomain(l.mode == cmInteger); err != nil {
		r.Fail(fmt.Errorf("Adder2d %s: converting the parameters: %w", l.name, err))
		return nil
	}
	if l.mode == cmInteger {
		y := l.forwardInteger(r, in[0])
		l.ranFwd = y != nil
		return y
	}
	xf := floatValues(r, in[0], &l.held)
	if xf == nil {
		return nil
	}
	w := l.weight.Value
	if l.mode == cmFakeQuant {
		w = l.held.add(r.QSigned(w, l.log2t.Value, l.cfg.Bits.Weight.Dec))
	}
	y := l.held.add(r.Adder2dF32(xf, w, l.geom))
	l.xf, l.wq = xf, w
	l.ranFwd = y != nil
	return y
}

// Backward records AdderNet's backward, sets the parameter gradients and
// returns the gradient at the input (F32).
func (l *Adder2d) Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	r := p.R
	if r.Err() != nil {
		return nil
	}
	if !l.ranFwd {
		r.Fail(fmt.Errorf("%w: Adder2d %s: Backward before Forward", ErrNetwork, l.name))
		return nil
	}
	l.grads.release()
	for _, q := range l.Params() {
		q.Grad = nil
	}
	if l.mode == cmInteger {
		return l.backwardInteger(p, grad)
	}
	g := floatValues(r, grad, &l.held)
	if g == nil {
		return nil
	}
	dx := l.held.add(r.Adder2dBwdDataF32(g, l.xf, l.wq, l.geom))
	dw := l.held.add(r.Adder2dBwdWeightF32(g, l.xf, l.wq, l.geom))
	dw = l.grads.add(r.AdderGradScaleF32(dw, 1))
	if l.mode == cmFakeQuant && dw != nil {
		gw, dl := r.QSignedBackward(l.weight.Value, dw, l.log2t.Value, l.cfg.Bits.Weight.Dec)
		l.grads.add(gw, dl)
		dw = gw
		if l.cfg.Retrain && dl != nil {
			l.log2t.Grad = l.grads.add(r.SumF32(dl))
		}
	}
	l.weight.Grad = dw
	if r.Err() != nil {
		return nil
	}
	return []*gpu.Tensor{dx}
}

// forwardInteger records the integer forward: y = Adder2dInt(x, w8).
func (l *Adder2d) forwardInteger(r *gpu.Recorder, x *gpu.Tensor) *gpu.Tensor {
	if x == nil || x.DType() != gpu.U8 && x.DType() != gpu.I8 {
		r.Fail(fmt.Errorf("%w: Adder2d %s: integer mode takes U8 or I8 activation codes, got %v", ErrNetwork, l.name, x))
		return nil
	}
	w8 := l.held.add(r.QuantWeight(l.weight.Value))
	if w8 == nil {
		return nil
	}
	l.x8, l.w8 = x, w8
	return l.held.add(r.Adder2dInt(x, w8, l.geom))
}

// backwardInteger records E2, the exact data and weight gradients, weight
// decay and G.
func (l *Adder2d) backwardInteger(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	r := p.R
	e2 := flagCodes(r, grad, l.cfg.Bits.E2, &l.held)
	if e2 == nil {
		return nil
	}
	dx := l.held.add(r.Adder2dBwdDataInt(e2, l.x8, l.w8, l.geom))
	dw := l.held.add(r.Adder2dBwdWeightInt(e2, l.x8, l.w8, l.geom))
	if dw == nil {
		return nil
	}
	t := l.held.scaled(r.QuantDecay(dw, l.weight.Value, gpu.WeightDecay1e4))
	if t == nil {
		return nil
	}
	m := l.held.add(r.MaxAbsI64(t))
	key := quant.RNGKey{Seed: p.Seed, Step: p.Step, Tensor: ParamTensorID(l.name + ".weight")}
	var g *gpu.Tensor
	if l.cfg.GKeepsMagnitude {
		g = r.QuantConstMag(t, m, key)
		if g != nil {
			l.grads.add(g.Scale)
		}
	} else {
		gs := p.GScale
		if gs == 0 {
			gs = 128
		}
		e := bits.Len(uint(gs)) - 1
		if gs < 2 || gs > 128 || gs != 1<<e {
			r.Fail(fmt.Errorf("%w: Adder2d %s: g_scale %d is not a power of two in 2..128", ErrConfig, l.name, p.GScale))
			return nil
		}
		g = r.QuantConst(t, m, e, key)
	}
	l.weight.Grad = l.grads.add(g)
	if r.Err() != nil {
		return nil
	}
	return []*gpu.Tensor{dx}
}

// flagCodes returns the gradient at a conv-like output as E2 codes
// (docs/dataflow.md backward 1-2): I16 codes with a Scale as they are,
// I32, I64 and F32 through QuantFlag at width bits (I16 codes for bits <=
// 8, I32 above) with a new Scale. New tensors go to h.
func flagCodes(r *gpu.Recorder, g *gpu.Tensor, bits int, h *heldTensors) *gpu.Tensor {
	if g == nil {
		r.Fail(fmt.Errorf("%w: nil gradient", ErrNetwork))
		return nil
	}
	switch g.DType() {
	case gpu.I16:
		return g
	case gpu.I64:
		return h.scaled(r.QuantFlag(g, h.add(r.MaxAbsI64(g)), bits))
	case gpu.F32:
		return h.scaled(r.QuantFlag(g, h.add(r.MaxAbsF32(g)), bits))
	case gpu.I32:
		return h.scaled(r.QuantFlag(g, h.add(r.MaxAbs(g)), bits))
	default:
		w := h.add(r.ToI32(g))
		if w == nil {
			return nil
		}
		return h.scaled(r.QuantFlag(w, h.add(r.MaxAbs(w)), bits))
	}
}
