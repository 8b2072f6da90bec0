package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// Finite-difference gradient checks of the float mode: the loss is
// L = Σ y·ĝ for a fixed random ĝ, evaluated in float64 from the float32
// outputs; central differences with step h against the layer's Backward.

func floatCfg(t *testing.T) nn.Config {
	t.Helper()
	c, err := nn.Float.Config()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fdLoss runs Forward on the inputs and returns Σ y·gout (gout nil: y).
func fdLoss(t *testing.T, d *gpu.Device, l nn.Module, train bool, shapes [][]int, xs [][]float32, gout []float32) (float64, []float32) {
	t.Helper()
	var in []*gpu.Tensor
	for i, x := range xs {
		xt := must[*gpu.Tensor](t)(d.UploadF32(shapes[i], 0, x))
		defer xt.Release()
		in = append(in, xt)
	}
	p := &nn.Pass{R: d.Record(), Train: train}
	y := l.Forward(p, in...)
	submitOK(t, p)
	ys := must[[]float32](t)(y.DownloadF32())
	s := 0.0
	for i, v := range ys {
		if gout != nil {
			s += float64(v) * float64(gout[i])
		}
	}
	return s, ys
}

// fdCheck compares the input gradients (and those of the named float
// parameters) of l with central differences at step h.
func fdCheck(t *testing.T, d *gpu.Device, l nn.Module, train bool, shapes [][]int, xs [][]float32, params []string, h, tol float64) {
	t.Helper()
	_, y := fdLoss(t, d, l, train, shapes, xs, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	gout := make([]float32, len(y))
	for i := range gout {
		gout[i] = float32(rng.NormFloat64())
	}
	// Analytic: Forward then Backward.
	var in []*gpu.Tensor
	for i, x := range xs {
		xt := must[*gpu.Tensor](t)(d.UploadF32(shapes[i], 0, x))
		defer xt.Release()
		in = append(in, xt)
	}
	p := &nn.Pass{R: d.Record(), Train: train}
	yt := l.Forward(p, in...)
	gt := must[*gpu.Tensor](t)(d.UploadF32(yt.Shape(), 0, gout))
	defer gt.Release()
	dxs := l.Backward(p, gt)
	submitOK(t, p)
	type target struct {
		name string
		vals []float32
		set  func([]float32)
		ana  []float32
	}
	var ts []target
	for i := range xs {
		i := i
		ana := must[[]float32](t)(dxs[i].DownloadF32())
		ts = append(ts, target{fmt.Sprintf("input %d", i), xs[i], func(v []float32) { xs[i] = v }, ana})
	}
	for _, name := range params {
		for _, q := range l.Params() {
			if q.Name != name {
				continue
			}
			q := q
			ana := must[[]float32](t)(q.Grad.DownloadF32())
			v := must[[]float32](t)(q.Value.DownloadF32())
			ts = append(ts, target{name, v, func(v []float32) {
				q.Value.Release()
				q.Value = must[*gpu.Tensor](t)(d.UploadF32(q.Shape, 0, v))
			}, ana})
		}
	}
	for _, tg := range ts {
		big := 0.0
		for _, a := range tg.ana {
			big = max(big, math.Abs(float64(a)))
		}
		for i := range tg.vals {
			v := append([]float32(nil), tg.vals...)
			v[i] = tg.vals[i] + float32(h)
			tg.set(v)
			lp, _ := fdLoss(t, d, l, train, shapes, xs, gout)
			v[i] = tg.vals[i] - float32(h)
			tg.set(v)
			lm, _ := fdLoss(t, d, l, train, shapes, xs, gout)
			tg.set(append([]float32(nil), tg.vals...))
			num := (lp - lm) / (2 * h)
			if a := float64(tg.ana[i]); math.Abs(num-a) > tol*(big+math.Abs(a)) {
				t.Errorf("%s[%d]: analytic %g, numeric %g", tg.name, i, a, num)
			}
		}
	}
}

// TestFloatGradients: finite differences for ReLU, ReLU6, the pools, Add
// and BatchNorm (training and evaluation) in float mode, on every backend.
func TestFloatGradients(t *testing.T) {
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(4, 4))
			// Values away from kinks (0, 6) and from each other (max pooling).
			spaced := func(n int, lo, step float64) []float32 {
				v := make([]float32, n)
				for i, j := range rng.Perm(n) {
					v[i] = float32(lo + step*float64(j))
				}
				return v
			}
			sh := []int{2, 3, 4, 4}
			n := 96
			relu := must[*nn.ReLU](t)(nn.NewReLU("r", floatCfg(t)))
			fdCheck(t, d, relu, true, [][]int{sh}, [][]float32{spaced(n, -2.37, 0.05)}, nil, 1e-2, 1e-3)
			relu6 := must[*nn.ReLU](t)(nn.NewReLU6("r6", floatCfg(t)))
			fdCheck(t, d, relu6, true, [][]int{sh}, [][]float32{spaced(n, -1.03, 0.08)}, nil, 1e-2, 1e-3)
			mp := must[*nn.Pool](t)(nn.NewMaxPool2d("mp", 3, 2, 1))
			fdCheck(t, d, mp, true, [][]int{sh}, [][]float32{spaced(n, -1.5, 0.05)}, nil, 1e-2, 1e-3)
			ap := must[*nn.Pool](t)(nn.NewAvgPool2d("ap", 3, 1, 1))
			fdCheck(t, d, ap, true, [][]int{sh}, [][]float32{spaced(n, -1.5, 0.05)}, nil, 1e-2, 1e-3)
			gp := must[*nn.Pool](t)(nn.NewGlobalAvgPool("gp"))
			fdCheck(t, d, gp, true, [][]int{sh}, [][]float32{spaced(n, -1.5, 0.05)}, nil, 1e-2, 1e-3)
			add := must[*nn.Add](t)(nn.NewAdd("add", floatCfg(t)))
			fdCheck(t, d, add, true, [][]int{sh, sh}, [][]float32{spaced(n, -1, 0.02), spaced(n, -1, 0.03)}, nil, 1e-2, 1e-3)
			for _, train := range []bool{true, false} {
				bn := must[*nn.BatchNorm](t)(nn.NewBatchNorm2d(d, "bn", floatCfg(t), 3))
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(rng.NormFloat64()*0.8 + 0.3)
				}
				fdCheck(t, d, bn, train, [][]int{sh}, [][]float32{x}, []string{"weight", "bias"}, 1e-2, 2e-3)
				bn1 := must[*nn.BatchNorm](t)(nn.NewBatchNorm1d(d, "bn1", floatCfg(t), 4))
				fdCheck(t, d, bn1, train, [][]int{{6, 4}}, [][]float32{x[:24]}, []string{"weight", "bias"}, 1e-2, 2e-3)
			}
		})
	}
}
