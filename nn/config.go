package nn

import (
	"errors"
	"fmt"
)

// ErrConfig is wrapped by every error about invalid quantization settings.
var ErrConfig = errors.New("nn: invalid quantization settings")

// Width is one bit-width setting of the PyTorch package's config: Dec is the
// paper's k (the grid has Dec-1 fractional bits, method.md B§1) and All is
// the width of the symmetric clip applied when IOStrict is on ("all" width,
// clip ±(2^(All-1)-1) codes). All = 0 means "no clip".
type Width struct {
	Dec int
	All int
}

// Bits holds every bit width of a layer: the keys of the PyTorch package's
// config (weight, bias, input, output, BN weight/bias/mean/var/in/out,
// activation; dec and all widths) and the WAGEUBN backward and update
// widths (method.md B§2.1).
type Bits struct {
	Weight, Bias, Input, Output     Width
	BNWeight, BNBias, BNMean, BNVar Width
	BNIn, BNOut                     Width
	Acti                            Width
	E1, E2                          int // error quantizers at activations and at conv/linear outputs
	G                               int // weight-gradient code width (g_scale = 2^(G-1) at most)
	GBN                             int // BN-gradient grid, Q(·,GBN)
	Momentum, Master, LR            int // optimizer grids: 13, 24, 10
}

// Arith is how a quantized layer computes.
type Arith int

const (
	// Integer is WAGEUBN's integer arithmetic on codes (full8, full8plus,
	// wageubn; docs/dataflow.md).
	Integer Arith = iota
	// FakeQuant is float32 arithmetic on values rounded to quantization
	// grids, as the PyTorch package computes its modules ([PW]; recipe
	// pytorch, the golden modules.json cases).
	FakeQuant
)

// Config is the quantization setting of one layer.
type Config struct {
	Quant    bool // quantized; false runs the layer in float32
	Arith    Arith
	IOStrict bool // clip inputs/outputs with the symmetric all-direct quantizer ([PW])
	Retrain  bool // log2_t thresholds are trainable (TQT gradient)
	Bits     Bits

	// Momentum is the optimizer's momentum coefficient (method.md A8, A15).
	Momentum Momentum
	// BNDecay is the moving-average decay of the BN running statistics
	// (0.9 is PyTorch's momentum 0.1; [OFF] uses 0.997).
	BNDecay float64
	// GKeepsMagnitude selects full8plus's G (A15): codes with the tensor's
	// own exponent instead of the fixed 2^-14 grid with R discarded.
	GKeepsMagnitude bool
	// WeightExpPerLayer recomputes a per-layer power-of-two weight exponent
	// from the masters each step (A15's option, off by default).
	WeightExpPerLayer bool
}

// Momentum is the optimizer's momentum coefficient as a fraction with a
// power-of-two denominator, so that it is a shift and a multiply (1/4 for
// [OFF], 7/8 for full8plus).
type Momentum struct {
	Num   int
	Shift int // denominator 2^Shift
}

// Float returns the coefficient as a float64.
func (m Momentum) Float() float64 { return float64(m.Num) / float64(int(1)<<m.Shift) }

// Recipe names a preset of the per-layer config (method.md A7).
type Recipe string

// The recipes of method.md A7 and A15.
const (
	// Full8 is the paper's method on every layer, including the first
	// convolution and the last fully-connected layer: the whole network is
	// integer. The default.
	Full8 Recipe = "full8"
	// Full8Plus is Full8 with G keeping its magnitude and momentum 7/8, the
	// same 8-bit storage (A15).
	Full8Plus Recipe = "full8plus"
	// WAGEUBN is the authors' exact recipe [OFF]: first conv and last
	// fully-connected layer in float32 with unquantized gradients, BN decay
	// 0.997.
	WAGEUBN Recipe = "wageubn"
	// Float is the float32 baseline on the same code paths, quantizers off.
	Float Recipe = "float"
	// PyTorch reproduces the forward numbers of the PyTorch package's
	// modules (symmetric all-direct clipping, BN over quantized running
	// statistics); the golden modules.json cases run under it.
	PyTorch Recipe = "pytorch"
)

// Recipes lists every recipe.
var Recipes = []Recipe{Full8, Full8Plus, WAGEUBN, Float, PyTorch}

// wageubnBits are the widths of method.md B§2.1 (the constants of [OFF]'s
// Quantize.py) with A6's E1 and A9's BN storage.
// The All widths are the storage containers; the conv/linear and BN
// outputs are wide and unclipped (All 0).
var wageubnBits = Bits{
	Weight: Width{8, 8}, Bias: Width{16, 16}, Input: Width{8, 8}, Output: Width{12, 0},
	BNWeight: Width{8, 16}, BNBias: Width{8, 16}, BNMean: Width{16, 32}, BNVar: Width{16, 32},
	BNIn: Width{8, 8}, BNOut: Width{8, 0},
	Acti: Width{8, 8},
	E1:   8, E2: 8, G: 8, GBN: 15,
	Momentum: 13, Master: 24, LR: 10,
}

// pytorchBits are the module defaults of the PyTorch package [PW], which
// the golden modules.json cases use: conv/linear weight 8/8, bias 16/16,
// input 8/8, output 12/12; batch norm everything 8/8; activation 8/8.
var pytorchBits = Bits{
	Weight: Width{8, 8}, Bias: Width{16, 16}, Input: Width{8, 8}, Output: Width{12, 12},
	BNWeight: Width{8, 8}, BNBias: Width{8, 8}, BNMean: Width{8, 8}, BNVar: Width{8, 8},
	BNIn: Width{8, 8}, BNOut: Width{8, 8},
	Acti: Width{8, 8},
	E1:   8, E2: 8, G: 8, GBN: 15,
	Momentum: 13, Master: 24, LR: 10,
}

// Config returns the recipe's per-layer config for an inner layer (first
// and last layers differ only under WAGEUBN; see [Recipe.Edge]).
func (r Recipe) Config() (Config, error) {
	c := Config{Quant: true, Bits: wageubnBits, Momentum: Momentum{1, 2}, BNDecay: 0.9}
	switch r {
	case Full8:
	case Full8Plus:
		c.Momentum = Momentum{7, 3}
		c.GKeepsMagnitude = true
	case WAGEUBN:
		c.BNDecay = 0.997
	case Float:
		c.Quant = false
	case PyTorch:
		c.Arith = FakeQuant
		c.IOStrict = true
		c.Bits = pytorchBits
	default:
		return Config{}, fmt.Errorf("%w: unknown recipe %q (want one of %v)", ErrConfig, string(r), Recipes)
	}
	return c, c.Validate()
}

// Edge reports whether the recipe keeps the first convolution and the last
// fully-connected layer in float32 with unquantized gradients ([OFF]).
func (r Recipe) Edge() bool { return r == WAGEUBN }

// Validate checks every width and coefficient and names the first bad one.
func (c Config) Validate() error {
	b := c.Bits
	widths := []struct {
		name string
		w    Width
	}{
		{"weight", b.Weight}, {"bias", b.Bias}, {"input", b.Input}, {"output", b.Output},
		{"bn_weight", b.BNWeight}, {"bn_bias", b.BNBias}, {"bn_mean", b.BNMean}, {"bn_var", b.BNVar},
		{"bn_in", b.BNIn}, {"bn_out", b.BNOut}, {"acti", b.Acti},
	}
	for _, x := range widths {
		if x.w.Dec < 1 || x.w.Dec > 31 {
			return fmt.Errorf("%w: %s dec width %d not in 1..31", ErrConfig, x.name, x.w.Dec)
		}
		if x.w.All < 0 || x.w.All > 32 {
			return fmt.Errorf("%w: %s all width %d not in 0..32 (0: no clip)", ErrConfig, x.name, x.w.All)
		}
	}
	ints := []struct {
		name      string
		v, lo, hi int
	}{
		{"e1", b.E1, 2, 16}, {"e2", b.E2, 2, 16}, {"g", b.G, 2, 8}, {"gbn", b.GBN, 2, 31},
		{"momentum", b.Momentum, 2, 31}, {"master", b.Master, 8, 31}, {"lr", b.LR, 2, 31},
	}
	for _, x := range ints {
		if x.v < x.lo || x.v > x.hi {
			return fmt.Errorf("%w: %s width %d not in %d..%d", ErrConfig, x.name, x.v, x.lo, x.hi)
		}
	}
	if m := c.Momentum; m.Shift < 0 || m.Shift > 16 || m.Num < 0 || m.Num >= 1<<m.Shift {
		return fmt.Errorf("%w: momentum %d/2^%d must be in [0, 1) with a shift in 0..16", ErrConfig, m.Num, m.Shift)
	}
	if c.Arith != Integer && c.Arith != FakeQuant {
		return fmt.Errorf("%w: arith %d", ErrConfig, c.Arith)
	}
	if !(c.BNDecay >= 0 && c.BNDecay < 1) {
		return fmt.Errorf("%w: bn decay %v not in [0, 1)", ErrConfig, c.BNDecay)
	}
	return nil
}
