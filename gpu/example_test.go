package gpu_test

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// ExampleRecorder_GemmI8NT multiplies int8 codes on the CPU backend (so the
// output is deterministic): C = A·Bᵀ with A = [[1 2 3] [-1 0 1]] and
// B = [[1 1 1] [-128 0 127]].
func ExampleRecorder_GemmI8NT() {
	dev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dev.Close()
	a, _ := dev.UploadI8([]int{2, 3}, -7, []int8{1, 2, 3, -1, 0, 1})
	b, _ := dev.UploadI8([]int{2, 3}, -6, []int8{1, 1, 1, -128, 0, 127})
	r := dev.Record()
	c := r.GemmI8NT(a, b)
	if err := r.Submit(); err != nil {
		fmt.Println(err)
		return
	}
	codes, _ := c.DownloadI32()
	fmt.Println(c, codes)
	// Output: i32[2 2]e-13 [6 253 0 255]
}

// ExampleRecorder_GemmI8NT_error shows a shape mismatch reported by the
// sticky recorder error.
func ExampleRecorder_GemmI8NT_error() {
	dev, _ := gpu.Open(gpu.Options{Backend: gpu.CPU})
	defer dev.Close()
	a, _ := dev.Empty(gpu.I8, []int{64, 128}, 0)
	b, _ := dev.Empty(gpu.I8, []int{32, 127}, 0)
	r := dev.Record()
	r.GemmI8NT(a, b)
	fmt.Println(r.Submit())
	// Output: gpu: gemm_i8_nt [64 128]x[32 127]: inner dimensions 128 and 127 differ: gpu: shape mismatch
}
