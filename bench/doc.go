// Package bench will hold the benchmark cases shared by `go test -bench` and
// cmd/wgbench.
//
// Status: not implemented yet (issue "wgbench and the benchmark suite").
package bench
