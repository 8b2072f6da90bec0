package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/quant"
)

// tqtCfg is the pytorch recipe with retrain, IOStrict off unless strict (a
// set threshold drops IOStrict's quantizers: the results are the same).
func tqtCfg(t *testing.T, retrain bool, strict ...bool) nn.Config {
	t.Helper()
	c := must[nn.Config](t)(nn.PyTorch.Config())
	c.IOStrict = len(strict) > 0 && strict[0]
	c.Retrain = retrain
	return c
}

// setThreshold makes the threshold name of m a set F32 [1] holding v.
func setThreshold(t *testing.T, d *gpu.Device, m nn.Module, name string, v float32) *nn.Param {
	t.Helper()
	th, ok := m.(nn.Thresholded)
	if !ok {
		t.Fatalf("%s is not Thresholded", m.Name())
	}
	for _, p := range th.Thresholds() {
		if p.Name == name {
			p.Value = must[*gpu.Tensor](t)(d.UploadF32([]int{1}, 0, []float32{v}))
			return p
		}
	}
	t.Fatalf("%s has no %s", m.Name(), name)
	return nil
}

func paramNames(ps []*nn.Param) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// closeTo checks |got - want| <= abs + rel·|want|.
func closeTo(t *testing.T, what string, got, want []float32, abs, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= abs+rel*math.Abs(float64(want[i]))) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestTQTAffineFakeQuant checks Conv2d (1x1) and Linear with set
// thresholds against quant.QSigned/QSignedBackward: the input is the
// identity matrix, so that y = Wq^T + bq and dW = g^T are exact in
// float32 and the quantized weights and their masked gradient compare
// bit for bit; the summed log2_t gradients within the golden README's abs
// 1e-5 (relative 1e-5 for their size).
func TestTQTAffineFakeQuant(t *testing.T) {
	const in, out = 6, 4
	const lw, lb = -0.6, -2.3 // s_w = 2^0/2^7, s_b = 2^-2/2^15
	for _, d := range everyBackend(t) {
		for ci := range 8 {
			conv, retrain, strict := ci%2 == 1, ci/2%2 == 1, ci >= 4
			{
				t.Run(fmt.Sprintf("%v/conv=%v/retrain=%v/iostrict=%v", d.Backend(), conv, retrain, strict), func(t *testing.T) {
					cfg := tqtCfg(t, retrain, strict)
					var m nn.Module
					if conv {
						m = must[*nn.Conv2d](t)(nn.NewConv2d(d, "c", cfg, in, out, 1, nn.ConvOptions{Bias: true}, 3))
					} else {
						m = must[*nn.Linear](t)(nn.NewLinear(d, "c", cfg, in, out, true, 3))
					}
					if got := paramNames(m.Params()); !slices.Equal(got, []string{"weight", "bias"}) {
						t.Fatalf("unset thresholds listed: %v", got)
					}
					rng := rand.New(rand.NewPCG(7, 9))
					w := make([]float32, out*in)
					for i := range w {
						w[i] = float32(rng.NormFloat64() * 0.7) // some beyond ±127/128
					}
					b := make([]float32, out)
					for i := range b {
						b[i] = float32(rng.NormFloat64() * 0.3) // some beyond 2^-2
					}
					ps := m.Params()
					ps[0].Value = must[*gpu.Tensor](t)(d.UploadF32(ps[0].Shape, 0, w))
					ps[1].Value = must[*gpu.Tensor](t)(d.UploadF32(ps[1].Shape, 0, b))
					wl := setThreshold(t, d, m, "weight_log2_t", lw)
					bl := setThreshold(t, d, m, "bias_log2_t", lb)
					if got := paramNames(m.Params()); !slices.Equal(got, []string{"weight", "bias", "weight_log2_t", "bias_log2_t"}) {
						t.Fatalf("params %v", got)
					}
					xs := make([]float32, in*in)
					for i := range in {
						xs[i*in+i] = 1
					}
					g := make([]float32, in*out)
					for i := range g {
						g[i] = float32(rng.NormFloat64())
					}
					xShape, gShape := []int{in, in}, []int{in, out}
					if conv {
						xShape, gShape = []int{in, in, 1, 1}, []int{in, out, 1, 1}
					}
					xt := must[*gpu.Tensor](t)(d.UploadF32(xShape, 0, xs))
					gt := must[*gpu.Tensor](t)(d.UploadF32(gShape, 0, g))
					p := &nn.Pass{R: d.Record(), Train: true}
					y := m.Forward(p, xt)
					dx := m.Backward(p, gt)
					submitOK(t, p)

					wq := must[[]float32](t)(quant.QSignedFloat(w, lw, 8))
					bq := must[[]float32](t)(quant.QSignedFloat(b, lb, 16))
					wantY := make([]float32, in*out)
					for n := range in {
						for o := range out {
							wantY[n*out+o] = wq[o*in+n] + bq[o]
						}
					}
					closeTo(t, "y", must[[]float32](t)(y.DownloadF32()), wantY, 0, 0)
					dwRaw := make([]float32, out*in)
					dbRaw := make([]float32, out)
					for o := range out {
						for n := range in {
							dwRaw[o*in+n] = g[n*out+o]
							dbRaw[o] += g[n*out+o]
						}
					}
					gw, glw := must3(t)(quant.QSignedBackward(w, dwRaw, lw, 8))
					gb, glb := must3(t)(quant.QSignedBackward(b, dbRaw, lb, 16))
					closeTo(t, "dW", must[[]float32](t)(ps[0].Grad.DownloadF32()), gw, 0, 0)
					closeTo(t, "db", must[[]float32](t)(ps[1].Grad.DownloadF32()), gb, 1e-6, 1e-5)
					wantDX := make([]float32, in*in)
					for n := range in {
						for i := range in {
							var s float64
							for o := range out {
								s += float64(g[n*out+o]) * float64(wq[o*in+i])
							}
							wantDX[n*in+i] = float32(s)
						}
					}
					closeTo(t, "dx", must[[]float32](t)(dx[0].DownloadF32()), wantDX, 1e-6, 1e-5)
					if !retrain {
						if wl.Grad != nil || bl.Grad != nil || wl.Trainable || bl.Trainable {
							t.Fatalf("Retrain off: log2_t gradients %v %v, trainable %v %v", wl.Grad, bl.Grad, wl.Trainable, bl.Trainable)
						}
						return
					}
					if !wl.Trainable || !bl.Trainable || wl.Grad == nil || bl.Grad == nil {
						t.Fatal("Retrain: thresholds not trainable or without gradient")
					}
					closeTo(t, "dweight_log2_t", must[[]float32](t)(wl.Grad.DownloadF32()), []float32{float32(glw)}, 1e-5, 1e-5)
					closeTo(t, "dbias_log2_t", must[[]float32](t)(bl.Grad.DownloadF32()), []float32{float32(glb)}, 1e-5, 1e-5)
				})
			}
		}
	}
}

func must3(t *testing.T) func(v []float32, f float64, err error) ([]float32, float64) {
	return func(v []float32, f float64, err error) ([]float32, float64) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, f
	}
}

// TestTQTReLUFakeQuant checks ReLU and ReLU6 with a set acti_log2_t: y =
// quant.QUnsigned(relu(x)) exactly, dx = QUnsignedBackward's gradient
// masked by relu's, and the log2_t gradient (Retrain only).
func TestTQTReLUFakeQuant(t *testing.T) {
	for _, d := range everyBackend(t) {
		for ci := range 8 {
			six, retrain, strict := ci%2 == 1, ci/2%2 == 1, ci >= 4
			{
				t.Run(fmt.Sprintf("%v/six=%v/retrain=%v/iostrict=%v", d.Backend(), six, retrain, strict), func(t *testing.T) {
					cfg := tqtCfg(t, retrain, strict)
					mk, l2 := nn.NewReLU, float32(1.3) // s = 2^2/2^8, range [0, 3.98]
					if six {
						mk, l2 = nn.NewReLU6, 2.5 // s = 2^3/2^8, range [0, 7.97]: relu6 clips first
					}
					m := must[*nn.ReLU](t)(mk("r", cfg))
					if len(m.Params()) != 0 {
						t.Fatal("unset acti_log2_t listed")
					}
					al := setThreshold(t, d, m, "acti_log2_t", l2)
					if got := paramNames(m.Params()); !slices.Equal(got, []string{"acti_log2_t"}) {
						t.Fatalf("params %v", got)
					}
					rng := rand.New(rand.NewPCG(3, 4))
					const n = 300
					x, g := make([]float32, n), make([]float32, n)
					for i := range x {
						x[i] = float32(rng.NormFloat64() * 4)
						g[i] = float32(rng.NormFloat64())
					}
					x[0], x[1] = 0.5/64, 1.5/64 // ties (s = 1/64 for ReLU)
					xt := must[*gpu.Tensor](t)(d.UploadF32([]int{3, n / 3}, 0, x))
					gt := must[*gpu.Tensor](t)(d.UploadF32([]int{3, n / 3}, 0, g))
					p := &nn.Pass{R: d.Record(), Train: true}
					y := m.Forward(p, xt)
					dx := m.Backward(p, gt)
					submitOK(t, p)
					rel := make([]float32, n)
					for i, v := range x {
						rel[i] = max(v, 0)
						if six {
							rel[i] = min(rel[i], 6)
						}
					}
					wantY := must[[]float32](t)(quant.QUnsignedFloat(rel, float64(l2), 8))
					closeTo(t, "y", must[[]float32](t)(y.DownloadF32()), wantY, 0, 0)
					gi, gl := must3(t)(quant.QUnsignedBackward(rel, g, float64(l2), 8))
					for i, v := range x {
						if !(v > 0) || six && !(v < 6) {
							gi[i] = 0
						}
					}
					closeTo(t, "dx", must[[]float32](t)(dx[0].DownloadF32()), gi, 0, 0)
					if !retrain {
						if al.Grad != nil || al.Trainable {
							t.Fatal("Retrain off: acti_log2_t has a gradient or is trainable")
						}
						return
					}
					if al.Grad == nil || !al.Trainable {
						t.Fatal("Retrain: acti_log2_t not trainable or without gradient")
					}
					closeTo(t, "dacti_log2_t", must[[]float32](t)(al.Grad.DownloadF32()), []float32{float32(gl)}, 1e-5, 1e-5)
				})
			}
		}
	}
}

// TestTQTReLUInteger checks that a set acti_log2_t gives the integer
// activation exponent ceil(log2_t) - Acti.Dec (method.md A5), and that
// without it the exponent stays -(Acti.Dec-1).
func TestTQTReLUInteger(t *testing.T) {
	for _, d := range everyBackend(t) {
		for _, l2 := range []float32{float32(math.NaN()), -1.5, 0.4, 2} {
			t.Run(fmt.Sprintf("%v/log2t=%v", d.Backend(), l2), func(t *testing.T) {
				m := must[*nn.ReLU](t)(nn.NewReLU("r", full8(t)))
				wantExp := -7
				if !math.IsNaN(float64(l2)) {
					setThreshold(t, d, m, "acti_log2_t", l2)
					wantExp = int(math.Ceil(float64(l2))) - 8
					if got := nn.ActiExp(l2, 8); got != wantExp {
						t.Fatalf("ActiExp(%v, 8) = %d, want %d", l2, got, wantExp)
					}
				}
				rng := rand.New(rand.NewPCG(5, 6))
				z := make([]int32, 200)
				for i := range z {
					z[i] = int32(rng.IntN(1<<17) - 1<<15)
				}
				zt := must[*gpu.Tensor](t)(d.UploadI32([]int{200}, -14, z))
				p := &nn.Pass{R: d.Record(), Train: true}
				y := m.Forward(p, zt)
				submitOK(t, p)
				if y.DType() != gpu.U8 || y.Exp != wantExp {
					t.Fatalf("output %v exp %d, want U8 exp %d", y.DType(), y.Exp, wantExp)
				}
				got := int64sAny(t, y)
				for i, v := range z {
					want := quant.RoundShr(int64(v), uint(wantExp+14))
					want = min(max(want, 0), 255)
					if got[i] != want {
						t.Fatalf("code %d: %d, want %d (z %d)", i, got[i], want, v)
					}
				}
			})
		}
	}
}

// TestTQTRetrainStepAndState trains set thresholds one optimizer step
// (Adam under Retrain, untouched without) and round-trips them through a
// state dict into a fresh network whose thresholds are unset.
func TestTQTRetrainStepAndState(t *testing.T) {
	for _, d := range everyBackend(t) {
		for _, retrain := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/retrain=%v", d.Backend(), retrain), func(t *testing.T) {
				build := func() (*nn.List, *nn.Linear, *nn.ReLU) {
					cfg := tqtCfg(t, retrain)
					fc := must[*nn.Linear](t)(nn.NewLinear(d, "fc", cfg, 6, 4, true, 3))
					re := must[*nn.ReLU](t)(nn.NewReLU("relu", cfg))
					var l nn.List
					for _, m := range []nn.Module{fc, re} {
						if err := l.Add(m); err != nil {
							t.Fatal(err)
						}
					}
					return &l, fc, re
				}
				net, fc, re := build()
				if n := len(net.Params()); n != 2 {
					t.Fatalf("%d params with unset thresholds, want 2", n)
				}
				init := map[string]float32{"weight_log2_t": -0.6, "bias_log2_t": -2.3, "acti_log2_t": -0.2}
				ths := map[string]*nn.Param{}
				for _, m := range []nn.Module{fc, re} {
					for _, p := range m.(nn.Thresholded).Thresholds() {
						ths[p.Name] = setThreshold(t, d, m, p.Name, init[p.Name])
					}
				}
				rng := rand.New(rand.NewPCG(8, 8))
				// A zero bias is on every grid: its log2_t gradient would be 0.
				b := fc.Params()[1]
				b.Value = must[*gpu.Tensor](t)(d.UploadF32(b.Shape, 0, []float32{0.3, -0.01, 0.123, 0.0003}))
				x := make([]float32, 3*6)
				g := make([]float32, 3*4)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				for i := range g {
					g[i] = float32(rng.NormFloat64())
				}
				p := &nn.Pass{R: d.Record(), Train: true}
				net.Forward(p, must[*gpu.Tensor](t)(d.UploadF32([]int{3, 6}, 0, x)))
				net.Backward(p, must[*gpu.Tensor](t)(d.UploadF32([]int{3, 4}, 0, g)))
				nn.NewOptimizer(26, 0.05).Step(p, net)
				submitOK(t, p)
				for name, th := range ths {
					v := must[[]float32](t)(th.Value.DownloadF32())[0]
					moved := math.Abs(float64(v - init[name]))
					if !retrain && moved != 0 {
						t.Errorf("%s moved to %v without Retrain", name, v)
					}
					if retrain && (moved < 1e-3 || moved > 2e-2) {
						t.Errorf("%s = %v after one Adam step from %v (lr 1e-2)", name, v, init[name])
					}
				}
				sd, err := net.StateDict()
				if err != nil {
					t.Fatal(err)
				}
				net2, _, _ := build()
				if _, err := net2.LoadStateDict(sd, true); err != nil {
					t.Fatal(err)
				}
				got := map[string]float32{}
				for _, np := range net2.Params() {
					if strings.HasSuffix(np.Key, "log2_t") {
						got[np.Key] = must[[]float32](t)(np.Value.DownloadF32())[0]
					}
				}
				for name, th := range ths {
					key := "fc." + name
					if name == "acti_log2_t" {
						key = "relu." + name
					}
					want := must[[]float32](t)(th.Value.DownloadF32())[0]
					if g, ok := got[key]; !ok || g != want {
						t.Errorf("loaded %s = %v (present %v), want %v", key, g, ok, want)
					}
				}
			})
		}
	}
}
