package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/wageubn/wageubn/bench"
	"github.com/wageubn/wageubn/gpu"
)

// benchmark opens the devices, measures the cases of cfg and writes the
// table, the JSON and the chart; it returns the exit status.
func benchmark(cfg config, stdout, stderr io.Writer) int {
	var families []string
	for _, f := range cfg.families {
		if bench.Available(f) {
			families = append(families, f)
		} else {
			fmt.Fprintf(stderr, "wgbench: -kernels %s: not available yet (package bench has no %s cases); skipped\n", f, f)
		}
	}
	if len(families) == 0 {
		fmt.Fprintln(stderr, "wgbench: nothing to run")
		return 1
	}
	specs, err := bench.Lookup(families)
	if err != nil {
		fmt.Fprintf(stderr, "wgbench: %v\n", err)
		return 2
	}
	devs, err := openDevices(cfg.backend, stderr)
	defer func() {
		for _, d := range devs {
			d.Close()
		}
	}()
	if err != nil {
		fmt.Fprintf(stderr, "wgbench: %v\n", err)
		return 1
	}
	for _, d := range devs {
		fmt.Fprintf(stderr, "wgbench: device %v\n", d.Info())
	}
	cases, err := bench.Expand(specs, devs, cfg.sizes, cfg.peaks)
	if err != nil {
		fmt.Fprintf(stderr, "wgbench: %v\n", err)
		return 2
	}
	var prog *progress
	opt := bench.Options{Warmup: cfg.warmup, Runs: cfg.runs, Rewarm: cfg.rewarm}
	if !cfg.quiet {
		prog = newProgress(stderr)
		opt.Progress = prog.update
	}
	res, err := bench.Measure(cases, opt)
	prog.finish()
	if err != nil {
		fmt.Fprintf(stderr, "wgbench: %v\n", err)
		return 2
	}
	m := bench.Host(devs...)
	writeTable(stdout, m, res, cfg)
	code := 0
	for _, r := range res {
		if r.Err != nil {
			fmt.Fprintf(stderr, "wgbench: %v\n", r.Err)
			code = 1
		}
	}
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, m, res, cfg); err != nil {
			fmt.Fprintf(stderr, "wgbench: %v\n", err)
			code = 1
		}
	}
	if cfg.pngPath != "" {
		if err := writeChart(cfg.pngPath, m, res, cfg); err != nil {
			fmt.Fprintf(stderr, "wgbench: %v\n", err)
			code = 1
		}
	}
	return code
}

// openDevices opens the devices of a -backend value: auto one device
// (WebGPU if an adapter exists, else CPU), webgpu or cpu that backend, all
// the CPU backend and WebGPU when an adapter exists (noting on stderr when
// it does not). The devices opened so far are returned with an error.
func openDevices(backend string, stderr io.Writer) ([]*gpu.Device, error) {
	open := func(be gpu.Backend) (*gpu.Device, error) {
		d, err := gpu.Open(gpu.Options{Backend: be})
		if err != nil {
			return nil, fmt.Errorf("opening the %v backend: %w", be, err)
		}
		return d, nil
	}
	switch backend {
	case "cpu":
		d, err := open(gpu.CPU)
		if err != nil {
			return nil, err
		}
		return []*gpu.Device{d}, nil
	case "webgpu":
		d, err := open(gpu.WebGPU)
		if err != nil {
			return nil, fmt.Errorf("%w (try -backend cpu)", err)
		}
		return []*gpu.Device{d}, nil
	case "all":
		c, err := open(gpu.CPU)
		if err != nil {
			return nil, err
		}
		w, err := open(gpu.WebGPU)
		if errors.Is(err, gpu.ErrNoAdapter) {
			fmt.Fprintf(stderr, "wgbench: %v; WebGPU left out\n", err)
			return []*gpu.Device{c}, nil
		}
		if err != nil {
			return []*gpu.Device{c}, err
		}
		return []*gpu.Device{c, w}, nil
	}
	d, err := open(gpu.Auto)
	if err != nil {
		return nil, err
	}
	return []*gpu.Device{d}, nil
}
