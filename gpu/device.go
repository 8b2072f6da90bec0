package gpu

import (
	"errors"
	"fmt"
	"sync"
)

// Backend selects the implementation behind a Device.
type Backend int

// The backends.
const (
	Auto   Backend = iota // WebGPU when an adapter exists, else CPU
	WebGPU                // WGSL shaders through wgpu-native (needs cgo)
	CPU                   // the Go twins of package gpu/cpu
)

// String returns "auto", "webgpu" or "cpu".
func (b Backend) String() string {
	switch b {
	case Auto:
		return "auto"
	case WebGPU:
		return "webgpu"
	case CPU:
		return "cpu"
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// DefaultMaxStorageBytes is WebGPU's default maxStorageBufferBindingSize
// (128 MiB). The CPU backend uses it as its tensor size limit unless
// Options.MaxStorageBytes says otherwise, so that a program that runs on the
// CPU backend also fits any WebGPU device.
const DefaultMaxStorageBytes = 128 << 20

// Options configure Open.
type Options struct {
	// Backend picks the implementation; the zero value is Auto.
	Backend Backend
	// MaxStorageBytes is the largest tensor buffer the CPU backend accepts
	// (0: DefaultMaxStorageBytes). WebGPU uses the adapter's limit.
	MaxStorageBytes uint64
	// Debug makes Recorder.Submit wait for its work and read the device's
	// error word, returning ErrOverflow (or another flag's error) when a
	// kernel flagged a data error. Without it the flags accumulate and
	// Device.ErrorWord reads them on demand.
	Debug bool
}

// Device owns the buffers, the buffer pool and the compiled pipelines of one
// backend. Its methods are safe for concurrent use; a Recorder is not.
type Device struct {
	mu      sync.Mutex
	be      backend
	info    Info
	closed  bool
	debug   bool
	errWord buffer // one word of error flags (see Kernel.ErrorWord)
}

// Open opens a device. With Backend Auto it opens WebGPU when an adapter
// exists and falls back to the CPU backend when there is none (ErrNoAdapter);
// other WebGPU failures are returned. Forcing WebGPU without an adapter
// returns an error wrapping ErrNoAdapter (also when built without cgo).
func Open(opts Options) (*Device, error) {
	var be backend
	var err error
	switch opts.Backend {
	case Auto:
		be, err = openWebGPU(opts)
		if errors.Is(err, ErrNoAdapter) {
			be, err = openCPU(opts), nil
		}
	case WebGPU:
		be, err = openWebGPU(opts)
	case CPU:
		be = openCPU(opts)
	default:
		return nil, fmt.Errorf("gpu: unknown backend %v: %w", opts.Backend, ErrShape)
	}
	if err != nil {
		return nil, err
	}
	d := &Device{be: be, info: be.info(), debug: opts.Debug}
	if d.errWord, err = be.alloc(1); err == nil {
		err = be.write(d.errWord, 0, []uint32{0})
	}
	if err != nil {
		be.close()
		return nil, err
	}
	return d, nil
}

// Info describes the device: backend, adapter and limits.
func (d *Device) Info() Info { return d.info }

// Backend returns the backend in use (WebGPU or CPU).
func (d *Device) Backend() Backend { return d.info.Backend }

// Wait blocks until all submitted work has finished and returns
// ErrDeviceLost if the device was lost meanwhile.
func (d *Device) Wait() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	return d.be.wait()
}

// Close waits for submitted work and releases every buffer, pipeline and the
// device itself. Tensors of a closed device must not be used; Release on
// them is a no-op. Close is idempotent.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.be.close()
}
