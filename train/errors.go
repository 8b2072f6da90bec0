package train

import "errors"

// Sentinel errors, for errors.Is. Every error returned by this package wraps
// one of them (or an error of a lower package, wrapped with %w) and starts
// with "train: ".
var (
	// ErrConfig reports an invalid setting: a schedule whose fractions are
	// not increasing in (0, 1), a learning rate that is not positive or that
	// quantizes to zero, a g_scale that is not a power of two in 2..128,
	// epochs or batch size below 1, a nil model or dataset.
	ErrConfig = errors.New("train: invalid configuration")

	// ErrNoCheckpoint reports that a checkpoint folder holds no usable
	// checkpoint: it is missing, empty, or every checkpoint in it is partial
	// or corrupt (the message lists why each was rejected).
	ErrNoCheckpoint = errors.New("train: no usable checkpoint")

	// ErrCheckpoint reports a checkpoint that cannot be used: its metadata
	// does not parse, has an unknown format version or disagrees with its
	// file name, its tensor file is missing or truncated, or the tensor file's
	// SHA-256 differs from the one recorded in the metadata.
	ErrCheckpoint = errors.New("train: bad checkpoint")

	// ErrResume reports a checkpoint that belongs to a different run: its
	// seed, batch size, total step count or format disagrees with the
	// configuration it is resumed under.
	ErrResume = errors.New("train: checkpoint does not match the run")

	// ErrDiverged reports a step or an evaluation whose loss is NaN or
	// infinite, or whose correct count is out of range: the model's state is
	// no longer worth training or saving, so the run stops (the previous
	// checkpoint stays).
	ErrDiverged = errors.New("train: training diverged")

	// ErrInterrupted reports a run stopped by its context (Ctrl-C, SIGTERM,
	// a deadline) between two steps. The loop has written a checkpoint of
	// the position it stopped at before returning it, so running again with
	// the same configuration resumes exactly there.
	ErrInterrupted = errors.New("train: interrupted")
)
