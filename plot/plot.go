package plot

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// ErrInvalid reports bad arguments: no values, NaN or infinite values,
// bins < 1, a path that does not end in ".png".
var ErrInvalid = errors.New("plot: invalid argument")

// Width and Height are the size of every image: 6×4 inches, which is
// 576×384 pixels at gonum/plot's 96 DPI.
const (
	Width  = 6 * vg.Inch
	Height = 4 * vg.Inch
)

// checkPath returns ErrInvalid unless path names a .png file.
func checkPath(path string) error {
	if !strings.EqualFold(filepath.Ext(path), ".png") {
		return fmt.Errorf("%w: %q is not a .png path", ErrInvalid, path)
	}
	return nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// save does the rendering of p as a PNG and the atomic replacement of path:
// it writes a temporary file in the same directory and renames it over
// path, so that a reader never sees a partial image.
func save(p *gplot.Plot, path string) (err error) {
	wt, err := p.WriterTo(Width, Height, "png")
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = wt.WriteTo(f); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}
