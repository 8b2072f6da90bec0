package nn_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// TestAddInteger: the residual add of BN output codes (I32, exponent -14)
// and a block input (U8 activations, exponent -7) is exact in value, on
// the finer exponent; the gradient reaches both inputs unchanged.
func TestAddInteger(t *testing.T) {
	shape := []int{2, 3, 4, 5}
	n := 120
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 3))
			a := make([]int32, n)
			b := make([]uint8, n)
			for i := range a {
				a[i] = int32(rng.IntN(1<<20)) - 1<<19
				b[i] = uint8(rng.IntN(256))
			}
			at := must[*gpu.Tensor](t)(d.UploadI32(shape, -14, a))
			bt := must[*gpu.Tensor](t)(d.UploadU8(shape, -7, b))
			g := must[*gpu.Tensor](t)(d.UploadI64(shape, -40, make([]int64, n)))
			l := must[*nn.Add](t)(nn.NewAdd("add", full8(t)))
			p := &nn.Pass{R: d.Record(), Train: true}
			y := l.Forward(p, at, bt)
			gs := l.Backward(p, g)
			submitOK(t, p)
			if y.DType() != gpu.I32 || y.Exp != -14 {
				t.Fatalf("y = %v, want i32 exponent -14", y)
			}
			got := valuesOf(t, y)
			for i := range got {
				want := math.Ldexp(float64(a[i]), -14) + math.Ldexp(float64(b[i]), -7)
				if got[i] != want {
					t.Fatalf("y[%d] = %g, want %g", i, got[i], want)
				}
			}
			if len(gs) != 2 || gs[0] != g || gs[1] != g {
				t.Errorf("backward returns %v, want the gradient twice", gs)
			}
		})
	}
	d := everyBackend(t)[0]
	l := must[*nn.Add](t)(nn.NewAdd("add", full8(t)))
	p := &nn.Pass{R: d.Record()}
	x := must[*gpu.Tensor](t)(d.UploadI32([]int{2}, 0, []int32{1, 2}))
	if l.Forward(p, x) != nil || !errors.Is(p.R.Err(), nn.ErrNetwork) {
		t.Errorf("one input: %v", p.R.Err())
	}
	if _, err := nn.NewAdd("", full8(t)); !errors.Is(err, nn.ErrConfig) {
		t.Errorf("empty name: %v", err)
	}
}
