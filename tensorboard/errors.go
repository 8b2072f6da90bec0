package tensorboard

import "errors"

// Sentinel errors of the package, for errors.Is. Returned errors wrap them
// and carry a "tensorboard: " prefix.
var (
	// ErrCorrupt reports a record whose CRC does not match, a truncated
	// record, or a malformed protobuf message.
	ErrCorrupt = errors.New("tensorboard: corrupt event file")
	// ErrInvalid reports bad arguments: an empty tag, no values, NaN or
	// infinite histogram values, bins < 1.
	ErrInvalid = errors.New("tensorboard: invalid argument")
	// ErrClosed reports a call on a closed Writer.
	ErrClosed = errors.New("tensorboard: writer closed")
)
