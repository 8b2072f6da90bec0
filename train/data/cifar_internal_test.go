package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadCIFAR10Small runs the CIFAR10 loader with 2 records per file, to
// check pairing, label validation and file naming without writing 184 MB.
func TestLoadCIFAR10Small(t *testing.T) {
	files := append(append([]string{}, cifarTrainFiles...), cifarTestFiles...)
	write := func(dir string, labels func(file, rec int) byte) {
		for i, f := range files {
			var b []byte
			for r := range 2 {
				b = append(b, labels(i, r))
				for p := range 3072 {
					b = append(b, byte(i+r+p)) // record layout: label, then 3072 CHW pixels
				}
			}
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := t.TempDir()
	write(dir, func(f, r int) byte { return byte((2*f + r) % 10) })
	train, test, err := loadCIFAR10(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 10 || string(train.Labels) != "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09" {
		t.Errorf("train: N=%d labels %v, want 10 samples labelled 0..9", train.N, train.Labels)
	}
	if test.N != 2 || string(test.Labels) != "\x00\x01" {
		t.Errorf("test: N=%d labels %v, want 2 samples labelled 0, 1", test.N, test.Labels)
	}
	if got := train.Pixels[3*3072+5]; got != 1+1+5 { // sample 3 = file 1, record 1
		t.Errorf("train sample 3 pixel 5 = %d, want 7", got)
	}

	// Test file labels 10, 11 are out of range: the error names test_batch.bin.
	bad := t.TempDir()
	write(bad, func(f, r int) byte {
		if f == 5 {
			return 10 + byte(r)
		}
		return 0
	})
	_, _, err = loadCIFAR10(bad, 2)
	want := filepath.Join(bad, "test_batch.bin") + ": cifar-10: record 0: label 10 is out of range [0, 10)"
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want ErrCorrupt with %q", err, want)
	}
}
