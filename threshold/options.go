package threshold

import (
	"fmt"

	"github.com/wageubn/wageubn/internal/hist"
)

// HistogramRange selects what the entropy calibrators histogram.
type HistogramRange string

const (
	// AbsZeroMax histograms |x| over [0, max|x|] (method.md A10, the T-11a
	// fix). The empty value means AbsZeroMax.
	AbsZeroMax HistogramRange = "abs_zero_max"
	// MinMaxRaw is the reference package's compatibility mode (method.md
	// B§7.3 entropy_calibration with the T-11 quirks; the golden init_kl_j
	// cases): raw x over [min x, max x], Epsilon added to every bin, the last
	// candidate chunk divided by w, candidates levels..bins−1, and the
	// threshold min x + (i+0.5)·bin_width + Epsilon.
	MinMaxRaw HistogramRange = "min_max_raw"
)

// Divergence selects the divergence the entropy calibrators minimise.
type Divergence string

const (
	// KLPQ is the one-way KL(P‖Q) = Σ P·ln(P/Q) (TensorRT's choice, and
	// what the reference computes, T-11d).
	KLPQ Divergence = "kl_p_q"
	// Jeffreys is the symmetric KL(P‖Q) + KL(Q‖P) = Σ (P−Q)·ln(P/Q)
	// (method.md A10).
	Jeffreys Divergence = "jeffreys"
)

// Defaults of [Options] (method.md A10).
const (
	DefaultBins = 2048
	DefaultBits = 8
	// DefaultRawEpsilon is added to every histogram bin in MinMaxRaw mode
	// and to the threshold (the reference's eps, 1e-12).
	DefaultRawEpsilon = 1e-12
	// DefaultSmoothing is the probability that, in AbsZeroMax mode, a bin
	// empty in the normalised P but not in Q (or the reverse) counts as.
	DefaultSmoothing = 1e-8
	// MaxBins bounds Bins: the search costs O(Bins²).
	MaxBins = hist.MaxBins
)

// Options configures [Calibrate] and the entropy calibrators [KL], [KLJ]
// and [Entropy]. The zero value is method.md A10's kl_j default for a
// signed 8-bit tensor: 2048 bins, 128 levels, |x| over [0, max|x|].
// Max and 3sd ignore every field.
type Options struct {
	// Bins is the number of histogram bins; 0 means DefaultBins.
	Bins int
	// Levels is the number of quantization levels a candidate histogram is
	// merged into; 0 means 2^(Bits−1) for signed and 2^Bits for unsigned
	// tensors.
	Levels int
	// Bits is the bit width that sets Levels when Levels is 0; 0 means 8.
	Bits int
	// Unsigned marks an unsigned tensor (ReLU outputs), which has 2^Bits
	// levels instead of 2^(Bits−1). The zero value is signed.
	Unsigned bool
	// HistogramRange is AbsZeroMax (the default, "") or MinMaxRaw.
	HistogramRange HistogramRange
	// Divergence is KLPQ or Jeffreys; "" means the method's own: KLPQ for
	// [KL], Jeffreys for [KLJ] and [Entropy].
	Divergence Divergence
	// KeepZeros keeps exact zeros in the AbsZeroMax histogram (they are
	// left out by default; see [Entropy]). MinMaxRaw always keeps them.
	KeepZeros bool
	// Epsilon is DefaultRawEpsilon in MinMaxRaw mode and DefaultSmoothing
	// in AbsZeroMax mode when 0; see those constants.
	Epsilon float64
}

// resolved holds validated options with defaults filled in.
type resolved struct {
	bins, levels int
	keepZeros    bool
	rng          HistogramRange
	div          Divergence
	eps          float64
}

// resolve fills in defaults (def is the method's divergence) and validates
// opts.
func (o Options) resolve(def Divergence) (resolved, error) {
	r := resolved{bins: o.Bins, levels: o.Levels, keepZeros: o.KeepZeros, rng: o.HistogramRange, div: o.Divergence, eps: o.Epsilon}
	if r.bins == 0 {
		r.bins = DefaultBins
	}
	if r.rng == "" {
		r.rng = AbsZeroMax
	}
	if r.div == "" {
		r.div = def
	}
	if r.levels == 0 {
		bits := o.Bits
		if bits == 0 {
			bits = DefaultBits
		}
		if bits < 1 || bits > 16 {
			return r, fmt.Errorf("%w: bits = %d, want 1..16", ErrOptions, o.Bits)
		}
		if o.Unsigned {
			r.levels = 1 << bits
		} else {
			r.levels = 1 << (bits - 1)
		}
	}
	switch {
	case r.bins < 1 || r.bins > MaxBins:
		return r, fmt.Errorf("%w: bins = %d, want 1..%d", ErrOptions, r.bins, MaxBins)
	case r.levels < 2:
		return r, fmt.Errorf("%w: levels = %d, want at least 2", ErrOptions, r.levels)
	case r.bins < r.levels:
		return r, fmt.Errorf("%w: bins = %d is less than levels = %d", ErrOptions, r.bins, r.levels)
	case r.rng != AbsZeroMax && r.rng != MinMaxRaw:
		return r, fmt.Errorf("%w: histogram range %q, want %q or %q", ErrOptions, r.rng, AbsZeroMax, MinMaxRaw)
	case r.div != KLPQ && r.div != Jeffreys:
		return r, fmt.Errorf("%w: divergence %q, want %q or %q", ErrOptions, r.div, KLPQ, Jeffreys)
	case !(r.eps >= 0) || r.eps >= 1:
		return r, fmt.Errorf("%w: epsilon = %g, want 0 (default) or in (0, 1)", ErrOptions, r.eps)
	case r.rng == MinMaxRaw && r.bins == r.levels:
		return r, fmt.Errorf("%w: min_max_raw tries levels..bins-1 and needs bins > levels (got %d)", ErrOptions, r.bins)
	}
	if r.eps == 0 {
		if r.rng == MinMaxRaw {
			r.eps = DefaultRawEpsilon
		} else {
			r.eps = DefaultSmoothing
		}
	}
	return r, nil
}
