package analyse_test

import (
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/tensorboard"
	"github.com/wageubn/wageubn/threshold"
	"github.com/wageubn/wageubn/threshold/analyse"
)

// paramLayer is a test layer that only carries parameters.
type paramLayer struct {
	name   string
	kind   nn.Kind
	params []*nn.Param
}

func (m *paramLayer) Name() string                                      { return m.name }
func (m *paramLayer) Kind() nn.Kind                                     { return m.kind }
func (m *paramLayer) Config() *nn.Config                                { return nil }
func (m *paramLayer) SetQuant(bool)                                     {}
func (m *paramLayer) Params() []*nn.Param                               { return m.params }
func (m *paramLayer) Forward(p *nn.Pass, in ...*gpu.Tensor) *gpu.Tensor { return in[0] }
func (m *paramLayer) Backward(p *nn.Pass, g *gpu.Tensor) []*gpu.Tensor  { return []*gpu.Tensor{g} }

// checkPNG decodes path and checks the plot package's image size
// (6×4 inches at 96 DPI).
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != 576 || b.Dy() != 384 {
		t.Errorf("%s is %dx%d, want 576x384", path, b.Dx(), b.Dy())
	}
}

// histos reads a TensorBoard file and returns its histograms by tag.
func histos(t *testing.T, path string) map[string]*tensorboard.Histogram {
	t.Helper()
	evs, err := tensorboard.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*tensorboard.Histogram{}
	for _, e := range evs {
		for _, v := range e.Summary {
			if v.Histo != nil {
				if e.Step != 7 {
					t.Errorf("%s at step %d, want 7", v.Tag, e.Step)
				}
				out[v.Tag] = v.Histo
			}
		}
	}
	return out
}

// TestWriteHistograms writes two captures as PNGs and TensorBoard
// histograms and reads both back.
func TestWriteHistograms(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acts")
	tb, err := tensorboard.NewWriter(filepath.Join(t.TempDir(), "tb"))
	if err != nil {
		t.Fatal(err)
	}
	caps := []threshold.Capture{
		{Name: "layer1.0.conv1", Values: []float32{-1, 0.5, 2, 2}},
		{Name: "layer1.0.relu1", Values: []float32{0, 0.25, 1.5}},
	}
	if err := analyse.WriteHistograms(dir, caps, 8, tb, 7); err != nil {
		t.Fatal(err)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"layer1.0.conv1.png", "layer1.0.relu1.png"} {
		checkPNG(t, filepath.Join(dir, f))
	}
	h := histos(t, tb.Path())
	for _, w := range []struct {
		tag                string
		num, min, max, sum float64
	}{
		{"activations/layer1.0.conv1", 4, -1, 2, 3.5},
		{"activations/layer1.0.relu1", 3, 0, 1.5, 1.75},
	} {
		g := h[w.tag]
		if g == nil {
			t.Errorf("no histogram %q in %v", w.tag, h)
			continue
		}
		if g.Num != w.num || g.Min != w.min || g.Max != w.max || g.Sum != w.sum || len(g.Bucket) != 8 {
			t.Errorf("%s: %+v, want num %v min %v max %v sum %v, 8 buckets", w.tag, g, w.num, w.min, w.max, w.sum)
		}
	}
}

// TestWeightHistograms draws every "weight" of a network: int32 masters
// with exponent -23 are read back as values.
func TestWeightHistograms(t *testing.T) {
	dev, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	w1, err := dev.UploadI32([]int{2, 2}, -23, []int32{1 << 22, -(1 << 21), 0, 1 << 23})
	if err != nil {
		t.Fatal(err)
	}
	w2, err := dev.UploadF32([]int{3}, 0, []float32{1, 1.5, -0.5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := dev.UploadF32([]int{2}, 0, []float32{9, 9})
	if err != nil {
		t.Fatal(err)
	}
	lt, err := dev.UploadF32([]int{1}, 0, []float32{-1})
	if err != nil {
		t.Fatal(err)
	}
	var l nn.List
	for _, m := range []nn.Module{
		&paramLayer{name: "conv1", kind: nn.KindConv2d, params: []*nn.Param{
			{Name: "weight", Shape: []int{2, 2}, Value: w1},
			{Name: "bias", Shape: []int{2}, Value: b},
			{Name: "weight_log2_t", Shape: []int{1}, Value: lt},
		}},
		&paramLayer{name: "bn1", kind: nn.KindBatchNorm2d, params: []*nn.Param{{Name: "weight", Shape: []int{3}, Value: w2}}},
	} {
		if err := l.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	tb, err := tensorboard.NewWriter(filepath.Join(dir, "tb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := analyse.WeightHistograms(&l, dir, 4, tb, 7); err != nil {
		t.Fatal(err)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "conv1.weight.png"))
	checkPNG(t, filepath.Join(dir, "bn1.weight.png"))
	for _, f := range []string{"conv1.bias.png", "conv1.weight_log2_t.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s written (%v): only weights are drawn", f, err)
		}
	}
	h := histos(t, tb.Path())
	if len(h) != 2 {
		t.Errorf("%d histograms, want 2: %v", len(h), h)
	}
	// conv1.weight: 0.5, -0.25, 0, 1.
	if g := h["weights/conv1.weight"]; g == nil || g.Min != -0.25 || g.Max != 1 || g.Sum != 1.25 || g.Num != 4 {
		t.Errorf("weights/conv1.weight = %+v, want min -0.25 max 1 sum 1.25 num 4", g)
	}
	if g := h["weights/bn1.weight"]; g == nil || g.Min != -0.5 || g.Max != 1.5 || g.Sum != 2 {
		t.Errorf("weights/bn1.weight = %+v, want min -0.5 max 1.5 sum 2", g)
	}
}

// TestHistogramErrors checks the argument errors; nothing is written.
func TestHistogramErrors(t *testing.T) {
	dir := t.TempDir()
	ok := []threshold.Capture{{Name: "a", Values: []float32{1}}}
	for _, tc := range []struct {
		name string
		dir  string
		caps []threshold.Capture
		bins int
	}{
		{"zero bins", dir, ok, 0},
		{"nowhere to write", "", ok, 4},
		{"empty capture", dir, []threshold.Capture{{Name: "a"}}, 4},
		{"file name collision", dir, []threshold.Capture{{Name: "a/b", Values: []float32{1}}, {Name: "a_b", Values: []float32{2}}}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := analyse.WriteHistograms(tc.dir, tc.caps, tc.bins, nil, 0); !errors.Is(err, analyse.ErrInvalid) {
				t.Errorf("WriteHistograms = %v, want ErrInvalid", err)
			}
		})
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("files written after errors: %v %v", entries, err)
	}
	if err := analyse.WeightHistograms(nil, dir, 4, nil, 0); !errors.Is(err, analyse.ErrInvalid) {
		t.Errorf("WeightHistograms(nil) = %v, want ErrInvalid", err)
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"layer1.0.conv1", "layer1.0.conv1.png"},
		{"conv1.weight", "conv1.weight.png"},
		{"a/b c", "a_b_c.png"},
		{"../x", "_.._x.png"},
		{".hidden", "_.hidden.png"},
		{"", "_.png"},
		{"µ-net_1", "_-net_1.png"},
	} {
		if got := analyse.FileName(tc.in); got != tc.want {
			t.Errorf("FileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
