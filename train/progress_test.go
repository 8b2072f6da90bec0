package train_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wageubn/wageubn/train"
)

// fakeClock does advance by step on every call, from a fixed start.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.t = c.t.Add(c.step)
	return c.t
}

func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), step: 500 * time.Millisecond}
	p := &train.Progress{W: &buf, Every: 2, Now: clock.Now}
	p.StartEpoch(0, 3, 5, 0) // clock 0.5 s
	for b := range 5 {
		// Each report adds 10 images; a line every 2 batches reads the clock.
		p.Step(train.StepReport{Epoch: 0, Batch: b, Step: int64(b + 1), Images: 10, Loss: 1.0 / float64(b+1), Accuracy: 0.125 * float64(b)})
	}
	p.EndEpoch(train.EpochMetrics{Epoch: 1, Step: 5, TrainLoss: 0.5, TrainAccuracy: 0.75, TestLoss: 0.25, TestAccuracy: 0.875,
		LR: 26.0 / 512, GScale: 128, ImagesPerSecond: 100, Seconds: 0.5})
	want := []string{
		// batch 2: 20 images over 1.0 - 0.5 s; batch 4: 40 images over 1.5 - 0.5 s
		"epoch 1/3 batch 2/5 step 2 loss 0.5000 acc 0.1250 images/s 40.0",
		"epoch 1/3 batch 4/5 step 4 loss 0.2500 acc 0.3750 images/s 40.0",
		"epoch 1/3 done step 5 train loss 0.5000 acc 0.7500 test loss 0.2500 acc 0.8750 lr 0.05078 g_scale 128 images/s 100.0 time 0.5s",
	}
	if got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("output:\n%s\nwant:\n%s", buf.String(), strings.Join(want, "\n"))
	}
	p.Close()
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &train.Progress{W: &buf, Bar: true}
	p.StartEpoch(1, 2, 4, 1)
	for b := 1; b < 4; b++ {
		p.Step(train.StepReport{Epoch: 1, Batch: b, Step: int64(4 + b + 1), Images: 8, Loss: 0.5, Accuracy: 0.5})
	}
	p.EndEpoch(train.EpochMetrics{Epoch: 2, Step: 8})
	out := buf.String()
	if !strings.Contains(out, "epoch 2/2") || !strings.Contains(out, "|") {
		t.Errorf("bar output %q lacks the bar and its description", out)
	}
	if strings.Contains(out, "batch 2/4") {
		t.Errorf("bar mode wrote batch lines: %q", out)
	}
	if !strings.HasSuffix(out, "epoch 2/2 done step 8 train loss 0.0000 acc 0.0000 test loss 0.0000 acc 0.0000 lr 0 g_scale 0 images/s 0.0 time 0.0s\n") {
		t.Errorf("bar output does not end with the epoch line: %q", out)
	}
	// An interrupted epoch: Close removes the open bar without panicking.
	p.StartEpoch(0, 1, 3, 0)
	p.Close()
}

func TestNewProgressNotTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []interface{ Write([]byte) (int, error) }{f, &bytes.Buffer{}} {
		if p := train.NewProgress(w); p.Bar {
			t.Errorf("NewProgress(%T) draws a bar on a non-terminal", w)
		}
	}
}
