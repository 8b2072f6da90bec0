package gpu

// layerKernels: activations, pools, loss and the optimizer update.
var layerKernels = []Kernel{}
