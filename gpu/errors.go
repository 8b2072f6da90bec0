package gpu

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, for errors.Is.
var (
	// ErrNoAdapter: no WebGPU adapter exists (or the build has no cgo).
	ErrNoAdapter = errors.New("gpu: no WebGPU adapter")
	// ErrShape: a shape, dtype or argument does not fit the kernel.
	ErrShape = errors.New("gpu: shape mismatch")
	// ErrTooLarge: a buffer, grid or reduction exceeds a device limit or an
	// exactness bound.
	ErrTooLarge = errors.New("gpu: too large")
	// ErrDeviceLost: the WebGPU device was lost; open a new one.
	ErrDeviceLost = errors.New("gpu: device lost")
	// ErrClosed: the device was closed.
	ErrClosed = errors.New("gpu: device closed")
)

// KernelError reports a failure of one kernel: validation before recording,
// pipeline compilation, bind group creation or the CPU twin. Use errors.As
// to get it and errors.Is to test the wrapped sentinel.
type KernelError struct {
	Kernel string  // registry name, e.g. "gemm_i8_nt"
	Shapes [][]int // shapes of the kernel's tensors, outputs first
	Err    error   // the cause
}

// Error returns "gpu: KERNEL [s0]x[s1]: cause".
func (e *KernelError) Error() string {
	var b strings.Builder
	b.WriteString("gpu: ")
	b.WriteString(e.Kernel)
	if len(e.Shapes) > 0 {
		b.WriteByte(' ')
		for i, s := range e.Shapes {
			if i > 0 {
				b.WriteByte('x')
			}
			fmt.Fprint(&b, s)
		}
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "gpu: "))
	return b.String()
}

// Unwrap returns the cause.
func (e *KernelError) Unwrap() error { return e.Err }

// kernelErr builds a *KernelError whose cause wraps sentinel (may be nil)
// with a formatted message.
func kernelErr(kernel string, shapes [][]int, sentinel error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	var err error
	if sentinel != nil {
		err = fmt.Errorf("%s: %w", msg, sentinel)
	} else {
		err = errors.New(msg)
	}
	return &KernelError{Kernel: kernel, Shapes: shapes, Err: err}
}
