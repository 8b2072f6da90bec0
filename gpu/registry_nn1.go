package gpu

// nn1Kernels: the per-channel bias of conv2d and linear layers.
var nn1Kernels = []Kernel{}
