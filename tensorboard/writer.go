package tensorboard

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wageubn/wageubn/internal/hist"
)

// FileVersion is the file_version of an event file's first record.
const FileVersion = "brain.Event:2"

// Writer does the writing of one TensorBoard event file. It is safe for
// concurrent use. The first error of a write sticks: every later call
// returns it.
type Writer struct {
	mu   sync.Mutex
	f    *os.File
	bw   *bufio.Writer
	path string
	buf  []byte
	err  error
	now  func() time.Time
}

// NewWriter does the creation of dir (if needed) and of the event file
// dir/events.out.tfevents.<unix seconds>.<hostname>, and writes its first
// record, Event{wall_time, step 0, file_version "brain.Event:2"}. If that
// name exists (two writers in one second) a suffix ".1", ".2", … is added.
func NewWriter(dir string) (*Writer, error) {
	return newWriter(dir, time.Now)
}

// newWriter is NewWriter with a clock.
func newWriter(dir string, now func() time.Time) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	host = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, host)
	t := now()
	base := filepath.Join(dir, "events.out.tfevents."+strconv.FormatInt(t.Unix(), 10)+"."+host)
	var f *os.File
	path := base
	for k := 1; ; k++ {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || k > 1000 {
			return nil, fmt.Errorf("tensorboard: %w", err)
		}
		path = base + "." + strconv.Itoa(k)
	}
	w := &Writer{f: f, bw: bufio.NewWriter(f), path: path, now: now}
	if err := w.write(encodeEvent(wallTime(t), 0, FileVersion, nil)); err != nil {
		f.Close()
		return nil, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// wallTime returns t in seconds since the Unix epoch.
func wallTime(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}

// Path returns the path of the event file.
func (w *Writer) Path() string { return w.path }

// AddScalar does the writing of one scalar summary, Event{wall_time, step,
// summary{value{tag, simple_value}}}. NaN and infinities are written as
// they are (TensorBoard shows them).
//
// Errors: ErrInvalid for an empty tag, ErrClosed, or the write error.
func (w *Writer) AddScalar(tag string, step int64, value float32) error {
	if tag == "" {
		return fmt.Errorf("%w: empty tag", ErrInvalid)
	}
	return w.addSummary(step, encodeScalarSummary(tag, value))
}

// AddHistogram does the writing of a histogram summary of values with
// bins equal-width buckets over [min, max] (binned as
// internal/hist.Histogram): HistogramProto{min, max, num, sum, sum_squares,
// bucket_limit = the right bucket edges, bucket = the counts}, the sums in
// float64. values is not modified.
//
// Errors: ErrInvalid for an empty tag, empty values, NaN or infinite
// values, or bins < 1; ErrClosed; or the write error.
func (w *Writer) AddHistogram(tag string, step int64, values []float32, bins int) error {
	h, err := NewHistogram(values, bins)
	if err != nil {
		return err
	}
	if tag == "" {
		return fmt.Errorf("%w: empty tag", ErrInvalid)
	}
	return w.addSummary(step, encodeHistogramSummary(tag, h))
}

// NewHistogram does the summary statistics and bucketing of values that
// [Writer.AddHistogram] writes. Errors: ErrInvalid.
func NewHistogram(values []float32, bins int) (*Histogram, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("%w: histogram of no values", ErrInvalid)
	}
	if bins < 1 || bins > hist.MaxBins {
		return nil, fmt.Errorf("%w: bins = %d, want 1..%d", ErrInvalid, bins, hist.MaxBins)
	}
	h := &Histogram{Min: math.Inf(1), Max: math.Inf(-1), Num: float64(len(values))}
	for i, v := range values {
		x := float64(v)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: value %d is %v", ErrInvalid, i, v)
		}
		h.Min, h.Max = min(h.Min, x), max(h.Max, x)
		h.Sum += x
		h.SumSquares += x * x
	}
	counts, edges, err := hist.Histogram(values, bins, h.Min, h.Max)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	h.BucketLimit = edges[1:]
	h.Bucket = make([]float64, bins)
	for k, c := range counts {
		h.Bucket[k] = float64(c)
	}
	return h, nil
}

// addSummary writes an Event carrying an encoded Summary.
func (w *Writer) addSummary(step int64, summary []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.state(); err != nil {
		return err
	}
	return w.writeLocked(encodeEvent(wallTime(w.now()), step, "", summary))
}

// write frames and buffers one record.
func (w *Writer) write(event []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writeLocked(event)
}

// writeLocked is write with w.mu held.
func (w *Writer) writeLocked(event []byte) error {
	w.buf = appendRecord(w.buf[:0], event)
	if _, err := w.bw.Write(w.buf); err != nil {
		w.err = fmt.Errorf("tensorboard: %s: %w", w.path, err)
		return w.err
	}
	return nil
}

// state returns the sticky error, or ErrClosed.
func (w *Writer) state() error {
	if w.err != nil {
		return w.err
	}
	if w.f == nil {
		return ErrClosed
	}
	return nil
}

// Flush does the writing of buffered records to the file.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.state(); err != nil {
		return err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("tensorboard: %s: %w", w.path, err)
		return w.err
	}
	return nil
}

// Close does the flushing and closing of the file. A second Close returns
// ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return ErrClosed
	}
	var ferr error
	if w.err == nil {
		ferr = w.bw.Flush()
	}
	cerr := w.f.Close()
	w.f = nil
	if err := errors.Join(ferr, cerr); err != nil {
		return errors.Join(w.err, fmt.Errorf("tensorboard: %s: %w", w.path, err))
	}
	return w.err
}
