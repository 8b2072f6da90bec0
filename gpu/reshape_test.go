package gpu

import (
	"errors"
	"slices"
	"testing"
)

// TestReshape flattens LeNet's pooled activations [2, 16, 5, 5] to [2, 400]
// (the last dimension changes, so narrow lanes move between words) and
// checks every dtype against the same elements in the same order.
func TestReshape(t *testing.T) {
	for _, dev := range devices(t) {
		t.Run(dev.Info().Backend.String(), func(t *testing.T) {
			in, out := []int{2, 16, 5, 5}, []int{2, 400}
			n := 2 * 400
			u8 := make([]uint8, n)
			i16 := make([]int16, n)
			f32 := make([]float32, n)
			for i := range n {
				u8[i] = uint8(i * 7)
				i16[i] = int16(i*131 - 30000)
				f32[i] = float32(i) / 3
			}
			r := dev.Record()
			xu, err := dev.UploadU8(in, -7, u8)
			if err != nil {
				t.Fatal(err)
			}
			xi, err := dev.UploadI16(in, -3, i16)
			if err != nil {
				t.Fatal(err)
			}
			xf, err := dev.UploadF32(in, 0, f32)
			if err != nil {
				t.Fatal(err)
			}
			yu, yi, yf := r.Reshape(xu, out), r.Reshape(xi, out), r.Reshape(xf, out)
			if err := r.Submit(); err != nil {
				t.Fatal(err)
			}
			if got, _ := yu.DownloadU8(); !slices.Equal(got, u8) || yu.Exp != -7 || !slices.Equal(yu.Shape(), out) {
				t.Errorf("U8 reshape: got %v... exp %d shape %v", got[:8], yu.Exp, yu.Shape())
			}
			if got, _ := yi.DownloadI16(); !slices.Equal(got, i16) || yi.Exp != -3 {
				t.Errorf("I16 reshape differs")
			}
			if got, _ := yf.DownloadF32(); !slices.Equal(got, f32) {
				t.Errorf("F32 reshape differs")
			}
			r2 := dev.Record()
			if r2.Reshape(xu, []int{3, 3}) != nil || !errors.Is(r2.Err(), ErrShape) {
				t.Errorf("element count mismatch: err = %v, want ErrShape", r2.Err())
			}
		})
	}
}
