package threshold_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/threshold"
)

// TestHistogram checks hand-binned examples of the golden README's step 1.
func TestHistogram(t *testing.T) {
	for _, tc := range []struct {
		name      string
		x         []float32
		bins      int
		lo, hi    float64
		want      []int64
		wantEdges []float64
	}{
		// 0 → bin 0, 1 → bin 1 (1·4/4), 3.99 → bin 3, 4 = hi → last bin.
		{"edges", []float32{0, 1, 3.99, 4}, 4, 0, 4, []int64{1, 1, 0, 2}, []float64{0, 1, 2, 3, 4}},
		// Out of range elements are not counted (torch.histc).
		{"outside", []float32{-1, 0.5, 5}, 2, 0, 4, []int64{1, 0}, []float64{0, 2, 4}},
		// lo == hi widens to [lo−1, hi+1]: 2 lands in the middle bin.
		{"widen", []float32{2, 2}, 3, 2, 2, []int64{0, 2, 0}, []float64{1, 5.0 / 3, 7.0 / 3, 3}},
		{"negative", []float32{-2, -1.5, -0.5, 0}, 2, -2, 0, []int64{2, 2}, []float64{-2, -1, 0}},
		{"empty", nil, 2, 0, 1, []int64{0, 0}, []float64{0, 0.5, 1}},
		// (hi−lo)·bins = 1.2e39 overflows float32: 1e38 still goes to bin 1.
		{"wide", []float32{0, 1e38, 2.9e38, 3e38}, 4, 0, 3e38, []int64{1, 1, 0, 2}, []float64{0, 0.75e38, 1.5e38, 2.25e38, 3e38}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts, edges, err := threshold.Histogram(tc.x, tc.bins, tc.lo, tc.hi)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(counts, tc.want) {
				t.Errorf("counts %v, want %v", counts, tc.want)
			}
			if len(edges) != len(tc.wantEdges) {
				t.Fatalf("edges %v, want %v", edges, tc.wantEdges)
			}
			for j := range edges {
				if math.Abs(edges[j]-tc.wantEdges[j]) > 1e-6*(1+math.Abs(tc.wantEdges[j])) {
					t.Errorf("edges %v, want %v", edges, tc.wantEdges)
					break
				}
			}
		})
	}
}

// TestHistogramErrors: bad arguments give errors, never panics.
func TestHistogramErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		x      []float32
		bins   int
		lo, hi float64
		want   error
	}{
		{"bins=0", []float32{1}, 0, 0, 1, threshold.ErrOptions},
		{"reversed", []float32{1}, 4, 1, 0, threshold.ErrOptions},
		{"nan range", []float32{1}, 4, math.NaN(), 1, threshold.ErrOptions},
		{"inf range", []float32{1}, 4, 0, math.Inf(1), threshold.ErrOptions},
		{"overflow", []float32{1}, 4, -3e38, 3e38, threshold.ErrOptions},
		{"nan element", []float32{float32(math.NaN())}, 4, 0, 1, threshold.ErrNonFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := threshold.Histogram(tc.x, tc.bins, tc.lo, tc.hi); !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}
