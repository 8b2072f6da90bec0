package nn_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/quant"
)

// adderRef computes AdderNet's forward and backward in float64 (adder.py):
// y = -Σ|x - w| (padding as x = 0), dx = Σ HardTanh(w - x)·dy over real
// positions, dw = Σ (x - w)·dy scaled to sqrt(numel)/5·dw/‖dw‖₂, db = Σ dy.
func adderRef(x, w, dy []float64, n, c, h, wd, k, kk, s, pad, groups int) (y, dx, dw, db []float64) {
	y, dx, dw, db = adderRawRef(x, w, dy, n, c, h, wd, k, kk, s, pad, groups)
	norm := 0.0
	for _, v := range dw {
		norm += v * v
	}
	f := math.Sqrt(float64(len(dw))) / 5 / math.Max(math.Sqrt(norm), 1e-12)
	for i := range dw {
		dw[i] *= f
	}
	return y, dx, dw, db
}

// adderRawRef is adderRef without the adaptive scaling of dw.
func adderRawRef(x, w, dy []float64, n, c, h, wd, k, kk, s, pad, groups int) (y, dx, dw, db []float64) {
	cg, kg := c/groups, k/groups
	oh, ow := (h+2*pad-kk)/s+1, (wd+2*pad-kk)/s+1
	y = make([]float64, n*k*oh*ow)
	dx = make([]float64, len(x))
	dw = make([]float64, len(w))
	db = make([]float64, k)
	for b := 0; b < n; b++ {
		for o := 0; o < k; o++ {
			g := o / kg
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					yi := ((b*k+o)*oh+oy)*ow + ox
					d := dy[yi]
					db[o] += d
					for ci := 0; ci < cg; ci++ {
						ch := g*cg + ci
						for ky := 0; ky < kk; ky++ {
							for kx := 0; kx < kk; kx++ {
								iy, ix := oy*s-pad+ky, ox*s-pad+kx
								wi := ((o*cg+ci)*kk+ky)*kk + kx
								xv, real := 0.0, iy >= 0 && iy < h && ix >= 0 && ix < wd
								xi := ((b*c+ch)*h+iy)*wd + ix
								if real {
									xv = x[xi]
									dx[xi] += math.Max(-1, math.Min(1, w[wi]-xv)) * d
								}
								y[yi] -= math.Abs(xv - w[wi])
								dw[wi] += (xv - w[wi]) * d
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw, db
}

func f64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func closeAll(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	big := 0.0
	for _, w := range want {
		big = max(big, math.Abs(w))
	}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > tol*(big+1e-30) {
			t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

// TestAdder2d: float and fake-quant forward and AdderNet's backward equal
// the float64 reference (on qsigned weights for fake quantization), on
// every backend; integer mode is refused.
func TestAdder2d(t *testing.T) {
	type ac struct {
		n, c, h, w, k, kk int
		opt               nn.ConvOptions
	}
	cases := []ac{
		{2, 3, 5, 5, 4, 3, nn.ConvOptions{Padding: 1}},
		{1, 4, 6, 7, 6, 3, nn.ConvOptions{Stride: 2, Padding: 1, Groups: 2}},
		{3, 2, 3, 3, 2, 1, nn.ConvOptions{}},
	}
	for _, d := range everyBackend(t) {
		for ci, tc := range cases {
			for _, fq := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v/%d/fq=%v", d.Backend(), ci, fq), func(t *testing.T) {
					cfg := floatCfg(t)
					if fq {
						cfg = must[nn.Config](t)(nn.PyTorch.Config())
						cfg.Retrain = true
					}
					l := must[*nn.Adder2d](t)(nn.NewAdder2d(d, "add1", cfg, tc.c, tc.k, tc.kk, tc.opt, 42))
					rng := rand.New(rand.NewPCG(uint64(ci), 8))
					xs := make([]float32, tc.n*tc.c*tc.h*tc.w)
					for i := range xs {
						xs[i] = float32(rng.NormFloat64() * 0.5)
					}
					wv := must[[]float32](t)(l.Params()[0].Value.DownloadF32())
					wq := f64s(wv)
					if fq {
						// log2_t = 0: s = 2^-7, codes clamp(round(w·128), -128, 127).
						for i, v := range wv {
							wq[i] = math.Max(-128, math.Min(127, math.RoundToEven(float64(v)*128))) / 128
						}
					}
					s := max(tc.opt.Stride, 1)
					g := max(tc.opt.Groups, 1)
					oh, ow := (tc.h+2*tc.opt.Padding-tc.kk)/s+1, (tc.w+2*tc.opt.Padding-tc.kk)/s+1
					dys := make([]float32, tc.n*tc.k*oh*ow)
					for i := range dys {
						dys[i] = float32(rng.NormFloat64())
					}
					y, dx, dw, _ := adderRef(f64s(xs), wq, f64s(dys), tc.n, tc.c, tc.h, tc.w, tc.k, tc.kk, s, tc.opt.Padding, g)
					xt := must[*gpu.Tensor](t)(d.UploadF32([]int{tc.n, tc.c, tc.h, tc.w}, 0, xs))
					gt := must[*gpu.Tensor](t)(d.UploadF32([]int{tc.n, tc.k, oh, ow}, 0, dys))
					p := &nn.Pass{R: d.Record(), Train: true}
					yt := l.Forward(p, xt)
					gs := l.Backward(p, gt)
					submitOK(t, p)
					closeAll(t, "y", must[[]float32](t)(yt.DownloadF32()), y, 1e-6)
					closeAll(t, "dx", must[[]float32](t)(gs[0].DownloadF32()), dx, 1e-5)
					gotDW := must[[]float32](t)(l.Params()[0].Grad.DownloadF32())
					if fq {
						// qsigned's straight-through rule: zero where the code clipped.
						for i, v := range wv {
							if r := math.RoundToEven(float64(v) * 128); r < -128 || r > 127 {
								dw[i] = 0
							}
						}
						if lg := l.Params()[len(l.Params())-1]; lg.Grad == nil || lg.Name != "weight_log2_t" {
							t.Errorf("weight_log2_t has no gradient with Retrain")
						}
					}
					closeAll(t, "dw", gotDW, dw, 1e-5)
					xt.Release()
					gt.Release()
				})
			}
		}
	}
	d := everyBackend(t)[0]
	if _, err := nn.NewAdder2d(d, "a", full8(t), 2, 2, 3, nn.ConvOptions{Bias: true}, 1); !errors.Is(err, nn.ErrConfig) {
		t.Errorf("bias: %v", err)
	}
	l := must[*nn.Adder2d](t)(nn.NewAdder2d(d, "a", full8(t), 2, 2, 3, nn.ConvOptions{}, 1))
	x := must[*gpu.Tensor](t)(d.UploadI32([]int{1, 2, 3, 3}, -7, make([]int32, 18)))
	p := &nn.Pass{R: d.Record()}
	if l.Forward(p, x) != nil || !errors.Is(p.R.Err(), nn.ErrNetwork) {
		t.Errorf("integer mode with I32 input: %v", p.R.Err())
	}
	if _, err := nn.NewAdder2d(d, "a", full8(t), 3, 2, 3, nn.ConvOptions{Groups: 2}, 1); !errors.Is(err, nn.ErrConfig) {
		t.Errorf("groups not dividing: %v", err)
	}
	// Weights: Q(TruncNormal(0, 1/sqrt(fan_in)), 16), reproducible from the
	// seed; the integer master holds the same values as codes 2^-23.
	a := make([]float32, 36)
	for i, v := range int64s(t, l.Params()[0].Value) {
		a[i] = float32(math.Ldexp(float64(v), -23))
	}
	l2 := must[*nn.Adder2d](t)(nn.NewAdder2d(d, "a", floatCfg(t), 2, 2, 3, nn.ConvOptions{}, 1))
	b := must[[]float32](t)(l2.Params()[0].Value.DownloadF32())
	sd := 1 / math.Sqrt(18)
	for i, v := range a {
		if v != b[i] || math.Abs(float64(v)) > 2*sd+1e-4 || float64(v)*(1<<15) != math.Trunc(float64(v)*(1<<15)) {
			t.Fatalf("weight[%d] = %g (other draw %g): want equal draws on the 2^-15 grid within 2 sd", i, v, b[i])
		}
	}
}

// TestAdder2dInteger: integer mode equals AdderNet on the codes exactly:
// y on x (U8, 2^-7) and w8 = C_8(Q(W, 8)); dx and the raw dW on E2 of the
// gradient (quant.Flag); G is I8 codes with exponent -14.
func TestAdder2dInteger(t *testing.T) {
	type ac struct {
		n, c, h, w, k, kk int
		opt               nn.ConvOptions
	}
	for _, d := range everyBackend(t) {
		for ci, tc := range []ac{
			{2, 3, 5, 5, 4, 3, nn.ConvOptions{Padding: 1}},
			{1, 4, 6, 7, 6, 3, nn.ConvOptions{Stride: 2, Padding: 1, Groups: 2}},
		} {
			t.Run(fmt.Sprintf("%v/%d", d.Backend(), ci), func(t *testing.T) {
				l := must[*nn.Adder2d](t)(nn.NewAdder2d(d, "add1", full8(t), tc.c, tc.k, tc.kk, tc.opt, 7))
				rng := rand.New(rand.NewPCG(uint64(ci), 9))
				master := int64s(t, l.Params()[0].Value)
				w8 := make([]float64, len(master))
				for i, m := range master {
					w8[i] = float64(min(max(quant.RoundShr(m, 16), -127), 127)) / 128
				}
				xs := make([]uint8, tc.n*tc.c*tc.h*tc.w)
				xv := make([]float64, len(xs))
				for i := range xs {
					xs[i] = uint8(rng.IntN(256))
					xv[i] = float64(xs[i]) / 128
				}
				s, g := max(tc.opt.Stride, 1), max(tc.opt.Groups, 1)
				oh, ow := (tc.h+2*tc.opt.Padding-tc.kk)/s+1, (tc.w+2*tc.opt.Padding-tc.kk)/s+1
				gc := make([]int64, tc.n*tc.k*oh*ow)
				gf := make([]float32, len(gc))
				for i := range gc {
					gc[i] = int64(rng.IntN(1<<22)) - 1<<21
					gf[i] = float32(math.Ldexp(float64(gc[i]), -40))
				}
				e2 := must[quant.Codes](t)(quant.Flag(gf, 8))
				e2v := make([]float64, len(gc))
				for i, q := range e2.Q {
					e2v[i] = math.Ldexp(float64(q), e2.Exp)
				}
				y, dx, dw, _ := adderRawRef(xv, w8, e2v, tc.n, tc.c, tc.h, tc.w, tc.k, tc.kk, s, tc.opt.Padding, g)
				xt := must[*gpu.Tensor](t)(d.UploadU8([]int{tc.n, tc.c, tc.h, tc.w}, -7, xs))
				gt := must[*gpu.Tensor](t)(d.UploadI64([]int{tc.n, tc.k, oh, ow}, -40, gc))
				p := &nn.Pass{R: d.Record(), Train: true, Seed: 1, Step: 2, GScale: 128}
				yt := l.Forward(p, xt)
				gs := l.Backward(p, gt)
				submitOK(t, p)
				if yt.DType() != gpu.I32 || yt.Exp != -7 {
					t.Fatalf("y = %v", yt)
				}
				for name, pair := range map[string][2][]float64{"y": {valuesOf(t, yt), y}, "dx": {valuesOf(t, gs[0]), dx}} {
					for i := range pair[1] {
						if pair[0][i] != pair[1][i] {
							t.Fatalf("%s[%d] = %g, want %g", name, i, pair[0][i], pair[1][i])
						}
					}
				}
				gw := l.Params()[0].Grad
				if gw.DType() != gpu.I8 || gw.Exp != -14 || gw.Scale != nil {
					t.Fatalf("G = %v, want I8 codes with exponent -14", gw)
				}
				big := 0.0
				for _, v := range dw {
					big = max(big, math.Abs(v))
				}
				for i, v := range must[[]int8](t)(gw.DownloadI8()) {
					// G = SR(t·128/R(t)) with t = dW + 1e-4·W: within one code
					// of dW·128/R and the same sign where dW dominates.
					want := dw[i] * 128 / math.Exp2(math.Round(math.Log2(big)))
					if math.Abs(float64(v)-want) > 1.01+128*1e-4*8/big {
						t.Fatalf("G[%d] = %d, want about %g", i, v, want)
					}
				}
			})
		}
	}
}
