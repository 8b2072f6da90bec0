// Package bench holds the benchmark cases of wageubn-go, shared by
// `go test -bench` (bench_test.go) and cmd/wgbench, so that both measure the
// same thing the same way.
//
// # Overview
//
// One table, [Specs], lists the benchmarked kernels, one [Spec] row each:
// a stable kernel name (used in JSON: "gemm_i8", "sgemm_gonum",
// "i8gemm_go", "conv_f32_go", "max_abs", "pack_i8"), a family ("gemm",
// "conv", "quant", "bn", "train-step"), the work one run does (operations
// and bytes, from the size), the baseline row it is compared with, the
// ceiling it is a fraction of, and a setup that uploads its inputs once.
// Adding a kernel is adding one row (style.md 5: one case struct drives
// correctness and performance).
//
// [Expand] turns rows into [Case] values, one per kernel, backend and
// size: a device row ([Spec].Device) once per opened gpu.Device (backend
// "webgpu" or "cpu"), a host row (plain Go, no device) once per size with
// backend "go". [Measure] prepares the cases of one size together, checks
// each result against an independent reference (sampled entries computed
// directly), runs warm-up runs and then the timed runs round-robin, so that
// load from other processes falls on every case of the size alike and the
// ratios between them are measured side by side. Each [Result] carries the
// median time, the min/max spread and the median absolute deviation, the
// throughput and its fraction of the configured ceiling ([Peaks]).
//
// Sizes: one integer n per case. GEMM rows multiply n×n by n×n (M = N =
// K = n, 2n³ operations); quant rows process an n×n int32 tensor; the conv
// row convolves one (n/8)×(n/8) image of 64 channels with 64 3×3 filters,
// stride 1, padding 1 (Spec.Shape prints the shapes of every row).
//
// Running them:
//
//	go test -run XXX -bench . -benchtime 3x ./bench/
//	go run ./cmd/wgbench -backend all -kernels gemm -sizes 256,512,1024 -runs 5
//
// GOEXPERIMENT=simd in the environment of either selects internal/i8gemm's
// AVX-512 path for the CPU rows (Host reports it in Machine.GOEXPERIMENT).
//
// # Number format
//
// Throughput is GOP/s = operations / median time / 1e9 (a multiply-add is
// two operations, for int8 and float32 alike) for compute-bound rows and
// GB/s = bytes read and written / median time / 1e9 for memory-bound rows,
// and items (images of a training step) per second for [Items] rows
// ([Spec].Bound). Times are wall-clock seconds of one run: record, submit
// and wait for the device rows, one call for the host rows.
//
// # Invariants
//
// Inputs are generated from a fixed seed per size, so every run of every
// backend sees the same data. A case's result is checked once, after the
// warm-up and before timing; a case that fails its check is not timed.
// Every prepared case is released before Measure returns.
//
// # Errors
//
// Errors wrap the sentinels [ErrUnknown] (a family or kernel name that is
// not in the table), [ErrNotAvailable] (a known family without cases yet),
// [ErrSize] (a size the row cannot run), [ErrOptions] (bad warm-up or run
// counts) and [ErrCheck] (a result that
// differs from its reference), with messages prefixed "bench: ".
package bench
