package train_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/train"
	"github.com/wageubn/wageubn/train/data"
)

// The default schedule of a 2-epoch MNIST run at batch 64 (938 batches per
// epoch): phases at 50%, 70% and 90% of the 1876 steps, with the learning
// rate codes of method.md B§2.8.
func ExampleSchedule() {
	var s train.Schedule // the zero Schedule is method.md A8's default
	const total = 2 * 938
	for _, start := range s.Starts(total) {
		p := s.At(start, total)
		fmt.Printf("phase %d from step %4d: lr %.4f -> %2d/512, g_scale %3d\n", p.Index, start, p.LR, p.LRCode, p.GScale)
	}
	// Output:
	// phase 0 from step    0: lr 0.0500 -> 26/512, g_scale 128
	// phase 1 from step  938: lr 0.0060 ->  3/512, g_scale 128
	// phase 2 from step 1313: lr 0.0030 ->  2/512, g_scale  32
	// phase 3 from step 1688: lr 0.0015 ->  1/512, g_scale   8
}

// majority is a toy Model that always predicts class 0; it counts its steps.
type majority struct{ steps int64 }

func (m *majority) Step(b *data.Batch, s train.StepInfo) (float64, int, error) {
	m.steps++
	correct := 0
	for _, l := range b.Labels {
		if l == 0 {
			correct++
		}
	}
	return 1 - float64(correct)/float64(b.N), correct, nil
}

func (m *majority) Evaluate(ds *data.Dataset) (float64, float64, error) {
	acc := float64(ds.Histogram()[0]) / float64(ds.N)
	return 1 - acc, acc, nil
}

func (m *majority) State() (statedict.Dict, error) {
	var d statedict.Dict
	t, err := statedict.FromInt64([]int{}, []int64{m.steps})
	d.Set("steps", t)
	return d, err
}

func (m *majority) LoadState(d statedict.Dict) error {
	t, _ := d.Get("steps")
	v, err := t.Int64s()
	if err == nil {
		m.steps = v[0]
	}
	return err
}

// Run trains a toy model (it always predicts class 0; 8 of the 12 training
// and 4 of the 6 test labels are 0) for two epochs of 3 batches, with plain
// progress lines, checkpoints and metrics in a temporary folder. The clock
// ticks 10 ms per reading, so the rates are reproducible: 12 images over 3
// steps of 10 ms is 400 images/s. The 6 steps put the phases at steps 0, 3,
// 4 and 5 (the nearest to 0%, 50%, 70%, 90%), so epoch 2 ends in phase 3:
// lr_q = 1/512, g_scale 8.
func ExampleRun() {
	dir, err := os.MkdirTemp("", "train-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	clock := time.Unix(0, 0)
	tick := func() time.Time { clock = clock.Add(10 * time.Millisecond); return clock }
	trainSet, testSet := tinySet("train", 12), tinySet("test", 6)
	res, err := train.Run(context.Background(), train.Config{
		Epochs: 2, BatchSize: 4, Seed: 1, OutDir: dir,
		Progress: &train.Progress{W: os.Stdout, Every: 2, Now: tick},
		Now:      tick,
	}, &majority{}, trainSet, testSet)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("test accuracy %.3f after %d steps\n", res.TestAccuracy, res.Steps)
	// Output:
	// epoch 1/2 batch 2/3 step 2 loss 0.3750 acc 0.6250 images/s 160.0
	// epoch 1/2 done step 3 train loss 0.3333 acc 0.6667 test loss 0.3333 acc 0.6667 lr 0.05078 g_scale 128 images/s 400.0 time 0.0s
	// epoch 2/2 batch 2/3 step 5 loss 0.3750 acc 0.6250 images/s 160.0
	// epoch 2/2 done step 6 train loss 0.3333 acc 0.6667 test loss 0.3333 acc 0.6667 lr 0.001953 g_scale 8 images/s 400.0 time 0.0s
	// test accuracy 0.667 after 6 steps
}
