package nn_test

import (
	"fmt"
	"testing"

	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/train"
	"github.com/wageubn/wageubn/train/data"
)

// TestTQTModelResume: a retrained pytorch-recipe model (thresholds set,
// trained by Adam) resumes from its State into a fresh model whose
// thresholds are unset, and both continue identically.
func TestTQTModelResume(t *testing.T) {
	for _, dev := range everyBackend(t) {
		t.Run(fmt.Sprint(dev.Backend()), func(t *testing.T) {
			build := func(set bool) *nn.Model {
				cfg := tqtCfg(t, true)
				fl := must[*nn.Flatten](t)(nn.NewFlatten("flat"))
				fc1 := must[*nn.Linear](t)(nn.NewLinear(dev, "fc1", cfg, 10, 8, true, 1))
				re := must[*nn.ReLU](t)(nn.NewReLU("relu", cfg))
				fc2 := must[*nn.Linear](t)(nn.NewLinear(dev, "fc2", cfg, 8, 10, false, 2))
				var l nn.List
				for _, m := range []nn.Module{fl, fc1, re, fc2} {
					if err := l.Add(m); err != nil {
						t.Fatal(err)
					}
				}
				if set {
					setThreshold(t, dev, fc1, "weight_log2_t", -0.5)
					setThreshold(t, dev, fc1, "bias_log2_t", -3)
					setThreshold(t, dev, re, "acti_log2_t", 0.3)
					setThreshold(t, dev, fc2, "weight_log2_t", -0.2)
				}
				return nn.NewModel(dev, &l)
			}
			a, b := build(true), build(false)
			ds := pixelData(40, 2)
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
			for _, k := range []string{"fc1.weight_log2_t", "fc1.bias_log2_t" + nn.AdamVSuffix, "relu.acti_log2_t" + nn.MomentumSuffix} {
				if _, ok := sa.Tensors[k]; !ok {
					t.Fatalf("State has no %s: keys %v", k, sa.Keys)
				}
			}
			if v := must[[]float32](t)(a.Net.Params()[len(a.Net.Params())-1].Value.DownloadF32())[0]; v == -0.2 {
				t.Errorf("fc2.weight_log2_t did not train")
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
		})
	}
}
