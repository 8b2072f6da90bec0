package gpu

import "fmt"

// AdapterType classifies the hardware behind a device.
type AdapterType int

// The adapter types. Kernels may pick variants by type: CPU adapters (such
// as lavapipe) want register-blocked kernels without workgroup memory.
const (
	AdapterUnknown AdapterType = iota
	AdapterCPU
	AdapterDiscrete
	AdapterIntegrated
)

// String returns "unknown", "cpu", "discrete-gpu" or "integrated-gpu".
func (a AdapterType) String() string {
	switch a {
	case AdapterCPU:
		return "cpu"
	case AdapterDiscrete:
		return "discrete-gpu"
	case AdapterIntegrated:
		return "integrated-gpu"
	}
	return "unknown"
}

// Limits are the device limits the gpu package designs for (WebGPU names).
type Limits struct {
	MaxStorageBufferBindingSize       uint64 // bytes per storage binding (a tensor)
	MaxBufferSize                     uint64 // bytes per buffer
	MaxComputeWorkgroupsPerDimension  uint32 // per grid dimension
	MaxComputeInvocationsPerWorkgroup uint32
	MaxComputeWorkgroupStorageSize    uint32 // bytes
	MaxStorageBuffersPerShaderStage   uint32
	MinUniformBufferOffsetAlignment   uint32 // bytes
	MinStorageBufferOffsetAlignment   uint32 // bytes
}

// Info describes a device; it prints as one line.
type Info struct {
	Backend     Backend
	Adapter     string // adapter name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
	AdapterType AdapterType
	Driver      string // driver description, e.g. "Mesa 22.3.6 (LLVM 15.0.6)"
	Limits      Limits
}

// String returns e.g. "webgpu: llvmpipe (LLVM 15.0.6, 256 bits) [cpu]
// driver Mesa 22.3.6; max storage binding 134217728 B, 65535 workgroups/dim".
func (i Info) String() string {
	return fmt.Sprintf("%v: %s [%v] driver %s; max storage binding %d B, %d workgroups/dim, %d invocations/workgroup",
		i.Backend, i.Adapter, i.AdapterType, i.Driver, i.Limits.MaxStorageBufferBindingSize,
		i.Limits.MaxComputeWorkgroupsPerDimension, i.Limits.MaxComputeInvocationsPerWorkgroup)
}
