package nn_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/wageubn/wageubn/internal/golden"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/nn/statedict"
)

// TestGolden runs every golden case of package nn (modules.json: conv2d,
// linear, batchnorm2d, relu, chain) under the pytorch recipe. It logs one
// "golden: N cases from DIR" line.
func TestGolden(t *testing.T) {
	golden.Run(t, "nn", map[string]golden.Handler{
		"conv2d":      goldenConv2d,
		"linear":      goldenLinear,
		"batchnorm2d": goldenBatchNorm2d,
		"relu":        goldenReLU,
		"chain":       goldenChain,
	})
}

// chainWidth reads <part>_dec_bit_width and <part>_all_bit_width of the
// parameter group (conv, bn, relu, linear) of a chain case.
func chainWidth(t *testing.T, c golden.Case, group, part string) nn.Width {
	t.Helper()
	g, ok := c.Params[group].(map[string]any)
	if !ok {
		t.Fatalf("case has no params.%s", group)
	}
	get := func(k string) int {
		v, ok := g[k].(float64)
		if !ok || v != float64(int(v)) {
			t.Fatalf("params.%s.%s = %v, want an integer", group, k, g[k])
		}
		return int(v)
	}
	return nn.Width{Dec: get(part + "_dec_bit_width"), All: get(part + "_all_bit_width")}
}

// goldenChain runs the chain case: conv2d(3->4, 3x3, stride 1, pad 1) ->
// batchnorm2d(4) -> relu -> flatten -> linear(100->3), every layer
// iostrict under the pytorch recipe, as a List whose parameters are loaded
// from the case's tensors with LoadStateDict (keys conv.weight, bn.bias,
// ..., as in the case). Forward and backward on every backend; the output,
// the intermediates (conv_out, bn_out, relu_out), grad_in and every
// parameter gradient are compared with the case's tolerances.
func goldenChain(t *testing.T, c golden.Case) {
	var layers []string
	if ls, ok := c.Params["layers"].([]any); ok {
		for _, l := range ls {
			layers = append(layers, fmt.Sprint(l))
		}
	}
	var cin, cout, k, stride, pad, lin, lout int
	if len(layers) != 5 {
		t.Fatalf("layers %q, want conv2d, batchnorm2d, relu, flatten, linear", layers)
	}
	if _, err := fmt.Sscanf(layers[0], "conv2d(%d,%d,k%d,s%d,p%d)", &cin, &cout, &k, &stride, &pad); err != nil {
		t.Fatalf("layer %q: %v", layers[0], err)
	}
	if _, err := fmt.Sscanf(layers[4], "linear(%d,%d)", &lin, &lout); err != nil {
		t.Fatalf("layer %q: %v", layers[4], err)
	}
	base := goldenConfig(t, c)
	conv, bn, relu, lincfg := base, base, base, base
	conv.Bits.Weight = chainWidth(t, c, "conv", "weight")
	conv.Bits.Bias = chainWidth(t, c, "conv", "bias")
	conv.Bits.Input = chainWidth(t, c, "conv", "input")
	conv.Bits.Output = chainWidth(t, c, "conv", "output")
	bn.Bits.BNWeight = chainWidth(t, c, "bn", "weight")
	bn.Bits.BNBias = chainWidth(t, c, "bn", "bias")
	bn.Bits.BNMean = chainWidth(t, c, "bn", "mean")
	bn.Bits.BNVar = chainWidth(t, c, "bn", "var")
	bn.Bits.BNIn = chainWidth(t, c, "bn", "input")
	bn.Bits.BNOut = chainWidth(t, c, "bn", "output")
	relu.Bits.Input = chainWidth(t, c, "relu", "input")
	relu.Bits.Acti = chainWidth(t, c, "relu", "acti")
	lincfg.Bits.Weight = chainWidth(t, c, "linear", "weight")
	lincfg.Bits.Bias = chainWidth(t, c, "linear", "bias")
	lincfg.Bits.Input = chainWidth(t, c, "linear", "input")
	lincfg.Bits.Output = chainWidth(t, c, "linear", "output")

	var sd statedict.Dict
	for key, ten := range c.Tensors {
		sd.Set(key, mustOK[statedict.Tensor](t)(statedict.FromFloat32(ten.Shape, ten.Data)))
	}
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			var l nn.List
			add := func(m nn.Module, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				if err := l.Add(m); err != nil {
					t.Fatal(err)
				}
			}
			add(nn.NewConv2d(d, "conv", conv, cin, cout, k, nn.ConvOptions{Stride: stride, Padding: pad, Groups: 1, Bias: true}, 1))
			add(nn.NewBatchNorm2d(d, "bn", bn, cout))
			add(nn.NewReLU("relu", relu))
			add(nn.NewFlatten("flatten"))
			add(nn.NewLinear(d, "linear", lincfg, lin, lout, true, 1))
			rep, err := l.LoadStateDict(sd, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Unexpected) != 0 || len(rep.Missing) != 1 || rep.Missing[0] != "bn.num_batches_tracked" {
				t.Fatalf("loading the case's tensors: %v", rep)
			}
			x := goldenUpload(t, d, c.Shape, c.Input)
			g := goldenUpload(t, d, []int{c.Shape[0], lout}, c.GradOut)
			p := &nn.Pass{R: d.Record(), Train: true}
			y := l.Forward(p, x)
			dx := l.Backward(p, g)
			submitOK(t, p)
			golden.Check(t, c, "output", goldenF32(t, y), c.Output)
			var inter map[string][]float32
			if raw, ok := c.Extra["intermediate"]; ok {
				if err := json.Unmarshal(raw, &inter); err != nil {
					t.Fatal(err)
				}
			}
			for name, layer := range map[string]string{"conv_out": "conv", "bn_out": "bn", "relu_out": "relu"} {
				want, ok := inter[name]
				if !ok {
					t.Fatalf("case has no extra.intermediate.%s", name)
				}
				if err := golden.Compare(name, goldenF32(t, l.Output(layer)), want, golden.Tol{}); err != nil {
					t.Error(err)
				}
			}
			golden.Check(t, c, "grad_in", goldenF32(t, dx), c.GradIn)
			for _, np := range l.Params() {
				want, ok := c.GradParams[np.Key]
				if !ok {
					continue
				}
				golden.Check(t, c, "grad_params."+np.Key, goldenF32(t, np.Grad), want.Data)
			}
			for key := range c.GradParams {
				found := false
				for _, np := range l.Params() {
					found = found || np.Key == key
				}
				if !found {
					t.Errorf("grad_params.%s names no parameter of the chain", key)
				}
			}
		})
	}
}
