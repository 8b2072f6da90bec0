package threshold

import (
	"fmt"
	"math"
)

// Cosine does the cosine similarity of method.md B§7.7 between a float
// tensor and its quantized twin:
//
//	cos = ⟨a,b⟩ / (‖a‖·‖b‖)
//
// accumulated in float64. The result lies in [−1, 1] (clamped against
// rounding). Unlike the reference's cosine_similarity (T-17) it returns its
// result.
//
// Errors: ErrLength when len(a) != len(b), ErrEmpty for empty slices,
// ErrNonFinite for NaN or infinite elements, ErrZeroNorm when either vector
// is all zeros.
func Cosine(a, b []float32) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("%w: cosine of %d and %d elements", ErrLength, len(a), len(b))
	}
	if err := checkFinite(a); err != nil {
		return 0, err
	}
	if err := checkFinite(b); err != nil {
		return 0, err
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0, ErrZeroNorm
	}
	c := dot / (math.Sqrt(na) * math.Sqrt(nb))
	return math.Max(-1, math.Min(1, c)), nil
}
