package nn_test

import (
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
var _ = []golden.Handler{goldenBatchNorm2d, goldenReLU}

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
