package nn_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// reluLayer is a test layer: y = max(x, 0), and a straight-through
// backward that passes the gradient unchanged.
type reluLayer struct {
	name   string
	params []*nn.Param
}

func (m *reluLayer) Name() string       { return m.name }
func (m *reluLayer) Kind() nn.Kind      { return nn.KindReLU }
func (m *reluLayer) Config() *nn.Config { return nil }
func (m *reluLayer) SetQuant(bool)      {}
func (m *reluLayer) Params() []*nn.Param {
	return m.params
}
func (m *reluLayer) Forward(p *nn.Pass, in ...*gpu.Tensor) *gpu.Tensor { return p.R.Relu(in[0]) }
func (m *reluLayer) Backward(p *nn.Pass, g *gpu.Tensor) []*gpu.Tensor {
	return []*gpu.Tensor{g}
}

// addLayer is a test residual add: y = a + b; both inputs get the gradient.
type addLayer struct{ name string }

func (m *addLayer) Name() string                                      { return m.name }
func (m *addLayer) Kind() nn.Kind                                     { return nn.KindAdd }
func (m *addLayer) Config() *nn.Config                                { return nil }
func (m *addLayer) SetQuant(bool)                                     {}
func (m *addLayer) Params() []*nn.Param                               { return nil }
func (m *addLayer) Forward(p *nn.Pass, in ...*gpu.Tensor) *gpu.Tensor { return p.R.Add(in[0], in[1]) }
func (m *addLayer) Backward(p *nn.Pass, g *gpu.Tensor) []*gpu.Tensor {
	return []*gpu.Tensor{g, g}
}

func TestListAddErrors(t *testing.T) {
	var l nn.List
	if err := l.Add(&reluLayer{name: "relu1"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		m      nn.Module
		inputs []string
	}{
		{"empty name", &reluLayer{name: ""}, nil},
		{"reserved name", &reluLayer{name: nn.Input}, nil},
		{"trailing dot", &reluLayer{name: "layer1."}, nil},
		{"duplicate", &reluLayer{name: "relu1"}, nil},
		{"unknown input", &addLayer{name: "add"}, []string{"relu1", "relu9"}},
		{"later input", &addLayer{name: "add"}, []string{"add"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := l.Add(tc.m, tc.inputs...); !errors.Is(err, nn.ErrNetwork) {
				t.Errorf("Add = %v, want ErrNetwork", err)
			}
		})
	}
	if l.Len() != 1 {
		t.Errorf("Len = %d after failed adds, want 1", l.Len())
	}
}

// TestListResidual runs input -> a -> b -> add(a, b): the output is 2·relu(x)
// and the gradient reaching a is the sum of both paths, 2·g.
func TestListResidual(t *testing.T) {
	dev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	var l nn.List
	w := &nn.Param{Name: "weight", Shape: []int{2}, Trainable: true}
	for _, step := range []struct {
		m      nn.Module
		inputs []string
	}{
		{&reluLayer{name: "layer1.a", params: []*nn.Param{w}}, nil},
		{&reluLayer{name: "layer1.b"}, nil},
		{&addLayer{name: "layer1.add"}, []string{"layer1.a", "layer1.b"}},
	} {
		if err := l.Add(step.m, step.inputs...); err != nil {
			t.Fatal(err)
		}
	}
	if got := l.Inputs("layer1.add"); !slices.Equal(got, []string{"layer1.a", "layer1.b"}) {
		t.Errorf("Inputs(layer1.add) = %v", got)
	}
	if got := l.Inputs("layer1.a"); !slices.Equal(got, []string{nn.Input}) {
		t.Errorf("Inputs(layer1.a) = %v", got)
	}
	params := l.Params()
	if len(params) != 1 || params[0].Key != "layer1.a.weight" {
		t.Errorf("Params keys = %v, want [layer1.a.weight]", params)
	}

	x, err := dev.UploadI32([]int{4}, -7, []int32{-3, 0, 5, 100})
	if err != nil {
		t.Fatal(err)
	}
	g, err := dev.UploadI32([]int{4}, -7, []int32{1, -2, 3, -4})
	if err != nil {
		t.Fatal(err)
	}
	r := dev.Record()
	p := &nn.Pass{R: r, Train: true}
	y := l.Forward(p, x)
	dx := l.Backward(p, g)
	if err := r.Submit(); err != nil {
		t.Fatal(err)
	}
	gotY, err := y.DownloadI32()
	if err != nil {
		t.Fatal(err)
	}
	if want := []int32{0, 0, 10, 200}; !slices.Equal(gotY, want) {
		t.Errorf("output = %v, want %v", gotY, want)
	}
	gotDX, err := dx.DownloadI32()
	if err != nil {
		t.Fatal(err)
	}
	if want := []int32{2, -4, 6, -8}; !slices.Equal(gotDX, want) {
		t.Errorf("input gradient = %v, want %v (both residual paths summed)", gotDX, want)
	}
	if l.Output("layer1.b") == nil || l.Output("nope") != nil {
		t.Error("Output lookup wrong")
	}
}

func TestListBackwardBeforeForward(t *testing.T) {
	dev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	var l nn.List
	if err := l.Add(&reluLayer{name: "relu"}); err != nil {
		t.Fatal(err)
	}
	r := dev.Record()
	if l.Backward(&nn.Pass{R: r}, nil) != nil || !errors.Is(r.Err(), nn.ErrNetwork) {
		t.Errorf("Backward before Forward: err = %v, want ErrNetwork", r.Err())
	}
	var empty nn.List
	r2 := dev.Record()
	if empty.Forward(&nn.Pass{R: r2}, nil) != nil || !errors.Is(r2.Err(), nn.ErrNetwork) {
		t.Errorf("empty network: err = %v, want ErrNetwork", r2.Err())
	}
}
