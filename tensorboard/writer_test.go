package tensorboard_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wageubn/wageubn/tensorboard"
)

// writeSample writes a file with two scalars and a histogram and returns
// its path.
func writeSample(t *testing.T, dir string) string {
	t.Helper()
	w, err := tensorboard.NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddScalar("loss", 1, 0.75); err != nil {
		t.Fatal(err)
	}
	if err := w.AddScalar("train/acc", 1<<40, -2.5); err != nil {
		t.Fatal(err)
	}
	if err := w.AddHistogram("w", 7, []float32{0, 1, 2, 3}, 2); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.Path()
}

// TestWriteRead writes an event file, reads it back (every CRC is checked
// by the reader) and checks every field.
func TestWriteRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	before := float64(time.Now().Unix())
	path := writeSample(t, dir)
	after := float64(time.Now().Unix() + 1)
	host, _ := os.Hostname()
	if ok, _ := regexp.MatchString(`^events\.out\.tfevents\.\d+\.`+regexp.QuoteMeta(host)+`$`, filepath.Base(path)); !ok {
		t.Errorf("file name %q, want events.out.tfevents.<secs>.%s", filepath.Base(path), host)
	}
	if filepath.Dir(path) != dir {
		t.Errorf("file in %s, want %s", filepath.Dir(path), dir)
	}
	evs, err := tensorboard.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 {
		t.Fatalf("%d events, want 4", len(evs))
	}
	for k, e := range evs {
		if e.WallTime < before || e.WallTime > after {
			t.Errorf("event %d: wall_time %f outside [%f, %f]", k, e.WallTime, before, after)
		}
	}
	if e := evs[0]; e.FileVersion != "brain.Event:2" || e.Step != 0 || e.Summary != nil {
		t.Errorf("first event %+v, want file_version brain.Event:2, step 0, no summary", e)
	}
	scalars := []struct {
		step int64
		tag  string
		v    float32
	}{{1, "loss", 0.75}, {1 << 40, "train/acc", -2.5}}
	for k, s := range scalars {
		e := evs[k+1]
		if e.Step != s.step || len(e.Summary) != 1 {
			t.Fatalf("event %d: %+v, want step %d with one value", k+1, e, s.step)
		}
		v := e.Summary[0]
		if v.Tag != s.tag || !v.HasSimpleValue || v.SimpleValue != s.v || v.Histo != nil {
			t.Errorf("event %d value %+v, want tag %q simple_value %g", k+1, v, s.tag, s.v)
		}
	}
	e := evs[3]
	if e.Step != 7 || len(e.Summary) != 1 || e.Summary[0].Tag != "w" || e.Summary[0].Histo == nil || e.Summary[0].HasSimpleValue {
		t.Fatalf("histogram event %+v", e)
	}
	// Values 0,1,2,3 in 2 buckets over [0, 3]: edges 0, 1.5, 3.
	h := e.Summary[0].Histo
	want := tensorboard.Histogram{Min: 0, Max: 3, Num: 4, Sum: 6, SumSquares: 14,
		BucketLimit: []float64{1.5, 3}, Bucket: []float64{2, 2}}
	if h.Min != want.Min || h.Max != want.Max || h.Num != want.Num || h.Sum != want.Sum || h.SumSquares != want.SumSquares ||
		!slices.Equal(h.BucketLimit, want.BucketLimit) || !slices.Equal(h.Bucket, want.Bucket) {
		t.Errorf("histogram %+v, want %+v", *h, want)
	}
}

// TestCorruption: any flipped byte of a record is detected, and a
// truncated file is reported as corrupt, never as a clean end.
func TestCorruption(t *testing.T) {
	path := writeSample(t, t.TempDir())
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readAll := func(b []byte) error {
		r := tensorboard.NewReader(bytes.NewReader(b))
		for {
			if _, err := r.Next(); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
		}
	}
	if err := readAll(raw); err != nil {
		t.Fatalf("intact file: %v", err)
	}
	for k := range raw {
		bad := slices.Clone(raw)
		bad[k] ^= 0x10
		if err := readAll(bad); !errors.Is(err, tensorboard.ErrCorrupt) {
			t.Errorf("byte %d flipped: err %v, want ErrCorrupt", k, err)
		}
	}
	for _, n := range []int{1, 4, 12, len(raw) - 1} {
		if err := readAll(raw[:len(raw)-n]); !errors.Is(err, tensorboard.ErrCorrupt) {
			t.Errorf("last %d bytes cut: err %v, want ErrCorrupt", n, err)
		}
	}
}

// TestWriterErrors: bad arguments and use after Close give errors.
func TestWriterErrors(t *testing.T) {
	w, err := tensorboard.NewWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"scalar empty tag", w.AddScalar("", 0, 1), tensorboard.ErrInvalid},
		{"histogram empty tag", w.AddHistogram("", 0, []float32{1}, 1), tensorboard.ErrInvalid},
		{"histogram no values", w.AddHistogram("h", 0, nil, 4), tensorboard.ErrInvalid},
		{"histogram NaN", w.AddHistogram("h", 0, []float32{1, nan}, 4), tensorboard.ErrInvalid},
		{"histogram Inf", w.AddHistogram("h", 0, []float32{float32(math.Inf(1))}, 4), tensorboard.ErrInvalid},
		{"histogram bins=0", w.AddHistogram("h", 0, []float32{1}, 0), tensorboard.ErrInvalid},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	// A NaN scalar is data, not an error, and a constant histogram works.
	if err := w.AddScalar("nan", 1, nan); err != nil {
		t.Errorf("NaN scalar: %v", err)
	}
	if err := w.AddHistogram("const", 1, []float32{2, 2, 2}, 3); err != nil {
		t.Errorf("constant histogram: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.AddScalar("x", 1, 1); !errors.Is(err, tensorboard.ErrClosed) {
		t.Errorf("AddScalar after Close: %v, want ErrClosed", err)
	}
	if err := w.Flush(); !errors.Is(err, tensorboard.ErrClosed) {
		t.Errorf("Flush after Close: %v, want ErrClosed", err)
	}
	if err := w.Close(); !errors.Is(err, tensorboard.ErrClosed) {
		t.Errorf("second Close: %v, want ErrClosed", err)
	}
	evs, err := tensorboard.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || !math.IsNaN(float64(evs[1].Summary[0].SimpleValue)) || evs[2].Summary[0].Histo.Bucket[1] != 3 {
		t.Errorf("events after errors: %+v", evs)
	}
}

// TestTwoWriters: two writers on one directory in the same second get
// distinct files, and concurrent adds on one writer all arrive.
func TestTwoWriters(t *testing.T) {
	dir := t.TempDir()
	a, err := tensorboard.NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tensorboard.NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Path() == b.Path() {
		t.Fatalf("both writers use %s", a.Path())
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for s := range 50 {
				if err := a.AddScalar("x", int64(g*100+s), float32(s)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for _, w := range []*tensorboard.Writer{a, b} {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := tensorboard.ReadFile(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 201 {
		t.Errorf("%d events, want 201", len(evs))
	}
}
