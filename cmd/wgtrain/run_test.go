package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/train"
)

// TestTinyRun trains LeNet-5 for one epoch on 48 synthetic samples on the
// CPU backend and checks every output the command lists.
func TestTinyRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	js := filepath.Join(t.TempDir(), "res.json")
	var out, errw bytes.Buffer
	code := run([]string{"-synthetic", "48", "-epochs", "1", "-batch", "16", "-backend", "cpu", "-out", dir, "-json", js}, &out, &errw)
	if code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out.String(), errw.String())
	}
	for _, f := range []string{train.ResultsFile, train.LossPlotFile, train.AccuracyPlotFile, "model.safetensors", "model_float.safetensors"} {
		p := filepath.Join(dir, f)
		if _, err := os.Stat(p); err != nil {
			t.Errorf("missing output: %v", err)
		}
		if !strings.Contains(out.String(), p) {
			t.Errorf("stdout does not name %s:\n%s", p, out.String())
		}
	}
	var res train.Result
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil || res.Steps != 3 || res.Model != "lenet5" || res.Recipe != "full8" {
		t.Errorf("results %+v, %v", res, err)
	}
	d, err := statedict.LoadSafetensors(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if e, ok, _ := d.Exp("conv1.weight"); !ok || e != -23 {
		t.Errorf("conv1.weight exponent %d (%v), want -23", e, ok)
	}
	// Running again on the same folder without -resume is refused; with
	// -resume it finds the run complete and succeeds.
	errw.Reset()
	if code := run([]string{"-synthetic", "48", "-epochs", "1", "-batch", "16", "-backend", "cpu", "-out", dir}, &out, &errw); code != 2 || !strings.Contains(errw.String(), "add -resume") {
		t.Errorf("rerun without -resume: exit %d, stderr %q; want 2 and a hint", code, errw.String())
	}
	if code := run([]string{"-synthetic", "48", "-epochs", "1", "-batch", "16", "-backend", "cpu", "-out", dir, "-resume"}, &out, &errw); code != 0 {
		t.Errorf("rerun with -resume: exit %d, want 0\n%s", code, errw.String())
	}
}

// TestInterrupt: a cancelled context checkpoints and exits 130; -resume
// then finishes the run.
func TestInterrupt(t *testing.T) {
	defer func(f func(context.Context) (context.Context, func())) { interrupt = f }(interrupt)
	interrupt = func(ctx context.Context) (context.Context, func()) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		return ctx, func() {}
	}
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"-synthetic", "32", "-epochs", "1", "-batch", "16", "-backend", "cpu", "-out", dir}
	var out, errw bytes.Buffer
	if code := run(args, &out, &errw); code != 130 {
		t.Fatalf("interrupted run: exit %d, want 130\n%s", code, errw.String())
	}
	if !strings.Contains(errw.String(), "-resume") {
		t.Errorf("no resume hint: %s", errw.String())
	}
	entries, _ := os.ReadDir(filepath.Join(dir, train.CheckpointSubdir))
	if len(entries) == 0 {
		t.Error("no checkpoint written")
	}
	interrupt = train.WithInterrupt
	if code := run(append(args, "-resume"), &out, &errw); code != 0 {
		t.Errorf("resumed run: exit %d\n%s", code, errw.String())
	}
}

// TestResumeExact: a run resumed from its mid-epoch checkpoint ends with
// the same state dict, byte for byte, as the uninterrupted run (masters,
// momenta, BN statistics restored exactly by nn.Model).
func TestResumeExact(t *testing.T) {
	for _, recipe := range []string{"full8", "full8plus"} {
		t.Run(recipe, func(t *testing.T) {
			a := filepath.Join(t.TempDir(), "a")
			args := []string{"-synthetic", "64", "-epochs", "1", "-batch", "16", "-backend", "cpu", "-recipe", recipe, "-checkpoint-every", "2"}
			var out, errw bytes.Buffer
			if code := run(append(args, "-out", a), &out, &errw); code != 0 {
				t.Fatalf("run: exit %d\n%s", code, errw.String())
			}
			// b holds only the checkpoint of step 2.
			b := filepath.Join(t.TempDir(), "b")
			ck := filepath.Join(b, train.CheckpointSubdir)
			if err := os.MkdirAll(ck, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"ckpt-2.safetensors", "ckpt-2.json"} {
				data, err := os.ReadFile(filepath.Join(a, train.CheckpointSubdir, f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(ck, f), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if code := run(append(args, "-out", b, "-resume"), &out, &errw); code != 0 {
				t.Fatalf("resumed run: exit %d\n%s", code, errw.String())
			}
			wa, err := os.ReadFile(filepath.Join(a, "model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			wb, err := os.ReadFile(filepath.Join(b, "model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(wa, wb) {
				t.Error("the resumed run ends with other weights than the uninterrupted one")
			}
			var res train.Result
			if data, err := os.ReadFile(filepath.Join(b, train.ResultsFile)); err != nil || json.Unmarshal(data, &res) != nil || !res.Resumed || res.Steps != 4 {
				t.Errorf("resumed run's results: %+v (%v)", res, err)
			}
		})
	}
}
