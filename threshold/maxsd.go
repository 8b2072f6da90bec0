package threshold

import (
	"fmt"
	"math"
)

// MaxEpsilon is the offset init_max adds to max|x| (method.md B§7.3).
const MaxEpsilon = 1e-8

// Max does the init_max calibration of method.md B§7.3:
//
//	log2_t = log2(float32(max|x| + 1e-8))
//
// The addition is done in float32, as the reference does, so the offset only
// matters when max|x| is tiny: an all-zero input gives log2(1e-8) ≈ -26.575,
// not an error. log2 itself is taken in float64.
//
// Errors: ErrEmpty, ErrNonFinite.
func Max(x []float32) (float64, error) {
	if err := checkFinite(x); err != nil {
		return 0, err
	}
	var m float32
	for _, v := range x {
		if a := float32(math.Abs(float64(v))); a > m {
			m = a
		}
	}
	return log2Positive(float64(m + float32(MaxEpsilon)))
}

// ThreeSD does the init_3sd calibration of method.md B§7.3:
//
//	log2_t = log2(|mean(x)| + 3·std(x)),   std = sqrt(Σ(x−mean)² / (N−1))
//
// with the unbiased (N−1) standard deviation, accumulated in float64. No
// 1e-8 offset is added: the reference adds one only for modules with
// retrain=False, and the golden init_3sd cases have none (the offset would
// change log2_t by less than 1e-7 for any threshold above 1e-2).
//
// Errors: ErrEmpty, ErrNonFinite, ErrOptions when len(x) < 2 (the N−1
// standard deviation is undefined), ErrThreshold when every element is zero.
func ThreeSD(x []float32) (float64, error) {
	if err := checkFinite(x); err != nil {
		return 0, err
	}
	if len(x) < 2 {
		return 0, fmt.Errorf("%w: 3sd needs at least 2 elements, got %d", ErrOptions, len(x))
	}
	n := float64(len(x))
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	mean := sum / n
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	std := math.Sqrt(ss / (n - 1))
	return log2Positive(math.Abs(mean) + 3*std)
}
