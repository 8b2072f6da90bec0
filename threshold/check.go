package threshold

import (
	"fmt"
	"math"
)

// checkFinite returns ErrEmpty for an empty x and ErrNonFinite, naming the
// first bad index, when x holds a NaN or an infinity.
func checkFinite(x []float32) error {
	if len(x) == 0 {
		return ErrEmpty
	}
	for i, v := range x {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: element %d is %v", ErrNonFinite, i, v)
		}
	}
	return nil
}

// log2Positive returns log2(t) for t > 0 and ErrThreshold otherwise.
func log2Positive(t float64) (float64, error) {
	if !(t > 0) || math.IsInf(t, 0) {
		return 0, fmt.Errorf("%w: t = %g", ErrThreshold, t)
	}
	return math.Log2(t), nil
}
