// Command wgbench benchmarks the kernels of wageubn-go side by side with
// their baselines, on the WebGPU and CPU backends, and prints a table of
// median time, spread, throughput, fraction of the configured peak and
// ratio to the baseline of the same size.
//
// Usage:
//
//	wgbench [-backend auto|webgpu|cpu|all] [-kernels gemm,conv,quant,bn,train-step]
//	        [-sizes 256,512,1024] [-warmup 1] [-runs 5] [-rewarm 0] [-json FILE] [-png FILE]
//
// For example, the int8 GEMM of both backends against gonum's float32
// Sgemm, measured in one run:
//
//	go run ./cmd/wgbench -backend all -kernels gemm -sizes 256,512,1024 -runs 5
//
// The cases are those of package bench, which `go test -bench . ./bench/`
// runs too. Every case's result is checked against a reference before it is
// timed; the timed runs of one size go round-robin over its cases, so the
// ratios are measured side by side even when other processes share the
// cores. On a discrete GPU add -rewarm 1: the GPU idles while the other
// cases run, lowers its clocks, and its times then come out slow (3x at the
// median on an H100). Host rows (backend "go": gonum, internal/i8gemm, the float32 conv)
// run with every backend choice, since they are the baselines.
//
// Peaks default to the development machine of shared/notes.md (2 Zen 5
// cores: int8 VNNI about 2150 GOP/s, fp32 about 540 GFLOP/s); set the
// -peak-* flags for another machine, 0 to leave a fraction out.
//
// Exit status: 0 on success, 2 for bad flags, 1 when a device does not
// open, a case fails its check or run, nothing is left to run, or a file
// cannot be written.
package main

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is wgbench with arguments args (without the program name), writing
// the table to stdout and progress, notices and errors to stderr; it
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, code := parseFlags(args, stderr)
	if code >= 0 {
		return code
	}
	return benchmark(cfg, stdout, stderr)
}
