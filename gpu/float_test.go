package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// f32Data returns n float32 values from gen and their float64 copies.
func f32Data(n int, gen func(i int) float32) ([]float32, []float64) {
	v, f := make([]float32, n), make([]float64, n)
	for i := range v {
		v[i] = gen(i)
		f[i] = float64(v[i])
	}
	return v, f
}

// upF32 uploads float32 values (exponent 0).
func upF32(t *testing.T, d *Device, shape []int, v []float32) *Tensor {
	t.Helper()
	x, err := d.UploadF32(shape, 0, v)
	check(t, err)
	t.Cleanup(x.Release)
	return x
}

// downF32 downloads and releases t.
func downF32(t *testing.T, x *Tensor) []float32 {
	t.Helper()
	defer x.Release()
	v, err := x.DownloadF32()
	check(t, err)
	return v
}

// TestEltF32 checks ReLU, ReLU6 (values and masks), their backward and the
// residual add against float64, exactly.
func TestEltF32(t *testing.T) {
	for _, d := range devices(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 3))
			n := 1031
			x32, x64 := f32Data(n, func(i int) float32 {
				if i < len(f32Specials) {
					return f32Specials[i]
				}
				return float32(20*rng.Float64() - 10)
			})
			b32, b64 := f32Data(n, func(int) float32 { return float32(20*rng.Float64() - 10) })
			x, b := upF32(t, d, []int{n}, x32), upF32(t, d, []int{n}, b32)
			r := d.Record()
			y, m := r.ReluF32(x)
			y6, m6 := r.Relu6F32(x)
			dx := r.ReluBwdF32(b, m)
			dx6 := r.ReluBwdF32(b, m6)
			sum := r.AddF32(x, b)
			check(t, r.Submit())
			gy, gy6, gdx, gdx6 := downF32(t, y), downF32(t, y6), downF32(t, dx), downF32(t, dx6)
			gs := downF32(t, sum)
			gm, err := m.DownloadU32()
			check(t, err)
			gm6, err := m6.DownloadU32()
			check(t, err)
			m.Release()
			m6.Release()
			for i := range n {
				v := x64[i]
				pass, pass6 := v > 0, v > 0 && v < 6
				want, want6 := math.Max(v, 0), math.Min(math.Max(v, 0), 6)
				wd, wd6 := 0.0, 0.0
				if pass {
					wd = b64[i]
				}
				if pass6 {
					wd6 = b64[i]
				}
				if float64(gy[i]) != want || float64(gy6[i]) != want6 || (gm[i] == 1) != pass || (gm6[i] == 1) != pass6 ||
					float64(gdx[i]) != wd || float64(gdx6[i]) != wd6 || gs[i] != float32(v+b64[i]) && !math.IsInf(v, 0) {
					t.Fatalf("x[%d] = %g, dy %g: relu %g mask %d, relu6 %g mask %d, dx %g, dx6 %g, add %g", i, v, b64[i],
						gy[i], gm[i], gy6[i], gm6[i], gdx[i], gdx6[i], gs[i])
				}
			}
		})
	}
}

// TestQuantF32 checks the float quantizers against quant.DirectFloat and
// quant.AllDirectFloat bit for bit, ties and clip edges included.
func TestQuantF32(t *testing.T) {
	for _, d := range devices(t) {
		for _, kw := range [][2]int{{8, 8}, {1, 1}, {1, 8}, {4, 3}, {15, 15}, {16, 8}, {24, 25}, {31, 31}, {31, 26}, {8, 30}} {
			t.Run(fmt.Sprintf("%v/k=%d,%d", d.Backend(), kw[0], kw[1]), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 4))
				kdec, kall := kw[0], kw[1]
				ties := quantF32Ties(64, kdec, kall)
				n := 4000
				x32, _ := f32Data(n, func(i int) float32 {
					switch {
					case i < len(ties):
						return math.Float32frombits(ties[i])
					case i < 2000:
						return float32(4*rng.Float64() - 2)
					}
					v := wideF32(rng)
					if math.Abs(float64(v))*math.Ldexp(1, kdec-1) >= 1<<31 {
						v = 0 // quant.Direct refuses codes beyond int32
					}
					return v
				})
				x := upF32(t, d, []int{n}, x32)
				r := d.Record()
				yd := r.QuantDirectF32(x, kdec)
				ya := r.QuantAllDirectF32(x, kdec, kall)
				check(t, r.Submit())
				gd, ga := downF32(t, yd), downF32(t, ya)
				wd, err := quant.DirectFloat(x32, kdec)
				check(t, err)
				wa, err := quant.AllDirectFloat(x32, kdec, kall)
				check(t, err)
				for i := range n {
					if math.Float32bits(gd[i]) != math.Float32bits(wd[i]) || math.Float32bits(ga[i]) != math.Float32bits(wa[i]) {
						t.Fatalf("x[%d] = %g: direct %g want %g, alldirect %g want %g", i, x32[i], gd[i], wd[i], ga[i], wa[i])
					}
				}
			})
		}
	}
}

// TestFloatWrapperErrors checks the sticky errors of bad arguments.
func TestFloatWrapperErrors(t *testing.T) {
	d := openCPUDevice(t)
	x := upF32(t, d, []int{4}, []float32{1, 2, 3, 4})
	y := upF32(t, d, []int{3}, []float32{1, 2, 3})
	for name, f := range map[string]func(r *Recorder) *Tensor{
		"add shapes": func(r *Recorder) *Tensor { return r.AddF32(x, y) },
		"nil":        func(r *Recorder) *Tensor { a, _ := r.ReluF32(nil); return a },
		"kdec":       func(r *Recorder) *Tensor { return r.QuantDirectF32(x, 0) },
		"kall":       func(r *Recorder) *Tensor { return r.QuantAllDirectF32(x, 8, 32) },
		"mask dtype": func(r *Recorder) *Tensor { return r.ReluBwdF32(x, x) },
	} {
		r := d.Record()
		if out := f(r); out != nil || r.Submit() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
