package nn_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// quantLayer is a test layer with a Config (nil for layers without one)
// whose SetQuant sets cfg.Quant.
type quantLayer struct {
	name string
	kind nn.Kind
	cfg  *nn.Config
}

func (m *quantLayer) Name() string        { return m.name }
func (m *quantLayer) Kind() nn.Kind       { return m.kind }
func (m *quantLayer) Config() *nn.Config  { return m.cfg }
func (m *quantLayer) Params() []*nn.Param { return nil }
func (m *quantLayer) SetQuant(on bool) {
	if m.cfg != nil {
		m.cfg.Quant = on
	}
}
func (m *quantLayer) Forward(p *nn.Pass, in ...*gpu.Tensor) *gpu.Tensor { return in[0] }
func (m *quantLayer) Backward(p *nn.Pass, g *gpu.Tensor) []*gpu.Tensor  { return []*gpu.Tensor{g} }

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestMakeQuantOrNot checks B§7.5: quantize all but the excluded kind
// (BatchNorm2d, as the reference README does), leave layers without a
// Config alone, print only the changes; then switch everything off.
func TestMakeQuantOrNot(t *testing.T) {
	conv := &quantLayer{name: "layer1.0.conv1", kind: nn.KindConv2d, cfg: &nn.Config{}}
	bn := &quantLayer{name: "layer1.0.bn1", kind: nn.KindBatchNorm2d, cfg: &nn.Config{Quant: true}}
	relu := &quantLayer{name: "layer1.0.relu1", kind: nn.KindReLU, cfg: &nn.Config{Quant: true}}
	flat := &quantLayer{name: "flatten", kind: nn.KindFlatten}
	var l nn.List
	for _, m := range []nn.Module{conv, bn, relu, flat} {
		if err := l.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name           string
		quant          bool
		exclude        []nn.Kind
		conv, bn, relu bool
		show           string
	}{
		{"quantize, exclude BN", true, []nn.Kind{nn.KindBatchNorm2d}, true, false, true,
			"layer1.0.conv1 Conv2d: quant false -> true\nlayer1.0.bn1 BatchNorm2d: quant true -> false\n"},
		{"again: no changes", true, []nn.Kind{nn.KindBatchNorm2d}, true, false, true, ""},
		{"quantize all", true, nil, true, true, true, "layer1.0.bn1 BatchNorm2d: quant false -> true\n"},
		{"float, exclusion irrelevant", false, []nn.Kind{nn.KindReLU}, false, false, false,
			"layer1.0.conv1 Conv2d: quant true -> false\nlayer1.0.bn1 BatchNorm2d: quant true -> false\nlayer1.0.relu1 ReLU: quant true -> false\n"},
	}
	for _, s := range steps {
		var show bytes.Buffer
		if err := nn.MakeQuantOrNot(&l, s.quant, s.exclude, &show); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if conv.cfg.Quant != s.conv || bn.cfg.Quant != s.bn || relu.cfg.Quant != s.relu {
			t.Errorf("%s: quant conv %v bn %v relu %v, want %v %v %v", s.name, conv.cfg.Quant, bn.cfg.Quant, relu.cfg.Quant, s.conv, s.bn, s.relu)
		}
		if show.String() != s.show {
			t.Errorf("%s: show printed %q, want %q", s.name, show.String(), s.show)
		}
	}
	if flat.cfg != nil {
		t.Error("a layer without Config got one")
	}

	// show is optional; a failing writer is reported after the switch.
	if err := nn.MakeQuantOrNot(&l, true, nil, nil); err != nil || !bn.cfg.Quant {
		t.Errorf("nil show: %v, bn quant %v", err, bn.cfg.Quant)
	}
	if err := nn.MakeQuantOrNot(&l, false, nil, errWriter{}); err == nil || conv.cfg.Quant {
		t.Errorf("failing show: err %v, conv quant %v; want an error and the switch done", err, conv.cfg.Quant)
	}
	if err := nn.MakeQuantOrNot(nil, true, nil, nil); !errors.Is(err, nn.ErrNetwork) {
		t.Errorf("nil network: %v, want ErrNetwork", err)
	}
}
