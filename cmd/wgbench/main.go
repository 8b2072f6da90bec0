// Command wgbench will benchmark the kernels side by side with baselines.
//
// Status: not implemented yet (issue "wgbench and the benchmark suite");
// until then `go test -bench . ./gpu/` measures the kernels. Running it says
// so and exits with status 2.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "wgbench: not implemented yet; use `go test -bench . ./gpu/` (see README.md, Status)")
	os.Exit(2)
}
