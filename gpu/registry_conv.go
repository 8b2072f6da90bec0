package gpu

// convKernels: conv2d forward, backward-data, backward-weight (im2col/col2im).
var convKernels = []Kernel{}
