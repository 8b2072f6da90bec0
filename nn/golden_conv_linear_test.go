package nn_test

import (
	"errors"
	"math"
	"os"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/internal/golden"
	"github.com/wageubn/wageubn/nn"
)

// Golden handlers of the conv2d and linear cases of modules.json, run
// under the pytorch recipe (fake quantization) with the widths and
// iostrict setting of each case, forward and backward, on every backend.
// The golden test of package nn wires them: golden.Run(t, "nn",
// map[string]golden.Handler{"conv2d": goldenConv2d, "linear":
// goldenLinear, ...}).

// gclDevices opens the CPU device and, where an adapter exists, WebGPU
// (required when WAGEUBN_REQUIRE_GPU=1).
func gclDevices(t *testing.T) []*gpu.Device {
	t.Helper()
	var ds []*gpu.Device
	for _, be := range []gpu.Backend{gpu.CPU, gpu.WebGPU} {
		d, err := gpu.Open(gpu.Options{Backend: be})
		if be == gpu.WebGPU && errors.Is(err, gpu.ErrNoAdapter) && os.Getenv("WAGEUBN_REQUIRE_GPU") != "1" {
			continue
		}
		if err != nil {
			t.Fatalf("opening %v: %v", be, err)
		}
		t.Cleanup(func() { d.Close() })
		ds = append(ds, d)
	}
	return ds
}

// gclConfig is the pytorch recipe with the case's iostrict setting and
// weight, bias, input and output widths.
func gclConfig(t *testing.T, c golden.Case) nn.Config {
	t.Helper()
	cfg, err := nn.PyTorch.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.IOStrict = c.Bool("iostrict", true)
	for _, w := range []struct {
		part string
		dst  *nn.Width
	}{{"weight", &cfg.Bits.Weight}, {"bias", &cfg.Bits.Bias}, {"input", &cfg.Bits.Input}, {"output", &cfg.Bits.Output}} {
		dec, err := c.Int(w.part + "_dec_bit_width")
		if err != nil {
			t.Fatal(err)
		}
		all, err := c.Int(w.part + "_all_bit_width")
		if err != nil {
			t.Fatal(err)
		}
		*w.dst = nn.Width{Dec: dec, All: all}
	}
	return cfg
}

// gclSetParams replaces the layer's weight and bias by the case's tensors.
func gclSetParams(t *testing.T, d *gpu.Device, m nn.Module, c golden.Case) {
	t.Helper()
	for _, p := range m.Params() {
		src, ok := c.Tensors[p.Name]
		if !ok {
			t.Fatalf("case has no tensor %q", p.Name)
		}
		v, err := d.UploadF32(p.Shape, 0, src.Data)
		if err != nil {
			t.Fatal(err)
		}
		p.Value.Release()
		p.Value = v
	}
}

// gclCompare checks got against want with the case's tolerance of field.
func gclCompare(t *testing.T, c golden.Case, field string, x *gpu.Tensor, want []float32) {
	t.Helper()
	if x == nil {
		t.Fatalf("%s: nil tensor", field)
	}
	got, err := x.DownloadF32()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", field, len(got), len(want))
	}
	tol := c.ToleranceFor(field)
	bad := 0
	for i := range got {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol.Abs+tol.Rel*math.Abs(float64(want[i]))) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v (tol %+v)", field, i, got[i], want[i], tol)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values out of tolerance", field, bad, len(got))
	}
}

// gclRun runs a built layer on the case: forward on input, backward for
// grad_out; output, grad_in and the weight and bias gradients compared.
func gclRun(t *testing.T, d *gpu.Device, m nn.Module, c golden.Case) {
	t.Helper()
	gclSetParams(t, d, m, c)
	x, err := d.UploadF32(c.Shape, 0, c.Input)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Release()
	p := &nn.Pass{R: d.Record(), Train: true, GScale: 128}
	y := m.Forward(p, x)
	if err := p.R.Submit(); err != nil {
		t.Fatalf("forward: %v", err)
	}
	gclCompare(t, c, "output", y, c.Output)
	g, err := d.UploadF32(y.Shape(), 0, c.GradOut)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	p.R = d.Record()
	dx := m.Backward(p, g)
	if err := p.R.Submit(); err != nil {
		t.Fatalf("backward: %v", err)
	}
	gclCompare(t, c, "grad_in", dx[0], c.GradIn)
	for _, par := range m.Params() {
		want, ok := c.GradParams[par.Name]
		if !ok {
			t.Fatalf("case has no grad_params.%s", par.Name)
		}
		gclCompare(t, c, "grad_params."+par.Name, par.Grad, want.Data)
	}
}

// goldenConv2d runs a conv2d case (NCHW input, weight [out, in, k, k],
// bias) under the pytorch recipe.
func goldenConv2d(t *testing.T, c golden.Case) {
	var in, out, k, stride, pad int
	for _, v := range []struct {
		name string
		dst  *int
	}{{"in_channels", &in}, {"out_channels", &out}, {"kernel_size", &k}, {"stride", &stride}, {"padding", &pad}} {
		n, err := c.Int(v.name)
		if err != nil {
			t.Fatal(err)
		}
		*v.dst = n
	}
	cfg := gclConfig(t, c)
	for _, d := range gclDevices(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			_, hasBias := c.Tensors["bias"]
			m, err := nn.NewConv2d(d, "conv", cfg, in, out, k, nn.ConvOptions{Stride: stride, Padding: pad, Bias: hasBias}, 1)
			if err != nil {
				t.Fatal(err)
			}
			gclRun(t, d, m, c)
		})
	}
}

// goldenLinear runs a linear case (input [N, in], weight [out, in], bias)
// under the pytorch recipe.
func goldenLinear(t *testing.T, c golden.Case) {
	in, err := c.Int("in_features")
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Int("out_features")
	if err != nil {
		t.Fatal(err)
	}
	cfg := gclConfig(t, c)
	for _, d := range gclDevices(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			_, hasBias := c.Tensors["bias"]
			m, err := nn.NewLinear(d, "fc", cfg, in, out, hasBias, 1)
			if err != nil {
				t.Fatal(err)
			}
			gclRun(t, d, m, c)
		})
	}
}

// The golden test of the package (golden_test.go) wires these handlers;
// the reference keeps them used on a branch without it.
