package threshold

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// ErrMismatch reports two networks that should be twins (a float network
// and its quantized copy) but differ: layer count, names, order, kinds, or
// parameter names and shapes. The message names the first difference.
var ErrMismatch = errors.New("threshold: networks do not match")

// The local parameter names InitNetwork reads and writes (TQT's, method.md
// B§7.2).
const (
	ParamWeight     = "weight"
	ParamBias       = "bias"
	ParamWeightLog2 = "weight_log2_t"
	ParamBiasLog2   = "bias_log2_t"
	ParamActiLog2   = "acti_log2_t"
)

// InitOptions configures [InitNetwork]. The zero value is the reference
// init_network's defaults with method.md A10: max for weights and biases,
// kl_j for activations, 2048 bins, levels from the layer's bit widths.
type InitOptions struct {
	// Weight, Bias and Acti are the calibrators of weight_log2_t,
	// bias_log2_t and acti_log2_t; "" means MethodMax, MethodMax and
	// MethodKLJ.
	Weight, Bias, Acti Method
	// Bins and Levels are passed to the entropy calibrators (0: their
	// defaults, 2048 bins and 2^(b−1) signed or 2^b unsigned levels with
	// b the layer's width). Unlike the reference (T-11f) they are honoured.
	Bins, Levels int
	// Show, when non-nil, receives one line per threshold set.
	Show io.Writer
}

// InitNetwork does the initialisation of the TQT thresholds of quant from
// its float twin (method.md B§7.3, A10), walking both networks by name in
// order. The thresholds are the layer's Params of those names and, for an
// [nn.Thresholded] layer (nn's Conv2d, Linear, BatchNorm, ReLU, ReLU6), its
// Thresholds, which Params lists only once they are set. For each layer
// of quant whose Config is non-nil with Quant on:
//
//   - weight_log2_t = opts.Weight(float's "weight" of the same layer;
//     γ for batch norm);
//   - bias_log2_t = opts.Bias(float's "bias"; β for batch norm), skipped
//     when the layer has no bias (the reference's T-7 fixed);
//   - acti_log2_t = opts.Acti(the capture of float's layer of that name,
//     every captured batch), unsigned for ReLU and ReLU6 outputs (T-11e
//     fixed).
//
// Widths for the entropy calibrators come from the layer's Config, the Dec
// width of Weight and Bias (BNWeight and BNBias for batch norm) and Acti,
// unless opts.Levels is set. Every threshold is calibrated before any is
// written, so a failed call changes nothing (short of a failed upload).
// Each threshold is then uploaded as a 1-element F32 tensor (exponent 0)
// on the layer's device (or, for a layer with no tensor yet, such as a
// ReLU, the device of quant's first parameter) that replaces the
// parameter's Value; the old tensor is not released (other parameters may
// share it). float and quant may be the same
// network.
//
// Errors: ErrMismatch naming the first difference between the networks;
// ErrHook when an activation threshold has no capture; ErrOptions for an
// unknown method; the calibrators' errors (ErrEmpty, ErrNonFinite,
// ErrThreshold, ...) wrapped with the parameter's key; device errors; the
// error of a failed write to opts.Show.
func InitNetwork(float, quant *nn.List, caps []Capture, opts InitOptions) error {
	if err := matchNetworks(float, quant); err != nil {
		return err
	}
	opts, err := opts.resolve()
	if err != nil {
		return err
	}
	byName := make(map[string]*Capture, len(caps))
	for i := range caps {
		byName[caps[i].Name] = &caps[i]
	}
	var todo []setting
	fm := float.Modules()
	dev := listDevice(quant)
	if dev == nil {
		dev = listDevice(float)
	}
	for i, q := range quant.Modules() {
		if cfg := q.Config(); cfg != nil && cfg.Quant {
			s, err := layerThresholds(fm[i], q, cfg, byName, opts)
			if err != nil {
				return err
			}
			todo = append(todo, s...)
		}
	}
	for _, s := range todo {
		if err := setLog2T(s.p, s.m, dev, s.log2t); err != nil {
			return fmt.Errorf("%w (setting %s)", err, s.key)
		}
	}
	if opts.Show == nil {
		return nil
	}
	for _, s := range todo {
		if _, err := fmt.Fprintf(opts.Show, "%s %s: log2_t = %.6g (t = %.6g)\n", s.key, s.method, s.log2t, math.Exp2(float64(s.log2t))); err != nil {
			return fmt.Errorf("threshold: show: %w", err)
		}
	}
	return nil
}

// resolve fills in the default methods and checks them.
func (o InitOptions) resolve() (InitOptions, error) {
	if o.Weight == "" {
		o.Weight = MethodMax
	}
	if o.Bias == "" {
		o.Bias = MethodMax
	}
	if o.Acti == "" {
		o.Acti = MethodKLJ
	}
	for _, m := range []Method{o.Weight, o.Bias, o.Acti} {
		if !slices.Contains(Methods, m) {
			return o, fmt.Errorf("%w: unknown method %q, want one of %v", ErrOptions, string(m), Methods)
		}
	}
	return o, nil
}

// setting is one calibrated threshold waiting to be written.
type setting struct {
	key    string // "conv1.weight_log2_t"
	method Method
	p      *nn.Param
	m      nn.Module
	log2t  float32
}

// layerThresholds calibrates the thresholds of the quantized layer q from
// its float twin f (same name, kind and parameters) and the captures.
func layerThresholds(f, q nn.Module, cfg *nn.Config, caps map[string]*Capture, opts InitOptions) ([]setting, error) {
	wBits, bBits := cfg.Bits.Weight.Dec, cfg.Bits.Bias.Dec
	if q.Kind() == nn.KindBatchNorm2d || q.Kind() == nn.KindBatchNorm1d {
		wBits, bBits = cfg.Bits.BNWeight.Dec, cfg.Bits.BNBias.Dec
	}
	var out []setting
	for _, p := range layerParams(q) {
		var (
			m    Method
			x    []float32
			o    = Options{Bins: opts.Bins, Levels: opts.Levels}
			from string
		)
		switch p.Name {
		case ParamWeightLog2, ParamBiasLog2:
			src := ParamWeight
			m, o.Bits = opts.Weight, wBits
			if p.Name == ParamBiasLog2 {
				src, m, o.Bits = ParamBias, opts.Bias, bBits
			}
			fp := findParam(f, src)
			if fp == nil {
				if src == ParamBias {
					continue // a layer without bias
				}
				return nil, fmt.Errorf("%w: layer %q has %s but the float layer has no %s", ErrMismatch, q.Name(), p.Name, src)
			}
			v, err := Values(fp.Value)
			if err != nil {
				return nil, fmt.Errorf("%w (reading %s.%s)", err, f.Name(), src)
			}
			x, from = v, f.Name()+"."+src
		case ParamActiLog2:
			c := caps[f.Name()]
			if c == nil {
				return nil, fmt.Errorf("%w: no capture of layer %q for %s.%s (hook it and capture a calibration pass)", ErrHook, f.Name(), q.Name(), p.Name)
			}
			m, o.Bits = opts.Acti, cfg.Bits.Acti.Dec
			o.Unsigned = q.Kind() == nn.KindReLU || q.Kind() == nn.KindReLU6
			x, from = c.Values, "the capture of "+c.Name
		default:
			continue
		}
		key := q.Name() + "." + p.Name
		log2t, err := m.Calibrate(x, o)
		if err != nil {
			return nil, fmt.Errorf("%w (%s by %s from %s)", err, key, m, from)
		}
		out = append(out, setting{key: key, method: m, p: p, m: q, log2t: float32(log2t)})
	}
	return out, nil
}

// layerParams returns m's parameters followed by its TQT thresholds that
// Params leaves out (an [nn.Thresholded] layer lists a threshold in Params
// only once it is set).
func layerParams(m nn.Module) []*nn.Param {
	ps := m.Params()
	th, ok := m.(nn.Thresholded)
	if !ok {
		return ps
	}
	out := slices.Clone(ps)
	for _, t := range th.Thresholds() {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// listDevice returns the device of the first parameter of l that has a
// Value, or nil.
func listDevice(l *nn.List) *gpu.Device {
	for _, p := range l.Params() {
		if p.Value != nil {
			return p.Value.Device()
		}
	}
	return nil
}

// setLog2T uploads v as a 1-element F32 tensor (exponent 0) on the device
// of p's current Value, or of another parameter of m, or else fallback
// (a layer such as ReLU has no tensor of its own before its threshold is
// set), and makes it p's Value.
func setLog2T(p *nn.Param, m nn.Module, fallback *gpu.Device, v float32) error {
	dev := deviceOf(p, m)
	if dev == nil {
		dev = fallback
	}
	if dev == nil {
		return fmt.Errorf("%w: no tensor of layer %q is on a device", ErrHook, m.Name())
	}
	shape := []int{1}
	if len(p.Shape) > 0 && prod(p.Shape) == 1 {
		shape = slices.Clone(p.Shape)
	}
	t, err := dev.UploadF32(shape, 0, []float32{v})
	if err != nil {
		return err
	}
	p.Value = t
	return nil
}

// deviceOf returns the device of p's Value, or else of the first parameter
// of m that has a Value.
func deviceOf(p *nn.Param, m nn.Module) *gpu.Device {
	if p.Value != nil {
		return p.Value.Device()
	}
	for _, q := range m.Params() {
		if q.Value != nil {
			return q.Value.Device()
		}
	}
	return nil
}

// prod returns the product of s.
func prod(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// findParam returns m's parameter named name, or nil.
func findParam(m nn.Module, name string) *nn.Param {
	for _, p := range m.Params() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// isLog2T reports whether a local parameter name is a TQT threshold, which
// a float network may lack.
func isLog2T(name string) bool { return strings.HasSuffix(name, "log2_t") }

// matchNetworks checks that a and b are twins: the same layers (names,
// kinds) in the same order, with the same parameters other than the log2_t
// thresholds (names, order, shapes). It returns ErrMismatch naming the
// first difference.
func matchNetworks(a, b *nn.List) error {
	if a == nil || b == nil {
		return fmt.Errorf("%w: nil network", ErrMismatch)
	}
	am, bm := a.Modules(), b.Modules()
	for i := range min(len(am), len(bm)) {
		x, y := am[i], bm[i]
		if x.Name() != y.Name() {
			return fmt.Errorf("%w: layer %d is %q in the float network and %q in the quantized one", ErrMismatch, i, x.Name(), y.Name())
		}
		if x.Kind() != y.Kind() {
			return fmt.Errorf("%w: layer %d %q is a %s in the float network and a %s in the quantized one", ErrMismatch, i, x.Name(), x.Kind(), y.Kind())
		}
		xp, yp := plainParams(x), plainParams(y)
		for j := range min(len(xp), len(yp)) {
			if xp[j].Name != yp[j].Name {
				return fmt.Errorf("%w: layer %q parameter %d is %q in the float network and %q in the quantized one", ErrMismatch, x.Name(), j, xp[j].Name, yp[j].Name)
			}
			if !slices.Equal(xp[j].Shape, yp[j].Shape) {
				return fmt.Errorf("%w: %s.%s has shape %v in the float network and %v in the quantized one", ErrMismatch, x.Name(), xp[j].Name, xp[j].Shape, yp[j].Shape)
			}
		}
		if len(xp) != len(yp) {
			return fmt.Errorf("%w: layer %q has %d parameters (besides log2_t) in the float network and %d in the quantized one", ErrMismatch, x.Name(), len(xp), len(yp))
		}
	}
	if len(am) != len(bm) {
		return fmt.Errorf("%w: %d layers in the float network, %d in the quantized one", ErrMismatch, len(am), len(bm))
	}
	return nil
}

// plainParams returns m's parameters other than log2_t thresholds.
func plainParams(m nn.Module) []*nn.Param {
	var out []*nn.Param
	for _, p := range m.Params() {
		if !isLog2T(p.Name) {
			out = append(out, p)
		}
	}
	return out
}
