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
	if code := run([]string{"-synthetic", "48", "-epochs", "1", "-batch", "16", "-backend", "cpu", "-out", dir}, &out, &errw); code != 2 {
		t.Errorf("rerun without -resume: exit %d, want 2", code)
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
