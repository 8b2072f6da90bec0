package bench_test

import (
	"fmt"

	"github.com/wageubn/wageubn/bench"
)

// ExampleLookup lists the rows of the gemm family with their shapes at
// n = 512; bn has no cases yet, which Lookup reports along with the rows.
func ExampleLookup() {
	specs, err := bench.Lookup([]string{"gemm"})
	for _, s := range specs {
		fmt.Printf("%-12s %-6v ops %.0f  baseline %q\n", s.Kernel, s.Shape(512), s.Ops(512), s.Baseline)
	}
	fmt.Println(err)
	// Output:
	// sgemm_gonum  [512 512]x[512 512]^T ops 268435456  baseline ""
	// i8gemm_go    [512 512]x[512 512]^T ops 268435456  baseline "sgemm_gonum"
	// gemm_i8      [512 512]x[512 512]^T ops 268435456  baseline "sgemm_gonum"
	// <nil>
}
