package hist

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestHistogram(t *testing.T) {
	// Four values over [0, 4] in 4 bins; 4 itself goes to the last bin and
	// -1 and 5 are outside (torch.histc).
	counts, edges, err := Histogram([]float32{0, 0.5, 1, 3.99, 4, -1, 5}, 4, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{2, 1, 0, 2}; !slices.Equal(counts, want) {
		t.Errorf("counts = %v, want %v", counts, want)
	}
	if want := []float64{0, 1, 2, 3, 4}; !slices.Equal(edges, want) {
		t.Errorf("edges = %v, want %v", edges, want)
	}
	// lo == hi widens to [lo-1, hi+1].
	counts, _, err = Histogram([]float32{2, 2}, 2, 2, 2)
	if err != nil || !slices.Equal(counts, []int64{0, 2}) {
		t.Errorf("degenerate range: counts %v, err %v, want [0 2]", counts, err)
	}
}

func TestHistogramErrors(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name   string
		x      []float32
		bins   int
		lo, hi float64
		want   error
	}{
		{"zero bins", nil, 0, 0, 1, ErrBins},
		{"too many bins", nil, MaxBins + 1, 0, 1, ErrBins},
		{"reversed", nil, 2, 1, 0, ErrRange},
		{"infinite", nil, 2, 0, math.Inf(1), ErrRange},
		{"overflow", nil, 2, -3e38, 3e38, ErrRange},
		{"NaN element", []float32{1, nan}, 2, 0, 1, ErrNonFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Histogram(tc.x, tc.bins, tc.lo, tc.hi); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
