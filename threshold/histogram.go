package threshold

import (
	"errors"
	"fmt"

	"github.com/wageubn/wageubn/internal/hist"
)

// Histogram does the reference binning of method.md B§7.3 (the golden
// README, "Threshold initialisers", step 1) over [lo, hi] with bins equal
// bins, and returns the counts and the bins+1 bin edges.
//
// lo and hi are first rounded to float32 (the data is float32). Element e
// goes to bin
//
//	b = int(float32(float32(e−lo)·bins) / float32(hi−lo))
//
// (multiply first, then divide, truncate, all in float32); b = bins goes to
// the last bin (for ranges so wide that (hi−lo)·bins overflows float32 the
// product is taken in float64). Elements outside [lo, hi] are not counted (as torch.histc).
// If lo == hi the range is widened to [lo−1, hi+1], as torch.histc does.
// edges[j] = lo + j·(hi−lo)/bins in float64, so bin j is [edges[j],
// edges[j+1]), the last bin closed. x is not modified.
//
// Errors: ErrOptions for bins < 1, a non-finite or reversed range, or a range
// too wide for float32; ErrNonFinite for a NaN or infinite element. An empty
// x gives all-zero counts.
func Histogram(x []float32, bins int, lo, hi float64) (counts []int64, edges []float64, err error) {
	counts, edges, err = hist.Histogram(x, bins, lo, hi)
	switch {
	case errors.Is(err, hist.ErrNonFinite):
		return nil, nil, fmt.Errorf("%w: %w", ErrNonFinite, err)
	case err != nil:
		return nil, nil, fmt.Errorf("%w: histogram: %w", ErrOptions, err)
	}
	return counts, edges, nil
}

// histogram32 and finite32 are the shared binning loop and finiteness test.
var (
	histogram32 = hist.Bin32
	finite32    = hist.Finite32
)
