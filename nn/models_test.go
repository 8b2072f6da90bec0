package nn_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/nn/statedict"
)

var lenetKeys = []string{
	"conv1.weight",
	"bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
	"conv2.weight",
	"bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
	"fc1.weight",
	"bn3.weight", "bn3.bias", "bn3.running_mean", "bn3.running_var", "bn3.num_batches_tracked",
	"fc2.weight",
	"bn4.weight", "bn4.bias", "bn4.running_mean", "bn4.running_var", "bn4.num_batches_tracked",
	"fc3.weight", "fc3.bias",
}

func paramKeys(l *nn.List) []string {
	var keys []string
	for _, p := range l.Params() {
		keys = append(keys, p.Key)
	}
	return keys
}

func TestModelsKeys(t *testing.T) {
	dev := cpuDev(t)
	l := mustOK[*nn.List](t)(nn.LeNet5(dev, nn.Full8, 1))
	if got := paramKeys(l); !slices.Equal(got, lenetKeys) {
		t.Errorf("LeNet5 keys %v, want %v", got, lenetKeys)
	}
	r := mustOK[*nn.List](t)(nn.ResNet20(dev, nn.Full8, 1))
	keys := paramKeys(r)
	for _, k := range []string{"conv1.weight", "bn1.running_var", "layer1.0.conv1.weight", "layer1.2.bn2.bias",
		"layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_mean", "layer3.0.downsample.0.weight",
		"layer3.2.conv2.weight", "fc.weight", "fc.bias"} {
		if !slices.Contains(keys, k) {
			t.Errorf("ResNet20 has no %s", k)
		}
	}
	if slices.Contains(keys, "layer1.0.downsample.0.weight") {
		t.Error("ResNet20 layer1.0 has a projection shortcut")
	}
	convs := 0
	for _, k := range keys {
		if k == "fc.weight" || (len(k) > 7 && k[len(k)-7:] == ".weight" && slices.Contains(keys, k[:len(k)-7]+".running_mean")) {
			continue
		}
		if len(k) > 7 && k[len(k)-7:] == ".weight" {
			convs++
		}
	}
	if convs != 21 { // 19 3x3 convs + 2 projections
		t.Errorf("ResNet20 has %d conv weights, want 21", convs)
	}
	if got := r.Inputs("layer2.0.add"); !slices.Equal(got, []string{"layer2.0.bn2", "layer2.0.downsample.1"}) {
		t.Errorf("layer2.0.add reads %v", got)
	}
	if got := r.Inputs("layer1.0.add"); !slices.Equal(got, []string{"layer1.0.bn2", "relu"}) {
		t.Errorf("layer1.0.add reads %v", got)
	}
	if got := r.Inputs("layer1.1.conv1"); !slices.Equal(got, []string{"layer1.0.relu2"}) {
		t.Errorf("layer1.1.conv1 reads %v", got)
	}
	v := mustOK[*nn.List](t)(nn.VGG7(dev, nn.Full8, 1))
	for _, p := range v.Params() {
		if p.Key == "fc1.weight" && !slices.Equal(p.Shape, []int{1024, 8192}) {
			t.Errorf("VGG7 fc1.weight shape %v", p.Shape)
		}
	}
}

// TestModelsEdge: the wageubn recipe keeps the first conv and the last fc
// in float32; full8 quantizes every layer.
func TestModelsEdge(t *testing.T) {
	dev := cpuDev(t)
	for _, build := range []func() (*nn.List, error){
		func() (*nn.List, error) { return nn.LeNet5(dev, nn.WAGEUBN, 1) },
		func() (*nn.List, error) { return nn.ResNet20(dev, nn.WAGEUBN, 1) },
		func() (*nn.List, error) { return nn.VGG7(dev, nn.WAGEUBN, 1) },
	} {
		l := mustOK[*nn.List](t)(build())
		ms := l.Modules()
		var first, last nn.Module
		for _, m := range ms {
			if m.Kind() == nn.KindConv2d && first == nil {
				first = m
			}
			if m.Kind() == nn.KindLinear {
				last = m
			}
		}
		for _, m := range ms {
			c := m.Config()
			if c == nil {
				continue
			}
			edge := m == first || m == last
			if c.Quant == edge {
				t.Errorf("%s: Quant %v under wageubn (edge layer: %v)", m.Name(), c.Quant, edge)
			}
		}
	}
}

// TestLeNetFloatStateDict: a float LeNet-5 state dict (PyTorch's form)
// loads into the quantized LeNet-5 with keys unchanged, masters on the
// 2^-23 grid; the exact state dict round-trips bit for bit; lenet.pt (a
// different LeNet) is reported key by key.
func TestLeNetFloatStateDict(t *testing.T) {
	dev := cpuDev(t)
	fl := mustOK[*nn.List](t)(nn.LeNet5(dev, nn.Float, 3))
	fd := mustOK[statedict.Dict](t)(fl.FloatStateDict())
	if !slices.Equal(fd.Keys, lenetKeys) {
		t.Fatalf("float keys %v", fd.Keys)
	}
	q := mustOK[*nn.List](t)(nn.LeNet5(dev, nn.Full8, 4))
	rep, err := q.LoadStateDict(fd, true)
	if err != nil || !rep.OK() {
		t.Fatalf("float -> full8: %v, %v", rep, err)
	}
	qd := mustOK[statedict.Dict](t)(q.StateDict())
	if !slices.Equal(qd.Keys, lenetKeys) {
		t.Fatalf("keys changed: %v", qd.Keys)
	}
	for _, k := range []string{"conv1.weight", "fc3.bias", "bn2.weight"} {
		exp, ok, _ := qd.Exp(k)
		if !ok {
			t.Fatalf("%s has no exponent in the quantized state dict", k)
		}
		codes := mustOK[[]int64](t)(qd.Tensors[k].Int64s())
		vals := mustOK[[]float32](t)(fd.Tensors[k].Float32s())
		for i, v := range vals {
			if want := int64(math.RoundToEven(math.Ldexp(float64(v), -exp))); codes[i] != want {
				t.Fatalf("%s[%d] = %d, want %d", k, i, codes[i], want)
			}
		}
	}
	// Exact round trip.
	q2 := mustOK[*nn.List](t)(nn.LeNet5(dev, nn.Full8, 5))
	if _, err := q2.LoadStateDict(qd, true); err != nil {
		t.Fatal(err)
	}
	equalDicts(t, mustOK[statedict.Dict](t)(q2.StateDict()), qd)

	// lenet.pt: conv1 has a bias, fc3 is 24->10, no conv2/fc1/fc2/bn2-4.
	pt := mustOK[statedict.Dict](t)(statedict.LoadPyTorch("statedict/testdata/lenet.pt"))
	rep, err = q.LoadStateDict(pt, false)
	if !errors.Is(err, nn.ErrState) {
		t.Errorf("lenet.pt: err %v, want ErrState (fc3.weight shape)", err)
	}
	if !slices.Contains(rep.Unexpected, "conv1.bias") || !slices.Contains(rep.Missing, "conv2.weight") ||
		len(rep.Mismatched) != 1 || rep.Mismatched[0].Key != "fc3.weight" {
		t.Errorf("lenet.pt report: %+v", rep)
	}
}
