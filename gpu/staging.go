//go:build cgo

package gpu

import (
	"errors"
	"fmt"

	"github.com/oliverbestmann/webgpu/wgpu"
)

// errMapTimeout reports a staging map whose callback never ran.
var errMapTimeout = errors.New("gpu: mapping the staging buffer did not complete")

// readback copies n words at byte offset off of src to the host. It is the
// only place that maps a buffer: it copies into a pooled staging buffer,
// submits the copy, maps it, waits, copies the words out of C memory and
// unmaps before returning, so no buffer is ever mapped while other work is
// submitted (Queue.Submit aborts the process on a mapped buffer). A staging
// buffer whose mapping failed is destroyed rather than pooled. wgMu is held.
func (b *wgpuBackend) readback(src *wgpu.Buffer, off uint64, n int) ([]uint32, error) {
	size := uint64(n) * 4
	st, err := b.get(poolKey{size: size, usage: stagingUsage})
	if err != nil {
		return nil, err
	}
	enc, err := try(b.dev.TryCreateCommandEncoder(nil))
	if err != nil {
		b.put(st)
		return nil, fmt.Errorf("gpu: readback: %w", err)
	}
	defer enc.Release()
	if err := try0(enc.TryCopyBufferToBuffer(src, off, st.b, 0, size)); err != nil {
		b.put(st)
		return nil, fmt.Errorf("gpu: readback copy: %w", err)
	}
	cmd, err := try(enc.TryFinish(nil))
	if err != nil {
		b.put(st)
		return nil, fmt.Errorf("gpu: readback: %w", err)
	}
	b.queue.Submit(cmd)
	cmd.Release()

	done := false
	var status wgpu.MapAsyncStatus
	if err := try0(st.b.TryMapAsync(wgpu.MapModeRead, 0, size, func(s wgpu.MapAsyncStatus) {
		status, done = s, true
	})); err != nil {
		b.destroy(st)
		return nil, fmt.Errorf("gpu: readback map: %w", err)
	}
	for range 1000 {
		if done {
			break
		}
		b.dev.Poll(true, nil)
	}
	if !done {
		b.destroy(st) // still pending: never submit it again
		return nil, errMapTimeout
	}
	if status != wgpu.MapAsyncStatusSuccess {
		b.destroy(st)
		return nil, fmt.Errorf("gpu: readback map: status %v: %w", status, ErrDeviceLost)
	}
	out := make([]uint32, n)
	copy(out, wgpu.FromBytes[uint32](st.b.GetMappedRange(0, uint(size))))
	if err := try0(st.b.TryUnmap()); err != nil {
		b.destroy(st)
		return nil, fmt.Errorf("gpu: readback unmap: %w", err)
	}
	b.put(st)
	return out, nil
}
