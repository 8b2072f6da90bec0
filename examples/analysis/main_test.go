package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/tensorboard"
	"github.com/wageubn/wageubn/train/data"
)

// TestRunTiny runs the analysis on a tiny configuration and checks the
// files it must write: a PNG per hooked LeNet-5 layer and per weight, and an
// event file holding histograms and scalars.
func TestRunTiny(t *testing.T) {
	if _, err := data.DefaultMNISTDir(); err != nil {
		t.Skipf("MNIST not found: %v", err)
	}
	out := t.TempDir()
	var buf bytes.Buffer
	if err := run([]string{"-out", out, "-steps", "5", "-batch", "16", "-bins", "16"}, &buf); err != nil {
		t.Fatalf("run: %v\n%s", err, buf.String())
	}
	// LeNet-5: conv1..2, bn1..4, relu1..4, fc1..3 hooked; weights of conv, fc and bn.
	for _, name := range []string{"conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "fc1", "bn3", "relu3", "fc2", "bn4", "relu4", "fc3"} {
		if st, err := os.Stat(filepath.Join(out, "activations", name+".png")); err != nil || st.Size() == 0 {
			t.Errorf("activation histogram %s: %v", name, err)
		}
	}
	for _, key := range []string{"conv1.weight", "bn1.weight", "fc3.weight"} {
		if st, err := os.Stat(filepath.Join(out, "weights", key+".png")); err != nil || st.Size() == 0 {
			t.Errorf("weight histogram %s: %v", key, err)
		}
	}
	files, err := filepath.Glob(filepath.Join(out, "tensorboard", "events.out.tfevents.*"))
	if err != nil || len(files) != 1 {
		t.Fatalf("event files %v, %v; want one", files, err)
	}
	events, err := tensorboard.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]bool{}
	for _, e := range events {
		for _, v := range e.Summary {
			tags[v.Tag] = true
		}
	}
	for _, tag := range []string{"train/loss", "train/accuracy", "activations/relu1", "weights/conv2.weight", "cosine/fc3"} {
		if !tags[tag] {
			t.Errorf("event file lacks tag %q (has %v)", tag, tags)
		}
	}
	if !strings.Contains(buf.String(), "cosine similarity") || !strings.Contains(buf.String(), "PASS") {
		t.Errorf("output:\n%s", buf.String())
	}
}

// TestCheckFiles: a missing or empty file is reported.
func TestCheckFiles(t *testing.T) {
	dir := t.TempDir()
	full, empty := filepath.Join(dir, "full"), filepath.Join(dir, "empty")
	if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		paths []string
		ok    bool
	}{
		{[]string{full}, true},
		{nil, true},
		{[]string{full, empty}, false},
		{[]string{filepath.Join(dir, "missing")}, false},
	}
	for _, tt := range tests {
		if err := checkFiles(tt.paths); (err == nil) != tt.ok {
			t.Errorf("checkFiles(%v) = %v, want ok %v", tt.paths, err, tt.ok)
		}
	}
}
