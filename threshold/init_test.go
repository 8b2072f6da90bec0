package threshold_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/threshold"
)

// netSpec describes the test network conv1 -> relu1 -> fc: conv1 has a
// weight (int32 master codes, exponent -23), a bias (float32) and their
// thresholds; relu1 an activation threshold; fc a weight with its
// threshold and a bias_log2_t but no bias (the reference's T-7 case).
type netSpec struct {
	convW  []int32 // 2x2 codes, exponent -23
	convB  []float32
	fcW    []float32 // 1x2
	relu   []uint8   // relu1's output codes, exponent -7
	fcName string    // "fc" unless a mismatch test renames it
	fcWLen int       // fc weight's second dimension (2)
}

func defaultSpec() netSpec {
	return netSpec{
		// max|W| = 0.5: float32(0.5 + 1e-8) = 0.5, so log2_t = -1 exactly.
		convW: []int32{-(1 << 21), 1 << 22, 3, -(1 << 20)},
		// max|b| = 3: log2_t = log2 3.
		convB: []float32{0.1, -3},
		// max|W| = 2: log2_t = 1 (1e-8 is below half an ulp of 2).
		fcW:    []float32{0.125, -2},
		relu:   []uint8{0, 200, 17, 64},
		fcName: "fc",
		fcWLen: 2,
	}
}

// quantCfg returns a fresh quantized full8 config.
func quantCfg(t *testing.T) *nn.Config {
	t.Helper()
	c, err := nn.Full8.Config()
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

// log2Param is a threshold parameter holding a NaN (as TQT's uninitialised
// log2_t, T-3) so that a threshold left unset is visible.
func log2Param(t *testing.T, dev *gpu.Device, name string) *nn.Param {
	t.Helper()
	v := mustT(t)(dev.UploadF32([]int{1}, 0, []float32{float32(math.NaN())}))
	return &nn.Param{Name: name, Shape: []int{1}, Value: v, Trainable: true}
}

// buildNet builds the network of s; relu1 outputs s.relu.
func buildNet(t *testing.T, dev *gpu.Device, s netSpec) (*nn.List, map[string]*fakeLayer) {
	t.Helper()
	up := mustT(t)
	conv := &fakeLayer{name: "conv1", kind: nn.KindConv2d, cfg: quantCfg(t), params: []*nn.Param{
		{Name: "weight", Shape: []int{2, 2}, Value: up(dev.UploadI32([]int{2, 2}, -23, s.convW)), Trainable: true},
		{Name: "bias", Shape: []int{2}, Value: up(dev.UploadF32([]int{2}, 0, s.convB)), Trainable: true},
		log2Param(t, dev, "weight_log2_t"),
		log2Param(t, dev, "bias_log2_t"),
	}}
	relu := &fakeLayer{name: "relu1", kind: nn.KindReLU, cfg: quantCfg(t), params: []*nn.Param{log2Param(t, dev, "acti_log2_t")},
		out: up(dev.UploadU8([]int{1, len(s.relu)}, -7, s.relu))}
	fc := &fakeLayer{name: s.fcName, kind: nn.KindLinear, cfg: quantCfg(t), params: []*nn.Param{
		{Name: "weight", Shape: []int{1, s.fcWLen}, Value: up(dev.UploadF32([]int{1, s.fcWLen}, 0, s.fcW[:s.fcWLen])), Trainable: true},
		log2Param(t, dev, "weight_log2_t"),
		log2Param(t, dev, "bias_log2_t"),
	}}
	return newList(t, conv, relu, fc), map[string]*fakeLayer{"conv1": conv, "relu1": relu, "fc": fc}
}

// calibrate hooks l, runs one pass and returns the captures.
func calibrate(t *testing.T, dev *gpu.Device, l *nn.List) []threshold.Capture {
	t.Helper()
	h := addHooks(t, l, threshold.HookOptions{})
	forward(t, dev, l)
	if err := h.Capture(); err != nil {
		t.Fatal(err)
	}
	return h.Get()
}

// log2T downloads the named threshold of layer m.
func log2T(t *testing.T, m *fakeLayer, name string) float32 {
	t.Helper()
	for _, p := range m.params {
		if p.Name == name {
			v, err := p.Value.DownloadF32()
			if err != nil {
				t.Fatal(err)
			}
			if len(v) != 1 {
				t.Fatalf("%s.%s has %d elements", m.name, name, len(v))
			}
			return v[0]
		}
	}
	t.Fatalf("%s has no %s", m.name, name)
	return 0
}

// TestInitNetworkMax checks method max on every threshold against B§7.3's
// formula log2(max|x| + 1e-8), computed by hand, and the Show lines.
func TestInitNetworkMax(t *testing.T) {
	dev := openCPU(t)
	s := defaultSpec()
	float, _ := buildNet(t, dev, s)
	quant, qm := buildNet(t, dev, s)
	caps := calibrate(t, dev, float)
	var show bytes.Buffer
	if err := threshold.InitNetwork(float, quant, caps, threshold.InitOptions{Acti: threshold.MethodMax, Show: &show}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		layer, param string
		want         float32
	}{
		{"conv1", "weight_log2_t", -1},
		{"conv1", "bias_log2_t", float32(math.Log2(3))},
		// relu1: max = 200/128 = 1.5625; float32(1.5625 + 1e-8) = 1.5625.
		{"relu1", "acti_log2_t", float32(math.Log2(1.5625))},
		{"fc", "weight_log2_t", 1},
	} {
		if got := log2T(t, qm[tc.layer], tc.param); got != tc.want {
			t.Errorf("%s.%s = %v, want %v", tc.layer, tc.param, got, tc.want)
		}
	}
	// fc has no bias: its bias_log2_t is left alone (still NaN).
	if got := log2T(t, qm["fc"], "bias_log2_t"); !math.IsNaN(float64(got)) {
		t.Errorf("fc.bias_log2_t = %v, want untouched (NaN)", got)
	}
	wantShow := "conv1.weight_log2_t max: log2_t = -1 (t = 0.5)\n" +
		"conv1.bias_log2_t max: log2_t = 1.58496 (t = 3)\n" +
		"relu1.acti_log2_t max: log2_t = 0.643856 (t = 1.5625)\n" +
		"fc.weight_log2_t max: log2_t = 1 (t = 2)\n"
	if show.String() != wantShow {
		t.Errorf("Show printed\n%s\nwant\n%s", show.String(), wantShow)
	}
}

// TestInitNetworkEntropy checks that kl_j on activations uses the unsigned
// level count for a ReLU output (2^8, method.md A10, T-11e) and that Bins
// and Levels are honoured (T-11f), by comparing with the calibrator called
// directly with those options.
func TestInitNetworkEntropy(t *testing.T) {
	dev := openCPU(t)
	s := defaultSpec()
	// A long-tailed activation: many small codes, a few large ones.
	s.relu = make([]uint8, 4000)
	for i := range s.relu {
		s.relu[i] = uint8(math.Floor(255 * math.Pow(float64(i)/3999, 6)))
	}
	float, _ := buildNet(t, dev, s)
	caps := calibrate(t, dev, float)
	x := caps[1].Values
	unsigned, err := threshold.KLJ(x, threshold.Options{Unsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := threshold.KLJ(x, threshold.Options{})
	if err != nil {
		t.Fatal(err)
	}
	custom, err := threshold.KLJ(x, threshold.Options{Bins: 512, Levels: 16})
	if err != nil {
		t.Fatal(err)
	}
	if unsigned == signed || custom == unsigned {
		t.Fatalf("test data does not separate the options: unsigned %v, signed %v, custom %v", unsigned, signed, custom)
	}
	for _, tc := range []struct {
		name string
		opts threshold.InitOptions
		want float64
	}{
		{"default kl_j unsigned", threshold.InitOptions{}, unsigned},
		{"bins and levels honoured", threshold.InitOptions{Bins: 512, Levels: 16}, custom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			quant, qm := buildNet(t, dev, s)
			if err := threshold.InitNetwork(float, quant, caps, tc.opts); err != nil {
				t.Fatal(err)
			}
			if got := log2T(t, qm["relu1"], "acti_log2_t"); got != float32(tc.want) {
				t.Errorf("relu1.acti_log2_t = %v, want %v", got, float32(tc.want))
			}
		})
	}
}

// TestInitNetworkSkips checks that layers with quant off are left alone
// and that one network can be its own float twin.
func TestInitNetworkSkips(t *testing.T) {
	dev := openCPU(t)
	l, m := buildNet(t, dev, defaultSpec())
	m["conv1"].cfg.Quant = false
	caps := calibrate(t, dev, l)
	if err := threshold.InitNetwork(l, l, caps, threshold.InitOptions{Acti: threshold.MethodMax}); err != nil {
		t.Fatal(err)
	}
	if got := log2T(t, m["conv1"], "weight_log2_t"); !math.IsNaN(float64(got)) {
		t.Errorf("float conv1.weight_log2_t = %v, want untouched (NaN)", got)
	}
	if got := log2T(t, m["fc"], "weight_log2_t"); got != 1 {
		t.Errorf("fc.weight_log2_t = %v, want 1", got)
	}
}

// TestInitNetworkErrors checks that mismatched networks are refused with
// an error naming the first mismatch, and the other failures.
func TestInitNetworkErrors(t *testing.T) {
	dev := openCPU(t)
	float, _ := buildNet(t, dev, defaultSpec())
	caps := calibrate(t, dev, float)

	renamed := defaultSpec()
	renamed.fcName = "fc2"
	reshaped := defaultSpec()
	reshaped.fcWLen = 1
	for _, tc := range []struct {
		name    string
		quant   func() *nn.List
		wantMsg []string
	}{
		{"renamed layer", func() *nn.List { l, _ := buildNet(t, dev, renamed); return l },
			[]string{`layer 2 is "fc" in the float network and "fc2"`}},
		{"parameter shape", func() *nn.List { l, _ := buildNet(t, dev, reshaped); return l },
			[]string{"fc.weight has shape [1 2] in the float network and [1 1]"}},
		{"kind", func() *nn.List {
			l, m := buildNet(t, dev, defaultSpec())
			m["relu1"].kind = nn.KindReLU6
			return l
		}, []string{`layer 1 "relu1" is a ReLU in the float network and a ReLU6`}},
		{"first of two mismatches", func() *nn.List {
			l, m := buildNet(t, dev, reshaped)    // mismatch at layer 2 ...
			m["conv1"].params[1].Shape = []int{3} // ... and first at layer 0
			return l
		}, []string{"conv1.bias has shape [2] in the float network and [3]"}},
		{"missing parameter", func() *nn.List {
			l, m := buildNet(t, dev, defaultSpec())
			m["conv1"].params = m["conv1"].params[:1]
			return l
		}, []string{`layer "conv1" has 2 parameters`}},
		{"extra layer", func() *nn.List {
			l, _ := buildNet(t, dev, defaultSpec())
			if err := l.Add(&fakeLayer{name: "relu2", kind: nn.KindReLU}); err != nil {
				t.Fatal(err)
			}
			return l
		}, []string{"3 layers in the float network, 4 in the quantized one"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := threshold.InitNetwork(float, tc.quant(), caps, threshold.InitOptions{})
			if !errors.Is(err, threshold.ErrMismatch) {
				t.Fatalf("InitNetwork = %v, want ErrMismatch", err)
			}
			for _, w := range tc.wantMsg {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}

	// relu1 has no capture: the error names it, and conv1, calibrated
	// before relu1 failed, is left unchanged.
	quant, qm := buildNet(t, dev, defaultSpec())
	if err := threshold.InitNetwork(float, quant, nil, threshold.InitOptions{}); !errors.Is(err, threshold.ErrHook) || !strings.Contains(err.Error(), "relu1") {
		t.Errorf("no captures: %v, want ErrHook naming relu1", err)
	}
	if got := log2T(t, qm["conv1"], "weight_log2_t"); !math.IsNaN(float64(got)) {
		t.Errorf("failed InitNetwork wrote conv1.weight_log2_t = %v", got)
	}
	if err := threshold.InitNetwork(float, quant, caps, threshold.InitOptions{Weight: "entro"}); !errors.Is(err, threshold.ErrOptions) {
		t.Errorf("unknown method: %v, want ErrOptions", err)
	}
	if err := threshold.InitNetwork(nil, quant, caps, threshold.InitOptions{}); !errors.Is(err, threshold.ErrMismatch) {
		t.Errorf("nil float network: %v, want ErrMismatch", err)
	}
	// 3sd of an all-zero weight has no threshold: the error names the key.
	zero := defaultSpec()
	zero.convW = make([]int32, 4)
	zf, _ := buildNet(t, dev, zero)
	zq, _ := buildNet(t, dev, zero)
	err := threshold.InitNetwork(zf, zq, caps, threshold.InitOptions{Weight: threshold.Method3SD})
	if !errors.Is(err, threshold.ErrThreshold) || !strings.Contains(err.Error(), "conv1.weight_log2_t") {
		t.Errorf("zero weights with 3sd: %v, want ErrThreshold naming conv1.weight_log2_t", err)
	}
}

// ExampleInitNetwork runs the calibration workflow of method.md B§7.9 on
// conv1 -> relu1: hook the network, capture a calibration batch, switch
// quantization on, and initialise the thresholds (max for everything).
func ExampleInitNetwork() {
	dev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dev.Close()
	// conv1's weight: int32 master codes with exponent -23 (0.5, -1, 0, 0.25).
	w, _ := dev.UploadI32([]int{2, 2}, -23, []int32{1 << 22, -(1 << 23), 0, 1 << 21})
	t0, _ := dev.UploadF32([]int{1}, 0, []float32{0})
	t1, _ := dev.UploadF32([]int{1}, 0, []float32{0})
	// What relu1 outputs for the calibration batch: uint8 codes, exponent -7.
	act, _ := dev.UploadU8([]int{1, 4}, -7, []uint8{0, 64, 192, 32})
	conv := &fakeLayer{name: "conv1", kind: nn.KindConv2d, cfg: &nn.Config{}, params: []*nn.Param{
		{Name: "weight", Shape: []int{2, 2}, Value: w},
		{Name: "weight_log2_t", Shape: []int{1}, Value: t0},
	}}
	relu := &fakeLayer{name: "relu1", kind: nn.KindReLU, cfg: &nn.Config{}, out: act,
		params: []*nn.Param{{Name: "acti_log2_t", Shape: []int{1}, Value: t1}}}
	var net nn.List
	_ = net.Add(conv)
	_ = net.Add(relu)

	hooks, err := threshold.AddHooks(&net, threshold.HookOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, _ := dev.UploadI32([]int{1}, 0, []int32{0})
	r := dev.Record()
	net.Forward(&nn.Pass{R: r}, x)
	if err := r.Submit(); err != nil {
		fmt.Println(err)
		return
	}
	if err := hooks.Capture(); err != nil {
		fmt.Println(err)
		return
	}
	if err := nn.MakeQuantOrNot(&net, true, []nn.Kind{nn.KindBatchNorm2d}, os.Stdout); err != nil {
		fmt.Println(err)
		return
	}
	opts := threshold.InitOptions{Acti: threshold.MethodMax, Show: os.Stdout}
	if err := threshold.InitNetwork(&net, &net, hooks.Get(), opts); err != nil {
		fmt.Println(err)
	}
	// Output:
	// conv1 Conv2d: quant false -> true
	// relu1 ReLU: quant false -> true
	// conv1.weight_log2_t max: log2_t = 0 (t = 1)
	// relu1.acti_log2_t max: log2_t = 0.584962 (t = 1.5)
}
