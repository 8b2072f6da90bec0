package threshold_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/threshold"
)

// fakeLayer is a test layer: Forward returns out when it is set (the test
// decides what the layer "computed") and passes its input through
// otherwise; SetQuant sets cfg.Quant.
type fakeLayer struct {
	name   string
	kind   nn.Kind
	cfg    *nn.Config
	params []*nn.Param
	out    *gpu.Tensor
}

func (m *fakeLayer) Name() string        { return m.name }
func (m *fakeLayer) Kind() nn.Kind       { return m.kind }
func (m *fakeLayer) Config() *nn.Config  { return m.cfg }
func (m *fakeLayer) Params() []*nn.Param { return m.params }
func (m *fakeLayer) SetQuant(on bool) {
	if m.cfg != nil {
		m.cfg.Quant = on
	}
}
func (m *fakeLayer) Forward(p *nn.Pass, in ...*gpu.Tensor) *gpu.Tensor {
	if m.out != nil {
		return m.out
	}
	return in[0]
}
func (m *fakeLayer) Backward(p *nn.Pass, g *gpu.Tensor) []*gpu.Tensor { return []*gpu.Tensor{g} }

// openCPU opens the CPU backend for a test.
func openCPU(t *testing.T) *gpu.Device {
	t.Helper()
	dev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

// mustT returns a function that fails t on err and returns the tensor,
// for wrapping uploads.
func mustT(t *testing.T) func(*gpu.Tensor, error) *gpu.Tensor {
	return func(x *gpu.Tensor, err error) *gpu.Tensor {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
}

// addHooks is AddHooks failing t on error.
func addHooks(t *testing.T, l *nn.List, opts threshold.HookOptions) *threshold.Hooks {
	t.Helper()
	h, err := threshold.AddHooks(l, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newList builds a List of the layers, each reading the previous one.
func newList(t *testing.T, layers ...nn.Module) *nn.List {
	t.Helper()
	var l nn.List
	for _, m := range layers {
		if err := l.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	return &l
}

// forward runs and submits one forward pass of l.
func forward(t *testing.T, dev *gpu.Device, l *nn.List) {
	t.Helper()
	x := mustT(t)(dev.UploadI32([]int{1}, 0, []int32{0}))
	r := dev.Record()
	if l.Forward(&nn.Pass{R: r}, x) == nil {
		t.Fatalf("Forward: %v", r.Err())
	}
	if err := r.Submit(); err != nil {
		t.Fatal(err)
	}
}

// TestValues checks the conversion code·2^(Exp+Scale) for every dtype,
// with values written out by hand.
func TestValues(t *testing.T) {
	dev := openCPU(t)
	up := mustT(t)
	scale := up(dev.UploadI32([]int{1}, 0, []int32{3}))
	withScale := up(dev.UploadI16([]int{3}, -7, []int16{1, -128, 32767}))
	withScale.Scale = scale
	for _, tc := range []struct {
		name string
		t    *gpu.Tensor
		want []float32
	}{
		{"i8 e-7", up(dev.UploadI8([]int{5}, -7, []int8{-128, -1, 0, 1, 127})), []float32{-1, -0.0078125, 0, 0.0078125, 0.9921875}},
		{"u8 e-8 (pixels)", up(dev.UploadU8([]int{1, 3}, -8, []uint8{0, 128, 255})), []float32{0, 0.5, 0.99609375}},
		{"i16 e-7 scale 3", withScale, []float32{0.0625, -8, 2047.9375}},
		{"i32 e-23 master", up(dev.UploadI32([]int{2, 2}, -23, []int32{1 << 23, -(1 << 21), 0, 1})), []float32{1, -0.25, 0, 1.1920929e-07}},
		{"i32 e3", up(dev.UploadI32([]int{1}, 3, []int32{-5})), []float32{-40}},
		{"f32 e0", up(dev.UploadF32([]int{2}, 0, []float32{1.5, -0.1})), []float32{1.5, -0.1}},
		{"f32 e-1", up(dev.UploadF32([]int{1}, -1, []float32{3})), []float32{1.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := threshold.Values(tc.t)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Values = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := threshold.Values(nil); !errors.Is(err, threshold.ErrHook) {
		t.Errorf("Values(nil) = %v, want ErrHook", err)
	}
}

// TestHooksCapture runs two batches through conv1 -> relu1 -> flat and
// checks that the default kinds hook conv1 and relu1 (not the Flatten),
// that the values are the uploaded codes scaled by their exponents, and
// that both batches are kept, concatenated along the first dimension.
func TestHooksCapture(t *testing.T) {
	dev := openCPU(t)
	up := mustT(t)
	conv := &fakeLayer{name: "conv1", kind: nn.KindConv2d}
	relu := &fakeLayer{name: "relu1", kind: nn.KindReLU}
	flat := &fakeLayer{name: "flat", kind: nn.KindFlatten}
	l := newList(t, conv, relu, flat)
	h := addHooks(t, l, threshold.HookOptions{})
	if got, want := h.Names(), []string{"conv1", "relu1"}; !slices.Equal(got, want) {
		t.Fatalf("hooked %v, want %v", got, want)
	}

	// Batch 1: two rows of 2; batch 2: one row.
	conv.out = up(dev.UploadI32([]int{2, 2}, -4, []int32{16, -8, 1, 0}))
	relu.out = up(dev.UploadU8([]int{2, 2}, -7, []uint8{128, 0, 255, 1}))
	forward(t, dev, l)
	if err := h.Capture(); err != nil {
		t.Fatal(err)
	}
	conv.out = up(dev.UploadI8([]int{1, 2}, -1, []int8{-3, 5}))
	relu.out = up(dev.UploadU8([]int{1, 2}, 0, []uint8{7, 9}))
	forward(t, dev, l)
	if err := h.Capture(); err != nil {
		t.Fatal(err)
	}

	want := []threshold.Capture{
		{Name: "conv1", Kind: nn.KindConv2d, Shape: []int{3, 2}, Values: []float32{1, -0.5, 0.0625, 0, -1.5, 2.5}, Batches: 2},
		{Name: "relu1", Kind: nn.KindReLU, Shape: []int{3, 2}, Values: []float32{1, 0, 1.9921875, 0.0078125, 7, 9}, Batches: 2},
	}
	got := h.Get()
	if len(got) != len(want) {
		t.Fatalf("%d captures, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.Name || g.Kind != w.Kind || !slices.Equal(g.Shape, w.Shape) || !slices.Equal(g.Values, w.Values) || g.Batches != w.Batches {
			t.Errorf("capture %d = %+v, want %+v", i, g, w)
		}
	}
	if h.Bytes() != 4*12 {
		t.Errorf("Bytes = %d, want 48", h.Bytes())
	}

	// Captures are copies: changing what the layer outputs later does not
	// change them.
	conv.out = up(dev.UploadI32([]int{2, 2}, 0, []int32{9, 9, 9, 9}))
	forward(t, dev, l)
	if v := h.Get()[0].Values; v[0] != 1 {
		t.Errorf("capture changed to %v without Capture", v)
	}

	h.Remove()
	if err := h.Capture(); !errors.Is(err, threshold.ErrHook) {
		t.Errorf("Capture after Remove = %v, want ErrHook", err)
	}
	if len(h.Get()) != 0 || len(got[0].Values) != 6 {
		t.Errorf("after Remove: Get has %d, earlier Get lost its values (%d)", len(h.Get()), len(got[0].Values))
	}
}

// TestHooksBounds checks Batches (later batches are not kept) and the
// memory bound (ErrMemoryBound, and the batch is not kept).
func TestHooksBounds(t *testing.T) {
	dev := openCPU(t)
	up := mustT(t)
	conv := &fakeLayer{name: "conv1", kind: nn.KindConv2d}
	l := newList(t, conv)
	batch := func(v int32) {
		conv.out = up(dev.UploadI32([]int{1, 4}, 0, []int32{v, v, v, v}))
		forward(t, dev, l)
	}

	t.Run("batches", func(t *testing.T) {
		h := addHooks(t, l, threshold.HookOptions{Batches: 2})
		for i := range int32(3) {
			batch(i + 1)
			if err := h.Capture(); err != nil {
				t.Fatal(err)
			}
			if full := h.Full(); full != (i >= 1) {
				t.Errorf("after batch %d Full = %v", i+1, full)
			}
		}
		c := h.Get()[0]
		if c.Batches != 2 || !slices.Equal(c.Values, []float32{1, 1, 1, 1, 2, 2, 2, 2}) {
			t.Errorf("capture %+v, want the first 2 batches", c)
		}
	})

	t.Run("memory", func(t *testing.T) {
		// One batch is 16 bytes: two fit in 40, the third does not.
		h := addHooks(t, l, threshold.HookOptions{MaxBytes: 40})
		for i := range int32(2) {
			batch(i + 1)
			if err := h.Capture(); err != nil {
				t.Fatal(err)
			}
		}
		batch(3)
		if err := h.Capture(); !errors.Is(err, threshold.ErrMemoryBound) {
			t.Fatalf("third Capture = %v, want ErrMemoryBound", err)
		}
		c := h.Get()[0]
		if c.Batches != 2 || len(c.Values) != 8 || !slices.Equal(c.Shape, []int{2, 4}) || h.Bytes() != 32 {
			t.Errorf("after the refused batch: %+v, %d bytes; want 2 batches, 32 bytes", c, h.Bytes())
		}
	})
}

// TestHooksErrors checks the misuse errors and selection by name.
func TestHooksErrors(t *testing.T) {
	dev := openCPU(t)
	up := mustT(t)
	conv := &fakeLayer{name: "conv1", kind: nn.KindConv2d}
	flat := &fakeLayer{name: "flat", kind: nn.KindFlatten}
	l := newList(t, conv, flat)

	if _, err := threshold.AddHooks(l, threshold.HookOptions{Names: []string{"conv9"}}); !errors.Is(err, threshold.ErrHook) {
		t.Errorf("unknown name: %v, want ErrHook", err)
	}
	if _, err := threshold.AddHooks(nil, threshold.HookOptions{}); !errors.Is(err, threshold.ErrHook) {
		t.Errorf("nil network: %v, want ErrHook", err)
	}
	if _, err := threshold.AddHooks(l, threshold.HookOptions{MaxBytes: -1}); !errors.Is(err, threshold.ErrOptions) {
		t.Errorf("negative MaxBytes: %v, want ErrOptions", err)
	}

	// Names alone hooks only the named layer, whatever its kind.
	h := addHooks(t, l, threshold.HookOptions{Names: []string{"flat"}})
	if got := h.Names(); !slices.Equal(got, []string{"flat"}) {
		t.Errorf("Names-only hooks %v, want [flat]", got)
	}
	// Kinds and Names together: the union, in network order.
	h = addHooks(t, l, threshold.HookOptions{Kinds: []nn.Kind{nn.KindConv2d}, Names: []string{"flat"}})
	if got := h.Names(); !slices.Equal(got, []string{"conv1", "flat"}) {
		t.Errorf("Kinds+Names hooks %v, want [conv1 flat]", got)
	}

	if err := h.Capture(); !errors.Is(err, threshold.ErrHook) {
		t.Errorf("Capture before Forward = %v, want ErrHook", err)
	}
	conv.out = up(dev.UploadI32([]int{2, 3}, 0, make([]int32, 6)))
	forward(t, dev, l)
	if err := h.Capture(); err != nil {
		t.Fatal(err)
	}
	conv.out = up(dev.UploadI32([]int{2, 4}, 0, make([]int32, 8)))
	forward(t, dev, l)
	if err := h.Capture(); !errors.Is(err, threshold.ErrHook) {
		t.Errorf("Capture of a changed shape = %v, want ErrHook", err)
	}
}
