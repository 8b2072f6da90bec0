package bench

import "errors"

// Sentinel errors, for errors.Is.
var (
	// ErrUnknown: a family or kernel name that the table does not know.
	ErrUnknown = errors.New("bench: unknown name")
	// ErrNotAvailable: a known family without benchmark cases yet.
	ErrNotAvailable = errors.New("bench: not available yet")
	// ErrSize: a size the case cannot run (not positive, or too small or
	// too large for its shapes).
	ErrSize = errors.New("bench: bad size")
	// ErrOptions: Options out of range (Warmup < 0, Runs < 1).
	ErrOptions = errors.New("bench: bad options")
	// ErrCheck: a kernel's result differs from its reference.
	ErrCheck = errors.New("bench: result check failed")
)
