package threshold

import (
	"fmt"

	"github.com/wageubn/wageubn/nn"
)

// LayerCosine is the cosine similarity of one layer's captured output in a
// float network and in its quantized twin.
type LayerCosine struct {
	// Name and Kind identify the layer.
	Name string
	Kind nn.Kind
	// Cosine is ⟨f,q⟩/(‖f‖·‖q‖) in [−1, 1]; 0 when Err is set.
	Cosine float64
	// Err is the entry's own error: ErrZeroNorm for an all-zero capture,
	// ErrLength when the captures hold different numbers of values,
	// ErrNonFinite for NaN or infinite values. Other entries are unaffected.
	Err error
}

// CosineByLayer does the per-layer comparison of a float network's
// captures fCaps with its quantized twin's qCaps (method.md B§7.7, with
// T-17 fixed: the result is returned, and the data compared are the
// layers' outputs):
//
//	cos_l = ⟨f_l, q_l⟩ / (‖f_l‖·‖q_l‖)      accumulated in float64 ([Cosine])
//
// The networks must be twins and both capture sets must name the same
// layers; the result is in network order. A layer whose cosine is
// undefined (a zero-norm capture) gets an entry with Err set, never NaN.
//
// Errors: ErrMismatch when the networks differ or the capture sets name
// different layers; ErrHook for a capture of a layer the networks lack or
// a layer captured twice.
func CosineByLayer(float, quant *nn.List, fCaps, qCaps []Capture) ([]LayerCosine, error) {
	if err := matchNetworks(float, quant); err != nil {
		return nil, err
	}
	fm, err := captureIndex(float, fCaps)
	if err != nil {
		return nil, err
	}
	qm, err := captureIndex(quant, qCaps)
	if err != nil {
		return nil, err
	}
	var out []LayerCosine
	for _, m := range float.Modules() {
		f, inF := fm[m.Name()]
		q, inQ := qm[m.Name()]
		switch {
		case !inF && !inQ:
			continue
		case inF != inQ:
			side := "float"
			if inQ {
				side = "quantized"
			}
			return nil, fmt.Errorf("%w: layer %q is captured only in the %s network", ErrMismatch, m.Name(), side)
		}
		e := LayerCosine{Name: m.Name(), Kind: m.Kind()}
		e.Cosine, e.Err = Cosine(f.Values, q.Values)
		if e.Err != nil {
			e.Cosine = 0
			e.Err = fmt.Errorf("%w (layer %q)", e.Err, m.Name())
		}
		out = append(out, e)
	}
	return out, nil
}

// captureIndex maps each capture's name to it, checking that l has the
// layer and that no layer is captured twice.
func captureIndex(l *nn.List, caps []Capture) (map[string]*Capture, error) {
	idx := make(map[string]*Capture, len(caps))
	for i := range caps {
		c := &caps[i]
		if _, ok := l.Module(c.Name); !ok {
			return nil, fmt.Errorf("%w: capture of %q, which is not a layer of the network", ErrHook, c.Name)
		}
		if _, dup := idx[c.Name]; dup {
			return nil, fmt.Errorf("%w: layer %q captured twice", ErrHook, c.Name)
		}
		idx[c.Name] = c
	}
	return idx, nil
}
