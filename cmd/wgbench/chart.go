package main

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/wageubn/wageubn/bench"
)

// The chart's size: one panel per throughput unit present, each
// chartWidth × panelHeight.
const (
	chartWidth  = 8 * vg.Inch
	panelHeight = 4 * vg.Inch
)

// writeChart draws the median throughput of every result as grouped bars,
// sizes along x and one colour per kernel/backend, in one panel per unit
// (GOP/s for compute-bound kernels, GB/s for memory-bound ones, images/s
// for training steps), and writes the PNG to path atomically. Failed cases
// are left out.
func writeChart(path string, m bench.Machine, res []bench.Result, cfg config) error {
	var units []string
	for _, r := range res {
		if _, u := r.Throughput(); r.Err == nil && !slices.Contains(units, u) {
			units = append(units, u)
		}
	}
	var panels []*gplot.Plot
	for _, unit := range units {
		p, err := panel(res, unit, fmt.Sprintf("%s, median of %d runs (%s, %d cores)", unit, cfg.runs, m.CPU, m.Cores))
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		if p != nil {
			panels = append(panels, p)
		}
	}
	if len(panels) == 0 {
		return fmt.Errorf("chart: no results to draw")
	}
	img := vgimg.New(chartWidth, panelHeight*vg.Length(len(panels)))
	dc := draw.New(img)
	grid := make([][]*gplot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*gplot.Plot{p}
	}
	t := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Points(8), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	for i, row := range gplot.Align(grid, t, dc) {
		panels[i].Draw(row[0])
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return writeAtomic(path, buf.Bytes())
}

// panel returns the bar chart of the results whose headline unit is unit,
// or nil when there are none.
func panel(res []bench.Result, unit, title string) (*gplot.Plot, error) {
	var sizes []int
	var series []string
	val := map[string]map[int]float64{}
	for _, r := range res {
		v, u := r.Throughput()
		if u != unit || r.Err != nil {
			continue
		}
		name := r.Case.Kernel + " " + r.Case.Backend
		if val[name] == nil {
			val[name] = map[int]float64{}
			series = append(series, name)
		}
		if !slices.Contains(sizes, r.Case.Size) {
			sizes = append(sizes, r.Case.Size)
		}
		val[name][r.Case.Size] = v
	}
	if len(series) == 0 {
		return nil, nil
	}
	p := gplot.New()
	p.Title.Text = title
	p.Y.Label.Text = unit
	p.X.Label.Text = "size n"
	p.Add(plotter.NewGrid()) // first, so that the bars cover it
	// Size j sits at x = j; the x range gives each size a slot of 1, and
	// the bars of one size share 70% of it (the data area is about an inch
	// narrower than the image).
	p.X.Min, p.X.Max = -0.5, float64(len(sizes))-0.5
	p.Y.Min = 0
	slot := (chartWidth - vg.Inch) / vg.Length(len(sizes))
	w := 0.7 * slot / vg.Length(len(series))
	top := 0.0
	for i, name := range series {
		vs := make(plotter.Values, len(sizes))
		for j, n := range sizes {
			vs[j] = val[name][n]
			top = max(top, vs[j])
		}
		bc, err := plotter.NewBarChart(vs, w)
		if err != nil {
			return nil, err
		}
		bc.Color = plotutil.Color(i)
		bc.LineStyle.Width = 0
		bc.Offset = (vg.Length(i) - vg.Length(len(series)-1)/2) * w
		p.Add(bc)
		p.Legend.Add(name, bc)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Max = 1.45 * top // headroom for the legend
	labels := make([]string, len(sizes))
	for j, n := range sizes {
		labels[j] = strconv.Itoa(n)
	}
	p.NominalX(labels...)
	return p, nil
}
