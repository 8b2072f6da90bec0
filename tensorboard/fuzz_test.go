package tensorboard_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/wageubn/wageubn/tensorboard"
)

// FuzzReader: arbitrary bytes never panic the reader, and every error is
// ErrCorrupt (the input is in memory, so there are no I/O errors).
func FuzzReader(f *testing.F) {
	dir := f.TempDir()
	w, err := tensorboard.NewWriter(dir)
	if err != nil {
		f.Fatal(err)
	}
	if err := w.AddScalar("a", 1, 2); err != nil {
		f.Fatal(err)
	}
	if err := w.AddHistogram("h", 2, []float32{1, 2, 3}, 2); err != nil {
		f.Fatal(err)
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	raw, err := os.ReadFile(w.Path())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte{})
	f.Add(raw[:20])
	f.Fuzz(func(t *testing.T, b []byte) {
		r := tensorboard.NewReader(bytes.NewReader(b))
		for range 1000 {
			_, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if !errors.Is(err, tensorboard.ErrCorrupt) {
					t.Errorf("err %v, want ErrCorrupt", err)
				}
				return
			}
		}
	})
}
