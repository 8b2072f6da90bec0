// Package cpu holds the Go twins of the WGSL kernels in shaders/: for every
// compute entry point there is one Go function here with the same inputs and
// outputs, most written line for line like the shader in plain loops. The
// twins are the CPU backend of package gpu, the oracle of its cross-check
// test and the readable specification of every shader.
//
// Where the CPU backend's speed needs it, a twin is arranged differently
// from its shader but computes each output the same way: the convolution
// data movement (im2col, col2im) loops over rows and valid taps, and
// element-wise twins run chunks in parallel (parallel.go), so the words are
// those of the shader. The float GEMM and convolution twins go through
// gonum's blas32.Gemm instead of the shaders' direct sums; float twins
// agree with their shaders within rounding, integer twins bit for bit.
//
// # Overview
//
// A twin takes the kernel's params struct (the same fields, in the same
// order, as the WGSL uniform struct of the same name) and the kernel's
// storage buffers as []uint32 words, outputs first. It operates on exactly
// the words the shader sees: int8 packed 4 per word (little-endian lanes),
// int32 as the word's two's complement bits.
//
// # Number format
//
// Twins follow WGSL integer semantics, not Go's, where the two differ: shift
// counts are taken mod 32 ([Shl], [Shr]), i32 arithmetic wraps, x/0 = x and
// x%0 = 0 ([DivI32], [RemI32]). Integer twins contain no float arithmetic.
//
// # Invariants
//
// Inputs are never modified; outputs come first in the argument list. A twin
// touches only the elements its params name, so buffers may be longer than
// needed. Shared helpers are the twins of shaders/common.wgsl and live in
// common.go.
package cpu
