package gpu

// floatKernels: float32 kernels for layers a recipe keeps in float (recipes
// float, wageubn's first and last layers, pytorch's fake-quantized layers).
var floatKernels = []Kernel{}
