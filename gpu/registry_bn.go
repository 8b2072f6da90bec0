package gpu

// bnKernels: batch norm forward and backward in integer arithmetic.
var bnKernels = []Kernel{}
