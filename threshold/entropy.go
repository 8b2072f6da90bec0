package threshold

import (
	"fmt"
	"math"
)

// EntropyResult is the outcome of an entropy calibration with its
// diagnostics.
type EntropyResult struct {
	Log2T     float64 // log2(Threshold)
	Threshold float64 // the clipping threshold t
	// ChosenBin is the number i of histogram bins kept by the best
	// candidate (the golden extra.chosen_bin; extra.m_idx = ChosenBin −
	// Levels).
	ChosenBin int
	Levels    int     // quantization levels used
	Bins      int     // histogram bins used
	BinWidth  float64 // width of one histogram bin
	// Divergence is the minimum divergence, at ChosenBin.
	Divergence float64
	// Lo and Hi are the histogram range before any widening.
	Lo, Hi float64
}

// KL does entropy calibration minimising the one-way KL(P‖Q) unless
// opts.Divergence says otherwise; see [Entropy]. With
// Options{HistogramRange: MinMaxRaw, Levels: 128} it is the reference
// package's entropy_calibration (golden init_kl_j); with the default
// AbsZeroMax range it is TensorRT-style calibration over |x| (method.md
// A10 "kl").
func KL(x []float32, opts Options) (float64, error) {
	r, err := entropy(x, opts, KLPQ)
	return r.Log2T, err
}

// KLJ does entropy calibration minimising the Jeffreys divergence
// KL(P‖Q) + KL(Q‖P) unless opts.Divergence says otherwise (method.md A10
// "kl_j"); see [Entropy].
func KLJ(x []float32, opts Options) (float64, error) {
	r, err := entropy(x, opts, Jeffreys)
	return r.Log2T, err
}

// Entropy does the entropy (KL) calibration of method.md A10 and B§7.3 and
// returns the result with its diagnostics; an empty opts.Divergence means
// Jeffreys.
//
// AbsZeroMax (the default, A10): the non-zero |x| are histogrammed over
// [0, max|x|] into Bins bins with the binning of [Histogram] (exact zeros
// are left out unless KeepZeros: every threshold represents 0 exactly, and
// the spike of a ReLU output at 0 would otherwise dominate the divergence
// and drag t far down). For every candidate i = Levels … Bins:
//
//	P = hist[0:i] with Σ hist[i:Bins] added to P[i−1], normalised;
//	Q = hist[0:i] merged into Levels chunks of as equal width as integers
//	    allow (chunk j is [⌊j·i/Levels⌋, ⌊(j+1)·i/Levels⌋), so every chunk
//	    has ⌊i/Levels⌋ or ⌈i/Levels⌉ bins, as a uniform quantizer of
//	    [0, t] with Levels steps would), each chunk's sum spread evenly over
//	    its bins where P ≠ 0, normalised;
//	D[i] = Σ P·ln(P/Q) (KLPQ) or Σ (P−Q)·ln(P/Q) (Jeffreys), where a bin
//	that is empty in one distribution but not in the other counts as
//	Epsilon (default 1e-8) and bins empty in both add nothing.
//
// The smallest i* whose D is within a relative 1e-9 of the minimum (ties
// arise where the data fits in fewer bins than there are levels, so that
// the merge loses nothing) gives t = i*·max|x|/Bins, the upper edge of the
// kept bins, so i* = Bins gives t = max|x|.
//
// MinMaxRaw (compatibility, B§7.3 with the T-11 quirks, exactly the golden
// README's step list): raw x over [min x, max x] with float32 binning;
// dist = hist + Epsilon (default 1e-12) per bin; candidates i = Levels …
// Bins−1; P as above from dist; Q from dist with every chunk's sum divided
// by nz = w − (zeros in chunk), also for the longer last chunk, and masked
// by dist ≠ 0; then
//
//	bw = float32(float32(max−min)/Bins)
//	t  = float32(min + float32(float32(i*+0.5)·bw)) + float32(Epsilon)
//
// which is measured from min x and can be non-positive for signed data.
//
// Divergences are accumulated in float64. x is not modified.
//
// Errors: ErrEmpty, ErrNonFinite, ErrOptions for bad options (bins < levels,
// levels < 2, unknown names), ErrThreshold when t ≤ 0 (for example an
// all-zero x in AbsZeroMax mode).
func Entropy(x []float32, opts Options) (EntropyResult, error) {
	return entropy(x, opts, Jeffreys)
}

// entropy is [Entropy] with the method's default divergence def.
func entropy(x []float32, opts Options, def Divergence) (EntropyResult, error) {
	o, err := opts.resolve(def)
	if err != nil {
		return EntropyResult{}, err
	}
	if err := checkFinite(x); err != nil {
		return EntropyResult{}, err
	}
	if o.rng == MinMaxRaw {
		return entropyRaw(x, o)
	}
	return entropyAbs(x, o)
}

// entropyAbs is the AbsZeroMax mode of [Entropy].
func entropyAbs(x []float32, o resolved) (EntropyResult, error) {
	var hi float32
	for _, v := range x {
		if a := float32(math.Abs(float64(v))); a > hi {
			hi = a
		}
	}
	res := EntropyResult{Levels: o.levels, Bins: o.bins, Hi: float64(hi)}
	if hi == 0 {
		return res, fmt.Errorf("%w: max|x| = 0", ErrThreshold)
	}
	counts := histogram32(x, true, !o.keepZeros, o.bins, 0, hi)
	dist := make([]float64, o.bins)
	for j, c := range counts {
		dist[j] = float64(c)
	}
	best, bestD := search(dist, o, o.levels, o.bins, false)
	res.ChosenBin, res.Divergence = best, bestD
	res.BinWidth = float64(hi) / float64(o.bins)
	res.Threshold = float64(best) * res.BinWidth
	var err error
	res.Log2T, err = log2Positive(res.Threshold)
	return res, err
}

// entropyRaw is the MinMaxRaw (reference compatibility) mode of [Entropy].
func entropyRaw(x []float32, o resolved) (EntropyResult, error) {
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo = min(lo, v)
		hi = max(hi, v)
	}
	res := EntropyResult{Levels: o.levels, Bins: o.bins, Lo: float64(lo), Hi: float64(hi)}
	hlo, hhi := lo, hi
	if hlo == hhi {
		hlo, hhi = hlo-1, hhi+1 // torch.histc widens an empty range
	}
	if !finite32(hhi - hlo) {
		return res, fmt.Errorf("%w: range [%g, %g] overflows float32", ErrOptions, lo, hi)
	}
	counts := histogram32(x, false, false, o.bins, hlo, hhi)
	dist := make([]float64, o.bins)
	for j, c := range counts {
		dist[j] = float64(c) + o.eps
	}
	best, bestD := search(dist, o, o.levels, o.bins-1, true)
	bw := (hi - lo) / float32(o.bins)
	t := lo + float32(float64(best)+0.5)*bw
	t += float32(o.eps)
	res.ChosenBin, res.Divergence = best, bestD
	res.BinWidth = float64(bw)
	res.Threshold = float64(t)
	var err error
	res.Log2T, err = log2Positive(res.Threshold)
	return res, err
}

// search returns the first candidate i in [from, to] with the smallest
// divergence between the reference P and the candidate Q built from dist
// (see [Entropy]); raw selects the MinMaxRaw quirks.
func search(dist []float64, o resolved, from, to int, raw bool) (int, float64) {
	n := len(dist)
	tail := make([]float64, n+1) // tail[i] = Σ dist[i:n]
	for j := n - 1; j >= 0; j-- {
		tail[j] = tail[j+1] + dist[j]
	}
	p := make([]float64, n)
	q := make([]float64, n)
	d := make([]float64, to+1)
	best, bestD := from, math.Inf(1)
	for i := from; i <= to; i++ {
		d[i] = math.Inf(1)
		copy(p, dist[:i])
		p[i-1] += tail[i]
		if raw {
			expandRaw(q[:i], dist[:i], o.levels)
		} else {
			expandAbs(q[:i], dist[:i], p[:i], o.levels)
		}
		if !normalise(p[:i]) || !normalise(q[:i]) {
			continue
		}
		eps := o.eps
		if raw {
			eps = 0 // the raw histogram carries its epsilon in every bin
		}
		d[i] = divergence(p[:i], q[:i], o.div, eps)
		if d[i] < bestD {
			best, bestD = i, d[i]
		}
	}
	if raw || math.IsInf(bestD, 1) {
		return best, bestD
	}
	// Where the divergence is flat (data that fits in fewer bins than
	// there are levels), rounding alone separates the candidates: take the
	// smallest i within tieRel of the minimum, the finest step.
	for i := from; i < best; i++ {
		if d[i] <= bestD+tieRel*math.Abs(bestD) {
			return i, d[i]
		}
	}
	return best, bestD
}

// tieRel is the relative gap below which AbsZeroMax candidates count as
// tied; the smallest tied i wins.
const tieRel = 1e-9

// expandRaw is the reference's expand(d, m) (B§7.3, T-11c): chunks of
// w = ⌊len(d)/m⌋ bins, the last running to len(d); every bin of a chunk gets
// Σchunk/nz with nz = w − #zeros(chunk) (w also for the longer last chunk),
// or 0 when nz ≤ 0; then bins where d = 0 are zeroed.
func expandRaw(q, d []float64, m int) {
	w := len(d) / m
	for j := 0; j < m; j++ {
		start, end := j*w, (j+1)*w
		if j == m-1 {
			end = len(d)
		}
		var s float64
		nz := w
		for _, v := range d[start:end] {
			s += v
			if v == 0 {
				nz--
			}
		}
		v := 0.0
		if nz > 0 {
			v = s / float64(nz)
		}
		for k := start; k < end; k++ {
			q[k] = v
			if d[k] == 0 {
				q[k] = 0
			}
		}
	}
}

// expandAbs merges d into m chunks [⌊j·n/m⌋, ⌊(j+1)·n/m⌋), n = len(d),
// and spreads each chunk's sum evenly over the bins of the chunk where
// p ≠ 0 (TensorRT's expansion, divided by the chunk's real count of such
// bins; TensorRT's chunks are ⌊n/m⌋ wide with the remainder in the last,
// which for n just below 2m merges half the range into one level).
func expandAbs(q, d, p []float64, m int) {
	n := len(d)
	for j := 0; j < m; j++ {
		start, end := j*n/m, (j+1)*n/m
		var s float64
		nz := 0
		for k := start; k < end; k++ {
			s += d[k]
			if p[k] != 0 {
				nz++
			}
		}
		for k := start; k < end; k++ {
			q[k] = 0
			if p[k] != 0 {
				q[k] = s / float64(nz)
			}
		}
	}
}

// normalise scales v to sum 1 and reports whether its sum was positive.
func normalise(v []float64) bool {
	var s float64
	for _, x := range v {
		s += x
	}
	if !(s > 0) {
		return false
	}
	for k := range v {
		v[k] /= s
	}
	return true
}

// divergence returns Σ p·ln(p/q) (KLPQ) or Σ (p−q)·ln(p/q) (Jeffreys).
// With smoothing (eps > 0) an entry that is zero where the other
// distribution is not counts as eps; entries where both are zero add
// nothing. Without smoothing such a term makes the divergence +Inf.
func divergence(p, q []float64, div Divergence, eps float64) float64 {
	var d float64
	for k, pk := range p {
		qk := q[k]
		if pk == 0 && (qk == 0 || div == KLPQ) {
			continue
		}
		if pk == 0 || qk == 0 {
			if eps == 0 {
				return math.Inf(1)
			}
			pk, qk = max(pk, eps), max(qk, eps)
		}
		l := math.Log(pk / qk)
		if div == Jeffreys {
			d += (pk - qk) * l
		} else {
			d += pk * l
		}
	}
	return d
}
