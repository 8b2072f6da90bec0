package train_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/train"
)

// stateAt does return a small state dict whose values depend on step.
func stateAt(t *testing.T, step int64) statedict.Dict {
	t.Helper()
	var d statedict.Dict
	w, err := statedict.FromInt32([]int{2, 3}, []int32{int32(step), 1, 2, 3, 4, -5})
	if err != nil {
		t.Fatal(err)
	}
	n, err := statedict.FromInt64([]int{}, []int64{step})
	if err != nil {
		t.Fatal(err)
	}
	d.Set("fc.weight", w)
	d.Set("bn.num_batches_tracked", n)
	d.SetExp("fc.weight", -23)
	return d
}

// stepOf does read back the step stored by stateAt.
func stepOf(t *testing.T, d statedict.Dict) int64 {
	t.Helper()
	n, ok := d.Get("bn.num_batches_tracked")
	if !ok {
		t.Fatalf("state has no bn.num_batches_tracked: keys %v", d.Keys)
	}
	v, err := n.Int64s()
	if err != nil {
		t.Fatal(err)
	}
	return v[0]
}

func save(t *testing.T, c train.Checkpoint, steps ...int64) {
	t.Helper()
	for _, s := range steps {
		meta := train.Meta{Epoch: int(s / 10), Batch: int(s % 10), Seed: 7, RNGStep: uint32(s), Recipe: "full8",
			Extra: map[string]string{"k": "v"}, EpochSums: train.EpochSums{LossSum: 0.1, Correct: 3, Seen: 4}}
		if err := c.Save(s, stateAt(t, s), meta); err != nil {
			t.Fatalf("Save(%d): %v", s, err)
		}
	}
}

// files does list the names in dir, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ck") // created by Save
	c := train.Checkpoint{Dir: dir}
	want := stateAt(t, 42)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	meta := train.Meta{
		TotalSteps: 100, Epoch: 4, Batch: 2, Batches: 10, BatchSize: 64, Seed: 1 << 63, RNGStep: 42,
		Schedule: train.ScheduleState{Phase: 0, LR: 0.05, LRCode: 26, GScale: 128, Starts: []int64{0, 50, 70, 90}},
		Recipe:   "full8", Model: "lenet5", Extra: map[string]string{"backend": "cpu"},
		EpochSums: train.EpochSums{LossSum: 1.0 / 3, Correct: 100, Seen: 128, Seconds: 0.25},
		History:   []train.EpochMetrics{{Epoch: 1, Step: 10, TrainLoss: 0.1 + 0.2, TestAccuracy: 0.9876}},
		SavedAt:   at,
	}
	if err := c.Save(42, want, meta); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); !slices.Equal(got, []string{"ckpt-42.json", "ckpt-42.safetensors"}) {
		t.Errorf("files %v, want ckpt-42.json and ckpt-42.safetensors", got)
	}
	gotMeta, got, err := c.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if gotMeta.Version != train.MetaVersion || gotMeta.Step != 42 || gotMeta.Tensors != "ckpt-42.safetensors" ||
		len(gotMeta.TensorsHash) != 64 || gotMeta.TensorsSize <= 0 {
		t.Errorf("filled-in fields: %+v", gotMeta)
	}
	// Everything else comes back exactly (floats included: JSON keeps the
	// shortest representation that round-trips).
	gotMeta.Version, gotMeta.Step, gotMeta.Tensors, gotMeta.TensorsHash, gotMeta.TensorsSize = 0, 0, "", "", 0
	if fmt.Sprintf("%+v", gotMeta) != fmt.Sprintf("%+v", meta) {
		t.Errorf("meta round trip:\n got %+v\nwant %+v", gotMeta, meta)
	}
	if r := statedict.Compare(want.Shapes(), got); !r.OK() {
		t.Errorf("state keys: %v", r)
	}
	for _, k := range want.Keys {
		a, _ := want.Get(k)
		b, _ := got.Get(k)
		if a.DType != b.DType || string(a.Data) != string(b.Data) {
			t.Errorf("tensor %s differs after the round trip", k)
		}
	}
	if e, ok, err := got.Exp("fc.weight"); err != nil || !ok || e != -23 {
		t.Errorf("Exp(fc.weight) = %d, %v, %v; want -23", e, ok, err)
	}
}

// TestLatestSkipsBroken corrupts the newest checkpoint (step 20) in each way
// a crash or a bad disk can, and checks that Latest falls back to the good
// one at step 10 and logs why.
func TestLatestSkipsBroken(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		reason string // part of the logged reason
	}{
		{"metadata truncated", func(t *testing.T, dir string) { truncate(t, filepath.Join(dir, "ckpt-20.json"), 30) }, "metadata"},
		{"metadata empty", func(t *testing.T, dir string) { truncate(t, filepath.Join(dir, "ckpt-20.json"), 0) }, "metadata"},
		{"metadata not JSON", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "ckpt-20.json"), "\x00\x01garbage") }, "metadata"},
		{"metadata version", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "ckpt-20.json"), `"version": 1`, `"version": 99`)
		}, "version 99"},
		{"metadata step", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "ckpt-20.json"), `"step": 20`, `"step": 21`)
		}, "step 21"},
		{"metadata names other tensors", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "ckpt-20.json"), `"ckpt-20.safetensors"`, `"ckpt-10.safetensors"`)
		}, "tensor file"},
		{"tensors missing", func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "ckpt-20.safetensors")) }, "no such file"},
		{"tensors truncated", func(t *testing.T, dir string) { truncate(t, filepath.Join(dir, "ckpt-20.safetensors"), 20) }, "truncated"},
		{"tensors bit flip", func(t *testing.T, dir string) { flipLast(t, filepath.Join(dir, "ckpt-20.safetensors")) }, "SHA-256"},
		{"tensors replaced by older", func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, "ckpt-10.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, "ckpt-20.safetensors"), string(b))
		}, "SHA-256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var logged []string
			c := train.Checkpoint{Dir: dir, Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }}
			save(t, c, 10, 20)
			tc.break_(t, dir)
			meta, d, err := c.Latest()
			if err != nil {
				t.Fatalf("Latest: %v", err)
			}
			if meta.Step != 10 || stepOf(t, d) != 10 {
				t.Errorf("Latest = step %d (state %d), want the good checkpoint 10", meta.Step, stepOf(t, d))
			}
			if len(logged) != 1 || !strings.Contains(logged[0], "checkpoint 20") || !strings.Contains(logged[0], tc.reason) {
				t.Errorf("logged %q, want one line about checkpoint 20 containing %q", logged, tc.reason)
			}
			// Load of the broken one names ErrCheckpoint.
			if _, _, err := c.Load(20); !errors.Is(err, train.ErrCheckpoint) {
				t.Errorf("Load(20) error %v, want ErrCheckpoint", err)
			}
		})
	}
}

// TestKilledMidSave simulates a process killed while saving checkpoint 30:
// the tensor file written but no metadata, or only temporary files. The
// previous checkpoint (20) must still be the latest, with nothing logged
// (an unfinished save is not a checkpoint).
func TestKilledMidSave(t *testing.T) {
	for _, tc := range []struct {
		name  string
		leave func(t *testing.T, dir string)
	}{
		{"tensors without metadata", func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, "ckpt-20.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, "ckpt-30.safetensors"), string(b))
		}},
		{"partial temporary tensors", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, ".ckpt-30.safetensors.tmp-123456"), "\x40\x00\x00")
		}},
		{"tensors and partial temporary metadata", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "ckpt-30.safetensors"), "\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
			write(t, filepath.Join(dir, ".ckpt-30.json.tmp-99"), `{"version": 1, "st`)
		}},
		{"partial temporary overwrite of the latest", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, ".ckpt-20.safetensors.tmp-7"), "junk")
			write(t, filepath.Join(dir, ".ckpt-20.json.tmp-8"), "{")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var logged []string
			c := train.Checkpoint{Dir: dir, Keep: 2, Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }}
			save(t, c, 10, 20)
			tc.leave(t, dir)
			meta, d, err := c.Latest()
			if err != nil || meta.Step != 20 || stepOf(t, d) != 20 {
				t.Fatalf("Latest = step %d, %v; want 20", meta.Step, err)
			}
			if len(logged) != 0 {
				t.Errorf("logged %q, want nothing", logged)
			}
			// The next save cleans the leftovers up (and keeps 2).
			save(t, c, 40)
			want := []string{"ckpt-20.json", "ckpt-20.safetensors", "ckpt-40.json", "ckpt-40.safetensors"}
			if got := files(t, dir); !slices.Equal(got, want) {
				t.Errorf("after the next save: %v, want %v", got, want)
			}
		})
	}
}

func TestLatestNone(t *testing.T) {
	t.Run("missing folder", func(t *testing.T) {
		c := train.Checkpoint{Dir: filepath.Join(t.TempDir(), "nope")}
		if _, _, err := c.Latest(); !errors.Is(err, train.ErrNoCheckpoint) {
			t.Errorf("error %v, want ErrNoCheckpoint", err)
		}
	})
	t.Run("empty folder with strangers", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "ckpt-007.json"), "{}") // not ckpt-<step>: ignored
		write(t, filepath.Join(dir, "ckpt-x.json"), "{}")
		write(t, filepath.Join(dir, "notes.txt"), "hi")
		if _, _, err := (train.Checkpoint{Dir: dir}).Latest(); !errors.Is(err, train.ErrNoCheckpoint) {
			t.Errorf("error %v, want ErrNoCheckpoint", err)
		}
	})
	t.Run("all broken", func(t *testing.T) {
		dir := t.TempDir()
		var logged int
		c := train.Checkpoint{Dir: dir, Logf: func(string, ...any) { logged++ }}
		save(t, c, 1, 2)
		truncate(t, filepath.Join(dir, "ckpt-1.json"), 5)
		flipLast(t, filepath.Join(dir, "ckpt-2.safetensors"))
		_, _, err := c.Latest()
		if !errors.Is(err, train.ErrNoCheckpoint) || !errors.Is(err, train.ErrCheckpoint) {
			t.Errorf("error %v, want ErrNoCheckpoint wrapping ErrCheckpoint", err)
		}
		if err != nil && (!strings.Contains(err.Error(), "checkpoint 1") || !strings.Contains(err.Error(), "checkpoint 2")) {
			t.Errorf("error %q should name both checkpoints", err)
		}
		if logged != 2 {
			t.Errorf("logged %d lines, want 2", logged)
		}
	})
}

func TestCheckpointPrune(t *testing.T) {
	for _, tc := range []struct {
		keep int
		want []int64
	}{
		{keep: 1, want: []int64{5}},
		{keep: 2, want: []int64{4, 5}},
		{keep: 3, want: []int64{3, 4, 5}},
		{keep: 0, want: []int64{1, 2, 3, 4, 5}},  // keep all
		{keep: -1, want: []int64{1, 2, 3, 4, 5}}, // keep all
	} {
		t.Run(fmt.Sprint("keep=", tc.keep), func(t *testing.T) {
			dir := t.TempDir()
			c := train.Checkpoint{Dir: dir, Keep: tc.keep}
			save(t, c, 1, 2, 3, 4, 5)
			var want []string
			for _, s := range tc.want {
				want = append(want, fmt.Sprintf("ckpt-%d.json", s), fmt.Sprintf("ckpt-%d.safetensors", s))
			}
			slices.Sort(want)
			if got := files(t, dir); !slices.Equal(got, want) {
				t.Errorf("files %v, want %v", got, want)
			}
		})
	}
	t.Run("newer checkpoints untouched", func(t *testing.T) {
		// A run resumed from checkpoint 2 (because 9 was corrupt) saves 3:
		// 9 is left for a person to look at; 1 is pruned.
		dir := t.TempDir()
		c := train.Checkpoint{Dir: dir, Keep: 2, Logf: func(string, ...any) {}}
		save(t, c, 1, 2, 9)
		flipLast(t, filepath.Join(dir, "ckpt-9.safetensors"))
		save(t, c, 3)
		want := []string{"ckpt-2.json", "ckpt-2.safetensors", "ckpt-3.json", "ckpt-3.safetensors", "ckpt-9.json", "ckpt-9.safetensors"}
		if got := files(t, dir); !slices.Equal(got, want) {
			t.Errorf("files %v, want %v", got, want)
		}
		if meta, _, err := c.Latest(); err != nil || meta.Step != 3 {
			t.Errorf("Latest = %d, %v; want 3", meta.Step, err)
		}
	})
}

func TestCheckpointSaveErrors(t *testing.T) {
	good := stateAt(t, 1)
	bad := stateAt(t, 1)
	bad.Keys = append(bad.Keys, "missing") // listed without a tensor
	for _, tc := range []struct {
		name  string
		c     train.Checkpoint
		step  int64
		state statedict.Dict
		want  error
	}{
		{"no folder", train.Checkpoint{}, 1, good, train.ErrConfig},
		{"negative step", train.Checkpoint{Dir: t.TempDir()}, -1, good, train.ErrConfig},
		{"invalid state", train.Checkpoint{Dir: t.TempDir()}, 1, bad, statedict.ErrKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Save(tc.step, tc.state, train.Meta{}); !errors.Is(err, tc.want) {
				t.Errorf("Save error %v, want %v", err, tc.want)
			}
			if tc.c.Dir != "" {
				if got := files(t, tc.c.Dir); len(got) != 0 {
					t.Errorf("a failed save left %v", got)
				}
			}
		})
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func truncate(t *testing.T, path string, n int64) {
	t.Helper()
	if err := os.Truncate(path, n); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q:\n%s", path, old, b)
	}
	write(t, path, strings.Replace(string(b), old, new, 1))
}

// flipLast does flip one bit of the last byte (tensor data, which no loader
// can check by itself).
func flipLast(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0x10
	write(t, path, string(b))
}
