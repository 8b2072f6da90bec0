package analyse

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/plot"
	"github.com/wageubn/wageubn/tensorboard"
	"github.com/wageubn/wageubn/threshold"
)

// ErrInvalid reports bad arguments: bins < 1, an empty capture, nothing to
// write to, or two names that sanitise to the same file name.
var ErrInvalid = errors.New("analyse: invalid argument")

// Tag prefixes of the TensorBoard histograms.
const (
	ActivationTag = "activations/"
	WeightTag     = "weights/"
)

// WriteHistograms does the drawing of one histogram of bins equal-width
// bins per capture: a PNG file dir/NAME.png (NAME the sanitised qualified
// layer name) when dir is not empty (the directory is created), and a
// TensorBoard histogram tagged "activations/"+name at step when tb is
// non-nil.
//
// Errors: ErrInvalid for bins < 1, an empty capture, both dir and tb
// empty, or two names sanitising to one file; plot and tensorboard errors
// (non-finite values included).
func WriteHistograms(dir string, caps []threshold.Capture, bins int, tb *tensorboard.Writer, step int64) error {
	items := make([]item, len(caps))
	for i, c := range caps {
		items[i] = item{name: c.Name, tag: ActivationTag + c.Name, values: c.Values}
	}
	return write(dir, items, bins, tb, step)
}

// WeightHistograms does the same as [WriteHistograms] for every parameter
// named "weight" of l (conv, linear and batch norm γ), read back from the
// device as code·2^(Exp+Scale) (int32 masters with exponent -23, or
// float32): files dir/KEY.png and TensorBoard tags "weights/"+KEY, KEY
// the full key ("layer1.0.conv1.weight").
//
// Errors: as WriteHistograms, ErrInvalid for a nil network or a weight
// without a Value, and device download errors.
func WeightHistograms(l *nn.List, dir string, bins int, tb *tensorboard.Writer, step int64) error {
	if l == nil {
		return fmt.Errorf("%w: nil network", ErrInvalid)
	}
	var items []item
	for _, p := range l.Params() {
		if p.Name != "weight" {
			continue
		}
		if p.Value == nil {
			return fmt.Errorf("%w: %s has no value", ErrInvalid, p.Key)
		}
		v, err := threshold.Values(p.Value)
		if err != nil {
			return fmt.Errorf("analyse: %s: %w", p.Key, err)
		}
		items = append(items, item{name: p.Key, tag: WeightTag + p.Key, values: v})
	}
	return write(dir, items, bins, tb, step)
}

// item is one histogram to draw.
type item struct {
	name, tag string
	values    []float32
}

// write checks the arguments and every file name, then draws the items.
func write(dir string, items []item, bins int, tb *tensorboard.Writer, step int64) error {
	if bins < 1 {
		return fmt.Errorf("%w: bins = %d, want at least 1", ErrInvalid, bins)
	}
	if dir == "" && tb == nil {
		return fmt.Errorf("%w: neither a directory nor a TensorBoard writer", ErrInvalid)
	}
	files := make(map[string]string, len(items))
	for _, it := range items {
		if len(it.values) == 0 {
			return fmt.Errorf("%w: %s has no values", ErrInvalid, it.name)
		}
		f := FileName(it.name)
		if other, dup := files[f]; dup {
			return fmt.Errorf("%w: %q and %q both map to the file %s", ErrInvalid, other, it.name, f)
		}
		files[f] = it.name
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("analyse: %w", err)
		}
	}
	for _, it := range items {
		if dir != "" {
			if err := plot.Histogram(filepath.Join(dir, FileName(it.name)), it.name, it.values, bins); err != nil {
				return fmt.Errorf("analyse: %s: %w", it.name, err)
			}
		}
		if tb != nil {
			if err := tb.AddHistogram(it.tag, step, it.values, bins); err != nil {
				return fmt.Errorf("analyse: %s: %w", it.name, err)
			}
		}
	}
	return nil
}

// FileName returns the PNG file name of a qualified name: every character
// outside [A-Za-z0-9._-] becomes '_', a leading '.' too (no hidden files),
// and ".png" is appended. "layer1.0.conv1" gives "layer1.0.conv1.png".
func FileName(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, name)
	if s == "" || s[0] == '.' {
		s = "_" + s
	}
	return s + ".png"
}
