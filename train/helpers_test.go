package train_test

import (
	"image/png"
	"math"
	"os"
	"testing"
)

func nan() float64 { return math.NaN() }
func inf() float64 { return math.Inf(1) }

// decode does read the PNG at path and check its size: 576×384 (package plot).
func decode(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != 576 || b.Dy() != 384 {
		t.Errorf("%s: %dx%d, want 576x384", path, b.Dx(), b.Dy())
	}
}
