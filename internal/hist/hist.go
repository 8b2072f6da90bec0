// Package hist bins float32 values exactly as the reference threshold
// calibration does (method.md B§7.3; the golden README, "Threshold
// initialisers", step 1). It is a leaf package so that threshold, plot and
// tensorboard all bin the same way without depending on each other.
package hist

import (
	"errors"
	"fmt"
	"math"
)

// MaxBins bounds the number of bins.
const MaxBins = 1 << 16

// Errors returned by Histogram.
var (
	ErrBins      = errors.New("hist: bins out of range")
	ErrRange     = errors.New("hist: invalid range")
	ErrNonFinite = errors.New("hist: non-finite value")
)

// Histogram returns the counts of x over [lo, hi] in bins equal bins and the
// bins+1 bin edges.
//
// lo and hi are first rounded to float32 (the data is float32). Element e
// goes to bin
//
//	b = int(float32(float32(e−lo)·bins) / float32(hi−lo))
//
// (multiply first, then divide, truncate, all in float32); b = bins goes to
// the last bin (for ranges so wide that (hi−lo)·bins overflows float32 the
// product is taken in float64). Elements outside [lo, hi] are not counted
// (as torch.histc). If lo == hi the range is widened to [lo−1, hi+1], as
// torch.histc does. edges[j] = lo + j·(hi−lo)/bins in float64, so bin j is
// [edges[j], edges[j+1]), the last bin closed. x is not modified.
//
// Errors: ErrBins for bins outside 1..MaxBins, ErrRange for a non-finite or
// reversed range or one too wide for float32, ErrNonFinite for a NaN or
// infinite element. An empty x gives all-zero counts.
func Histogram(x []float32, bins int, lo, hi float64) (counts []int64, edges []float64, err error) {
	if bins < 1 || bins > MaxBins {
		return nil, nil, fmt.Errorf("%w: bins = %d, want 1..%d", ErrBins, bins, MaxBins)
	}
	lo32, hi32 := float32(lo), float32(hi)
	if !Finite32(lo32) || !Finite32(hi32) || lo32 > hi32 {
		return nil, nil, fmt.Errorf("%w: [%g, %g]", ErrRange, lo, hi)
	}
	for i, v := range x {
		if !Finite32(v) {
			return nil, nil, fmt.Errorf("%w: element %d is %v", ErrNonFinite, i, v)
		}
	}
	if lo32 == hi32 {
		lo32, hi32 = lo32-1, hi32+1
	}
	if !Finite32(hi32 - lo32) {
		return nil, nil, fmt.Errorf("%w: [%g, %g] overflows float32", ErrRange, lo, hi)
	}
	counts = Bin32(x, false, false, bins, lo32, hi32)
	edges = make([]float64, bins+1)
	w := (float64(hi32) - float64(lo32)) / float64(bins)
	for j := range edges {
		edges[j] = float64(lo32) + float64(j)*w
	}
	edges[bins] = float64(hi32)
	return counts, edges, nil
}

// Bin32 is the binning loop of [Histogram] on a validated range with
// lo < hi; with abs set it bins |e| instead of e, and with skipZeros it
// leaves out elements equal to zero.
func Bin32(x []float32, abs, skipZeros bool, bins int, lo, hi float32) []int64 {
	counts := make([]int64, bins)
	nb := float32(bins)
	width := hi - lo
	// (e−lo)·bins overflows float32 only when (hi−lo)·bins does; then bin
	// in float64 (the reference would give +Inf and the last bin).
	wide := !Finite32(width * nb)
	for _, e := range x {
		if abs && e < 0 {
			e = -e
		}
		if skipZeros && e == 0 {
			continue
		}
		if e < lo || e > hi {
			continue
		}
		f := (e - lo) * nb
		f /= width
		if wide {
			f = float32(float64(e-lo) * float64(bins) / float64(width))
		}
		b := bins - 1
		if f < nb { // also guards the int conversion against overflow
			b = int(f)
		}
		counts[b]++
	}
	return counts
}

// Finite32 reports whether v is neither NaN nor infinite.
func Finite32(v float32) bool {
	return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0)
}
