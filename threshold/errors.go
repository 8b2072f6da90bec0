package threshold

import "errors"

// Sentinel errors of the package, for errors.Is. Every returned error wraps
// one of them and carries a "threshold: " prefix.
var (
	// ErrEmpty reports an empty input slice.
	ErrEmpty = errors.New("threshold: empty input")
	// ErrNonFinite reports a NaN or infinite input element.
	ErrNonFinite = errors.New("threshold: NaN or infinite input")
	// ErrOptions reports an invalid option (bins, levels, bits, mode names).
	ErrOptions = errors.New("threshold: invalid options")
	// ErrThreshold reports a calibrated threshold that is not positive, so
	// that log2 of it is undefined.
	ErrThreshold = errors.New("threshold: non-positive threshold")
	// ErrLength reports two slices whose lengths differ.
	ErrLength = errors.New("threshold: length mismatch")
	// ErrZeroNorm reports a vector of norm zero, for which the cosine
	// similarity is undefined.
	ErrZeroNorm = errors.New("threshold: zero-norm vector")
)
