package threshold_test

import (
	"errors"
	"math"
	"testing"

	"github.com/wageubn/wageubn/threshold"
)

// TestCosine checks cos = ⟨a,b⟩/(‖a‖‖b‖) on vectors with known angles.
func TestCosine(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []float32
		want float64
	}{
		{"same", []float32{1, 2, 3}, []float32{1, 2, 3}, 1},
		{"scaled", []float32{1, 2, 3}, []float32{2, 4, 6}, 1},
		{"opposite", []float32{1, -2}, []float32{-1, 2}, -1},
		{"orthogonal", []float32{1, 0}, []float32{0, 5}, 0},
		{"45 degrees", []float32{1, 0}, []float32{1, 1}, 1 / math.Sqrt2},
		// ⟨a,b⟩ = 3+8 = 11, ‖a‖ = 5, ‖b‖ = √5.
		{"3-4", []float32{3, 4}, []float32{1, 2}, 11 / (5 * math.Sqrt(5))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := threshold.Cosine(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("got %.15g, want %.15g", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		a, b []float32
		want error
	}{
		{"length", []float32{1}, []float32{1, 2}, threshold.ErrLength},
		{"empty", nil, nil, threshold.ErrEmpty},
		{"zero", []float32{0, 0}, []float32{1, 2}, threshold.ErrZeroNorm},
		{"nan", []float32{float32(math.NaN())}, []float32{1}, threshold.ErrNonFinite},
		{"inf", []float32{1}, []float32{float32(math.Inf(-1))}, threshold.ErrNonFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := threshold.Cosine(tc.a, tc.b); !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}
