package statedict

import "errors"

// Sentinel errors, for errors.Is. Every error returned by this package wraps
// one of them and starts with "statedict: ".
var (
	// ErrFormat reports a file that is not a valid safetensors or PyTorch
	// file: truncated, corrupt, or with an inconsistent header.
	ErrFormat = errors.New("statedict: invalid file")
	// ErrUnsupported reports a valid file that uses a feature this package
	// does not read (TorchScript archives, quantized or sparse tensors,
	// big-endian data, non-tensor values inside a state dict).
	ErrUnsupported = errors.New("statedict: unsupported content")
	// ErrDType reports an unknown dtype, or a conversion the dtype does not
	// allow (Int32s of a float tensor).
	ErrDType = errors.New("statedict: bad dtype")
	// ErrShape reports a negative dimension, an element count that overflows
	// int, or data whose length does not match the shape.
	ErrShape = errors.New("statedict: bad shape")
	// ErrRange reports a value that does not fit the requested type
	// (Int32s of an int64 tensor holding 2^31).
	ErrRange = errors.New("statedict: value out of range")
	// ErrKey reports a bad key in a Dict: empty, duplicated, not valid UTF-8,
	// listed in Keys without a tensor or holding a tensor without being
	// listed.
	ErrKey = errors.New("statedict: bad key")
	// ErrMetadata reports a metadata value that does not parse, such as a
	// "<key>.exp" entry that is not an integer.
	ErrMetadata = errors.New("statedict: bad metadata")
	// ErrMismatch reports a state dict whose keys or shapes differ from what
	// a model expects; see [Report.Err].
	ErrMismatch = errors.New("statedict: error(s) in loading state_dict")
)
