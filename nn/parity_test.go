package nn_test

import (
	"errors"
	"fmt"
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

// webgpuOrSkip opens the WebGPU backend; without an adapter it skips,
// unless WAGEUBN_REQUIRE_GPU=1, where it fails.
func webgpuOrSkip(t *testing.T) *gpu.Device {
	t.Helper()
	d, err := gpu.Open(gpu.Options{Backend: gpu.WebGPU})
	switch {
	case errors.Is(err, gpu.ErrNoAdapter) && os.Getenv("WAGEUBN_REQUIRE_GPU") != "1":
		t.Skip("no WebGPU adapter (set WAGEUBN_REQUIRE_GPU=1 to fail instead)")
	case err != nil:
		t.Fatalf("opening WebGPU (WAGEUBN_REQUIRE_GPU=%q): %v", os.Getenv("WAGEUBN_REQUIRE_GPU"), err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// firstDiff names the first difference between two state dicts.
func firstDiff(a, b statedict.Dict) error {
	if !slices.Equal(a.Keys, b.Keys) {
		return fmt.Errorf("keys differ: %v vs %v", a.Keys, b.Keys)
	}
	for _, k := range a.Keys {
		ta, tb := a.Tensors[k], b.Tensors[k]
		if ta.DType != tb.DType || !slices.Equal(ta.Shape, tb.Shape) {
			return fmt.Errorf("%s: %v%v vs %v%v", k, ta.DType, ta.Shape, tb.DType, tb.Shape)
		}
		if !slices.Equal(ta.Data, tb.Data) {
			va, _ := ta.Int64s()
			vb, _ := tb.Int64s()
			for i := range va {
				if va[i] != vb[i] {
					return fmt.Errorf("%s[%d]: %d (cpu) vs %d (webgpu)", k, i, va[i], vb[i])
				}
			}
			return fmt.Errorf("%s: bytes differ", k)
		}
	}
	for k, v := range a.Metadata {
		if b.Metadata[k] != v {
			return fmt.Errorf("metadata %s: %q vs %q", k, v, b.Metadata[k])
		}
	}
	return nil
}

// TestStepParity trains LeNet-5 full8 for several steps on random data
// (batch 8) on the CPU backend and on WebGPU from the same seed: after
// every step every master code, momentum code, BN running statistic and
// the loss must be identical (issue 4 point 7).
func TestStepParity(t *testing.T) {
	stepParity(t, nn.LeNet5, nn.Full8, 5, 8, 1, 28)
}

// TestStepParityFull8Plus is the same check under full8plus (G keeping
// its magnitude, momentum 7/8).
func TestStepParityFull8Plus(t *testing.T) {
	stepParity(t, nn.LeNet5, nn.Full8Plus, 5, 8, 1, 28)
}

// TestStepParityResNet20 is the same check on ResNet-20 (residual branch
// gradients meet in sumGrads), 2 steps of batch 4.
func TestStepParityResNet20(t *testing.T) {
	stepParity(t, nn.ResNet20, nn.Full8, 2, 4, 3, 32)
}

func stepParity(t *testing.T, build func(*gpu.Device, nn.Recipe, uint64) (*nn.List, error), recipe nn.Recipe, steps, batch, c, hw int) {
	const seed = 7
	gdev := webgpuOrSkip(t)
	cdev := cpuDev(t)
	var models []*nn.Model
	for _, d := range []*gpu.Device{cdev, gdev} {
		net, err := build(d, recipe, seed)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, nn.NewModel(d, net))
	}
	s0 := mustOK[statedict.Dict](t)(models[0].State())
	if err := firstDiff(s0, mustOK[statedict.Dict](t)(models[1].State())); err != nil {
		t.Fatalf("initial weights differ: %v", err)
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	b := data.Batch{N: batch, C: c, H: hw, W: hw, Pixels: make([]uint8, batch*c*hw*hw), Labels: make([]uint8, batch)}
	sched, err := train.NewSchedule(train.DefaultPhases())
	if err != nil {
		t.Fatal(err)
	}
	for step := range steps {
		for i := range b.Pixels {
			b.Pixels[i] = uint8(rng.IntN(256))
		}
		for i := range b.Labels {
			b.Labels[i] = uint8(rng.IntN(10))
		}
		info := train.StepInfo{Step: int64(step), Total: int64(steps), Seed: seed, RNGStep: uint32(step), Phase: sched.At(int64(step), int64(steps))}
		var losses [2]float64
		var correct [2]int
		for i, m := range models {
			if losses[i], correct[i], err = m.Step(&b, info); err != nil {
				t.Fatalf("step %d on %v: %v", step, m.Dev.Backend(), err)
			}
		}
		if losses[0] != losses[1] || correct[0] != correct[1] {
			t.Errorf("step %d: loss %v, %d correct (cpu) vs %v, %d (webgpu)", step, losses[0], correct[0], losses[1], correct[1])
		}
		sc := mustOK[statedict.Dict](t)(models[0].State())
		if err := firstDiff(sc, mustOK[statedict.Dict](t)(models[1].State())); err != nil {
			t.Fatalf("step %d: state differs: %v", step, err)
		}
		if step == 0 && firstDiff(sc, s0) == nil {
			t.Fatal("the first step changed nothing")
		}
	}
	if !t.Failed() {
		t.Logf("step parity: %d steps bit-identical", steps)
	}
}
