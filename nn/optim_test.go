package nn_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/gpu/cpu"
	"github.com/wageubn/wageubn/nn"
)

// paramLayer is a test layer that only holds parameters (identity
// forward and backward), for the optimizer and state-dict tests.
type paramLayer struct {
	name   string
	kind   nn.Kind
	cfg    *nn.Config
	params []*nn.Param
}

func (m *paramLayer) Name() string                                      { return m.name }
func (m *paramLayer) Kind() nn.Kind                                     { return m.kind }
func (m *paramLayer) Config() *nn.Config                                { return m.cfg }
func (m *paramLayer) SetQuant(bool)                                     {}
func (m *paramLayer) Params() []*nn.Param                               { return m.params }
func (m *paramLayer) Forward(p *nn.Pass, in ...*gpu.Tensor) *gpu.Tensor { return in[0] }
func (m *paramLayer) Backward(p *nn.Pass, g *gpu.Tensor) []*gpu.Tensor {
	return []*gpu.Tensor{g}
}

func cpuDev(t *testing.T) *gpu.Device {
	t.Helper()
	dev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

func mustOK[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func rndI32(rng *rand.Rand, n int, lim int32) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = rng.Int32N(2*lim+1) - lim
	}
	return out
}

func rndI8(rng *rand.Rand, n int) []int8 {
	out := make([]int8, n)
	for i := range out {
		out[i] = int8(rng.IntN(255) - 127)
	}
	return out
}

func rndF32(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}

func TestOptimizerInteger(t *testing.T) {
	dev := cpuDev(t)
	rng := rand.New(rand.NewPCG(1, 2))
	shape := []int{3, 5}
	n := 15
	w0 := rndI32(rng, n, 1<<23)
	w := &nn.Param{Name: "weight", Shape: shape, Trainable: true, Decay: true,
		Value: mustOK[*gpu.Tensor](t)(dev.UploadI32(shape, gpu.ExpMaster, w0))}
	cfg, _ := nn.Full8.Config()
	var l nn.List
	if err := l.Add(&paramLayer{name: "fc", cfg: &cfg, params: []*nn.Param{w}}); err != nil {
		t.Fatal(err)
	}
	opt := nn.NewOptimizer(26, 0.05)
	wantW := slices.Clone(w0)
	wantM := make([]int32, n)
	for step := range 3 {
		g := rndI8(rng, n)
		w.Grad = mustOK[*gpu.Tensor](t)(dev.UploadI8(shape, gpu.ExpGrad, g))
		r := dev.Record()
		opt.Step(&nn.Pass{R: r, Train: true}, &l)
		if err := r.Submit(); err != nil {
			t.Fatal(err)
		}
		for i := range wantW {
			mp := wantM[i] + int32(g[i])
			wantW[i] -= 26 * mp
			wantM[i] = cpu.RoundShrI32(mp, 2)
		}
		if got := mustOK[[]int32](t)(w.Value.DownloadI32()); !slices.Equal(got, wantW) {
			t.Fatalf("step %d: master = %v, want %v", step, got, wantW)
		}
		if w.Momentum == nil || w.Momentum.Exp != gpu.ExpMomentum {
			t.Fatalf("momentum %v, want I32 exponent %d", w.Momentum, gpu.ExpMomentum)
		}
		if got := mustOK[[]int32](t)(w.Momentum.DownloadI32()); !slices.Equal(got, wantM) {
			t.Fatalf("step %d: momentum = %v, want %v", step, got, wantM)
		}
	}
}

// TestOptimizerPlus checks that a full8plus layer goes through
// OptimWageubnPlus (compared with the wrapper called directly).
func TestOptimizerPlus(t *testing.T) {
	dev := cpuDev(t)
	rng := rand.New(rand.NewPCG(3, 4))
	shape := []int{7}
	w0 := rndI32(rng, 7, 1<<23)
	g0 := rndI8(rng, 7)
	w := &nn.Param{Name: "weight", Shape: shape, Trainable: true,
		Value: mustOK[*gpu.Tensor](t)(dev.UploadI32(shape, gpu.ExpMaster, w0)),
		Grad:  mustOK[*gpu.Tensor](t)(dev.UploadI8(shape, -20, g0))}
	cfg, _ := nn.Full8Plus.Config()
	var l nn.List
	if err := l.Add(&paramLayer{name: "fc", cfg: &cfg, params: []*nn.Param{w}}); err != nil {
		t.Fatal(err)
	}
	r := dev.Record()
	nn.NewOptimizer(13, 0.05).Step(&nn.Pass{R: r, Train: true}, &l)
	refW := mustOK[*gpu.Tensor](t)(dev.UploadI32(shape, gpu.ExpMaster, w0))
	refM := mustOK[*gpu.Tensor](t)(dev.UploadI32(shape, gpu.ExpMomentum, make([]int32, 7)))
	refG := mustOK[*gpu.Tensor](t)(dev.UploadI8(shape, -20, g0))
	r.OptimWageubnPlus(refW, refM, refG, 13)
	if err := r.Submit(); err != nil {
		t.Fatal(err)
	}
	got, want := mustOK[[]int32](t)(w.Value.DownloadI32()), mustOK[[]int32](t)(refW.DownloadI32())
	if !slices.Equal(got, want) {
		t.Errorf("master = %v, want %v", got, want)
	}
	if slices.Equal(got, w0) {
		t.Error("master did not move")
	}
}

func TestOptimizerFloat(t *testing.T) {
	dev := cpuDev(t)
	rng := rand.New(rand.NewPCG(5, 6))
	shape := []int{4}
	mk := func(name string, decay bool) (*nn.Param, []float32) {
		v := rndF32(rng, 4)
		return &nn.Param{Name: name, Shape: shape, Trainable: true, Decay: decay,
			Value: mustOK[*gpu.Tensor](t)(dev.UploadF32(shape, 0, v))}, v
	}
	w, w0 := mk("weight", true)
	b, b0 := mk("bias", false)
	th, th0 := mk("acti_log2_t", false)
	buf, buf0 := mk("running_mean", false)
	buf.Trainable = false
	cfg, _ := nn.Float.Config()
	var l nn.List
	if err := l.Add(&paramLayer{name: "conv1", cfg: &cfg, params: []*nn.Param{w, b, th, buf}}); err != nil {
		t.Fatal(err)
	}
	opt := nn.NewOptimizer(26, 0.05)
	vW, vB := make([]float32, 4), make([]float32, 4)
	for step := range 2 {
		gW, gB, gT := rndF32(rng, 4), rndF32(rng, 4), rndF32(rng, 4)
		w.Grad = mustOK[*gpu.Tensor](t)(dev.UploadF32(shape, 0, gW))
		b.Grad = mustOK[*gpu.Tensor](t)(dev.UploadF32(shape, 0, gB))
		th.Grad = mustOK[*gpu.Tensor](t)(dev.UploadF32(shape, 0, gT))
		buf.Grad = mustOK[*gpu.Tensor](t)(dev.UploadF32(shape, 0, gT))
		thBefore := slices.Clone(th0)
		r := dev.Record()
		opt.Step(&nn.Pass{R: r, Train: true}, &l)
		if err := r.Submit(); err != nil {
			t.Fatal(err)
		}
		sgd := func(w0, v, g []float32, wd float32) {
			for i := range w0 {
				gi := g[i] + wd*w0[i]
				v[i] = 0.9*v[i] + gi
				w0[i] -= 0.05 * v[i]
			}
		}
		sgd(w0, vW, gW, 1e-4)
		sgd(b0, vB, gB, 0)
		near := func(what string, got, want []float32) {
			for i := range got {
				if math.Abs(float64(got[i]-want[i])) > 1e-6*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("step %d: %s = %v, want %v (PyTorch SGD)", step, what, got, want)
				}
			}
		}
		near("weight", mustOK[[]float32](t)(w.Value.DownloadF32()), w0)
		near("bias", mustOK[[]float32](t)(b.Value.DownloadF32()), b0)
		// Adam: the first step moves every element by about lr against
		// its gradient's sign.
		th0 = mustOK[[]float32](t)(th.Value.DownloadF32())
		if step == 0 {
			for i := range th0 {
				want := thBefore[i] - float32(nn.AdamLR)*float32(math.Copysign(1, float64(gT[i])))
				if math.Abs(float64(th0[i]-want)) > 1e-5 {
					t.Errorf("log2_t[%d] = %v, want %v (Adam, first step)", i, th0[i], want)
				}
			}
		}
		if got := mustOK[[]float32](t)(buf.Value.DownloadF32()); !slices.Equal(got, buf0) {
			t.Errorf("buffer changed: %v, want %v", got, buf0)
		}
	}
	if buf.Momentum != nil {
		t.Error("buffer got a momentum slot")
	}
}

func TestOptimizerBadGrad(t *testing.T) {
	dev := cpuDev(t)
	w := &nn.Param{Name: "weight", Shape: []int{2}, Trainable: true,
		Value: mustOK[*gpu.Tensor](t)(dev.UploadI32([]int{2}, gpu.ExpMaster, []int32{1, 2})),
		Grad:  mustOK[*gpu.Tensor](t)(dev.UploadF32([]int{2}, 0, []float32{1, 2}))}
	var l nn.List
	if err := l.Add(&paramLayer{name: "fc", params: []*nn.Param{w}}); err != nil {
		t.Fatal(err)
	}
	r := dev.Record()
	nn.NewOptimizer(1, 0.1).Step(&nn.Pass{R: r}, &l)
	if r.Err() == nil {
		t.Error("a float gradient on an integer master was accepted")
	}
}
