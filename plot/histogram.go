package plot

import (
	"fmt"
	"image/color"
	"math"

	"github.com/wageubn/wageubn/internal/hist"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// Histogram does the drawing of a histogram of values with bins
// equal-width bars over [min, max] (binned as internal/hist.Histogram) and
// writes it to path as a Width×Height PNG, atomically. The x axis is
// labelled "value", the y axis "count". values is not modified.
//
// Errors: ErrInvalid for a path not ending in .png, empty values, NaN or
// infinite values, or bins < 1; I/O errors prefixed "plot: ".
func Histogram(path, title string, values []float32, bins int) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if len(values) == 0 {
		return fmt.Errorf("%w: histogram of no values", ErrInvalid)
	}
	if bins < 1 || bins > hist.MaxBins {
		return fmt.Errorf("%w: bins = %d, want 1..%d", ErrInvalid, bins, hist.MaxBins)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range values {
		x := float64(v)
		if !finite(x) {
			return fmt.Errorf("%w: value %d is %v", ErrInvalid, i, v)
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	counts, edges, err := hist.Histogram(values, bins, lo, hi)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	h := &plotter.Histogram{
		Bins:      make([]plotter.HistogramBin, bins),
		Width:     edges[1] - edges[0],
		FillColor: color.RGBA{R: 70, G: 110, B: 180, A: 255},
		LineStyle: plotter.DefaultLineStyle,
	}
	h.LineStyle.Width /= 2
	for k, c := range counts {
		h.Bins[k] = plotter.HistogramBin{Min: edges[k], Max: edges[k+1], Weight: float64(c)}
	}
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "value"
	p.Y.Label.Text = "count"
	p.Y.Min = 0
	p.Add(h)
	return save(p, path)
}
