package nn_test

import (
	"math"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/internal/golden"
	"github.com/wageubn/wageubn/nn"
)

// Golden handlers of the batchnorm2d and relu cases of modules.json, run
// under the pytorch recipe (fake quantization) with the widths and
// iostrict setting of each case, on every backend. The golden test of
// package nn wires them: golden.Run(t, "nn", map[string]golden.Handler{
// "batchnorm2d": goldenBatchNorm2d, "relu": goldenReLU, ...}).

// Referenced here so that the handlers count as used until the package's
// golden test wires them.

// goldenWidth reads <part>_dec_bit_width and <part>_all_bit_width.
func goldenWidth(t *testing.T, c golden.Case, part string) nn.Width {
	t.Helper()
	dec, err := c.Int(part + "_dec_bit_width")
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.Int(part + "_all_bit_width")
	if err != nil {
		t.Fatal(err)
	}
	return nn.Width{Dec: dec, All: all}
}

// goldenConfig is the pytorch recipe with the case's iostrict setting.
func goldenConfig(t *testing.T, c golden.Case) nn.Config {
	t.Helper()
	cfg, err := nn.PyTorch.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.IOStrict = c.Bool("iostrict", true)
	return cfg
}

// goldenUpload uploads float32 values.
func goldenUpload(t *testing.T, d *gpu.Device, shape []int, v []float32) *gpu.Tensor {
	t.Helper()
	x, err := d.UploadF32(shape, 0, v)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.Release)
	return x
}

// goldenF32 downloads float32 values.
func goldenF32(t *testing.T, x *gpu.Tensor) []float32 {
	t.Helper()
	if x == nil {
		t.Fatal("nil tensor")
	}
	v, err := x.DownloadF32()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// goldenBatchNorm2d runs a batchnorm2d case: forward with the case's
// running statistics (the PyTorch package never uses batch statistics),
// backward for grad_out; output, grad_in and the weight and bias
// gradients are compared with the case's tolerances.
func goldenBatchNorm2d(t *testing.T, c golden.Case) {
	cfg := goldenConfig(t, c)
	cfg.Bits.BNIn = goldenWidth(t, c, "input")
	cfg.Bits.BNOut = goldenWidth(t, c, "output")
	cfg.Bits.BNWeight = goldenWidth(t, c, "weight")
	cfg.Bits.BNBias = goldenWidth(t, c, "bias")
	cfg.Bits.BNMean = goldenWidth(t, c, "mean")
	cfg.Bits.BNVar = goldenWidth(t, c, "var")
	ch, err := c.Int("num_features")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			l, err := nn.NewBatchNorm2d(d, "bn", cfg, ch)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range l.Params() {
				ten, ok := c.Tensors[p.Name]
				if !ok {
					continue
				}
				p.Value.Release()
				p.Value = goldenUpload(t, d, ten.Shape, ten.Data)
			}
			x := goldenUpload(t, d, c.Shape, c.Input)
			g := goldenUpload(t, d, c.Shape, c.GradOut)
			p := &nn.Pass{R: d.Record(), Train: true}
			y := l.Forward(p, x)
			dx := l.Backward(p, g)
			submitOK(t, p)
			golden.Check(t, c, "output", goldenF32(t, y), c.Output)
			golden.Check(t, c, "grad_in", goldenF32(t, dx[0]), c.GradIn)
			for _, p := range l.Params()[:2] {
				want, ok := c.GradParams[p.Name]
				if !ok {
					t.Fatalf("case has no grad_params.%s", p.Name)
				}
				golden.Check(t, c, "grad_params."+p.Name, goldenF32(t, p.Grad), want.Data)
			}
		})
	}
}

// goldenReLU runs a relu case: y = ADQ(max(ADQ(x), 0)), grad_in =
// grad_out·[ADQ(x) > 0].
func goldenReLU(t *testing.T, c golden.Case) {
	cfg := goldenConfig(t, c)
	cfg.Bits.Input = goldenWidth(t, c, "input")
	cfg.Bits.Acti = goldenWidth(t, c, "acti")
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			l, err := nn.NewReLU("relu", cfg)
			if err != nil {
				t.Fatal(err)
			}
			x := goldenUpload(t, d, c.Shape, c.Input)
			g := goldenUpload(t, d, c.Shape, c.GradOut)
			p := &nn.Pass{R: d.Record(), Train: true}
			y := l.Forward(p, x)
			dx := l.Backward(p, g)
			submitOK(t, p)
			golden.Check(t, c, "output", goldenF32(t, y), c.Output)
			golden.Check(t, c, "grad_in", goldenF32(t, dx[0]), c.GradIn)
		})
	}
}

// TestFakeQuantNoIOStrict: with iostrict off the fake-quant ReLU is
// DQ(relu(x), acti) with the mask of relu(x), and the fake-quant BN is
// DQ(BN_running(x, DQ(γ), DQ(β), DQ(μ), DQ(σ²)), out) (golden README), on
// every backend.
func TestFakeQuantNoIOStrict(t *testing.T) {
	cfg, err := nn.PyTorch.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.IOStrict = false
	dq := func(v float64, k int) float64 { s := math.Ldexp(1, k-1); return math.RoundToEven(v*s) / s }
	shape := []int{2, 3, 2, 2}
	x := make([]float32, 24)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*1.7)*1.3 + 0.011)
	}
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			relu, err := nn.NewReLU("r", cfg)
			if err != nil {
				t.Fatal(err)
			}
			bn, err := nn.NewBatchNorm2d(d, "bn", cfg, 3)
			if err != nil {
				t.Fatal(err)
			}
			stats := map[string][]float32{"weight": {1.3, 0.7, 2.2}, "bias": {0.1, -0.25, 0.004}, "running_mean": {0.2, -0.1, 0.05}, "running_var": {1.7, 0.4, 3.1}}
			for _, p := range bn.Params() {
				if v, ok := stats[p.Name]; ok {
					p.Value.Release()
					p.Value = goldenUpload(t, d, []int{3}, v)
				}
			}
			xt := goldenUpload(t, d, shape, x)
			p := &nn.Pass{R: d.Record(), Train: true}
			yr := relu.Forward(p, xt)
			yb := bn.Forward(p, xt)
			submitOK(t, p)
			gr, gb := goldenF32(t, yr), goldenF32(t, yb)
			for i, v := range x {
				if want := float32(dq(math.Max(float64(v), 0), 8)); gr[i] != want {
					t.Fatalf("relu[%d] = %g, want %g", i, gr[i], want)
				}
				c := i / 4 % 3
				q := func(name string) float64 { return dq(float64(stats[name][c]), 8) }
				want := dq(q("weight")*(float64(v)-q("running_mean"))/math.Sqrt(q("running_var")+1e-5)+q("bias"), 8)
				if math.Abs(float64(gb[i])-want) > 1e-6 {
					t.Fatalf("bn[%d] = %g, want %g", i, gb[i], want)
				}
			}
		})
	}
}
