package gpu

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// TestCastMatchesQuant checks FromF32 against quant.Direct's integer form
// (Q(x,k) has exponent -(k-1)), ToF32 against code·2^exp, and ToI32 on
// narrow dtypes, on every backend.
func TestCastMatchesQuant(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x := make([]float32, 1000)
	for i := range x {
		x[i] = float32(math.Ldexp(rng.NormFloat64(), rng.IntN(12)-6))
	}
	x = append(x, 0.5/128, 1.5/128, 2.5/128, -2.5/128) // ties on the 2^-7 grid
	want, err := quant.Direct(x, 8)
	if err != nil {
		t.Fatal(err)
	}
	for _, dev := range devices(t) {
		t.Run(dev.Info().Backend.String(), func(t *testing.T) {
			xt, err := dev.UploadF32([]int{len(x)}, 0, x)
			if err != nil {
				t.Fatal(err)
			}
			u8 := []uint8{0, 1, 127, 128, 255}
			ut, err := dev.UploadU8([]int{5}, -7, u8)
			if err != nil {
				t.Fatal(err)
			}
			scale, err := dev.UploadI32([]int{1}, 0, []int32{2})
			if err != nil {
				t.Fatal(err)
			}
			i16, err := dev.UploadI16([]int{1, 3}, -3, []int16{-32768, 5, 32767})
			if err != nil {
				t.Fatal(err)
			}
			i16.Scale = scale
			r := dev.Record()
			codes := r.FromF32(xt, -7)
			back := r.ToF32(codes)
			wide := r.ToI32(ut)
			fu := r.ToF32(ut)
			fs := r.ToF32(i16)
			if err := r.Submit(); err != nil {
				t.Fatal(err)
			}
			got, _ := codes.DownloadI32()
			if !slices.Equal(got, want.Q) || codes.Exp != want.Exp {
				t.Errorf("FromF32 codes differ from quant.Direct(x, 8)")
			}
			gb, _ := back.DownloadF32()
			if !slices.Equal(gb, want.Float()) {
				t.Errorf("ToF32(FromF32(x)) differs from the float view of quant.Direct")
			}
			if gw, _ := wide.DownloadI32(); !slices.Equal(gw, []int32{0, 1, 127, 128, 255}) || wide.Exp != -7 {
				t.Errorf("ToI32(U8) = %v exp %d", gw, wide.Exp)
			}
			if gf, _ := fu.DownloadF32(); !slices.Equal(gf, []float32{0, 1.0 / 128, 127.0 / 128, 1, 255.0 / 128}) {
				t.Errorf("ToF32(U8) = %v", gf)
			}
			// I16 codes with exponent -3 and Scale 2: value = code·2^-1.
			if gf, _ := fs.DownloadF32(); !slices.Equal(gf, []float32{-16384, 2.5, 16383.5}) {
				t.Errorf("ToF32(I16 with Scale) = %v", gf)
			}
		})
	}
}
