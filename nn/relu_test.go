package nn_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/quant"
)

// everyBackend opens the CPU device and, where an adapter exists, the
// WebGPU one; it fails instead of skipping WebGPU when
// WAGEUBN_REQUIRE_GPU=1.
func everyBackend(t *testing.T) []*gpu.Device {
	t.Helper()
	var ds []*gpu.Device
	c, err := gpu.Open(gpu.Options{Backend: gpu.CPU, Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ds = append(ds, c)
	g, err := gpu.Open(gpu.Options{Backend: gpu.WebGPU, Debug: true})
	switch {
	case errors.Is(err, gpu.ErrNoAdapter) && os.Getenv("WAGEUBN_REQUIRE_GPU") != "1":
		t.Log("no WebGPU adapter: CPU backend only")
	case err != nil:
		t.Fatalf("opening WebGPU (WAGEUBN_REQUIRE_GPU=%q): %v", os.Getenv("WAGEUBN_REQUIRE_GPU"), err)
	default:
		t.Cleanup(func() { g.Close() })
		ds = append(ds, g)
	}
	return ds
}

// must fails the test on err and returns v.
func must[E any](t *testing.T) func(v E, err error) E {
	return func(v E, err error) E {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// submitOK submits the pass's recording and fails the test on error.
func submitOK(t *testing.T, p *nn.Pass) {
	t.Helper()
	if err := p.R.Err(); err != nil {
		t.Fatal(err)
	}
	if err := p.R.Submit(); err != nil {
		t.Fatal(err)
	}
}

// scaleOf downloads a tensor's data-dependent exponent (0 without Scale).
func scaleOf(t *testing.T, x *gpu.Tensor) int {
	t.Helper()
	if x.Scale == nil {
		return 0
	}
	return int(must[[]int32](t)(x.Scale.DownloadI32())[0])
}

// valuesOf downloads integer codes as exact float64 values code·2^(Exp+Scale).
func valuesOf(t *testing.T, x *gpu.Tensor) []float64 {
	t.Helper()
	e := x.Exp + scaleOf(t, x)
	var c []int64
	switch x.DType() {
	case gpu.I8:
		for _, v := range must[[]int8](t)(x.DownloadI8()) {
			c = append(c, int64(v))
		}
	case gpu.U8:
		for _, v := range must[[]uint8](t)(x.DownloadU8()) {
			c = append(c, int64(v))
		}
	case gpu.I32:
		for _, v := range must[[]int32](t)(x.DownloadI32()) {
			c = append(c, int64(v))
		}
	case gpu.I64:
		c = must[[]int64](t)(x.DownloadI64())
	case gpu.F32:
		var out []float64
		for _, v := range must[[]float32](t)(x.DownloadF32()) {
			out = append(out, float64(v))
		}
		return out
	default:
		t.Fatalf("valuesOf %v", x)
	}
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = math.Ldexp(float64(v), e)
	}
	return out
}

func full8(t *testing.T) nn.Config {
	t.Helper()
	c, err := nn.Full8.Config()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reluRef is Q_A of docs/dataflow.md forward 4 on codes y with exponent
// -14: a = clamp(RoundShr(y, 7), 0, 255) (ReLU6: of min(y, 6·2^14)) and the
// mask y > 0 && RoundShr(y, 7) <= 255 (&& y <= 6·2^14).
func reluRef(y int32, six bool) (a uint8, mask bool) {
	v := int64(y)
	if six && v > 6<<14 {
		v = 6 << 14
	}
	s := quant.RoundShr(v, 7)
	mask = y > 0 && s <= 255 && (!six || int64(y) <= 6<<14)
	return uint8(min(max(s, 0), 255)), mask
}

// e1Ref is E1 of the gradient values g (float32-exact): quant.Shift at 8
// bits, as float64 values.
func e1Ref(t *testing.T, g []float32) []float64 {
	t.Helper()
	c, err := quant.Shift(g, 8)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(g))
	for i, q := range c.Q {
		out[i] = math.Ldexp(float64(q), c.Exp)
	}
	return out
}

// TestReLUInteger: forward equals Q_A on the codes, backward equals
// quant.Shift (E1) on the same gradient values times the mask, for I64,
// I32 and I8 gradients, ReLU and ReLU6, on every backend.
func TestReLUInteger(t *testing.T) {
	shape := []int{2, 3, 5, 7}
	n := 2 * 3 * 5 * 7
	for _, d := range everyBackend(t) {
		for _, six := range []bool{false, true} {
			t.Run(d.Backend().String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, uint64(n)))
				ys := make([]int32, n)
				for i := range ys {
					ys[i] = int32(rng.IntN(1<<16)) - 1<<14
				}
				ys[0], ys[1], ys[2] = 64, 192, 255*128+64 // ties, saturation
				var l *nn.ReLU
				var err error
				if six {
					l, err = nn.NewReLU6("act", full8(t))
				} else {
					l, err = nn.NewReLU("act", full8(t))
				}
				if err != nil {
					t.Fatal(err)
				}
				y := must[*gpu.Tensor](t)(d.UploadI32(shape, -14, ys))
				defer y.Release()
				for gi, gdt := range []gpu.DType{gpu.I64, gpu.I32, gpu.I8} {
					p := &nn.Pass{R: d.Record(), Train: true}
					a := l.Forward(p, y)
					gc := make([]int64, n)
					gf := make([]float32, n)
					for i := range gc {
						switch gdt {
						case gpu.I8:
							gc[i] = int64(rng.IntN(255)) - 127
						default:
							gc[i] = int64(rng.IntN(1<<22)) - 1<<21
						}
						gf[i] = float32(math.Ldexp(float64(gc[i]), -20))
					}
					var g *gpu.Tensor
					switch gdt {
					case gpu.I64:
						g = must[*gpu.Tensor](t)(d.UploadI64(shape, -20, gc))
					case gpu.I32:
						g = must[*gpu.Tensor](t)(d.UploadI32(shape, -20, convertInts[int32](gc)))
					case gpu.I8:
						g = must[*gpu.Tensor](t)(d.UploadI8(shape, -20, convertInts[int8](gc)))
					}
					dx := l.Backward(p, g)
					submitOK(t, p)
					if a.DType() != gpu.U8 || a.Exp != -7 {
						t.Fatalf("a = %v, want u8 exponent -7", a)
					}
					if dx[0].DType() != gpu.I8 && gdt != gpu.I8 {
						t.Fatalf("dx = %v, want I8 E1 codes", dx[0])
					}
					codes := must[[]uint8](t)(a.DownloadU8())
					got := valuesOf(t, dx[0])
					want := e1Ref(t, gf)
					if gdt == gpu.I8 {
						for i := range want {
							want[i] = float64(gf[i]) // already E1 codes: passed on as they are
						}
					}
					for i, yv := range ys {
						wa, wm := reluRef(yv, six)
						if codes[i] != wa {
							t.Fatalf("six=%v: a[%d] = %d for y = %d, want %d", six, i, codes[i], yv, wa)
						}
						w := want[i]
						if !wm {
							w = 0
						}
						if got[i] != w {
							t.Fatalf("six=%v grad %v (case %d): dx[%d] = %g, want %g (mask %v)", six, gdt, gi, i, got[i], w, wm)
						}
					}
					g.Release()
				}
			})
		}
	}
}

// TestReLUFloatGradIntoInteger: an F32 gradient reaching an integer ReLU
// goes through E1 on its float bits: exactly quant.Shift, then the mask.
func TestReLUFloatGradIntoInteger(t *testing.T) {
	shape := []int{3, 17}
	n := 51
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 9))
			ys := make([]int32, n)
			gf := make([]float32, n)
			for i := range ys {
				ys[i] = int32(rng.IntN(1<<15)) - 1<<13
				gf[i] = float32(max(min(rng.NormFloat64()*1e-3, 4e-3), -4e-3))
			}
			// max 0.005: R = 2^-8, codes on 2^-15; 20.5 and -3.5 codes are ties.
			gf[1], gf[0], gf[2] = 0.005, float32(math.Ldexp(20.5, -15)), float32(math.Ldexp(-3.5, -15))
			ys[0], ys[2] = 1000, 1000 // in range: the mask keeps them
			l := must[*nn.ReLU](t)(nn.NewReLU("act", full8(t)))
			y := must[*gpu.Tensor](t)(d.UploadI32(shape, -14, ys))
			g := must[*gpu.Tensor](t)(d.UploadF32(shape, 0, gf))
			p := &nn.Pass{R: d.Record(), Train: true}
			l.Forward(p, y)
			dx := l.Backward(p, g)
			submitOK(t, p)
			got := valuesOf(t, dx[0])
			want := e1Ref(t, gf)
			for i := range want {
				if _, m := reluRef(ys[i], false); !m {
					want[i] = 0
				}
				if got[i] != want[i] {
					t.Fatalf("dx[%d] = %g, want %g", i, got[i], want[i])
				}
			}
		})
	}
}

// TestReLUErrors: constructor validation and a wrong input count.
func TestReLUErrors(t *testing.T) {
	if _, err := nn.NewReLU("", full8(t)); !errors.Is(err, nn.ErrConfig) {
		t.Errorf("empty name: %v", err)
	}
	bad := full8(t)
	bad.Bits.Acti.Dec = 0
	if _, err := nn.NewReLU6("a", bad); !errors.Is(err, nn.ErrConfig) {
		t.Errorf("bad config: %v", err)
	}
	d := everyBackend(t)[0]
	l := must[*nn.ReLU](t)(nn.NewReLU("a", full8(t)))
	p := &nn.Pass{R: d.Record()}
	if l.Forward(p) != nil || !errors.Is(p.R.Err(), nn.ErrNetwork) {
		t.Errorf("no input: %v", p.R.Err())
	}
	p = &nn.Pass{R: d.Record()}
	if l.Backward(p, nil) != nil || p.R.Err() == nil {
		t.Errorf("Backward before Forward: %v", p.R.Err())
	}
}

func convertInts[T int8 | int32](v []int64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
