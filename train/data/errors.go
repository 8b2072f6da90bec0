package data

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// Sentinel errors for errors.Is.
var (
	// ErrCorrupt marks a file whose contents do not match its format: a bad
	// magic number, impossible dimensions, a truncated body, trailing bytes,
	// a label out of range, or images and labels that disagree in count.
	// The error is always a *FormatError that names the file.
	ErrCorrupt = errors.New("data: corrupt data file")

	// ErrNotFound marks a dataset whose files are missing; the message says
	// how to get them.
	ErrNotFound = errors.New("data: dataset not found")

	// ErrArgument marks a bad argument from the caller (batch size < 1,
	// negative epoch, nil or inconsistent dataset).
	ErrArgument = errors.New("data: invalid argument")
)

// FormatError describes a corrupt or truncated data file. Its message reads
// "data: FILE: FORMAT: MSG[: CAUSE]", for example
//
//	data: /x/train-images-idx3-ubyte.gz: idx images: bad magic 0x00000801, want 0x00000803 (this looks like an idx labels file)
//
// It unwraps to [ErrCorrupt] and, where there is one, to the underlying
// cause (io.ErrUnexpectedEOF, gzip.ErrChecksum, ...).
type FormatError struct {
	File   string // path of the file; "" when read from an io.Reader
	Format string // "idx images", "idx labels" or "cifar-10"
	Msg    string // what is wrong, in words
	Err    error  // underlying cause, or nil
}

// Error formats the message as "data: FILE: FORMAT: MSG[: CAUSE]".
func (e *FormatError) Error() string {
	s := "data: "
	if e.File != "" {
		s += e.File + ": "
	}
	s += e.Format + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrCorrupt and the underlying cause, if any.
func (e *FormatError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrCorrupt}
	}
	return []error{ErrCorrupt, e.Err}
}

// corrupt builds a *FormatError without a file name; the loaders that know
// the file fill it in with [withFile].
func corrupt(format, msg string, args ...any) *FormatError {
	return &FormatError{Format: format, Msg: fmt.Sprintf(msg, args...)}
}

// readFailure turns an error met while reading the body of a file into an
// error: a truncated or undecodable stream is corruption (*FormatError), any
// other failure (a disk error) is returned wrapped as it is.
func readFailure(format, what string, err error) error {
	var flateErr flate.CorruptInputError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &FormatError{Format: format, Msg: "truncated " + what, Err: io.ErrUnexpectedEOF}
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, &flateErr):
		return &FormatError{Format: format, Msg: "bad gzip stream in " + what, Err: err}
	}
	return fmt.Errorf("%s: reading %s: %w", format, what, err)
}

// withFile names the file in err at the public boundary: a
// *FormatError gets its File set, any other error is wrapped as
// "data: FILE: err" (or "data: err" when path is "").
func withFile(path string, err error) error {
	if err == nil {
		return nil
	}
	if fe, ok := errors.AsType[*FormatError](err); ok {
		c := *fe
		c.File = path
		return &c
	}
	if path == "" {
		return fmt.Errorf("data: %w", err)
	}
	return fmt.Errorf("data: %s: %w", path, err)
}
