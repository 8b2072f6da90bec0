package nn

import (
	"fmt"
	"math"

	"github.com/wageubn/wageubn/gpu"
)

// Thresholded is implemented by the layers that carry TQT power-of-two
// thresholds (method.md B§7.2, A5, A10): Conv2d and Linear (weight_log2_t,
// and bias_log2_t with a bias), BatchNorm (weight_log2_t of γ, bias_log2_t
// of β) and ReLU/ReLU6 (acti_log2_t). Thresholds
// returns them whether they are set or not; threshold.InitNetwork finds
// them there and sets them.
//
// A threshold is a Param of Shape [1] whose Value is nil until it is set
// ("unset" stands for TQT's uninitialised log2_t, T-3: the package
// requires init_network before a quantized forward): threshold.InitNetwork
// (or a caller) makes Value a 1-element F32 device tensor holding log2 t.
// Layers read the Value at every Forward. An unset threshold is left out
// of the layer's Params (so state dicts, the optimizer and networks built
// before this change see nothing new); a set one is listed after the
// layer's other parameters. Trainable follows Config.Retrain at every
// Forward: with Retrain the FakeQuant backward stores TQT's gradient
// (summed over elements, B§7.1) in Param.Grad and the optimizer updates it
// with Adam (names ending in log2_t); without Retrain it is a buffer the
// optimizer skips.
type Thresholded interface {
	Thresholds() []*Param
}

// newLog2T returns an unset threshold parameter.
func newLog2T(name string, cfg *Config) *Param {
	return &Param{Name: name, Shape: []int{1}, Trainable: cfg.Retrain}
}

// log2TSet reports whether the threshold p exists and is set.
func log2TSet(p *Param) bool { return p != nil && p.Value != nil }

// withSet returns base followed by the set thresholds among ts.
func withSet(base []*Param, ts ...*Param) []*Param {
	out := base
	for _, t := range ts {
		if log2TSet(t) {
			out = append(out[:len(out):len(out)], t)
		}
	}
	return out
}

// actiExpCache is the host copy of a ReLU's acti_log2_t for integer mode,
// keyed by the tensor it was read from (a new Value, from InitNetwork or a
// loaded state dict, is read again).
type actiExpCache struct {
	t     *gpu.Tensor
	log2t float32
}

// log2T returns the float value of the set threshold p (a download of one
// element, cached per tensor).
func (c *actiExpCache) log2T(p *Param) (float32, error) {
	if c.t == p.Value {
		return c.log2t, nil
	}
	if p.Value.DType() != gpu.F32 || p.Value.Len() != 1 {
		return 0, fmt.Errorf("%w: %s is %v, want F32 [1]", ErrConfig, p.Name, p.Value)
	}
	v, err := p.Value.DownloadF32()
	if err != nil {
		return 0, err
	}
	if math.IsNaN(float64(v[0])) || math.IsInf(float64(v[0]), 0) {
		return 0, fmt.Errorf("%w: %s = %v is not finite", ErrConfig, p.Name, v[0])
	}
	c.t, c.log2t = p.Value, v[0]
	return v[0], nil
}

// ActiExp returns the integer activation exponent A5 takes from a TQT
// threshold: e_a = ceil(log2_t) - dec (unsigned codes, s = 2^ceil(log2_t)/2^dec).
func ActiExp(log2t float32, dec int) int {
	return int(math.Ceil(float64(log2t))) - dec
}
