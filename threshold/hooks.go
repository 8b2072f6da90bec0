package threshold

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

var (
	// ErrMemoryBound reports a capture that would take the hooks' host
	// memory past HookOptions.MaxBytes. Nothing is dropped silently: the
	// batch is not kept, and the user raises MaxBytes or lowers Batches.
	ErrMemoryBound = errors.New("threshold: capture memory bound exceeded")
	// ErrHook reports misuse of hooks: an unknown layer name, a capture
	// before any forward pass or after Remove, a layer whose output changed
	// shape between batches, or a capture that InitNetwork needs and lacks.
	ErrHook = errors.New("threshold: hook error")
)

// DefaultHookKinds are the layer kinds hooked when HookOptions names no
// kinds and no layers: the reference's end_list (method.md B§7.4).
var DefaultHookKinds = []nn.Kind{nn.KindConv2d, nn.KindLinear, nn.KindReLU, nn.KindBatchNorm2d, nn.KindReLU6}

// DefaultMaxBytes bounds the host memory of the captured values when
// HookOptions.MaxBytes is 0: 256 MiB.
const DefaultMaxBytes = 256 << 20

// HookOptions selects the layers whose outputs [AddHooks] captures and
// bounds what is kept (method.md A11).
type HookOptions struct {
	// Kinds hooks every layer of these kinds. When both Kinds and Names are
	// empty, DefaultHookKinds is used.
	Kinds []nn.Kind
	// Names hooks these layers by qualified name (in addition to Kinds); an
	// unknown name is an error.
	Names []string
	// MaxBytes bounds the captured values kept on the host (4 bytes per
	// element); 0 means DefaultMaxBytes, a negative value is an error.
	MaxBytes int64
	// Batches is the number of batches kept; later calls to Capture keep
	// nothing (see Hooks.Full). 0 keeps every batch until MaxBytes.
	Batches int
}

// Capture is what the hooks kept of one layer's output: every captured
// batch, as float32 values code·2^(Exp+Scale), concatenated along the first
// dimension.
type Capture struct {
	// Name is the layer's qualified name ("layer1.0.conv1").
	Name string
	// Kind is the layer's kind.
	Kind nn.Kind
	// Shape is the shape of Values: the first batch's shape with the first
	// dimension summed over the batches (a scalar output counts as [1]).
	Shape []int
	// Values holds the values of every batch, in capture order.
	Values []float32
	// Batches is the number of batches captured.
	Batches int
}

// Hooks captures the outputs of selected layers of a network, batch after
// batch, on the host (method.md A11, B§7.4). Kernels run at Submit, so
// capturing is explicit: after each calibration forward pass has been
// submitted, call Capture. The captures are copies, detached from
// training. A Hooks is not safe for concurrent use.
type Hooks struct {
	l        *nn.List
	caps     []Capture // in network order
	maxBytes int64
	bytes    int64
	batches  int // batches captured so far
	limit    int // HookOptions.Batches
}

// AddHooks does the selection of the layers of l whose outputs are to be
// captured: every layer whose kind is in opts.Kinds or whose name is in
// opts.Names (DefaultHookKinds when both are empty), in network order.
//
// Errors: ErrHook for a nil network or an unknown name, ErrOptions for a
// negative MaxBytes or Batches.
func AddHooks(l *nn.List, opts HookOptions) (*Hooks, error) {
	if l == nil {
		return nil, fmt.Errorf("%w: nil network", ErrHook)
	}
	if opts.MaxBytes < 0 || opts.Batches < 0 {
		return nil, fmt.Errorf("%w: hook bounds MaxBytes = %d, Batches = %d, want >= 0", ErrOptions, opts.MaxBytes, opts.Batches)
	}
	kinds := opts.Kinds
	if len(kinds) == 0 && len(opts.Names) == 0 {
		kinds = DefaultHookKinds
	}
	for _, n := range opts.Names {
		if _, ok := l.Module(n); !ok {
			return nil, fmt.Errorf("%w: no layer named %q", ErrHook, n)
		}
	}
	h := &Hooks{l: l, maxBytes: opts.MaxBytes, limit: opts.Batches}
	if h.maxBytes == 0 {
		h.maxBytes = DefaultMaxBytes
	}
	for _, m := range l.Modules() {
		if slices.Contains(kinds, m.Kind()) || slices.Contains(opts.Names, m.Name()) {
			h.caps = append(h.caps, Capture{Name: m.Name(), Kind: m.Kind()})
		}
	}
	return h, nil
}

// Names returns the qualified names of the hooked layers, in network order.
func (h *Hooks) Names() []string {
	out := make([]string, len(h.caps))
	for i, c := range h.caps {
		out[i] = c.Name
	}
	return out
}

// Full reports whether HookOptions.Batches batches have been captured, so
// that Capture keeps nothing more.
func (h *Hooks) Full() bool { return h.limit > 0 && h.batches >= h.limit }

// Bytes returns the host memory the captured values take (4 bytes per
// element).
func (h *Hooks) Bytes() int64 { return h.bytes }

// Capture does the download of the hooked layers' outputs of the last
// forward pass ([nn.List.Output]), which must have been submitted, and
// appends them to the captures as float32 values code·2^(Exp+Scale[0]).
// A batch is kept whole or not at all. Once Full, Capture keeps nothing
// and returns nil.
//
// Errors: ErrMemoryBound when keeping the batch would exceed MaxBytes (the
// batch is not kept); ErrHook after Remove, before any forward pass, or
// when a layer's output changed shape (other than its first dimension);
// download errors from the device.
func (h *Hooks) Capture() error {
	if h.l == nil {
		return fmt.Errorf("%w: capture after Remove", ErrHook)
	}
	if h.Full() {
		return nil
	}
	outs := make([]*gpu.Tensor, len(h.caps))
	var need int64
	for i, c := range h.caps {
		t := h.l.Output(c.Name)
		if t == nil {
			return fmt.Errorf("%w: layer %q has no output (run and submit a forward pass first)", ErrHook, c.Name)
		}
		if len(c.Shape) > 0 && !sameTail(c.Shape, batchShape(t)) {
			return fmt.Errorf("%w: layer %q output %v does not continue the captured shape %v", ErrHook, c.Name, t.Shape(), c.Shape)
		}
		outs[i] = t
		need += 4 * int64(t.Len())
	}
	if h.bytes+need > h.maxBytes {
		return fmt.Errorf("%w: batch %d needs %d bytes on top of %d captured, over the bound of %d (raise HookOptions.MaxBytes or lower Batches)",
			ErrMemoryBound, h.batches+1, need, h.bytes, h.maxBytes)
	}
	vals := make([][]float32, len(outs))
	for i, t := range outs {
		v, err := Values(t)
		if err != nil {
			return fmt.Errorf("%w (capturing %q)", err, h.caps[i].Name)
		}
		vals[i] = v
	}
	for i, t := range outs {
		c := &h.caps[i]
		s := batchShape(t)
		if len(c.Shape) == 0 {
			c.Shape = s
		} else {
			c.Shape[0] += s[0]
		}
		c.Values = append(c.Values, vals[i]...)
		c.Batches++
	}
	h.bytes += need
	h.batches++
	return nil
}

// Get returns the captures in network order. The Values slices are the
// hooks' own (do not modify them); a later Capture appends to them.
func (h *Hooks) Get() []Capture {
	out := make([]Capture, len(h.caps))
	for i, c := range h.caps {
		c.Shape = slices.Clone(c.Shape)
		out[i] = c
	}
	return out
}

// Remove detaches the hooks from the network and drops every capture;
// Capture fails afterwards. Captures returned by Get stay valid.
func (h *Hooks) Remove() {
	h.l = nil
	h.caps = nil
	h.bytes = 0
}

// batchShape returns t's shape, a scalar counting as [1].
func batchShape(t *gpu.Tensor) []int {
	s := t.Shape()
	if len(s) == 0 {
		return []int{1}
	}
	return s
}

// sameTail reports whether a and b have the same rank and agree beyond the
// first dimension.
func sameTail(a, b []int) bool {
	return len(a) == len(b) && slices.Equal(a[1:], b[1:])
}

// Values does the download of t and returns its values as float32:
// code·2^(Exp+Scale[0]) for integer dtypes (Scale counts only when
// non-nil) and the stored float·2^(Exp+Scale[0]) for F32. The products
// are formed in float64 and rounded once to float32.
//
// Values are returned as they are (no finiteness check). Errors: ErrHook
// for a nil tensor or a Scale that is not one element; the device's
// download errors.
func Values(t *gpu.Tensor) ([]float32, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: nil tensor", ErrHook)
	}
	exp := t.Exp
	if t.Scale != nil {
		s, err := t.Scale.DownloadI32()
		if err != nil {
			return nil, fmt.Errorf("threshold: downloading the scale of %v: %w", t, err)
		}
		if len(s) != 1 {
			return nil, fmt.Errorf("%w: scale of %v has %d elements, want 1", ErrHook, t, len(s))
		}
		exp += int(s[0])
	}
	var out []float32
	var err error
	switch t.DType() {
	case gpu.I8:
		out, err = scaled(t.DownloadI8, exp)
	case gpu.U8:
		out, err = scaled(t.DownloadU8, exp)
	case gpu.I16:
		out, err = scaled(t.DownloadI16, exp)
	case gpu.I32:
		out, err = scaled(t.DownloadI32, exp)
	case gpu.U32:
		out, err = scaled(t.DownloadU32, exp)
	case gpu.I64:
		out, err = scaled(t.DownloadI64, exp)
	case gpu.F32:
		out, err = scaled(t.DownloadF32, exp)
	default:
		return nil, fmt.Errorf("%w: tensor %v has an unknown dtype", ErrHook, t)
	}
	if err != nil {
		return nil, fmt.Errorf("threshold: downloading %v: %w", t, err)
	}
	return out, nil
}

// number are the element types a tensor downloads to.
type number interface {
	~int8 | ~uint8 | ~int16 | ~int32 | ~uint32 | ~int64 | ~float32
}

// scaled downloads with get and returns float32(float64(v)·2^exp).
func scaled[E number](get func() ([]E, error), exp int) ([]float32, error) {
	v, err := get()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(math.Ldexp(float64(x), exp))
	}
	return out, nil
}
