//go:build !cgo

package gpu

import "fmt"

// openWebGPU is unavailable without cgo: the binding needs it.
func openWebGPU(Options) (backend, error) {
	return nil, fmt.Errorf("gpu: built without cgo: %w", ErrNoAdapter)
}

// setSourceHook is a no-op without cgo (the hook only matters for WGSL).
func (d *Device) setSourceHook(func(k *Kernel) (string, bool)) {}
