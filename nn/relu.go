package nn

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// computeMode is how a layer computes in one call, from its Config at call
// time (never cached): float32, integer codes (docs/dataflow.md) or the
// PyTorch package's fake quantization on float32.
type computeMode int

const (
	cmFloat computeMode = iota
	cmInteger
	cmFakeQuant
)

// modeOf returns the mode of a layer with config c.
func modeOf(c *Config) computeMode {
	switch {
	case !c.Quant:
		return cmFloat
	case c.Arith == FakeQuant:
		return cmFakeQuant
	default:
		return cmInteger
	}
}

// heldTensors are the tensors a layer allocated in one step (outputs,
// saved values, intermediates). They are released at the start of the
// layer's next Forward, when the Submit that used them is over: a network
// submits its recording between steps.
type heldTensors []*gpu.Tensor

// add keeps ts (nil entries are skipped) and returns the first.
func (h *heldTensors) add(ts ...*gpu.Tensor) *gpu.Tensor {
	for _, t := range ts {
		if t != nil {
			*h = append(*h, t)
		}
	}
	if len(ts) == 0 {
		return nil
	}
	return ts[0]
}

// scaled keeps t and its Scale (the output of a quantizer that made a new
// Scale) and returns t.
func (h *heldTensors) scaled(t *gpu.Tensor) *gpu.Tensor {
	if t != nil {
		h.add(t, t.Scale)
	}
	return t
}

// release releases every held tensor (a layer never holds its parameters
// or its inputs).
func (h *heldTensors) release() {
	for _, t := range *h {
		t.Release()
	}
	*h = nil
}

// checkLayer validates a layer's name and config.
func checkLayer(kind Kind, name string, cfg Config) error {
	if name == "" {
		return fmt.Errorf("%w: %s without a name", ErrConfig, kind)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%s %s: %w", kind, name, err)
	}
	return nil
}

// inputCodes returns x as I32 codes for an integer layer: I32 as it is,
// narrow codes widened (ToI32), F32 quantized at the grid 2^exp
// (FromF32), I64 regridded to int32 at its own exponent (exact, or clamped
// and flagged in the error word). New tensors go to h.
func inputCodes(r *gpu.Recorder, x *gpu.Tensor, exp int, h *heldTensors) *gpu.Tensor {
	if x == nil {
		r.Fail(fmt.Errorf("%w: nil input", ErrNetwork))
		return nil
	}
	switch x.DType() {
	case gpu.I32:
		return x
	case gpu.F32:
		return h.add(r.FromF32(x, exp))
	case gpu.I64:
		return h.add(r.QuantRegridWide(x, x.Exp, -1<<31, 1<<31-1))
	default:
		return h.add(r.ToI32(x))
	}
}

// errorCodes returns the gradient g at an activation as codes an integer
// backward takes: I8 codes (E1, with their Scale) as they are; I32 codes
// as they are when keepI32, else through E1; I64 codes through E1
// (QuantShift: MaxAbsI64, then int8 codes with a Scale, docs/dataflow.md
// backward 4); F32 values through E1 on their float bits (QuantShiftF32,
// exactly quant.Shift). Narrow codes are widened first. New tensors go to
// h.
func errorCodes(r *gpu.Recorder, g *gpu.Tensor, keepI32 bool, h *heldTensors) *gpu.Tensor {
	if g == nil {
		r.Fail(fmt.Errorf("%w: nil gradient", ErrNetwork))
		return nil
	}
	switch g.DType() {
	case gpu.I8:
		return g
	case gpu.I32:
		if keepI32 {
			return g
		}
		return h.scaled(r.QuantShift(g, h.add(r.MaxAbs(g))))
	case gpu.I64:
		return h.scaled(r.QuantShift(g, h.add(r.MaxAbsI64(g))))
	case gpu.F32:
		return h.scaled(r.QuantShiftF32(g, h.add(r.MaxAbsF32(g))))
	default:
		w := h.add(r.ToI32(g))
		if w == nil {
			return nil
		}
		return errorCodes(r, w, keepI32, h)
	}
}

// ReLU is ReLU or ReLU6 with the activation quantizer (method.md A5).
//
// Integer mode: Forward takes I32 codes (the BN output, exponent -14;
// narrow codes are widened, F32 values quantized at the Input grid
// 2^-(Input.Dec-1)) and returns U8 activation codes with exponent
// -(Acti.Dec-1) (-7), clamped to [0, 255] (ActReluQ / ActRelu6Q), keeping
// the in-range mask. Backward takes the gradient at the activation: E1
// (QuantShift) of I32 or I64 codes, I8 codes with a Scale as they are
// (already E1), F32 values through E1 on their float bits
// (QuantShiftF32); then ActBwd with the mask. It returns I8 codes with E1's Scale.
//
// TQT threshold acti_log2_t (nn/tqt.go, method.md B§7.2, A5), unset until
// threshold.InitNetwork sets it. Once set: in FakeQuant mode the output is
// TQT's qunsigned(relu(x), acti_log2_t, Acti.Dec) in place of the Acti
// quantizer (and of IOStrict's input quantizer), and the backward is
// qunsigned's (zero where it clipped) then relu's mask, with TQT's
// gradient summed into acti_log2_t's Grad under Config.Retrain. In Integer
// mode it sets the activation exponent, e_a = ceil(log2_t) - Acti.Dec
// (s = 2^ceil(log2_t)/2^Acti.Dec, A5) in place of -(Acti.Dec-1); the
// threshold is read on the host (one download per new Value). Trained
// thresholds in integer mode are out of scope: there it gets no gradient
// (and the host copy is read again after any non-integer pass, which may
// have retrained it in place).
type ReLU struct {
	name string
	six  bool
	cfg  Config

	acti     *Param
	actiHost actiExpCache
	al       *gpu.Tensor // the threshold the last FakeQuant forward used
	relued   *gpu.Tensor // relu(x) before qunsigned (FakeQuant with a threshold)

	mode   computeMode
	mask   *gpu.Tensor
	fmask  *gpu.Tensor // float and fake-quant modes
	shape  []int
	held   heldTensors
	ranFwd bool
}

// NewReLU returns a ReLU layer.
func NewReLU(name string, cfg Config) (*ReLU, error) {
	if err := checkLayer(KindReLU, name, cfg); err != nil {
		return nil, err
	}
	return &ReLU{name: name, cfg: cfg, acti: newLog2T("acti_log2_t", &cfg)}, nil
}

// NewReLU6 returns a ReLU6 layer (min(max(x, 0), 6) before the quantizer).
func NewReLU6(name string, cfg Config) (*ReLU, error) {
	if err := checkLayer(KindReLU6, name, cfg); err != nil {
		return nil, err
	}
	return &ReLU{name: name, cfg: cfg, six: true, acti: newLog2T("acti_log2_t", &cfg)}, nil
}

// Name returns the layer's name.
func (l *ReLU) Name() string { return l.name }

// Kind returns KindReLU or KindReLU6.
func (l *ReLU) Kind() Kind {
	if l.six {
		return KindReLU6
	}
	return KindReLU
}

// Config returns the layer's settings.
func (l *ReLU) Config() *Config { return &l.cfg }

// SetQuant switches quantization on or off.
func (l *ReLU) SetQuant(on bool) { l.cfg.Quant = on }

// Params returns acti_log2_t once it is set, else none.
func (l *ReLU) Params() []*Param { return withSet(nil, l.acti) }

// Thresholds returns acti_log2_t, set or not ([Thresholded]).
func (l *ReLU) Thresholds() []*Param { return []*Param{l.acti} }

// Forward records the activation for x (one input).
func (l *ReLU) Forward(p *Pass, in ...*gpu.Tensor) *gpu.Tensor {
	r := p.R
	l.held.release()
	l.mask, l.ranFwd = nil, false
	l.fmask, l.al, l.relued = nil, nil, nil
	l.acti.Trainable, l.acti.Grad = l.cfg.Retrain, nil
	if len(in) != 1 {
		r.Fail(fmt.Errorf("%w: %s %s takes 1 input, got %d", ErrNetwork, l.Kind(), l.name, len(in)))
		return nil
	}
	if r.Err() != nil {
		return nil
	}
	x := in[0]
	l.mode = modeOf(&l.cfg)
	l.shape = x.Shape()
	var y *gpu.Tensor
	switch l.mode {
	case cmInteger:
		z := inputCodes(r, x, -(l.cfg.Bits.Input.Dec - 1), &l.held)
		if z == nil {
			return nil
		}
		expA := -(l.cfg.Bits.Acti.Dec - 1)
		if log2TSet(l.acti) {
			v, err := l.actiHost.log2T(l.acti)
			if err != nil {
				r.Fail(fmt.Errorf("%s %s: %w", l.Kind(), l.name, err))
				return nil
			}
			expA = ActiExp(v, l.cfg.Bits.Acti.Dec)
		}
		var a, mask *gpu.Tensor
		if l.six {
			a, mask = r.ActRelu6Q(z, expA)
		} else {
			a, mask = r.ActReluQ(z, expA)
		}
		l.held.add(a, mask)
		y, l.mask = a, mask
	default:
		// A float or fake-quant pass may retrain the threshold in place:
		// the next integer pass reads it again.
		l.actiHost = actiExpCache{}
		y = l.forwardFloat(r, x)
	}
	l.ranFwd = y != nil
	return y
}

// Backward records the activation's backward for the gradient at its
// output and returns the gradient at its input.
func (l *ReLU) Backward(p *Pass, grad *gpu.Tensor) []*gpu.Tensor {
	r := p.R
	if r.Err() != nil {
		return nil
	}
	if !l.ranFwd {
		r.Fail(fmt.Errorf("%w: %s %s: Backward before Forward", ErrNetwork, l.Kind(), l.name))
		return nil
	}
	l.acti.Grad = nil
	if l.mode != cmInteger {
		return []*gpu.Tensor{l.backwardFloat(r, grad)}
	}
	e := errorCodes(r, grad, false, &l.held)
	if e == nil {
		return nil
	}
	return []*gpu.Tensor{l.held.add(r.ActBwd(e, l.mask))}
}

// floatValues returns x as F32 values for a float or fake-quant layer:
// F32 as it is, integer codes converted exactly (ToF32; codes beyond 2^24
// round), I64 codes through the 16-bit flag quantizer first (15
// significant bits, the Scale carrying the magnitude). New tensors go to h.
func floatValues(r *gpu.Recorder, x *gpu.Tensor, h *heldTensors) *gpu.Tensor {
	if x == nil {
		r.Fail(fmt.Errorf("%w: nil input", ErrNetwork))
		return nil
	}
	switch x.DType() {
	case gpu.F32:
		return x
	case gpu.I64:
		c := h.scaled(r.QuantFlag(x, h.add(r.MaxAbsI64(x)), 16))
		if c == nil {
			return nil
		}
		return h.add(r.ToF32(c))
	default:
		return h.add(r.ToF32(x))
	}
}

// fakeQuant returns the PyTorch package's quantizer of width w on x
// (golden README): the symmetric all-direct quantizer ADQ(x, Dec, All)
// when iostrict (All = 0: no clip), else the direct quantizer DQ(x, Dec).
func fakeQuant(r *gpu.Recorder, x *gpu.Tensor, w Width, iostrict bool, h *heldTensors) *gpu.Tensor {
	if iostrict {
		return h.add(r.QuantAllDirectF32(x, w.Dec, w.All))
	}
	return h.add(r.QuantDirectF32(x, w.Dec))
}

// forwardFloat records the float forward (ReluF32, Relu6F32) and the
// fake-quant one of the golden README: y = ADQ(relu(ADQ(x, Input)), Acti)
// with iostrict, y = DQ(relu(x), Acti.Dec) without; the mask is that of
// relu on the (quantized) input.
func (l *ReLU) forwardFloat(r *gpu.Recorder, x *gpu.Tensor) *gpu.Tensor {
	xf := floatValues(r, x, &l.held)
	if xf == nil {
		return nil
	}
	fq := l.mode == cmFakeQuant
	if fq && l.cfg.IOStrict && !log2TSet(l.acti) {
		xf = fakeQuant(r, xf, l.cfg.Bits.Input, true, &l.held)
	}
	var y, mask *gpu.Tensor
	if l.six {
		y, mask = r.Relu6F32(xf)
	} else {
		y, mask = r.ReluF32(xf)
	}
	l.held.add(y, mask)
	l.fmask = mask
	if fq && y != nil && log2TSet(l.acti) {
		l.al, l.relued = l.acti.Value, y
		return l.held.add(r.QUnsigned(y, l.al, l.cfg.Bits.Acti.Dec))
	}
	if fq && y != nil {
		y = fakeQuant(r, y, l.cfg.Bits.Acti, l.cfg.IOStrict, &l.held)
	}
	return y
}

// backwardFloat records the float and fake-quant backward: the gradient
// (as F32 values) where the mask is set (straight-through quantizers).
func (l *ReLU) backwardFloat(r *gpu.Recorder, grad *gpu.Tensor) *gpu.Tensor {
	g := floatValues(r, grad, &l.held)
	if g == nil {
		return nil
	}
	if l.al != nil {
		gi, dl := r.QUnsignedBackward(l.relued, g, l.al, l.cfg.Bits.Acti.Dec)
		l.held.add(gi, dl)
		if l.cfg.Retrain && dl != nil {
			l.acti.Grad = l.held.add(r.SumF32(dl))
		}
		g = gi
	}
	return l.held.add(r.ReluBwdF32(g, l.fmask))
}
