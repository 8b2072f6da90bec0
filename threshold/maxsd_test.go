package threshold_test

import (
	"math"
	"testing"

	"github.com/wageubn/wageubn/threshold"
)

// TestMaxThreeSD checks hand-computed values of B§7.3's formulas.
func TestMaxThreeSD(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func([]float32) (float64, error)
		x    []float32
		want float64
	}{
		// max|x| = 4: float32(4 + 1e-8) = 4, log2 4 = 2.
		{"max/negative max", threshold.Max, []float32{-4, 2, 3.5}, 2},
		{"max/single", threshold.Max, []float32{0.5}, -1},
		// float32(1e-8) = 9.99999993922529e-09 (golden init_max_zeros).
		{"max/zeros", threshold.Max, []float32{0, 0}, math.Log2(float64(float32(1e-8)))},
		{"max/-0", threshold.Max, []float32{float32(math.Copysign(0, -1))}, math.Log2(float64(float32(1e-8)))},
		// mean 0, std = sqrt((1+1)/(2−1)) = √2: log2(3√2) = log2 3 + 1/2.
		{"3sd/pm1", threshold.ThreeSD, []float32{1, -1}, math.Log2(3) + 0.5},
		// mean 2, deviations −1,0,1: std = sqrt(2/2) = 1, t = 2 + 3 = 5.
		{"3sd/123", threshold.ThreeSD, []float32{1, 2, 3}, math.Log2(5)},
		// mean −2 enters as |mean|.
		{"3sd/negative mean", threshold.ThreeSD, []float32{-1, -2, -3}, math.Log2(5)},
		// constant non-zero: std 0, t = |mean| = 8.
		{"3sd/constant", threshold.ThreeSD, []float32{8, 8, 8}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.fn(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("got %.15g, want %.15g", got, tc.want)
			}
		})
	}
}
