package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/quant"
)

// bnUnitVar returns a running variance v with float32(v + 1e-5) == 1, so
// that the BN scale 1/sqrt(v+eps) is exactly 1.
func bnUnitVar(t *testing.T) float32 {
	t.Helper()
	v := float32(1 - 168.0/(1<<24))
	eps := float32(1e-5)
	if v+eps != 1 {
		t.Fatalf("%v + %v = %v, want 1", v, eps, v+eps)
	}
	return v
}

// setBN uploads γ, β, the running mean and variance of a fake-quant (F32)
// batch norm.
func setBN(t *testing.T, d *gpu.Device, m *nn.BatchNorm, vals ...[]float32) {
	t.Helper()
	ps := m.Params()
	for i, v := range vals {
		ps[i].Value = must[*gpu.Tensor](t)(d.UploadF32(ps[i].Shape, 0, v))
	}
}

// TestTQTBatchNormFakeQuant checks BatchNorm2d and BatchNorm1d with set
// thresholds against quant.QSigned/QSignedBackward (method.md B§7.2: TQT's
// F.batch_norm(x, running_mean, running_var, qsigned(γ), qsigned(β)) in
// inference mode). The running variance makes the scale exactly 1 and the
// inputs are the running mean plus small dyadic offsets d, so y = d·γq +
// βq, dx = γq·dy, dγ = Σ dy·d and dβ = Σ dy are exact in float32: the
// quantized γ, β and their masked gradients compare bit for bit, the
// summed log2_t gradients within the golden README's abs 1e-5 (relative
// 1e-5 for their size).
func TestTQTBatchNormFakeQuant(t *testing.T) {
	const c = 5
	const lw, lb = -0.6, -2.3 // s_γ = 2^0/2^7, s_β = 2^-2/2^7 (pytorch BNWeight/BNBias Dec 8)
	for _, d := range everyBackend(t) {
		for ci := range 8 {
			oneD, retrain, strict := ci%2 == 1, ci/2%2 == 1, ci >= 4
			t.Run(fmt.Sprintf("%v/1d=%v/retrain=%v/iostrict=%v", d.Backend(), oneD, retrain, strict), func(t *testing.T) {
				cfg := tqtCfg(t, retrain, strict)
				mk, shape := nn.NewBatchNorm2d, []int{3, c, 2, 2}
				if oneD {
					mk, shape = nn.NewBatchNorm1d, []int{4, c}
				}
				m := must[*nn.BatchNorm](t)(mk(d, "bn", cfg, c))
				base := []string{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
				if got := paramNames(m.Params()); !slices.Equal(got, base) {
					t.Fatalf("unset thresholds listed: %v", got)
				}
				if got := paramNames(m.Thresholds()); !slices.Equal(got, []string{"weight_log2_t", "bias_log2_t"}) {
					t.Fatalf("thresholds %v", got)
				}
				rng := rand.New(rand.NewPCG(5, 11))
				gamma, beta := make([]float32, c), make([]float32, c)
				for i := range c {
					gamma[i] = float32(rng.NormFloat64() * 0.8)
					beta[i] = float32(rng.NormFloat64() * 0.3)
				}
				gamma[0], beta[1] = 1.5/128, 2.5/512 // ties
				gamma[2], beta[3] = 1.3, -0.4        // clipped
				rm := []float32{0, 0.5, -1, 0.25, 2}
				uv := bnUnitVar(t)
				rv := []float32{uv, uv, uv, uv, uv}
				setBN(t, d, m, gamma, beta, rm, rv)
				wl := setThreshold(t, d, m, "weight_log2_t", lw)
				bl := setThreshold(t, d, m, "bias_log2_t", lb)
				if got := paramNames(m.Params()); !slices.Equal(got, append(base, "weight_log2_t", "bias_log2_t")) {
					t.Fatalf("params %v", got)
				}
				n := 1
				for _, s := range shape {
					n *= s
				}
				hw := n / shape[0] / c
				offs := []float32{-2, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 2}
				x, off, g := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range n {
					ch := i / hw % c
					off[i] = offs[rng.IntN(len(offs))]
					x[i] = rm[ch] + off[i]
					g[i] = float32(rng.IntN(33)-16) / 16
				}
				xt := must[*gpu.Tensor](t)(d.UploadF32(shape, 0, x))
				gt := must[*gpu.Tensor](t)(d.UploadF32(shape, 0, g))
				p := &nn.Pass{R: d.Record(), Train: true}
				y := m.Forward(p, xt)
				dx := m.Backward(p, gt)
				submitOK(t, p)

				bits := cfg.Bits
				gq := must[[]float32](t)(quant.QSignedFloat(gamma, lw, bits.BNWeight.Dec))
				bq := must[[]float32](t)(quant.QSignedFloat(beta, lb, bits.BNBias.Dec))
				wantY, wantDX := make([]float32, n), make([]float32, n)
				dgRaw, dbRaw := make([]float32, c), make([]float32, c)
				for i := range n {
					ch := i / hw % c
					wantY[i] = float32(float64(off[i])*float64(gq[ch]) + float64(bq[ch]))
					wantDX[i] = float32(float64(g[i]) * float64(gq[ch]))
					dgRaw[ch] += g[i] * off[i]
					dbRaw[ch] += g[i]
				}
				closeTo(t, "y", must[[]float32](t)(y.DownloadF32()), wantY, 0, 0)
				closeTo(t, "dx", must[[]float32](t)(dx[0].DownloadF32()), wantDX, 0, 0)
				ps := m.Params()
				gg, glw := must3(t)(quant.QSignedBackward(gamma, dgRaw, lw, bits.BNWeight.Dec))
				gb, glb := must3(t)(quant.QSignedBackward(beta, dbRaw, lb, bits.BNBias.Dec))
				closeTo(t, "dγ", must[[]float32](t)(ps[0].Grad.DownloadF32()), gg, 0, 0)
				closeTo(t, "dβ", must[[]float32](t)(ps[1].Grad.DownloadF32()), gb, 0, 0)
				if !slices.Contains(gg, 0) || !slices.Contains(gb, 0) {
					t.Fatalf("no clipped γ or β: dγ %v dβ %v", gg, gb)
				}
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

// TestTQTBatchNormInteger checks that integer mode ignores set BN
// thresholds: the same output and gradients as without them, and no
// threshold gradient even under Retrain.
func TestTQTBatchNormInteger(t *testing.T) {
	const c = 4
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			cfg := full8(t)
			cfg.Retrain = true
			rng := rand.New(rand.NewPCG(2, 9))
			z := make([]int32, 6*c*3)
			g := make([]int32, len(z))
			for i := range z {
				z[i] = int32(rng.IntN(1<<12) - 1<<11)
				g[i] = int32(rng.IntN(1<<10) - 1<<9)
			}
			run := func(set bool) (y, dz, dg, db []int64, m *nn.BatchNorm) {
				m = must[*nn.BatchNorm](t)(nn.NewBatchNorm2d(d, "bn", cfg, c))
				if set {
					setThreshold(t, d, m, "weight_log2_t", -3.2)
					setThreshold(t, d, m, "bias_log2_t", -9.7)
				}
				p := &nn.Pass{R: d.Record(), Train: true}
				yt := m.Forward(p, must[*gpu.Tensor](t)(d.UploadI32([]int{6, c, 1, 3}, -7, z)))
				dzt := m.Backward(p, must[*gpu.Tensor](t)(d.UploadI32([]int{6, c, 1, 3}, -10, g)))
				submitOK(t, p)
				ps := m.Params()
				return int64sAny(t, yt), int64sAny(t, dzt[0]), int64sAny(t, ps[0].Grad), int64sAny(t, ps[1].Grad), m
			}
			y0, dz0, dg0, db0, _ := run(false)
			y1, dz1, dg1, db1, m := run(true)
			for _, c := range []struct {
				what string
				a, b []int64
			}{{"y", y0, y1}, {"dz", dz0, dz1}, {"dγ", dg0, dg1}, {"dβ", db0, db1}} {
				if !slices.Equal(c.a, c.b) {
					t.Fatalf("%s differs with set thresholds", c.what)
				}
			}
			for _, th := range m.Thresholds() {
				if th.Grad != nil || !th.Trainable {
					t.Fatalf("%s: gradient %v, trainable %v", th.Name, th.Grad, th.Trainable)
				}
			}
		})
	}
}

// TestTQTBatchNormRetrainStepAndState trains set BN thresholds one
// optimizer step (Adam under Retrain, untouched without) and round-trips
// them through a state dict into a fresh network whose thresholds are
// unset.
func TestTQTBatchNormRetrainStepAndState(t *testing.T) {
	const c = 3
	for _, d := range everyBackend(t) {
		for _, retrain := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/retrain=%v", d.Backend(), retrain), func(t *testing.T) {
				build := func() (*nn.List, *nn.BatchNorm) {
					bn := must[*nn.BatchNorm](t)(nn.NewBatchNorm2d(d, "bn", tqtCfg(t, retrain), c))
					var l nn.List
					if err := l.Add(bn); err != nil {
						t.Fatal(err)
					}
					return &l, bn
				}
				net, bn := build()
				if n := len(net.Params()); n != 5 {
					t.Fatalf("%d params with unset thresholds, want 5", n)
				}
				// γ, β off their grids (a value on the grid gives a zero
				// log2_t gradient).
				setBN(t, d, bn, []float32{0.9, -0.33, 1.7}, []float32{0.3, -0.011, 0.123})
				init := map[string]float32{"weight_log2_t": -0.6, "bias_log2_t": -2.3}
				ths := map[string]*nn.Param{}
				for name, v := range init {
					ths[name] = setThreshold(t, d, bn, name, v)
				}
				rng := rand.New(rand.NewPCG(8, 3))
				x := make([]float32, 2*c*4)
				g := make([]float32, len(x))
				for i := range x {
					x[i] = float32(rng.NormFloat64())
					g[i] = float32(rng.NormFloat64())
				}
				p := &nn.Pass{R: d.Record(), Train: true}
				net.Forward(p, must[*gpu.Tensor](t)(d.UploadF32([]int{2, c, 2, 2}, 0, x)))
				net.Backward(p, must[*gpu.Tensor](t)(d.UploadF32([]int{2, c, 2, 2}, 0, g)))
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
				net2, bn2 := build()
				if _, err := net2.LoadStateDict(sd, true); err != nil {
					t.Fatal(err)
				}
				for _, th := range bn2.Thresholds() {
					if th.Value == nil {
						t.Fatalf("loaded %s unset", th.Name)
					}
					got := must[[]float32](t)(th.Value.DownloadF32())[0]
					want := must[[]float32](t)(ths[th.Name].Value.DownloadF32())[0]
					if got != want {
						t.Errorf("loaded bn.%s = %v, want %v", th.Name, got, want)
					}
				}
				if got := paramNames(bn2.Params()); len(got) != 7 {
					t.Errorf("loaded params %v", got)
				}
			})
		}
	}
}
