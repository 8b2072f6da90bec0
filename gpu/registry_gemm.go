package gpu

// gemmKernels: GEMM variants beyond gemm_i8_nt: wide, mixed-width, float, tiled.
var gemmKernels = []Kernel{}
