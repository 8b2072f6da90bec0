package tensorboard

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// Event is a decoded tensorflow.Event (fields 1, 2, 3 and 5; others are
// skipped).
type Event struct {
	WallTime    float64 // seconds since the Unix epoch
	Step        int64
	FileVersion string  // "brain.Event:2" in a file's first record
	Summary     []Value // the Summary's values, if any
}

// Value is a decoded Summary.Value: a scalar or a histogram.
type Value struct {
	Tag            string
	SimpleValue    float32
	HasSimpleValue bool       // whether simple_value was present
	Histo          *Histogram // nil unless the value is a histogram
}

// Histogram is tensorflow.HistogramProto. Bucket k counts the values in
// (BucketLimit[k−1], BucketLimit[k]], the first bucket starting at Min.
type Histogram struct {
	Min, Max, Num, Sum, SumSquares float64
	BucketLimit                    []float64
	Bucket                         []float64
}

// Reader reads the records of an event file, verifying every CRC.
type Reader struct {
	r *bufio.Reader
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReader(r)}
}

// Record does the read of the next raw record (an encoded Event) and
// checks its length and data CRCs. It returns io.EOF at the clean end of
// the input, and an error wrapping ErrCorrupt for a CRC mismatch or a
// truncated record.
func (r *Reader) Record() ([]byte, error) {
	return readRecord(r.r)
}

// Next does the read and decode of the next Event. Errors as [Reader.Record],
// plus ErrCorrupt for a malformed protobuf message.
func (r *Reader) Next() (Event, error) {
	data, err := r.Record()
	if err != nil {
		return Event{}, err
	}
	return decodeEvent(data)
}

// ReadFile does the read of every event of the file at path; see
// [Reader.Next].
func ReadFile(path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	defer f.Close()
	var out []Event
	r := NewReader(f)
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("%s: record %d: %w", path, len(out), err)
		}
		out = append(out, e)
	}
}
