// Package lenet does the chores the example programs share: opening the
// device, loading MNIST, training a LeNet-5 for a number of steps and running
// calibration forward passes.
package lenet

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/threshold"
	"github.com/wageubn/wageubn/train"
	"github.com/wageubn/wageubn/train/data"
)

// Backend does map a -backend flag value (auto, webgpu, cpu) to gpu.Backend.
func Backend(name string) (gpu.Backend, error) {
	switch name {
	case "auto":
		return gpu.Auto, nil
	case "webgpu":
		return gpu.WebGPU, nil
	case "cpu":
		return gpu.CPU, nil
	}
	return 0, fmt.Errorf("-backend %q: want auto, webgpu or cpu", name)
}

// MNIST does load MNIST from dir ("" finds it in the Go module cache) and
// returns the training set and the first testImages test images (all of them
// when testImages is 0 or more than the test set holds).
func MNIST(dir string, testImages int) (trainSet, testSet *data.Dataset, err error) {
	trainSet, testSet, err = data.MNIST(dir)
	if errors.Is(err, data.ErrNotFound) {
		return nil, nil, fmt.Errorf("%w (with -data)", err)
	}
	if err != nil {
		return nil, nil, err
	}
	return trainSet, Subset(testSet, testImages), nil
}

// Subset does return the first n samples of ds (ds itself when n is 0 or not
// smaller than ds.N), sharing ds's memory.
func Subset(ds *data.Dataset, n int) *data.Dataset {
	if n <= 0 || n >= ds.N {
		return ds
	}
	ss := ds.SampleSize()
	sub := *ds
	sub.Name = fmt.Sprintf("%s[:%d]", ds.Name, n)
	sub.N = n
	sub.Pixels = ds.Pixels[:n*ss]
	sub.Labels = ds.Labels[:n]
	return &sub
}

// Train does run steps training steps of m on shuffled batches of batch
// samples of ds (epoch after epoch, order keyed by seed). phase returns the
// learning-rate phase of a step; log, when non-nil, gets a progress line
// every steps/5 steps. It returns the mean loss and accuracy of the last
// reported stretch of steps.
func Train(m *nn.Model, ds *data.Dataset, steps, batch int, seed uint64, phase func(step int) train.Phase, log io.Writer) (loss, acc float64, err error) {
	if steps < 1 {
		return 0, 0, errors.New("lenet: steps must be 1 or more")
	}
	every := max(steps/5, 1)
	nb := (ds.N + batch - 1) / batch // batches per epoch
	var ep *data.Epoch
	var b data.Batch
	var lossSum float64
	var correct, seen int
	start := time.Now()
	for s := range steps {
		if ep == nil || s%nb == 0 {
			if ep, err = data.Batches(ds, batch, true, seed, s/nb); err != nil {
				return 0, 0, err
			}
		}
		if err := ep.Batch(s%nb, &b); err != nil {
			return 0, 0, err
		}
		l, c, err := m.Step(&b, train.StepInfo{Step: int64(s), Total: int64(steps), Seed: seed,
			RNGStep: uint32(s), Phase: phase(s)})
		if err != nil {
			return 0, 0, fmt.Errorf("step %d: %w", s, err)
		}
		lossSum += l * float64(b.N)
		correct += c
		seen += b.N
		if (s+1)%every == 0 || s == steps-1 {
			loss, acc = lossSum/float64(seen), float64(correct)/float64(seen)
			if log != nil {
				fmt.Fprintf(log, "  step %4d/%d  loss %.4f  accuracy %.2f%%  (%.1fs)\n",
					s+1, steps, loss, 100*acc, time.Since(start).Seconds())
			}
			lossSum, correct, seen = 0, 0, 0
		}
	}
	return loss, acc, nil
}

// Capture does run net forward in evaluation mode on the first batches
// batches of batch samples of ds (in order) and captures the hooked outputs
// after each one.
func Capture(dev *gpu.Device, net *nn.List, h *threshold.Hooks, ds *data.Dataset, batches, batch int) error {
	ep, err := data.Batches(ds, batch, false, 0, 0)
	if err != nil {
		return err
	}
	if batches > ep.Len() {
		return fmt.Errorf("lenet: %d calibration batches of %d, but %s has %d", batches, batch, ds.Name, ep.Len())
	}
	var b data.Batch
	for i := range batches {
		if err := ep.Batch(i, &b); err != nil {
			return err
		}
		px, err := dev.UploadU8([]int{b.N, b.C, b.H, b.W}, nn.PixelExp, b.Pixels)
		if err != nil {
			return err
		}
		r := dev.Record()
		net.Forward(&nn.Pass{R: r}, px)
		err = r.Submit()
		if err == nil {
			err = h.Capture()
		}
		px.Release()
		if err != nil {
			return fmt.Errorf("calibration batch %d: %w", i, err)
		}
	}
	return nil
}

// LineCounter does count the lines written through it to W.
type LineCounter struct {
	W     io.Writer
	Lines int
}

// Write implements io.Writer.
func (c *LineCounter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			c.Lines++
		}
	}
	return c.W.Write(p)
}
