//go:build cgo

package gpu

// The WebGPU backend. This file and staging.go are the only ones that import
// the binding (github.com/oliverbestmann/webgpu/wgpu). Two of its pitfalls
// shape the code (design.md, "Known pitfalls"):
//   - sticky errors: after a Try... call fails, the binding's pooled error
//     callback keeps the error and later calls report it again; every
//     fallible call goes through try/try0, which flush that pool with two
//     runtime.GC calls after an error;
//   - Queue.Submit aborts the process on invalid work (a mapped buffer, a
//     failed encoder): command buffers are built only from validated pieces
//     and submitted only when TryFinish succeeded, and all mapping happens in
//     readback (staging.go), which unmaps before it returns.

import (
	"fmt"
	"math/bits"
	"runtime"
	"strings"
	"sync"

	"github.com/oliverbestmann/webgpu/wgpu"
	"github.com/wageubn/wageubn/shaders"
)

// wgMu serializes every call into the binding: its error-callback pool is
// process-wide, so one device's error must be flushed before any other call.
var wgMu sync.Mutex

// try returns v and err, flushing the binding's sticky error pool when err
// is not nil, and marking errors that report a lost device with
// ErrDeviceLost.
func try[T any](v T, err error) (T, error) {
	return v, try0(err)
}

// try0 is try for calls that return only an error.
func try0(err error) error {
	if err == nil {
		return nil
	}
	flushErrors()
	if msg := strings.ToLower(err.Error()); strings.Contains(msg, "device is lost") || strings.Contains(msg, "device lost") {
		return fmt.Errorf("%w: %w", ErrDeviceLost, err)
	}
	return err
}

// flushErrors drops the binding's pooled error callbacks: sync.Pool moves
// its items to a victim cache at one GC and drops them at the next.
func flushErrors() {
	runtime.GC()
	runtime.GC()
}

const (
	storageUsage = wgpu.BufferUsageStorage | wgpu.BufferUsageCopySrc | wgpu.BufferUsageCopyDst
	uniformUsage = wgpu.BufferUsageUniform | wgpu.BufferUsageCopyDst
	stagingUsage = wgpu.BufferUsageMapRead | wgpu.BufferUsageCopyDst
)

// wgBuffer is a WebGPU buffer and its pool key.
type wgBuffer struct {
	b   *wgpu.Buffer
	key poolKey
}

// poolKey is the exact (size, usage) under which free buffers are reused.
type poolKey struct {
	size  uint64 // bytes
	usage wgpu.BufferUsage
}

// wgPipeline is a compiled kernel.
type wgPipeline struct {
	pipe   *wgpu.ComputePipeline
	layout *wgpu.BindGroupLayout
}

type wgpuBackend struct {
	inst    *wgpu.Instance
	adapter *wgpu.Adapter
	dev     *wgpu.Device
	queue   *wgpu.Queue
	inf     Info

	modules map[string]*wgpu.ShaderModule // by file
	pipes   map[string]*wgPipeline        // by kernel name
	pool    map[poolKey][]*wgBuffer       // free buffers
	all     map[*wgBuffer]struct{}        // every buffer, for close

	// srcHook, when set, may replace a kernel's WGSL (tests inject invalid
	// shaders through it); pipelines built from it are not cached.
	srcHook func(k *Kernel) (string, bool)
}

// openWebGPU opens the first high-performance adapter with the limits it
// offers, or fails with ErrNoAdapter when there is none.
func openWebGPU(Options) (backend, error) {
	wgMu.Lock()
	defer wgMu.Unlock()
	inst := wgpu.CreateInstance(nil)
	if inst == nil {
		return nil, fmt.Errorf("gpu: creating a WebGPU instance failed: %w", ErrNoAdapter)
	}
	adapter, err := try(inst.RequestAdapter(&wgpu.RequestAdapterOptions{PowerPreference: wgpu.PowerPreferenceHighPerformance}))
	if err != nil || adapter == nil {
		inst.Release()
		return nil, fmt.Errorf("gpu: %v: %w", err, ErrNoAdapter)
	}
	al := adapter.GetLimits()
	req := wgpu.DefaultLimits()
	req.MaxStorageBufferBindingSize = al.MaxStorageBufferBindingSize
	req.MaxBufferSize = al.MaxBufferSize
	req.MaxStorageBuffersPerShaderStage = al.MaxStorageBuffersPerShaderStage
	req.MaxComputeInvocationsPerWorkgroup = al.MaxComputeInvocationsPerWorkgroup
	req.MaxComputeWorkgroupSizeX = al.MaxComputeWorkgroupSizeX
	req.MaxComputeWorkgroupSizeY = al.MaxComputeWorkgroupSizeY
	req.MaxComputeWorkgroupSizeZ = al.MaxComputeWorkgroupSizeZ
	req.MaxComputeWorkgroupStorageSize = al.MaxComputeWorkgroupStorageSize
	req.MaxComputeWorkgroupsPerDimension = al.MaxComputeWorkgroupsPerDimension

	b := &wgpuBackend{
		inst:    inst,
		adapter: adapter,
		modules: map[string]*wgpu.ShaderModule{},
		pipes:   map[string]*wgPipeline{},
		pool:    map[poolKey][]*wgBuffer{},
		all:     map[*wgBuffer]struct{}{},
	}
	dev, err := try(adapter.RequestDevice(&wgpu.DeviceDescriptor{
		Label:          "wageubn",
		RequiredLimits: &req,
		// No DeviceLostCallback: v1.33.4 passes its handle inside a Go
		// struct to C, which cgocheck rejects; a lost device shows up as
		// errors of later calls instead (see try).
	}))
	if err != nil {
		adapter.Release()
		inst.Release()
		return nil, fmt.Errorf("gpu: requesting a WebGPU device: %w", err)
	}
	b.dev = dev
	b.queue = dev.GetQueue()

	ai := adapter.GetInfo()
	// The device has the limits requested above (Device.GetLimits of
	// v1.33.4 trips cgocheck); alignments keep the WebGPU default of 256.
	dl := req
	dl.MinUniformBufferOffsetAlignment, dl.MinStorageBufferOffsetAlignment = 256, 256
	b.inf = Info{
		Backend:     WebGPU,
		Adapter:     ai.Device,
		AdapterType: adapterType(ai.AdapterType),
		Driver:      fmt.Sprintf("%s (%v)", ai.Description, ai.BackendType),
		Limits: Limits{
			MaxStorageBufferBindingSize:       dl.MaxStorageBufferBindingSize,
			MaxBufferSize:                     dl.MaxBufferSize,
			MaxComputeWorkgroupsPerDimension:  dl.MaxComputeWorkgroupsPerDimension,
			MaxComputeInvocationsPerWorkgroup: dl.MaxComputeInvocationsPerWorkgroup,
			MaxComputeWorkgroupStorageSize:    dl.MaxComputeWorkgroupStorageSize,
			MaxStorageBuffersPerShaderStage:   dl.MaxStorageBuffersPerShaderStage,
			MinUniformBufferOffsetAlignment:   dl.MinUniformBufferOffsetAlignment,
			MinStorageBufferOffsetAlignment:   dl.MinStorageBufferOffsetAlignment,
		},
	}
	if b.inf.Adapter == "" {
		b.inf.Adapter = ai.Vendor
	}
	return b, nil
}

func adapterType(t wgpu.AdapterType) AdapterType {
	switch t {
	case wgpu.AdapterTypeCPU:
		return AdapterCPU
	case wgpu.AdapterTypeDiscreteGPU:
		return AdapterDiscrete
	case wgpu.AdapterTypeIntegratedGPU:
		return AdapterIntegrated
	}
	return AdapterUnknown
}

func (b *wgpuBackend) info() Info { return b.inf }

// get returns a buffer of the key from the pool or creates one; on failure
// it empties the pool and retries once (tinygrad's LRUAllocator).
func (b *wgpuBackend) get(key poolKey) (*wgBuffer, error) {
	if l := b.pool[key]; len(l) > 0 {
		buf := l[len(l)-1]
		b.pool[key] = l[:len(l)-1]
		return buf, nil
	}
	desc := &wgpu.BufferDescriptor{Size: key.size, Usage: key.usage}
	raw, err := try(b.dev.TryCreateBuffer(desc))
	if err != nil {
		b.drainPool()
		raw, err = try(b.dev.TryCreateBuffer(desc))
	}
	if err != nil {
		return nil, fmt.Errorf("gpu: allocating a %d-byte buffer: %w", key.size, err)
	}
	buf := &wgBuffer{b: raw, key: key}
	b.all[buf] = struct{}{}
	return buf, nil
}

// put returns a buffer to the pool.
func (b *wgpuBackend) put(buf *wgBuffer) { b.pool[buf.key] = append(b.pool[buf.key], buf) }

// destroy frees a buffer for good.
func (b *wgpuBackend) destroy(buf *wgBuffer) {
	delete(b.all, buf)
	buf.b.Destroy()
	buf.b.Release()
}

// drainPool destroys every free buffer.
func (b *wgpuBackend) drainPool() {
	for k, l := range b.pool {
		for _, buf := range l {
			b.destroy(buf)
		}
		delete(b.pool, k)
	}
}

// bytesFor is the size of a buffer of words words: at least one word, since
// WebGPU bindings cannot be empty.
func bytesFor(words int) uint64 { return uint64(max(words, 1)) * 4 }

func (b *wgpuBackend) alloc(words int) (buffer, error) {
	wgMu.Lock()
	defer wgMu.Unlock()
	return b.get(poolKey{size: bytesFor(words), usage: storageUsage})
}

func (b *wgpuBackend) free(buf buffer) {
	wgMu.Lock()
	defer wgMu.Unlock()
	b.put(buf.(*wgBuffer))
}

func (b *wgpuBackend) write(buf buffer, off int, src []uint32) error {
	if len(src) == 0 {
		return nil
	}
	wgMu.Lock()
	defer wgMu.Unlock()
	if err := try0(b.queue.TryWriteBuffer(buf.(*wgBuffer).b, uint64(off)*4, wgpu.ToBytes(src))); err != nil {
		return fmt.Errorf("gpu: upload: %w", err)
	}
	return nil
}

func (b *wgpuBackend) read(buf buffer, off, n int) ([]uint32, error) {
	if n == 0 {
		return []uint32{}, nil
	}
	wgMu.Lock()
	defer wgMu.Unlock()
	return b.readback(buf.(*wgBuffer).b, uint64(off)*4, n)
}

// source returns the WGSL module text for a kernel.
func (b *wgpuBackend) source(k *Kernel) (src string, hooked bool, err error) {
	if b.srcHook != nil {
		if s, ok := b.srcHook(k); ok {
			return s, true, nil
		}
	}
	src, err = shaders.Source(k.File)
	return src, false, err
}

// prepare compiles the kernel's module (once per file) and pipeline (once
// per kernel) and caches both.
func (b *wgpuBackend) prepare(k *Kernel) error {
	wgMu.Lock()
	defer wgMu.Unlock()
	if _, ok := b.pipes[k.Name]; ok {
		return nil
	}
	src, hooked, err := b.source(k)
	if err != nil {
		return err
	}
	mod := b.modules[k.File]
	if mod == nil || hooked {
		mod, err = try(b.dev.TryCreateShaderModule(&wgpu.ShaderModuleDescriptor{
			Label:      k.File,
			WGSLSource: &wgpu.ShaderSourceWGSL{Code: src},
		}))
		if err != nil {
			return fmt.Errorf("compiling %s: %w", k.File, err)
		}
		if hooked {
			defer mod.Release()
		} else {
			b.modules[k.File] = mod
		}
	}
	pipe, err := try(b.dev.TryCreateComputePipeline(&wgpu.ComputePipelineDescriptor{
		Label:   k.Name,
		Compute: wgpu.ProgrammableStageDescriptor{Module: mod, EntryPoint: k.Name},
	}))
	if err != nil {
		return fmt.Errorf("creating the pipeline: %w", err)
	}
	p := &wgPipeline{pipe: pipe, layout: pipe.GetBindGroupLayout(0)}
	if hooked {
		p.layout.Release()
		pipe.Release()
		return nil
	}
	b.pipes[k.Name] = p
	return nil
}

// submit records all dispatches into one compute pass of one command buffer
// and submits it. The params of all dispatches share one uniform arena, one
// slot per dispatch at the device's uniform offset alignment.
func (b *wgpuBackend) submit(ds []dispatch) error {
	wgMu.Lock()
	defer wgMu.Unlock()
	align := int(b.inf.Limits.MinUniformBufferOffsetAlignment / 4) // words
	offs := make([]int, len(ds))
	words := 0
	for i, d := range ds {
		offs[i] = words
		words += roundUp(max(len(d.uniform), 4), align)
	}
	arenaWords := make([]uint32, words)
	for i, d := range ds {
		copy(arenaWords[offs[i]:], d.uniform)
	}
	// Round the arena to a power of two so the pool can reuse it.
	arena, err := b.get(poolKey{size: uint64(1) << bits.Len64(uint64(words)*4-1), usage: uniformUsage})
	if err != nil {
		return err
	}
	defer b.put(arena) // later writes are queued after this submission
	if err := try0(b.queue.TryWriteBuffer(arena.b, 0, wgpu.ToBytes(arenaWords))); err != nil {
		return fmt.Errorf("gpu: writing params: %w", err)
	}

	enc, err := try(b.dev.TryCreateCommandEncoder(nil))
	if err != nil {
		return fmt.Errorf("gpu: creating a command encoder: %w", err)
	}
	defer enc.Release()
	var groups []*wgpu.BindGroup
	defer func() {
		for _, g := range groups {
			g.Release()
		}
	}()
	pass := enc.BeginComputePass(nil)
	for i := range ds {
		d := &ds[i]
		if d.groups[0] == 0 || d.groups[1] == 0 || d.groups[2] == 0 {
			continue
		}
		p := b.pipes[d.k.Name]
		if p == nil { // prepare failed or was hooked: nothing valid to run
			err = kernelErr(d.k.Name, d.shapes, nil, "pipeline not prepared")
			break
		}
		entries := make([]wgpu.BindGroupEntry, 1+len(d.binds))
		entries[0] = wgpu.BindGroupEntry{Binding: 0, Buffer: arena.b, Offset: uint64(offs[i]) * 4, Size: uint64(roundUp(len(d.uniform), 4)) * 4}
		for j, bd := range d.binds {
			entries[1+j] = wgpu.BindGroupEntry{Binding: uint32(1 + j), Buffer: bd.buf.(*wgBuffer).b, Offset: uint64(bd.off) * 4, Size: bytesFor(bd.n)}
		}
		g, gerr := try(b.dev.TryCreateBindGroup(&wgpu.BindGroupDescriptor{Label: d.k.Name, Layout: p.layout, Entries: entries}))
		if gerr != nil {
			err = &KernelError{Kernel: d.k.Name, Shapes: d.shapes, Err: fmt.Errorf("creating the bind group: %w", gerr)}
			break
		}
		groups = append(groups, g)
		pass.SetPipeline(p.pipe)
		pass.SetBindGroup(0, g, nil)
		pass.DispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2])
	}
	endErr := try0(pass.TryEnd())
	pass.Release()
	if err != nil {
		return err
	}
	if endErr != nil {
		return fmt.Errorf("gpu: recording %d dispatches: %w", len(ds), endErr)
	}
	cmd, err := try(enc.TryFinish(nil))
	if err != nil {
		return fmt.Errorf("gpu: finishing %d dispatches (%s...): %w", len(ds), ds[0].k.Name, err)
	}
	b.queue.Submit(cmd)
	cmd.Release()
	return nil
}

func (b *wgpuBackend) wait() error {
	wgMu.Lock()
	defer wgMu.Unlock()
	b.dev.Poll(true, nil)
	return nil
}

func (b *wgpuBackend) close() error {
	wgMu.Lock()
	defer wgMu.Unlock()
	b.dev.Poll(true, nil)
	for _, p := range b.pipes {
		p.layout.Release()
		p.pipe.Release()
	}
	for _, m := range b.modules {
		m.Release()
	}
	for buf := range b.all {
		b.destroy(buf)
	}
	b.pipes, b.modules, b.pool = nil, nil, nil
	b.queue.Release()
	b.dev.Release()
	b.adapter.Release()
	b.inst.Release()
	return nil
}

// setSourceHook installs a WGSL source hook on a WebGPU device (tests).
func (d *Device) setSourceHook(h func(k *Kernel) (string, bool)) {
	if b, ok := d.be.(*wgpuBackend); ok {
		wgMu.Lock()
		b.srcHook = h
		wgMu.Unlock()
	}
}

// roundUp rounds n up to a multiple of m > 0.
func roundUp(n, m int) int { return (n + m - 1) / m * m }
