package plot

import (
	"fmt"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// XY is one point of a curve.
type XY struct{ X, Y float64 }

// Series is one named curve; Name labels it in the legend (an empty Name
// leaves it out of the legend).
type Series struct {
	Name   string
	Points []XY
}

// Curves does the drawing of one line per series (in order, each in its
// own colour, with a legend at the top right) and writes it to path as a
// Width×Height PNG, atomically. Points are drawn in the order given.
//
// Errors: ErrInvalid for a path not ending in .png, no series, a series
// with no points, or a NaN or infinite coordinate; I/O errors prefixed
// "plot: ".
func Curves(path, title, xlabel, ylabel string, series []Series) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if len(series) == 0 {
		return fmt.Errorf("%w: no series", ErrInvalid)
	}
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	for s, ser := range series {
		if len(ser.Points) == 0 {
			return fmt.Errorf("%w: series %d (%q) has no points", ErrInvalid, s, ser.Name)
		}
		xys := make(plotter.XYs, len(ser.Points))
		for k, pt := range ser.Points {
			if !finite(pt.X) || !finite(pt.Y) {
				return fmt.Errorf("%w: series %q point %d is (%v, %v)", ErrInvalid, ser.Name, k, pt.X, pt.Y)
			}
			xys[k] = plotter.XY{X: pt.X, Y: pt.Y}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("plot: series %q: %w", ser.Name, err)
		}
		l.Color = plotutil.Color(s)
		l.Width = vg.Points(1.5)
		p.Add(l)
		if ser.Name != "" {
			p.Legend.Add(ser.Name, l)
		}
	}
	return save(p, path)
}
