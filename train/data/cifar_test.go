package data_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/train/data"
)

// cifarRecords builds n CIFAR-10 binary records by the published layout
// (https://www.cs.toronto.edu/~kriz/cifar.html): 1 label byte, then 1024 red,
// 1024 green, 1024 blue bytes of a 32x32 image. Record r has label
// (r+base)%10 and pixel p = byte(r*7 + p).
func cifarRecords(n, base int) []byte {
	b := make([]byte, 0, n*3073)
	for r := range n {
		b = append(b, byte((r+base)%10))
		for p := range 3072 {
			b = append(b, byte(r*7+p))
		}
	}
	return b
}

func TestReadCIFAR10(t *testing.T) {
	ds, err := data.ReadCIFAR10(bytes.NewReader(cifarRecords(4, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if ds.N != 4 || ds.C != 3 || ds.H != 32 || ds.W != 32 || ds.Classes != 10 || string(ds.Labels) != "\x00\x01\x02\x03" {
		t.Fatalf("got N=%d %dx%dx%d classes %d labels %v", ds.N, ds.C, ds.H, ds.W, ds.Classes, ds.Labels)
	}
	// NCHW: record 2, green channel (c=1), row 3, column 5 is byte 2*7 + 1024 + 3*32 + 5.
	if got, want := ds.Pixels[((2*3+1)*32+3)*32+5], uint8((2*7+1024+3*32+5)%256); got != want {
		t.Errorf("pixel (2,1,3,5) = %d, want %d", got, want)
	}
	if err := ds.Validate(); err != nil {
		t.Error(err)
	}
	if data.CIFAR10ClassNames[0] != "airplane" || data.CIFAR10ClassNames[9] != "truck" {
		t.Errorf("class names %v", data.CIFAR10ClassNames)
	}
}

func TestReadCIFAR10Corrupt(t *testing.T) {
	badLabel := cifarRecords(3, 0)
	badLabel[2*3073] = 10
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"truncated", cifarRecords(2, 0)[:2*3073-1], "6145 bytes is 1 whole records of 3073 bytes and 3072 bytes over"},
		{"one byte", []byte{1}, "1 bytes is 0 whole records"},
		{"label 10", badLabel, "record 2: label 10 is out of range [0, 10)"},
	} {
		_, err := data.ReadCIFAR10(bytes.NewReader(tc.in))
		if !errors.Is(err, data.ErrCorrupt) || !strings.HasPrefix(err.Error(), "data: cifar-10: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrCorrupt with %q", tc.name, err, tc.want)
		}
	}
}

var cifarFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}

// TestCIFAR10 writes the six files at their real size (10000 records each,
// 184 MB in all) in the cifar-10-batches-bin folder of the extracted archive.
func TestCIFAR10(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 184 MB (-short)")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "cifar-10-batches-bin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, f := range cifarFiles {
		if err := os.WriteFile(filepath.Join(dir, f), cifarRecords(10000, i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	train, test, err := data.CIFAR10(root) // finds the subfolder
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 50000 || test.N != 10000 || train.Name != "cifar-10/train" || test.Name != "cifar-10/test" {
		t.Fatalf("got %s N=%d, %s N=%d; want 50000 and 10000", train.Name, train.N, test.Name, test.N)
	}
	// Sample 10000*f + r comes from file f, record r: label (r+f)%10.
	for _, s := range []struct{ n, file, rec int }{{0, 0, 0}, {10001, 1, 1}, {49999, 4, 9999}} {
		if got, want := train.Labels[s.n], byte((s.rec+s.file)%10); got != want {
			t.Errorf("train label %d = %d, want %d", s.n, got, want)
		}
		if got, want := train.Pixels[s.n*3072+100], byte(s.rec*7+100); got != want {
			t.Errorf("train sample %d pixel 100 = %d, want %d", s.n, got, want)
		}
	}
	if test.Labels[0] != 5 { // test_batch.bin is file 5: record 0 has label 5
		t.Errorf("test label 0 = %d, want 5", test.Labels[0])
	}
	for _, ds := range []*data.Dataset{train, test} {
		if err := ds.Validate(); err != nil {
			t.Error(err)
		}
	}
}

func TestCIFAR10Errors(t *testing.T) {
	dir := t.TempDir()
	_, _, err := data.CIFAR10(dir)
	if !errors.Is(err, data.ErrNotFound) || !strings.Contains(err.Error(), "data_batch_1.bin is missing") || !strings.Contains(err.Error(), "cifar-10-binary.tar.gz") {
		t.Errorf("empty dir: err = %v, want ErrNotFound naming data_batch_1.bin and the archive", err)
	}
	// A short first file: the size check names the file before reading it.
	if err := os.WriteFile(filepath.Join(dir, "data_batch_1.bin"), cifarRecords(3, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = data.CIFAR10(dir)
	want := filepath.Join(dir, "data_batch_1.bin") + ": cifar-10: file has 9219 bytes, want 30730000 (10000 records of 3073 bytes)"
	if !errors.Is(err, data.ErrCorrupt) || !strings.Contains(err.Error(), want) {
		t.Errorf("short file: err = %v, want ErrCorrupt with %q", err, want)
	}
}
