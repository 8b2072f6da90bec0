package bench

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wageubn/wageubn/gpu"
)

// Bound says which resource limits a kernel, and so which throughput is
// its headline: operations per second or bytes per second.
type Bound int

// The bounds.
const (
	Compute Bound = iota // headline GOP/s
	Memory               // headline GB/s
	// Items: the headline is Ops per second, unscaled, in Spec.ItemUnit:
	// for a training step, Ops is the images of one run and the headline
	// images/s (design.md, "Performance").
	Items
)

// Ceiling names the kind of peak a kernel is a fraction of (see Peaks).
type Ceiling int

// The ceilings.
const (
	NoCeiling Ceiling = iota
	Int8Ops           // int8 multiply-adds, GOP/s
	F32Ops            // float32 multiply-adds, GFLOP/s
	MemBytes          // memory bandwidth, GB/s
)

// Families are the kernel families wgbench knows, in display order. A
// family without rows in Specs is "not available yet".
var Families = []string{"gemm", "conv", "quant", "bn", "train-step"}

// HostBackend is the Backend of a Case that runs plain Go on the host,
// with no gpu.Device (the baselines and internal/i8gemm).
const HostBackend = "go"

// Prepared is a case whose inputs are uploaded: Run does one timed unit of
// work (record, submit and wait for a device case), Check compares the
// result of the last Run with a reference computed independently (nil: no
// check), and Release frees the inputs.
type Prepared struct {
	Run     func() error
	Check   func() error
	Release func()
}

// Spec is one row of the case table: a kernel at every size.
type Spec struct {
	Family string // one of Families
	Kernel string // stable name, used in JSON ("gemm_i8")
	// Device: the row runs on a gpu.Device, once per backend; otherwise it
	// is plain Go on the host (backend "go"), once per size.
	Device bool
	Bound  Bound
	// Ceiling is the peak the throughput is a fraction of.
	Ceiling Ceiling
	// Baseline is the Kernel of the row of the same size this row is
	// compared with ("" for none).
	Baseline string
	// Ops and Bytes give the work of one run at size n: operations (a
	// multiply-add counts 2) and bytes read plus written.
	Ops, Bytes func(n int) float64
	// ItemUnit is the headline unit of an Items row, e.g. "images/s".
	ItemUnit string
	// Shape describes the tensors at size n, e.g. "[512 512]x[512 512]".
	Shape func(n int) string
	// Setup generates the inputs for size n, uploads them to d (nil for a
	// host row) and returns the prepared case.
	Setup func(d *gpu.Device, n int) (Prepared, error)
}

// Case is one Spec at one backend and one size.
type Case struct {
	*Spec
	Backend string      // "webgpu", "cpu" or HostBackend
	Size    int         // n
	Dev     *gpu.Device // nil for a host case
	// PeakValue is the ceiling in GOP/s or GB/s this case is a fraction of
	// (0: none configured).
	PeakValue float64
	// PeakName says what PeakValue is, e.g. "CPU int8 VNNI peak".
	PeakName string
}

// Name returns "kernel/backend/n=size", the name of the case in
// benchmarks and messages.
func (c Case) Name() string {
	return fmt.Sprintf("%s/%s/n=%d", c.Kernel, c.Backend, c.Size)
}

// Peaks are the ceilings results are a fraction of, in GOP/s (operations)
// and GB/s (bytes); 0 means unknown and leaves the fraction out. The CPU
// values apply to host cases, to the CPU backend and to WebGPU adapters of
// type CPU (lavapipe runs on the same cores); the GPU values apply to
// other WebGPU adapters.
type Peaks struct {
	CPUInt8, CPUF32, CPUMem float64
	GPUInt8, GPUF32, GPUMem float64
}

// DevMachine are the ceilings of the 2-core Zen 5 development machine
// (AVX-512 VNNI) of shared/notes.md: int8 VNNI about 2150 GOP/s, float32
// AVX-512 FMA about 540 GFLOP/s. They are right only there; wgbench's
// -peak-* flags set others.
var DevMachine = Peaks{CPUInt8: 2150, CPUF32: 540}

// peak returns the ceiling of kind c for a case on backend be (adapter
// type at for WebGPU).
func (p Peaks) peak(c Ceiling, be string, at gpu.AdapterType) (float64, string) {
	host := be != "webgpu" || at == gpu.AdapterCPU
	where := "CPU"
	if !host {
		where = "GPU"
	}
	var v float64
	var what string
	switch c {
	case Int8Ops:
		v, what = p.GPUInt8, "int8 peak"
		if host {
			v = p.CPUInt8
		}
	case F32Ops:
		v, what = p.GPUF32, "fp32 peak"
		if host {
			v = p.CPUF32
		}
	case MemBytes:
		v, what = p.GPUMem, "memory bandwidth"
		if host {
			v = p.CPUMem
		}
	default:
		return 0, ""
	}
	if v <= 0 {
		return 0, ""
	}
	return v, where + " " + what
}

// Available reports whether family has rows in Specs.
func Available(family string) bool {
	return slices.ContainsFunc(Specs, func(s Spec) bool { return s.Family == family })
}

// Lookup returns the rows of the families named (all rows for none), in
// table order. It fails with ErrUnknown for a name not in Families and
// with ErrNotAvailable, naming them, when a known family has no rows; the
// rows of the other families are returned along with that error.
func Lookup(families []string) ([]*Spec, error) {
	var missing []string
	for _, f := range families {
		if !slices.Contains(Families, f) {
			return nil, fmt.Errorf("%w: kernel family %q (known: %s)", ErrUnknown, f, strings.Join(Families, ", "))
		}
	}
	var out []*Spec
	for i := range Specs {
		if len(families) == 0 || slices.Contains(families, Specs[i].Family) {
			out = append(out, &Specs[i])
		}
	}
	for _, f := range families {
		if !Available(f) && !slices.Contains(missing, f) {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("%w: %s (no benchmark cases yet)", ErrNotAvailable, strings.Join(missing, ", "))
	}
	return out, nil
}

// Expand returns the cases of specs at every size: a device row once per
// device in devs, a host row once per size (backend HostBackend, whatever
// the devices: the host rows are the baselines). Sizes must be positive
// (ErrSize). Cases come ordered by size, then table order, then device
// order, so that the cases of one size are adjacent, as Measure wants.
func Expand(specs []*Spec, devs []*gpu.Device, sizes []int, peaks Peaks) ([]Case, error) {
	for _, n := range sizes {
		if n <= 0 {
			return nil, fmt.Errorf("%w: %d (sizes must be positive)", ErrSize, n)
		}
	}
	var cs []Case
	for _, n := range sizes {
		for _, s := range specs {
			if !s.Device {
				v, name := peaks.peak(s.Ceiling, HostBackend, gpu.AdapterUnknown)
				cs = append(cs, Case{Spec: s, Backend: HostBackend, Size: n, PeakValue: v, PeakName: name})
				continue
			}
			for _, d := range devs {
				be := d.Backend().String()
				v, name := peaks.peak(s.Ceiling, be, d.Info().AdapterType)
				cs = append(cs, Case{Spec: s, Backend: be, Size: n, Dev: d, PeakValue: v, PeakName: name})
			}
		}
	}
	return cs, nil
}
