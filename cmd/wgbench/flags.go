package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/wageubn/wageubn/bench"
)

// config is the parsed command line.
type config struct {
	backend  string   // auto, webgpu, cpu or all
	families []string // from -kernels
	sizes    []int
	warmup   int
	runs     int
	rewarm   int
	jsonPath string
	pngPath  string
	quiet    bool
	peaks    bench.Peaks
}

// backends are the values of -backend.
var backends = []string{"auto", "webgpu", "cpu", "all"}

// parseFlags parses args. It returns the config and -1, or an exit status:
// 0 for -h, 2 (after the usage) for bad flags.
func parseFlags(args []string, stderr io.Writer) (config, int) {
	var cfg config
	fs := flag.NewFlagSet("wgbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.backend, "backend", "auto", "backend: "+strings.Join(backends, "|")+" (auto: WebGPU if an adapter exists, else CPU)")
	kernels := fs.String("kernels", "gemm", "comma-separated kernel families: "+strings.Join(bench.Families, ", "))
	sizes := fs.String("sizes", "256,512,1024", "comma-separated sizes n (GEMM n×n×n, quant n×n, conv an (n/8)² image of 64 channels)")
	fs.IntVar(&cfg.warmup, "warmup", 1, "untimed runs of each case before its check")
	fs.IntVar(&cfg.runs, "runs", 5, "timed runs of each case")
	fs.IntVar(&cfg.rewarm, "rewarm", 0, "untimed runs of a case just before each of its timed runs (1 on a discrete GPU, which lowers its clocks while the other cases run)")
	fs.StringVar(&cfg.jsonPath, "json", "", "write the results as JSON to `FILE`")
	fs.StringVar(&cfg.pngPath, "png", "", "write a bar chart of throughput to `FILE` (.png)")
	fs.BoolVar(&cfg.quiet, "quiet", false, "no progress display")
	d := bench.DevMachine
	fs.Float64Var(&cfg.peaks.CPUInt8, "peak-cpu-i8", d.CPUInt8, "CPU int8 peak, GOP/s (default: the development machine's VNNI peak)")
	fs.Float64Var(&cfg.peaks.CPUF32, "peak-cpu-f32", d.CPUF32, "CPU fp32 peak, GFLOP/s")
	fs.Float64Var(&cfg.peaks.CPUMem, "peak-cpu-mem", d.CPUMem, "CPU memory bandwidth, GB/s (0: none)")
	fs.Float64Var(&cfg.peaks.GPUInt8, "peak-gpu-i8", d.GPUInt8, "GPU int8 (DP4A) peak, GOP/s, for WebGPU adapters that are not CPUs (0: none)")
	fs.Float64Var(&cfg.peaks.GPUF32, "peak-gpu-f32", d.GPUF32, "GPU fp32 peak, GFLOP/s (0: none)")
	fs.Float64Var(&cfg.peaks.GPUMem, "peak-gpu-mem", d.GPUMem, "GPU memory bandwidth, GB/s (0: none)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wgbench [flags]\n\nwgbench times kernels against their baselines (see go doc ./cmd/wgbench).\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, 0
		}
		return cfg, 2 // the flag package printed the error and the usage
	}
	bad := func(format string, a ...any) (config, int) {
		fmt.Fprintf(stderr, "wgbench: "+format+"\n", a...)
		fs.Usage()
		return cfg, 2
	}
	if fs.NArg() > 0 {
		return bad("unexpected arguments %q", fs.Args())
	}
	if !slices.Contains(backends, cfg.backend) {
		return bad("-backend %q: want one of %s", cfg.backend, strings.Join(backends, ", "))
	}
	var err error
	if cfg.families, err = parseFamilies(*kernels); err != nil {
		return bad("-kernels: %v", err)
	}
	if cfg.sizes, err = parseSizes(*sizes); err != nil {
		return bad("-sizes: %v", err)
	}
	if cfg.warmup < 0 {
		return bad("-warmup %d: want 0 or more", cfg.warmup)
	}
	if cfg.runs < 1 {
		return bad("-runs %d: want 1 or more", cfg.runs)
	}
	if cfg.rewarm < 0 {
		return bad("-rewarm %d: want 0 or more", cfg.rewarm)
	}
	for _, p := range []float64{cfg.peaks.CPUInt8, cfg.peaks.CPUF32, cfg.peaks.CPUMem, cfg.peaks.GPUInt8, cfg.peaks.GPUF32, cfg.peaks.GPUMem} {
		if !(p >= 0) {
			return bad("peaks must be 0 or more, got %v", p)
		}
	}
	if cfg.pngPath != "" && !strings.EqualFold(filepath.Ext(cfg.pngPath), ".png") {
		return bad("-png %q: the file name must end in .png", cfg.pngPath)
	}
	return cfg, -1
}

// parseFamilies splits a comma list of kernel families and checks every
// name against bench.Families (unknown names are an error naming the known
// ones; families without cases are checked later, by bench.Lookup).
func parseFamilies(s string) ([]string, error) {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(bench.Families, f) {
			return nil, fmt.Errorf("unknown kernel family %q (known: %s)", f, strings.Join(bench.Families, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no kernel family given (known: %s)", strings.Join(bench.Families, ", "))
	}
	return out, nil
}

// parseSizes parses a comma list of positive integers.
func parseSizes(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive integer (want e.g. 256,512,1024)", f)
		}
		out = append(out, n)
	}
	return out, nil
}
