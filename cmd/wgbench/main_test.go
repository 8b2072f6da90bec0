package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/bench"
	"github.com/wageubn/wageubn/gpu"
)

// runCLI runs wgbench in-process and returns its status, stdout and stderr.
func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestRunOutputs runs three families on the CPU backend at tiny sizes (with
// a rewarm run before each timed one) and checks the table, the JSON
// document and the PNG.
func TestRunOutputs(t *testing.T) {
	dir := t.TempDir()
	jsonPath, pngPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.png")
	code, stdout, stderr := runCLI("-backend", "cpu", "-kernels", "gemm,conv,quant", "-sizes", "8,16",
		"-warmup", "0", "-runs", "2", "-rewarm", "1", "-json", jsonPath, "-png", pngPath)
	if code != 0 {
		t.Fatalf("status %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"kernel", "median", "spread", "throughput", "of peak", "vs baseline",
		"sgemm_gonum", "i8gemm_go", "gemm_i8", "conv_f32_go", "max_abs", "pack_i8", "× sgemm_gonum", "GB/s", "GOP/s"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "runs (") {
		t.Errorf("no plain progress line on a non-terminal stderr:\n%s", stderr)
	}

	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	if len(top) != 2 || top["machine"] == nil || top["results"] == nil {
		t.Fatalf("top-level keys of %s, want exactly machine and results", raw)
	}
	var machine map[string]any
	if err := json.Unmarshal(top["machine"], &machine); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cpu", "cores", "goos", "goarch", "go_version"} {
		if machine[k] == nil || machine[k] == "" {
			t.Errorf("machine lacks %q: %v", k, machine)
		}
	}
	var results []map[string]any
	if err := json.Unmarshal(top["results"], &results); err != nil {
		t.Fatal(err)
	}
	// Per size: gemm 2 host rows + 1 cpu row, conv 1 host row + 1 cpu row,
	// quant 2 cpu rows.
	if len(results) != 2*7 {
		t.Errorf("%d results, want 14", len(results))
	}
	for _, r := range results {
		for _, k := range []string{"kernel", "backend", "size", "median_s", "gops"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result lacks %q: %v", k, r)
			}
		}
		if ts, _ := r["times_s"].([]any); len(ts) != 2 || r["rewarm"] != 1.0 {
			t.Errorf("%v/%v/%v: times_s %v and rewarm %v, want 2 times (rewarm runs untimed) and 1", r["kernel"], r["backend"], r["size"], r["times_s"], r["rewarm"])
		}
		if m, _ := r["median_s"].(float64); !(m > 0) {
			t.Errorf("%v/%v/%v: median_s %v", r["kernel"], r["backend"], r["size"], r["median_s"])
		}
		if g, _ := r["gops"].(float64); !(g > 0) {
			t.Errorf("%v/%v/%v: gops %v", r["kernel"], r["backend"], r["size"], r["gops"])
		}
		if r["kernel"] == "gemm_i8" {
			if br, _ := r["baseline_ratio"].(float64); r["backend"] != "cpu" || r["baseline"] != "sgemm_gonum" || !(br > 0) {
				t.Errorf("gemm_i8 row %v", r)
			}
		}
	}

	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Two panels (GOP/s and GB/s), 8×4 inches each at 96 DPI.
	if b := img.Bounds(); b.Dx() != 768 || b.Dy() != 768 {
		t.Errorf("PNG is %v, want 768×768", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestRunErrors checks the exit status and message of bad command lines
// and of what cannot run.
func TestRunErrors(t *testing.T) {
	// A family that is named but has no rows yet ("future") is reported as
	// not available rather than crashing.
	saved := bench.Families
	bench.Families = append(slices.Clone(bench.Families), "future")
	defer func() { bench.Families = saved }()
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "r.json")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // substrings of stderr
	}{
		{"unknown kernel", []string{"-kernels", "gemm,foo"}, 2,
			[]string{`unknown kernel family "foo"`, "known: gemm, conv, quant, bn, train-step", "usage: wgbench"}},
		{"empty kernels", []string{"-kernels", ","}, 2, []string{"no kernel family"}},
		{"size not a number", []string{"-sizes", "256,x"}, 2, []string{`-sizes: "x" is not a positive integer`, "usage: wgbench"}},
		{"size zero", []string{"-sizes", "0"}, 2, []string{`"0" is not a positive integer`}},
		{"size negative", []string{"-sizes", "64,-8"}, 2, []string{`"-8" is not a positive integer`}},
		{"sizes empty", []string{"-sizes", ""}, 2, []string{`"" is not a positive integer`}},
		{"runs zero", []string{"-runs", "0"}, 2, []string{"-runs 0"}},
		{"warmup negative", []string{"-warmup", "-1"}, 2, []string{"-warmup -1"}},
		{"rewarm negative", []string{"-rewarm", "-1"}, 2, []string{"-rewarm -1"}},
		{"backend", []string{"-backend", "tpu"}, 2, []string{`-backend "tpu"`, "auto, webgpu, cpu, all"}},
		{"png name", []string{"-png", "chart.jpg"}, 2, []string{"must end in .png"}},
		{"negative peak", []string{"-peak-cpu-i8", "-1"}, 2, []string{"peaks must be 0 or more"}},
		{"undefined flag", []string{"-bogus"}, 2, []string{"-bogus", "usage: wgbench"}},
		{"stray argument", []string{"gemm"}, 2, []string{"unexpected arguments"}},
		{"help", []string{"-h"}, 0, []string{"usage: wgbench"}},
		{"not available", []string{"-backend", "cpu", "-kernels", "future", "-sizes", "8"}, 1,
			[]string{"-kernels future: not available yet", "nothing to run"}},
		{"some not available", []string{"-backend", "cpu", "-kernels", "gemm,future", "-sizes", "8", "-runs", "1", "-quiet"}, 0,
			[]string{"-kernels future: not available yet"}},
		{"json unwritable", []string{"-backend", "cpu", "-sizes", "8", "-runs", "1", "-quiet", "-json", missing}, 1,
			[]string{"wgbench: ", "no such file or directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(tc.args...)
			if code != tc.code {
				t.Errorf("status %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestRunNoAdapter checks that -backend webgpu without an adapter (as in a
// CGO_ENABLED=0 build) fails with status 1 and a hint, and that -backend
// all then runs the CPU backend alone.
func TestRunNoAdapter(t *testing.T) {
	d, err := gpu.Open(gpu.Options{Backend: gpu.WebGPU})
	if err == nil {
		d.Close()
		t.Skip("a WebGPU adapter exists")
	}
	if !errors.Is(err, gpu.ErrNoAdapter) {
		t.Skipf("WebGPU fails otherwise: %v", err)
	}
	code, _, stderr := runCLI("-backend", "webgpu", "-sizes", "8", "-runs", "1", "-quiet")
	if code != 1 || !strings.Contains(stderr, "try -backend cpu") {
		t.Errorf("-backend webgpu: status %d, stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := runCLI("-backend", "all", "-sizes", "8", "-runs", "1", "-quiet")
	if code != 0 || !strings.Contains(stderr, "WebGPU left out") || strings.Contains(stdout, "webgpu") {
		t.Errorf("-backend all: status %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
