package nn_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/train"
	"github.com/wageubn/wageubn/train/data"
)

// pixelLogits is a test layer: the logits are the input pixel codes
// (U8 [N, 1, 1, K] -> I32 [N, K], exponent -8); its integer master gets a
// G that depends on the step, so the optimizer has work to do.
type pixelLogits struct {
	w  *nn.Param
	in []int
}

func (m *pixelLogits) Name() string        { return "fc" }
func (m *pixelLogits) Kind() nn.Kind       { return nn.KindLinear }
func (m *pixelLogits) Config() *nn.Config  { return nil }
func (m *pixelLogits) SetQuant(bool)       {}
func (m *pixelLogits) Params() []*nn.Param { return []*nn.Param{m.w} }
func (m *pixelLogits) Forward(p *nn.Pass, in ...*gpu.Tensor) *gpu.Tensor {
	s := in[0].Shape()
	m.in = s
	return p.R.Reshape(p.R.ToI32(in[0]), []int{s[0], s[1] * s[2] * s[3]})
}
func (m *pixelLogits) Backward(p *nn.Pass, g *gpu.Tensor) []*gpu.Tensor {
	codes := make([]int8, m.w.Value.Len())
	for i := range codes {
		codes[i] = int8((i*7+int(p.Step)*13+p.GScale)%255 - 127)
	}
	t, err := p.R.Device().UploadI8(m.w.Value.Shape(), gpu.ExpGrad, codes)
	if err != nil {
		p.R.Fail(err)
		return nil
	}
	m.w.Grad.Release()
	m.w.Grad = t
	return []*gpu.Tensor{nil}
}

func pixelModel(t *testing.T, dev *gpu.Device, seed uint64) *nn.Model {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := &nn.Param{Name: "weight", Shape: []int{4, 5}, Trainable: true, Decay: true,
		Value: mustOK[*gpu.Tensor](t)(dev.UploadI32([]int{4, 5}, gpu.ExpMaster, rndI32(rng, 20, 1<<22)))}
	var l nn.List
	if err := l.Add(&pixelLogits{w: w}); err != nil {
		t.Fatal(err)
	}
	return nn.NewModel(dev, &l)
}

// pixelData: labels are the argmax of K = 10 random pixels.
func pixelData(n int, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 2))
	ds := &data.Dataset{Name: "synthetic", N: n, C: 1, H: 1, W: 10, Classes: 10,
		Pixels: make([]uint8, n*10), Labels: make([]uint8, n)}
	for s := range n {
		best := 0
		for j := range 10 {
			ds.Pixels[s*10+j] = uint8(rng.IntN(256))
			if ds.Pixels[s*10+j] > ds.Pixels[s*10+best] {
				best = j
			}
		}
		ds.Labels[s] = uint8(best)
	}
	return ds
}

func hostXent(ds *data.Dataset, idx []int) (loss float64, correct int) {
	for _, s := range idx {
		px := ds.Pixels[s*10 : s*10+10]
		arg := 0 // ties to the lowest index
		for j, v := range px {
			if v > px[arg] {
				arg = j
			}
		}
		mx := float64(px[arg]) / 256
		sum := 0.0
		for _, v := range px {
			sum += math.Exp(float64(v)/256 - mx)
		}
		loss += math.Log(sum) - (float64(px[ds.Labels[s]])/256 - mx)
		if arg == int(ds.Labels[s]) {
			correct++
		}
	}
	return loss / float64(len(idx)), correct
}

// backends3 returns the CPU backend and, where an adapter exists, WebGPU
// (required when WAGEUBN_REQUIRE_GPU=1).
func backends3(t *testing.T) []*gpu.Device {
	devs := []*gpu.Device{cpuDev(t)}
	d, err := gpu.Open(gpu.Options{Backend: gpu.WebGPU})
	switch {
	case errors.Is(err, gpu.ErrNoAdapter) && os.Getenv("WAGEUBN_REQUIRE_GPU") != "1":
		t.Log("no WebGPU adapter: CPU backend only")
	case err != nil:
		t.Fatalf("opening WebGPU (WAGEUBN_REQUIRE_GPU=%q): %v", os.Getenv("WAGEUBN_REQUIRE_GPU"), err)
	default:
		t.Cleanup(func() { d.Close() })
		devs = append(devs, d)
	}
	return devs
}

func TestModelStepEvaluate(t *testing.T) {
	for _, dev := range backends3(t) {
		t.Run(dev.Backend().String(), func(t *testing.T) { testModelStepEvaluate(t, dev) })
	}
}

func testModelStepEvaluate(t *testing.T, dev *gpu.Device) {
	ds := pixelData(37, 1)
	m := pixelModel(t, dev, 1)
	ep, err := data.Sampler{BatchSize: 8, Shuffle: true, Seed: 3}.Epoch(ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b data.Batch
	for i := range ep.Len() {
		if err := ep.Batch(i, &b); err != nil {
			t.Fatal(err)
		}
		loss, correct, err := m.Step(&b, train.StepInfo{Step: int64(i), RNGStep: uint32(i), Seed: 3,
			Phase: train.Phase{LRCode: 26, LR: 0.05, GScale: 128}})
		if err != nil {
			t.Fatal(err)
		}
		wantLoss, wantCorrect := hostXent(ds, b.Indices)
		if math.Abs(loss-wantLoss) > 1e-5 || correct != wantCorrect {
			t.Errorf("batch %d: loss %v, %d correct; want %v, %d", i, loss, correct, wantLoss, wantCorrect)
		}
	}
	loss, acc, err := m.Evaluate(ds)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, ds.N)
	for i := range all {
		all[i] = i
	}
	wantLoss, wantCorrect := hostXent(ds, all)
	if math.Abs(loss-wantLoss) > 1e-5 || acc != float64(wantCorrect)/float64(ds.N) {
		t.Errorf("Evaluate = %v, %v; want %v, %v", loss, acc, wantLoss, float64(wantCorrect)/float64(ds.N))
	}
}

// TestModelResume: a model restored from State continues exactly as the
// one that saved it (masters and momentum codes).
func TestModelResume(t *testing.T) {
	dev := cpuDev(t)
	ds := pixelData(40, 2)
	a, b := pixelModel(t, dev, 1), pixelModel(t, dev, 2)
	ep, err := data.Sampler{BatchSize: 8, Seed: 5}.Epoch(ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	var batch data.Batch
	step := func(m *nn.Model, i int) {
		t.Helper()
		if err := ep.Batch(i, &batch); err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.Step(&batch, train.StepInfo{Step: int64(i), RNGStep: uint32(i),
			Phase: train.Phase{LRCode: 26, LR: 0.05, GScale: 128}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		step(a, i)
	}
	sa := mustOK[statedict.Dict](t)(a.State())
	if _, ok := sa.Tensors["fc.weight"+nn.MomentumSuffix]; !ok {
		t.Fatalf("State has no momentum: keys %v", sa.Keys)
	}
	if e, ok, _ := sa.Exp("fc.weight" + nn.MomentumSuffix); !ok || e != gpu.ExpMomentum {
		t.Errorf("momentum exponent %d, want %d", e, gpu.ExpMomentum)
	}
	if err := b.LoadState(sa); err != nil {
		t.Fatal(err)
	}
	equalDicts(t, mustOK[statedict.Dict](t)(b.State()), sa)
	for i := 3; i < 5; i++ {
		step(a, i)
		step(b, i)
	}
	equalDicts(t, mustOK[statedict.Dict](t)(b.State()), mustOK[statedict.Dict](t)(a.State()))

	// A fresh model (no momentum yet) loads a state without momentum.
	c := pixelModel(t, dev, 3)
	s0 := mustOK[statedict.Dict](t)(c.State())
	if err := a.LoadState(s0); err != nil {
		t.Fatal(err)
	}
	if m := a.Net.Params()[0].Momentum; m == nil || m.Exp != gpu.ExpMomentum || slices.ContainsFunc(mustOK[[]int32](t)(m.DownloadI32()), func(v int32) bool { return v != 0 }) {
		t.Error("momentum not zeroed after loading a state without it")
	}
	bad := s0.Clone()
	bad.Set("fc.bias"+nn.MomentumSuffix, s0.Tensors["fc.weight"])
	if err := a.LoadState(bad); err == nil {
		t.Error("unexpected optimizer key accepted")
	}
}
