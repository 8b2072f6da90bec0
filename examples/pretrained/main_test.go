package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/train/data"
)

// skipWithoutMNIST skips when MNIST is not in the Go module cache.
func skipWithoutMNIST(t *testing.T) {
	t.Helper()
	if _, err := data.DefaultMNISTDir(); err != nil {
		t.Skipf("MNIST not found: %v", err)
	}
}

// TestRunTiny runs the whole workflow on a tiny configuration: it must
// succeed with a floor of 0, write the safetensors file and report every
// stage.
func TestRunTiny(t *testing.T) {
	skipWithoutMNIST(t)
	out := t.TempDir()
	var buf bytes.Buffer
	err := run([]string{"-out", out, "-steps", "20", "-retrain-steps", "10", "-test-images", "256", "-calib-batches", "1", "-floor", "0"}, &buf)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, buf.String())
	}
	st, err := os.Stat(filepath.Join(out, "lenet5_float.safetensors"))
	if err != nil || st.Size() == 0 {
		t.Errorf("safetensors file: %v (size %d)", err, st.Size())
	}
	for _, want := range []string{"state_dict matches", "InitNetwork set", "full8 retrained", "PASS"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestRunFloor: an unreachable floor is a failure.
func TestRunFloor(t *testing.T) {
	skipWithoutMNIST(t)
	var buf bytes.Buffer
	err := run([]string{"-out", t.TempDir(), "-steps", "2", "-retrain-steps", "1", "-test-images", "64", "-calib-batches", "1", "-floor", "1.01"}, &buf)
	if err == nil || !strings.Contains(err.Error(), "below the floor") {
		t.Errorf("run with floor 1.01 = %v, want a below-the-floor error", err)
	}
}

// TestRunFlags: bad flags are errors, before any work.
func TestRunFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-steps", "0"},
		{"-batch", "-1"},
		{"-test-images", "-1"},
		{"-backend", "tpu"},
		{"extra"},
	} {
		var buf bytes.Buffer
		if err := run(append(args, "-data", "/nonexistent"), &buf); err == nil {
			t.Errorf("run(%q) succeeded", args)
		} else if errors.Is(err, data.ErrNotFound) {
			t.Errorf("run(%q) = %v: flags not checked before loading", args, err)
		}
	}
}
