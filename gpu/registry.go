package gpu

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Kernel is one row of the registry: a WGSL entry point and its Go twin.
//
// The WGSL entry point is named Name and lives in shaders/File (spliced
// after shaders/common.wgsl). Its bindings are, in group 0: @binding(0) a
// uniform of the params struct, then @binding(1..Buffers) the storage
// buffers in the order the twin takes them, outputs first.
type Kernel struct {
	Name string // registry key and WGSL entry point, family_op[_variant]
	File string // WGSL file in shaders/
	// Twin is the Go twin in package gpu/cpu, a func(P, []uint32, ...) whose
	// first argument is the params struct P (only uint32, int32 and float32
	// fields, the WGSL uniform struct of the same name) and whose other
	// arguments are the storage buffers, outputs first.
	Twin any
	// Outputs is how many of the leading buffers the kernel writes
	// (read_write in WGSL); the rest are read-only inputs.
	Outputs int
	// Grid sizes the dispatch from the params.
	Grid Grid
	// Words returns the words each storage buffer must hold for the params
	// (error word excluded), in binding order; Run refuses shorter buffers
	// with ErrShape, so that no backend reads or writes out of range.
	Words func(params any) []int
	// ErrorWord marks a kernel that reports data errors (e.g. ERR_OVERFLOW
	// of common.wgsl) by atomicOr into the device's error word: its last
	// storage binding (and the twin's last buffer) is that word, which Run
	// binds itself; callers pass only the others. See Options.Debug.
	ErrorWord bool
	// Check, when set, validates the params before a dispatch is recorded
	// (for a variant that only handles some of them); its error comes back
	// from Run as a *KernelError wrapping ErrShape.
	Check func(params any) error

	twin    reflect.Value // Twin, checked
	params  reflect.Type  // P
	buffers int           // storage bindings
}

// Buffers returns the number of storage bindings (the twin's buffer
// arguments), the error word included.
func (k *Kernel) Buffers() int { return k.buffers }

// Args returns the number of buffers a caller passes to Run: Buffers less
// the error word.
func (k *Kernel) Args() int {
	if k.ErrorWord {
		return k.buffers - 1
	}
	return k.buffers
}

// ParamsType returns the params struct type.
func (k *Kernel) ParamsType() reflect.Type { return k.params }

// callTwin calls the Go twin with params and the buffers' words.
func (k *Kernel) callTwin(params any, bufs [][]uint32) {
	args := make([]reflect.Value, 1+len(bufs))
	args[0] = reflect.ValueOf(params)
	for i, b := range bufs {
		args[1+i] = reflect.ValueOf(b)
	}
	k.twin.Call(args)
}

// registry is the one table of kernels, grouped by family. Adding a kernel
// pair: see "Adding a kernel" in doc.go.
var registry = slices.Concat(coreKernels, quantKernels, gemmKernels, convKernels, bnKernels, layerKernels, floatKernels, nn1Kernels, nn2Kernels)

// coreKernels are the kernels of the runtime itself; every other family
// lists its rows in registry_FAMILY.go.
var coreKernels = []Kernel{
	// elementwise.wgsl — gpu/cpu/elementwise.go
	{Name: "fill_u32", File: "elementwise.wgsl", Twin: cpu.FillU32, Outputs: 1,
		Words: words(func(p cpu.FillParams) []uint64 { return []uint64{uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.FillParams) uint32 { return p.N })},
	{Name: "relu_i32", File: "elementwise.wgsl", Twin: cpu.ReluI32, Outputs: 1,
		Words: words(func(p cpu.ReluParams) []uint64 { return []uint64{uint64(p.N), uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.ReluParams) uint32 { return p.N })},
	{Name: "add_i32", File: "elementwise.wgsl", Twin: cpu.AddI32, Outputs: 1, ErrorWord: true,
		Words: words(func(p cpu.AddParams) []uint64 { n := uint64(p.N); return []uint64{n, n, n} }),
		Grid:  grid1D(64, func(p cpu.AddParams) uint32 { return p.N })},

	// reduce.wgsl — gpu/cpu/reduce.go
	{Name: "max_abs_i32", File: "reduce.wgsl", Twin: cpu.MaxAbsI32, Outputs: 1,
		Words: words(func(p cpu.MaxAbsParams) []uint64 { return []uint64{1, uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.MaxAbsParams) uint32 { return ceilDiv(p.N, cpu.MaxAbsChunk) })},

	// pack.wgsl — gpu/cpu/pack.go
	{Name: "pack_i8", File: "pack.wgsl", Twin: cpu.PackI8, Outputs: 1,
		Words: words(func(p cpu.PackParams) []uint64 { return []uint64{mul(p.Rows, p.KW), mul(p.Rows, p.K)} }),
		Grid:  grid1D(64, func(p cpu.PackParams) uint32 { return p.Rows * p.KW })},
	{Name: "pack_i8_t", File: "pack.wgsl", Twin: cpu.PackI8T, Outputs: 1,
		Words: words(func(p cpu.PackParams) []uint64 { return []uint64{mul(p.Rows, p.KW), mul(p.Rows, p.K)} }),
		Grid:  grid1D(64, func(p cpu.PackParams) uint32 { return p.Rows * p.KW })},

	// gemm.wgsl — gpu/cpu/gemm.go
	{Name: "gemm_i8_nt", File: "gemm.wgsl", Twin: cpu.GemmI8NT, Outputs: 1,
		Words: gemmWords,
		Grid:  grid2D(8, 8, func(p cpu.GemmParams) (uint32, uint32) { return ceilDiv(p.N, 8), ceilDiv(p.M, 8) })},
	{Name: "gemm_i8_nt_k16", File: "gemm.wgsl", Twin: cpu.GemmI8NT, Outputs: 1,
		Words: gemmWords,
		Grid:  grid2D(8, 8, func(p cpu.GemmParams) (uint32, uint32) { return ceilDiv(p.N, 8), ceilDiv(p.M, 8) }),
		Check: checkParams(func(p cpu.GemmParams) bool { return p.KW > 0 && p.KW%4 == 0 }, "KW must be a positive multiple of 4")},

	// cast.wgsl — gpu/cpu/cast.go
	{Name: "cast_f32_i32", File: "cast.wgsl", Twin: cpu.CastF32I32, Outputs: 1, ErrorWord: true,
		Words: words(func(p cpu.CastF32I32Params) []uint64 { return []uint64{uint64(p.N), uint64(p.N)} }),
		Grid:  grid1D(64, func(p cpu.CastF32I32Params) uint32 { return p.N })},
	{Name: "cast_i32_f32", File: "cast.wgsl", Twin: cpu.CastI32F32, Outputs: 1,
		Words: words(func(p cpu.CastI32F32Params) []uint64 { return []uint64{uint64(p.N), uint64(p.N), 1} }),
		Grid:  grid1D(64, func(p cpu.CastI32F32Params) uint32 { return p.N })},
	{Name: "widen_i32", File: "cast.wgsl", Twin: cpu.WidenI32, Outputs: 1,
		Words: words(func(p cpu.WidenParams) []uint64 {
			per := uint64(32 / max(p.Bits, 1))
			rows := (uint64(p.N) + uint64(p.Last) - 1) / max(uint64(p.Last), 1)
			return []uint64{uint64(p.N), rows * ((uint64(p.Last) + per - 1) / per)}
		}),
		Grid: grid1D(64, func(p cpu.WidenParams) uint32 { return p.N }),
		Check: checkParams(func(p cpu.WidenParams) bool { return (p.Bits == 8 || p.Bits == 16) && p.Last > 0 },
			"Bits must be 8 or 16 and Last positive")},

	// reshape.wgsl — gpu/cpu/reshape.go
	{Name: "reshape_b8", File: "reshape.wgsl", Twin: cpu.ReshapeB8, Outputs: 1,
		Words: reshapeWords(4), Grid: reshapeGrid, Check: reshapeCheck},
	{Name: "reshape_b16", File: "reshape.wgsl", Twin: cpu.ReshapeB16, Outputs: 1,
		Words: reshapeWords(2), Grid: reshapeGrid, Check: reshapeCheck},
	{Name: "reshape_b32", File: "reshape.wgsl", Twin: cpu.ReshapeB32, Outputs: 1,
		Words: reshapeWords(1), Grid: reshapeGrid, Check: reshapeCheck},
}

// reshapeWords sizes the buffers of a reshape kernel with per lanes a word:
// OutWords for the output, the packed rows of OldLast for the input.
func reshapeWords(per uint64) func(any) []int {
	return words(func(p cpu.ReshapeParams) []uint64 {
		rows := (uint64(p.N) + uint64(p.OldLast) - 1) / max(uint64(p.OldLast), 1)
		return []uint64{uint64(p.OutWords), rows * ((uint64(p.OldLast) + per - 1) / per)}
	})
}

var (
	reshapeGrid  = grid1D(64, func(p cpu.ReshapeParams) uint32 { return p.OutWords })
	reshapeCheck = checkParams(func(p cpu.ReshapeParams) bool { return p.OldLast > 0 && p.NewLast > 0 }, "OldLast and NewLast must be positive")
)

// words builds a Kernel.Words from a typed function (use mul for products,
// so that they cannot wrap).
func words[P any](f func(P) []uint64) func(any) []int {
	return func(p any) []int {
		w := f(p.(P))
		out := make([]int, len(w))
		for i, x := range w {
			out[i] = int(min(x, 1<<62))
		}
		return out
	}
}

// mul returns a·b without overflow.
func mul(a, b uint32) uint64 { return uint64(a) * uint64(b) }

// gemmWords: C is M·N words, A is M·KW and B is N·KW.
var gemmWords = words(func(p cpu.GemmParams) []uint64 { return []uint64{mul(p.M, p.N), mul(p.M, p.KW), mul(p.N, p.KW)} })

// checkParams builds a Kernel.Check from a predicate on the params.
func checkParams[P any](ok func(P) bool, msg string) func(any) error {
	return func(p any) error {
		if !ok(p.(P)) {
			return fmt.Errorf("params %+v: %s: %w", p, msg, ErrShape)
		}
		return nil
	}
}

// kernels indexes the registry by name.
var kernels = indexRegistry(registry)

// indexRegistry checks every row and indexes it by name. A malformed row is
// a broken invariant of this package (caught by the registry tests), so it
// panics.
func indexRegistry(rows []Kernel) map[string]*Kernel {
	m := make(map[string]*Kernel, len(rows))
	for i := range rows {
		k := &rows[i]
		if err := k.check(); err != nil {
			panic(err)
		}
		if _, dup := m[k.Name]; dup {
			panic(fmt.Sprintf("gpu: registry: duplicate kernel %q", k.Name))
		}
		m[k.Name] = k
	}
	return m
}

// check validates the row and fills the derived fields.
func (k *Kernel) check() error {
	t := reflect.TypeOf(k.Twin)
	if t == nil || t.Kind() != reflect.Func || t.NumIn() < 2 || t.NumOut() != 0 {
		return fmt.Errorf("gpu: registry: %s: twin must be func(Params, []uint32, ...)", k.Name)
	}
	if err := checkParamsType(t.In(0)); err != nil {
		return fmt.Errorf("gpu: registry: %s: %w", k.Name, err)
	}
	words := reflect.TypeOf([]uint32(nil))
	for i := 1; i < t.NumIn(); i++ {
		if t.In(i) != words {
			return fmt.Errorf("gpu: registry: %s: twin argument %d is %v, want []uint32", k.Name, i, t.In(i))
		}
	}
	k.twin = reflect.ValueOf(k.Twin)
	k.params = t.In(0)
	k.buffers = t.NumIn() - 1
	if k.Outputs < 1 || k.Outputs > k.Args() {
		return fmt.Errorf("gpu: registry: %s: Outputs %d not in 1..%d", k.Name, k.Outputs, k.Args())
	}
	if k.Grid.Size == nil || k.Grid.params != k.params {
		return fmt.Errorf("gpu: registry: %s: grid must be sized from %v", k.Name, k.params)
	}
	if k.Words == nil {
		return fmt.Errorf("gpu: registry: %s: Words is missing", k.Name)
	}
	return nil
}

// checkParamsType accepts structs of uint32, int32 and float32 fields only,
// the 4-byte scalars a WGSL uniform struct can mirror without padding.
func checkParamsType(t reflect.Type) error {
	if t.Kind() != reflect.Struct || t.NumField() == 0 {
		return fmt.Errorf("params %v: want a non-empty struct", t)
	}
	for i := range t.NumField() {
		switch f := t.Field(i); f.Type.Kind() {
		case reflect.Uint32, reflect.Int32, reflect.Float32:
		default:
			return fmt.Errorf("params %v: field %s is %v, want uint32, int32 or float32", t, f.Name, f.Type)
		}
	}
	return nil
}

// encodeParams encodes a params struct as little-endian 32-bit words, one
// per field in declaration order, the layout of the WGSL uniform struct.
func encodeParams(p any) []uint32 {
	v := reflect.ValueOf(p)
	out := make([]uint32, v.NumField())
	for i := range out {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Uint32:
			out[i] = uint32(f.Uint())
		case reflect.Int32:
			out[i] = uint32(int32(f.Int()))
		case reflect.Float32:
			out[i] = math.Float32bits(float32(f.Float()))
		}
	}
	return out
}

// Lookup returns the registry row of a kernel.
func Lookup(name string) (*Kernel, bool) {
	k, ok := kernels[name]
	return k, ok
}

// KernelNames returns the names of all registered kernels, sorted.
func KernelNames() []string {
	names := make([]string, 0, len(kernels))
	for n := range kernels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
