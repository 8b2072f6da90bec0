package fold_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/nn/fold"
	"github.com/wageubn/wageubn/nn/statedict"
)

// TestFoldedNetworkMatches builds a float network conv1 -> bn1 -> relu1 ->
// conv2 and its folded twin conv1 (with bias) -> relu1 -> conv2, loads the
// folded state dict into the twin with keys unchanged, and demands the two
// networks' float outputs (BN in evaluation mode, with non-trivial running
// statistics) agree to float32 rounding.
func TestFoldedNetworkMatches(t *testing.T) {
	dev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	cfg, err := nn.Float.Config()
	if err != nil {
		t.Fatal(err)
	}
	build := func(folded bool) *nn.List {
		var l nn.List
		c1, err := nn.NewConv2d(dev, "conv1", cfg, 3, 8, 3, nn.ConvOptions{Stride: 1, Padding: 1, Groups: 1, Bias: folded}, 1)
		if err != nil {
			t.Fatal(err)
		}
		must(t, l.Add(c1))
		if !folded {
			bn, err := nn.NewBatchNorm2d(dev, "bn1", cfg, 8)
			if err != nil {
				t.Fatal(err)
			}
			must(t, l.Add(bn))
		}
		relu, err := nn.NewReLU("relu1", cfg)
		if err != nil {
			t.Fatal(err)
		}
		must(t, l.Add(relu))
		c2, err := nn.NewConv2d(dev, "conv2", cfg, 8, 4, 3, nn.ConvOptions{Stride: 1, Padding: 0, Groups: 1}, 2)
		if err != nil {
			t.Fatal(err)
		}
		must(t, l.Add(c2))
		return &l
	}
	plain, twin := build(false), build(true)

	// Give BN running statistics and an affine transform worth folding.
	d, err := plain.FloatStateDict()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	vec := func(f func() float32) statedict.Tensor {
		v := make([]float32, 8)
		for i := range v {
			v[i] = f()
		}
		tt, err := statedict.FromFloat32([]int{8}, v)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	d.Set("bn1.weight", vec(func() float32 { return float32(0.5 + rng.Float64()) }))
	d.Set("bn1.bias", vec(func() float32 { return float32(rng.NormFloat64() / 4) }))
	d.Set("bn1.running_mean", vec(func() float32 { return float32(rng.NormFloat64() / 4) }))
	d.Set("bn1.running_var", vec(func() float32 { return float32(0.2 + rng.Float64()) }))
	if _, err := plain.LoadStateDict(d, true); err != nil {
		t.Fatal(err)
	}
	folded, err := fold.ConvBN(d, "conv1", "bn1", fold.DefaultEps)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := twin.LoadStateDict(folded, true); err != nil {
		t.Fatalf("loading the folded dict: %v (%v)", err, rep)
	}

	x := make([]float32, 2*3*9*9)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	forward := func(l *nn.List) []float32 {
		xt, err := dev.UploadF32([]int{2, 3, 9, 9}, 0, x)
		if err != nil {
			t.Fatal(err)
		}
		r := dev.Record()
		y := l.Forward(&nn.Pass{R: r}, xt) // evaluation mode: BN uses the running statistics
		if err := r.Submit(); err != nil {
			t.Fatal(err)
		}
		v, err := y.DownloadF32()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	want, got := forward(plain), forward(twin)
	if len(got) != len(want) {
		t.Fatalf("outputs of %d and %d values", len(got), len(want))
	}
	var maxAbs float64
	for _, v := range want {
		maxAbs = max(maxAbs, math.Abs(float64(v)))
	}
	for i := range want {
		if diff := math.Abs(float64(got[i] - want[i])); diff > 1e-5*maxAbs {
			t.Fatalf("output %d: folded network %v, unfolded %v", i, got[i], want[i])
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
