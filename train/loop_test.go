package train_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/tensorboard"
	"github.com/wageubn/wageubn/train"
	"github.com/wageubn/wageubn/train/data"
)

// fakeModel is a deterministic integer "model": its state is a checksum of
// every batch it trained on (sample indices, labels, pixels) and of the
// StepInfo it was given (step, RNG step, position, phase, lr code,
// g_scale). Two runs end with the same checksum only if they fed it the
// same steps in the same order.
type fakeModel struct {
	sum   uint64
	steps int64

	// Test hooks, not part of the state.
	onStep func(s train.StepInfo) error // called before the step counts
	seen   []train.StepInfo
	nanAt  int64 // return a NaN loss at this step (0: never)
}

func mix(h, v uint64) uint64 {
	// FNV-1a over the 8 bytes of v.
	for range 8 {
		h ^= v & 0xff
		h *= 1099511628211
		v >>= 8
	}
	return h
}

func (m *fakeModel) Step(b *data.Batch, s train.StepInfo) (float64, int, error) {
	if m.onStep != nil {
		if err := m.onStep(s); err != nil {
			return 0, 0, err
		}
	}
	if m.sum == 0 {
		m.sum = 14695981039346656037 // FNV offset basis
	}
	for _, v := range []uint64{uint64(s.Step), uint64(s.RNGStep), uint64(s.Epoch), uint64(s.Batch), s.Seed,
		uint64(s.Phase.Index), uint64(s.Phase.LRCode), uint64(s.Phase.GScale), uint64(s.Total)} {
		m.sum = mix(m.sum, v)
	}
	correct := 0
	for i, idx := range b.Indices {
		m.sum = mix(m.sum, uint64(idx)<<8|uint64(b.Labels[i]))
		if b.Labels[i] == uint8(idx%3) {
			correct++
		}
	}
	for _, p := range b.Pixels {
		m.sum = mix(m.sum, uint64(p))
	}
	m.steps++
	m.seen = append(m.seen, s)
	loss := float64(m.sum%1000) / 1000
	if m.nanAt != 0 && s.Step == m.nanAt {
		loss = math.NaN()
	}
	return loss, correct, nil
}

func (m *fakeModel) Evaluate(ds *data.Dataset) (float64, float64, error) {
	return float64(m.sum%97) / 97, float64(m.sum%101) / 100, nil
}

func (m *fakeModel) State() (statedict.Dict, error) {
	var d statedict.Dict
	t, err := statedict.FromInt64([]int{2}, []int64{int64(m.sum), m.steps})
	if err != nil {
		return d, err
	}
	d.Set("checksum", t)
	return d, nil
}

func (m *fakeModel) LoadState(d statedict.Dict) error {
	t, ok := d.Get("checksum")
	if !ok {
		return errors.New("fake: no checksum")
	}
	v, err := t.Int64s()
	if err != nil {
		return err
	}
	m.sum, m.steps = uint64(v[0]), v[1]
	return nil
}

// tinySet is a dataset of n samples of 1x2x2 pixels and 3 classes; label
// of sample i is i mod 3 for even i and 0 otherwise.
func tinySet(name string, n int) *data.Dataset {
	ds := &data.Dataset{Name: name, N: n, C: 1, H: 2, W: 2, Classes: 3}
	for i := range n {
		ds.Pixels = append(ds.Pixels, uint8(i), uint8(2*i), uint8(3*i), uint8(255-i))
		l := uint8(0)
		if i%2 == 0 {
			l = uint8(i % 3)
		}
		ds.Labels = append(ds.Labels, l)
	}
	return ds
}

// tinyConfig: 10 samples in batches of 3 (4 batches, the last of 1), 5
// epochs: 20 steps, so the default phases start at steps 0, 10, 14, 18.
func tinyConfig(dir string) train.Config {
	clock := &fakeClock{t: time.Unix(1e9, 0), step: time.Millisecond}
	return train.Config{
		Epochs: 5, BatchSize: 3, Seed: 0x5eed, OutDir: dir, CheckpointEvery: 3,
		Now: clock.Now, Recipe: "full8", Model: "fake", Backend: "cpu",
		Logf: func(string, ...any) {},
	}
}

const tinySteps = 20

// untimed does drop the fields that depend on the clock.
func untimed(h []train.EpochMetrics) []train.EpochMetrics {
	h = slices.Clone(h)
	for i := range h {
		h[i].Seconds, h[i].ImagesPerSecond = 0, 0
	}
	return h
}

func TestRunSchedule(t *testing.T) {
	m := &fakeModel{}
	res, err := train.Run(context.Background(), tinyConfig(""), m, tinySet("train", 10), tinySet("test", 4))
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != tinySteps || len(m.seen) != tinySteps || len(res.History) != 5 {
		t.Fatalf("steps %d, seen %d, epochs %d; want %d steps, 5 epochs", res.Steps, len(m.seen), len(res.History), tinySteps)
	}
	// method.md A8: phases at 50%, 70%, 90% of 20 steps; B§2.8 codes.
	for i, s := range m.seen {
		wantCode, wantG := int32(26), 128
		switch {
		case i >= 18:
			wantCode, wantG = 1, 8
		case i >= 14:
			wantCode, wantG = 2, 32
		case i >= 10:
			wantCode, wantG = 3, 128
		}
		if s.Step != int64(i) || s.RNGStep != uint32(i) || s.Total != tinySteps || s.Epoch != i/4 || s.Batch != i%4 ||
			s.Phase.LRCode != wantCode || s.Phase.GScale != wantG || s.Seed != 0x5eed {
			t.Errorf("step %d: %+v, want epoch %d batch %d code %d g_scale %d", i, s, i/4, i%4, wantCode, wantG)
		}
	}
	if h := res.History[4]; h.LR != 1.0/512 || h.GScale != 8 || h.Step != 20 || h.Epoch != 5 {
		t.Errorf("last epoch %+v, want lr 1/512, g_scale 8, step 20", h)
	}
	if res.TestAccuracy != res.History[4].TestAccuracy || res.Resumed {
		t.Errorf("result %+v", res)
	}
}

// TestRunShuffle checks that every epoch visits each sample once, in the
// order of data.Permutation keyed by (seed, epoch) (so epochs differ), or in
// dataset order with NoShuffle.
func TestRunShuffle(t *testing.T) {
	for _, noShuffle := range []bool{false, true} {
		t.Run(fmt.Sprint("noshuffle=", noShuffle), func(t *testing.T) {
			cfg := tinyConfig("")
			cfg.NoShuffle = noShuffle
			rec := &recordingModel{fakeModel: &fakeModel{}}
			if _, err := train.Run(context.Background(), cfg, rec, tinySet("train", 10), tinySet("test", 4)); err != nil {
				t.Fatal(err)
			}
			var orders [][]int
			for e := range 5 {
				var idx []int
				for _, b := range rec.batches[e*4 : e*4+4] {
					idx = append(idx, b...)
				}
				orders = append(orders, idx)
				want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
				if !noShuffle {
					want = data.Permutation(10, 0x5eed, e)
				}
				if !slices.Equal(idx, want) {
					t.Errorf("epoch %d order %v, want %v", e, idx, want)
				}
			}
			if !noShuffle && slices.Equal(orders[0], orders[1]) {
				t.Errorf("epochs 0 and 1 have the same order %v", orders[0])
			}
		})
	}
}

type recordingModel struct {
	*fakeModel
	batches [][]int
}

func (r *recordingModel) Step(b *data.Batch, s train.StepInfo) (float64, int, error) {
	r.batches = append(r.batches, slices.Clone(b.Indices))
	return r.fakeModel.Step(b, s)
}

// TestRunInterruptResume stops a run after k steps (its context cancelled
// from inside the step, as Ctrl-C would between two steps), resumes it with
// a fresh model, and checks that it ends with exactly the state and the
// metrics of an uninterrupted run.
func TestRunInterruptResume(t *testing.T) {
	ref := &fakeModel{}
	refRes, err := train.Run(context.Background(), tinyConfig(t.TempDir()), ref, tinySet("train", 10), tinySet("test", 4))
	if err != nil {
		t.Fatal(err)
	}
	// k: first step, mid-epoch, on a periodic checkpoint, last batch of an
	// epoch (evaluation pending), epoch boundary, the last step.
	for _, k := range []int64{1, 2, 3, 4, 5, 11, 19, 20} {
		t.Run(fmt.Sprint("k=", k), func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			m1 := &fakeModel{}
			m1.onStep = func(s train.StepInfo) error {
				if s.Step == k-1 {
					cancel() // seen after this step finishes
				}
				return nil
			}
			res, err := train.Run(ctx, tinyConfig(dir), m1, tinySet("train", 10), tinySet("test", 4))
			if !errors.Is(err, train.ErrInterrupted) || !errors.Is(err, context.Canceled) {
				t.Fatalf("first run: error %v, want ErrInterrupted wrapping context.Canceled", err)
			}
			if res.Steps != k || m1.steps != k {
				t.Fatalf("first run stopped after %d steps (model %d), want %d", res.Steps, m1.steps, k)
			}
			meta, _, err := (train.Checkpoint{Dir: filepath.Join(dir, train.CheckpointSubdir)}).Latest()
			if err != nil || meta.Step != k {
				t.Fatalf("latest checkpoint %d, %v; want %d", meta.Step, err, k)
			}
			if _, err := os.Stat(filepath.Join(dir, train.ResultsFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("an interrupted run wrote %s (err %v)", train.ResultsFile, err)
			}

			m2 := &fakeModel{}
			res2, err := train.Run(context.Background(), tinyConfig(dir), m2, tinySet("train", 10), tinySet("test", 4))
			if err != nil {
				t.Fatalf("resumed run: %v", err)
			}
			if m2.sum != ref.sum || m2.steps != tinySteps {
				t.Errorf("resumed state (%x, %d steps), uninterrupted (%x, %d)", m2.sum, m2.steps, ref.sum, ref.steps)
			}
			if int64(len(m2.seen)) != tinySteps-k || (len(m2.seen) > 0 && m2.seen[0].Step != k) {
				t.Errorf("resumed run took %d steps, want %d starting at %d", len(m2.seen), tinySteps-k, k)
			}
			if !res2.Resumed || res2.Steps != tinySteps || res2.Images != refRes.Images {
				t.Errorf("resumed result: resumed %v, steps %d, images %d; want true, %d, %d", res2.Resumed, res2.Steps, res2.Images, tinySteps, refRes.Images)
			}
			if a, b := fmt.Sprintf("%+v", untimed(res2.History)), fmt.Sprintf("%+v", untimed(refRes.History)); a != b {
				t.Errorf("history differs:\nresumed       %s\nuninterrupted %s", a, b)
			}
			checkResultsFile(t, dir, res2)
		})
	}
}

// TestRunCrashResume simulates a crash (SIGKILL: no checkpoint at the
// moment of death) after k steps: the model fails, the run stops, and the
// next Run resumes from the last periodic checkpoint, replays the steps
// after it and ends identical to an uninterrupted run. The newest
// checkpoint is also corrupted in one case, so the resume goes further back.
func TestRunCrashResume(t *testing.T) {
	ref := &fakeModel{}
	if _, err := train.Run(context.Background(), tinyConfig(""), ref, tinySet("train", 10), tinySet("test", 4)); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("killed")
	for _, tc := range []struct {
		k        int64 // crash during step k (0-based): steps 0..k-1 done
		corrupt  bool  // flip a bit in the newest checkpoint's tensors
		resumeAt int64 // step of the checkpoint the resume must start from
	}{
		{k: 2, resumeAt: -1},               // before any checkpoint: start over
		{k: 7, resumeAt: 6},                // CheckpointEvery 3: checkpoints at 3, 4 (epoch end), 6
		{k: 7, corrupt: true, resumeAt: 4}, // 6 broken: back to 4
		{k: 16, resumeAt: 16},              // the epoch-end checkpoint of epoch 4
	} {
		t.Run(fmt.Sprintf("k=%d/corrupt=%v", tc.k, tc.corrupt), func(t *testing.T) {
			dir := t.TempDir()
			m1 := &fakeModel{onStep: func(s train.StepInfo) error {
				if s.Step == tc.k {
					return crash
				}
				return nil
			}}
			if _, err := train.Run(context.Background(), tinyConfig(dir), m1, tinySet("train", 10), tinySet("test", 4)); !errors.Is(err, crash) {
				t.Fatalf("crashing run: error %v, want the model's error", err)
			}
			ckdir := filepath.Join(dir, train.CheckpointSubdir)
			if tc.corrupt {
				meta, _, err := (train.Checkpoint{Dir: ckdir}).Latest()
				if err != nil {
					t.Fatal(err)
				}
				flipLast(t, filepath.Join(ckdir, meta.Tensors))
			}
			var skipped int
			cfg := tinyConfig(dir)
			cfg.Logf = func(string, ...any) { skipped++ }
			m2 := &fakeModel{}
			res, err := train.Run(context.Background(), cfg, m2, tinySet("train", 10), tinySet("test", 4))
			if err != nil {
				t.Fatalf("resumed run: %v", err)
			}
			if m2.sum != ref.sum {
				t.Errorf("state after crash and resume %x, uninterrupted %x", m2.sum, ref.sum)
			}
			first := int64(0)
			if tc.resumeAt >= 0 {
				first = tc.resumeAt
			}
			if len(m2.seen) == 0 || m2.seen[0].Step != first || res.Resumed != (tc.resumeAt >= 0) {
				t.Errorf("resume started at step %v (resumed %v), want %d", m2.seen[0].Step, res.Resumed, tc.resumeAt)
			}
			if tc.corrupt != (skipped == 1) {
				t.Errorf("%d checkpoints skipped, corrupt %v", skipped, tc.corrupt)
			}
		})
	}
}

func checkResultsFile(t *testing.T, dir string, res train.Result) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, train.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"test_accuracy", "train_seconds", "images_per_second", "backend", "recipe", "model", "epochs", "batch", "seed", "history"} {
		if _, ok := got[key]; !ok {
			t.Errorf("%s lacks %q", train.ResultsFile, key)
		}
	}
	if acc, _ := got["test_accuracy"].(float64); acc != res.TestAccuracy || acc < 0 || acc > 1 {
		t.Errorf("test_accuracy %v, want the fraction %v", got["test_accuracy"], res.TestAccuracy)
	}
	if h, _ := got["history"].([]any); len(h) != res.Epochs {
		t.Errorf("history has %d epochs, want %d", len(h), res.Epochs)
	}
}

// TestRunOutputs checks the files of a finished run: results.json, the two
// PNG curves, TensorBoard scalars for every epoch, and the pruned
// checkpoints.
func TestRunOutputs(t *testing.T) {
	dir := t.TempDir()
	res, err := train.Run(context.Background(), tinyConfig(dir), &fakeModel{}, tinySet("train", 10), tinySet("test", 4))
	if err != nil {
		t.Fatal(err)
	}
	checkResultsFile(t, dir, res)
	// fake clock: 1 ms per reading, two readings per step.
	if res.TrainSeconds <= 0 || res.ImagesPerSecond != float64(res.Images)/res.TrainSeconds || res.Images != 50 {
		t.Errorf("train_seconds %v, images %d, images/s %v", res.TrainSeconds, res.Images, res.ImagesPerSecond)
	}
	for _, f := range []string{train.LossPlotFile, train.AccuracyPlotFile} {
		decode(t, filepath.Join(dir, f))
	}
	events, err := filepath.Glob(filepath.Join(dir, train.TensorBoardDir, "events.out.tfevents.*"))
	if err != nil || len(events) != 1 {
		t.Fatalf("event files %v, %v", events, err)
	}
	evs, err := tensorboard.ReadFile(events[0])
	if err != nil {
		t.Fatal(err)
	}
	var steps []int64
	for _, e := range evs {
		for _, v := range e.Summary {
			if v.Tag == "test/accuracy" {
				steps = append(steps, e.Step)
				if want := float32(res.History[len(steps)-1].TestAccuracy); v.SimpleValue != want {
					t.Errorf("test/accuracy at step %d = %v, want %v", e.Step, v.SimpleValue, want)
				}
			}
		}
	}
	if !slices.Equal(steps, []int64{4, 8, 12, 16, 20}) {
		t.Errorf("test/accuracy at steps %v, want 4, 8, 12, 16, 20", steps)
	}
	// Checkpoints were written at steps 3, 4, 6, 8, 9, 12, 15, 16, 18, 20
	// (every 3 steps except at an epoch's last batch, plus every epoch end);
	// DefaultKeep = 3 leaves the newest three.
	ck := files(t, filepath.Join(dir, train.CheckpointSubdir))
	want := []string{"ckpt-16.json", "ckpt-16.safetensors", "ckpt-18.json", "ckpt-18.safetensors", "ckpt-20.json", "ckpt-20.safetensors"}
	if !slices.Equal(ck, want) {
		t.Errorf("checkpoints %v, want %v", ck, want)
	}
	// Running the finished run again does nothing more and reports the same.
	m := &fakeModel{}
	res2, err := train.Run(context.Background(), tinyConfig(dir), m, tinySet("train", 10), tinySet("test", 4))
	if err != nil || len(m.seen) != 0 || res2.TestAccuracy != res.TestAccuracy || !res2.Resumed {
		t.Errorf("rerun of a finished run: %d steps, %+v, %v", len(m.seen), res2, err)
	}
}

func TestRunErrors(t *testing.T) {
	train10, test4 := tinySet("train", 10), tinySet("test", 4)
	badSet := tinySet("bad", 3)
	badSet.Labels[1] = 7 // >= Classes
	tests := []struct {
		name  string
		cfg   func(*train.Config)
		m     train.Model
		train *data.Dataset
		want  error
	}{
		{"epochs 0", func(c *train.Config) { c.Epochs = 0 }, &fakeModel{}, train10, train.ErrConfig},
		{"batch 0", func(c *train.Config) { c.BatchSize = 0 }, &fakeModel{}, train10, train.ErrConfig},
		{"checkpoint every -1", func(c *train.Config) { c.CheckpointEvery = -1 }, &fakeModel{}, train10, train.ErrConfig},
		{"nil model", nil, nil, train10, train.ErrConfig},
		{"nil dataset", nil, &fakeModel{}, nil, train.ErrConfig},
		{"invalid dataset", nil, &fakeModel{}, badSet, train.ErrConfig},
		{"no full batch", func(c *train.Config) { c.BatchSize = 11; c.DropLast = true }, &fakeModel{}, train10, train.ErrConfig},
		{"NaN loss", nil, &fakeModel{nanAt: 5}, train10, train.ErrDiverged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig("")
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			if _, err := train.Run(context.Background(), cfg, tc.m, tc.train, test4); !errors.Is(err, tc.want) {
				t.Errorf("Run error %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRunResumeMismatch checks that a checkpoint is not resumed by a run of
// another shape, nor when NoResume is set.
func TestRunResumeMismatch(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	m := &fakeModel{onStep: func(s train.StepInfo) error {
		if s.Step == 5 {
			cancel()
		}
		return nil
	}}
	if _, err := train.Run(ctx, tinyConfig(dir), m, tinySet("train", 10), tinySet("test", 4)); !errors.Is(err, train.ErrInterrupted) {
		t.Fatalf("first run: %v", err)
	}
	for _, tc := range []struct {
		name string
		cfg  func(*train.Config)
	}{
		{"seed", func(c *train.Config) { c.Seed++ }},
		{"batch size", func(c *train.Config) { c.BatchSize = 2 }},
		{"epochs", func(c *train.Config) { c.Epochs = 6 }},
		{"recipe", func(c *train.Config) { c.Recipe = "float" }},
		{"model", func(c *train.Config) { c.Model = "other" }},
		{"schedule", func(c *train.Config) {
			c.Schedule, _ = train.NewSchedule([]train.PhaseSpec{{LR: 0.05, GScale: 128}, {Start: 0.6, LR: 0.01, GScale: 8}})
		}},
		{"no resume", func(c *train.Config) { c.NoResume = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig(dir)
			tc.cfg(&cfg)
			m := &fakeModel{}
			if _, err := train.Run(context.Background(), cfg, m, tinySet("train", 10), tinySet("test", 4)); !errors.Is(err, train.ErrResume) {
				t.Errorf("Run error %v, want ErrResume", err)
			}
			if len(m.seen) != 0 {
				t.Errorf("the refused run trained %d steps", len(m.seen))
			}
		})
	}
}
