package gpu

import (
	"fmt"
	"runtime"
)

// cpuBuffer is a CPU backend buffer: the words themselves.
type cpuBuffer struct{ w []uint32 }

// cpuBackend runs every kernel's Go twin (package gpu/cpu) at Submit.
type cpuBackend struct {
	inf  Info
	pool map[int][]*cpuBuffer // free buffers by exact word count
}

func openCPU(opts Options) *cpuBackend {
	maxBytes := opts.MaxStorageBytes
	if maxBytes == 0 {
		maxBytes = DefaultMaxStorageBytes
	}
	return &cpuBackend{
		inf: Info{
			Backend:     CPU,
			Adapter:     fmt.Sprintf("Go %s/%s, %d threads", runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0)),
			AdapterType: AdapterCPU,
			Driver:      runtime.Version(),
			Limits: Limits{
				MaxStorageBufferBindingSize:       maxBytes,
				MaxBufferSize:                     maxBytes,
				MaxComputeWorkgroupsPerDimension:  65535, // WebGPU default, kept so grids match
				MaxComputeInvocationsPerWorkgroup: 256,
				MaxComputeWorkgroupStorageSize:    16384,
				MaxStorageBuffersPerShaderStage:   8,
				MinUniformBufferOffsetAlignment:   256,
				MinStorageBufferOffsetAlignment:   256,
			},
		},
		pool: map[int][]*cpuBuffer{},
	}
}

func (c *cpuBackend) info() Info { return c.inf }

func (c *cpuBackend) alloc(words int) (buffer, error) {
	if l := c.pool[words]; len(l) > 0 {
		b := l[len(l)-1]
		c.pool[words] = l[:len(l)-1]
		return b, nil
	}
	return &cpuBuffer{w: make([]uint32, words)}, nil
}

func (c *cpuBackend) free(b buffer) {
	cb := b.(*cpuBuffer)
	c.pool[len(cb.w)] = append(c.pool[len(cb.w)], cb)
}

func (c *cpuBackend) write(b buffer, off int, src []uint32) error {
	copy(b.(*cpuBuffer).w[off:off+len(src)], src)
	return nil
}

func (c *cpuBackend) read(b buffer, off, n int) ([]uint32, error) {
	out := make([]uint32, n)
	copy(out, b.(*cpuBuffer).w[off:off+n])
	return out, nil
}

func (c *cpuBackend) prepare(*Kernel) error { return nil }

// submit runs the twins in order. A twin that panics (a bug in the twin,
// e.g. params that do not fit the buffers) becomes a *KernelError.
func (c *cpuBackend) submit(ds []dispatch) error {
	for i := range ds {
		if err := c.run(&ds[i]); err != nil {
			return err
		}
	}
	return nil
}

func (c *cpuBackend) run(d *dispatch) (err error) {
	if d.groups[0] == 0 || d.groups[1] == 0 || d.groups[2] == 0 {
		return nil
	}
	bufs := make([][]uint32, len(d.binds))
	for i, b := range d.binds {
		w := b.buf.(*cpuBuffer).w
		bufs[i] = w[b.off : b.off+b.n : b.off+b.n]
	}
	defer func() {
		if r := recover(); r != nil {
			err = kernelErr(d.k.Name, d.shapes, nil, "cpu twin panicked: %v", r)
		}
	}()
	d.k.callTwin(d.params, bufs)
	return nil
}

func (c *cpuBackend) wait() error { return nil }

func (c *cpuBackend) close() error {
	c.pool = nil
	return nil
}
