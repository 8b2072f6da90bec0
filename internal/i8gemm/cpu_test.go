package i8gemm_test

import "golang.org/x/sys/cpu"

// cpuHasVNNI reports what x/sys/cpu says about the CPU, independently of the
// package's own selection.
func cpuHasVNNI() bool {
	return cpu.X86.HasAVX512 && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI
}
