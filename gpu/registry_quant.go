package gpu

// quantKernels: quantizers on device tensors (quant.wgsl, lib_philox.wgsl).
var quantKernels = []Kernel{}
