package data

import "fmt"

// Dataset is a labelled image set held in host memory.
//
// Pixels holds N*C*H*W uint8 codes in row-major NCHW order: sample n,
// channel c, row y, column x is Pixels[((n*C+c)*H+y)*W+x]. A code q stands
// for the value q*2^-8 (method.md A5: input pixels are uint8 codes with
// exponent -8). Labels holds N class indices, each in [0, Classes).
type Dataset struct {
	Name       string // e.g. "mnist/train"; used in messages
	N, C, H, W int    // samples, channels, rows, columns
	Pixels     []uint8
	Labels     []uint8
	Classes    int
}

// SampleSize returns the number of pixel codes per sample, C*H*W.
func (ds *Dataset) SampleSize() int { return ds.C * ds.H * ds.W }

// Validate checks that the dataset is consistent: N >= 0; C, H, W >= 1;
// 1 <= Classes <= 256; len(Pixels) == N*C*H*W; len(Labels) == N; and every
// label is below Classes. It returns an error wrapping [ErrArgument] that
// names the dataset and the first problem found.
func (ds *Dataset) Validate() error {
	if ds == nil {
		return fmt.Errorf("%w: nil dataset", ErrArgument)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: dataset %q: %s", ErrArgument, ds.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case ds.N < 0:
		return bad("N = %d < 0", ds.N)
	case ds.C < 1 || ds.H < 1 || ds.W < 1:
		return bad("sample shape %dx%dx%d has a dimension < 1", ds.C, ds.H, ds.W)
	case ds.Classes < 1 || ds.Classes > 256:
		return bad("Classes = %d, want 1..256", ds.Classes)
	case len(ds.Labels) != ds.N:
		return bad("%d labels for N = %d", len(ds.Labels), ds.N)
	}
	if want := int64(ds.N) * int64(ds.C) * int64(ds.H) * int64(ds.W); int64(len(ds.Pixels)) != want {
		return bad("%d pixel codes, want N*C*H*W = %d", len(ds.Pixels), want)
	}
	if i, l := firstBadLabel(ds.Labels, ds.Classes); i >= 0 {
		return bad("label %d at index %d is out of range [0, %d)", l, i, ds.Classes)
	}
	return nil
}

// firstBadLabel returns the index and value of the first label >= classes,
// or (-1, 0) when every label is in range.
func firstBadLabel(labels []uint8, classes int) (int, uint8) {
	for i, l := range labels {
		if int(l) >= classes {
			return i, l
		}
	}
	return -1, 0
}

// Histogram returns the number of samples of each class: h[k] counts the
// labels equal to k, for k in [0, Classes). Labels out of range are ignored.
func (ds *Dataset) Histogram() []int {
	h := make([]int, max(ds.Classes, 0))
	for _, l := range ds.Labels {
		if int(l) < len(h) {
			h[l]++
		}
	}
	return h
}
