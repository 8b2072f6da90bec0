package plot_test

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/wageubn/wageubn/plot"
	"gonum.org/v1/plot/plotutil"
)

// decode reads the PNG at path and checks its size: 6×4 inches at 96 DPI.
func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != 576 || b.Dy() != 384 {
		t.Errorf("%s: %dx%d, want 576x384", path, b.Dx(), b.Dy())
	}
	return img
}

// countColor counts the pixels of img close to c (within 8 per channel).
func countColor(img image.Image, c color.Color) int {
	cr, cg, cb, _ := c.RGBA()
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if absDiff(r, cr) < 8<<8 && absDiff(g, cg) < 8<<8 && absDiff(bl, cb) < 8<<8 {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// countDark counts pixels darker than mid-grey (text, axes, lines).
func countDark(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0x8000 {
				n++
			}
		}
	}
	return n
}

// noTemp fails if dir holds anything but the named files.
func noTemp(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(want) {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want %v", names, want)
	}
}

// TestHistogram draws a normal-like sample and checks the image: right
// size, bars in the fill colour covering a visible area, axes and labels
// drawn; a second call replaces the file in place.
func TestHistogram(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.png")
	var v []float32
	for k := range 4000 {
		// A triangle distribution on [-1, 1]: sum of two uniform grids.
		a, b := float32(k%63)/62, float32(k%59)/58
		v = append(v, a+b-1)
	}
	if err := plot.Histogram(path, "conv1 weight", v, 40); err != nil {
		t.Fatal(err)
	}
	img := decode(t, path)
	// The fill colour RGB(70,110,180): the bars cover well over 2% of
	// the 221184 pixels.
	if n := countColor(img, color.RGBA{R: 70, G: 110, B: 180, A: 255}); n < 5000 {
		t.Errorf("%d bar pixels, want a visible histogram", n)
	}
	if n := countDark(img); n < 500 {
		t.Errorf("%d dark pixels, want axes and labels", n)
	}
	// Constant values (zero range) still give a chart.
	if err := plot.Histogram(path, "constant", []float32{2, 2, 2}, 5); err != nil {
		t.Fatal(err)
	}
	decode(t, path)
	noTemp(t, dir, "w.png")
}

// TestCurves draws two series and checks that both colours appear.
func TestCurves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "loss.png")
	var a, b []plot.XY
	for s := range 100 {
		x := float64(s)
		a = append(a, plot.XY{X: x, Y: 2 * math.Exp(-x/20)})
		b = append(b, plot.XY{X: x, Y: 1.5 * math.Exp(-x/30)})
	}
	err := plot.Curves(path, "loss", "step", "loss", []plot.Series{{Name: "full8", Points: a}, {Name: "float", Points: b}})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, path)
	for i := range 2 {
		if n := countColor(img, plotutil.Color(i)); n < 200 {
			t.Errorf("series %d: %d pixels in its colour, want a visible line", i, n)
		}
	}
	noTemp(t, dir, "loss.png")
}

// TestErrors: bad input gives ErrInvalid and writes nothing.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.png")
	nan := float32(math.NaN())
	good := []plot.Series{{Name: "a", Points: []plot.XY{{0, 1}}}}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"hist empty", plot.Histogram(p, "", nil, 10)},
		{"hist NaN", plot.Histogram(p, "", []float32{1, nan}, 10)},
		{"hist Inf", plot.Histogram(p, "", []float32{float32(math.Inf(-1))}, 10)},
		{"hist bins=0", plot.Histogram(p, "", []float32{1}, 0)},
		{"hist not png", plot.Histogram(filepath.Join(dir, "x.svg"), "", []float32{1}, 1)},
		{"curves none", plot.Curves(p, "", "", "", nil)},
		{"curves empty series", plot.Curves(p, "", "", "", []plot.Series{{Name: "a"}})},
		{"curves NaN", plot.Curves(p, "", "", "", []plot.Series{{Points: []plot.XY{{0, math.NaN()}}}})},
		{"curves Inf", plot.Curves(p, "", "", "", []plot.Series{{Points: []plot.XY{{math.Inf(1), 0}}}})},
		{"curves not png", plot.Curves(filepath.Join(dir, "x"), "", "", "", good)},
	} {
		if !errors.Is(tc.err, plot.ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", tc.name, tc.err)
		}
	}
	noTemp(t, dir)
	// A missing directory is an I/O error, not ErrInvalid, and leaves nothing.
	err := plot.Curves(filepath.Join(dir, "no", "x.png"), "", "", "", good)
	if err == nil || errors.Is(err, plot.ErrInvalid) {
		t.Errorf("missing directory: err %v, want an I/O error", err)
	}
}
