package nn_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/nn/statedict"
)

// lenetLike builds, from fake layers, the network of
// nn/statedict/testdata/lenet.pt (make_fixtures.py's LeNetLike: conv1 1->6
// 5x5 with bias, bn1, fc3 24->10) with quantized-integer parameters:
// masters I32 at -23, running stats I64 at -31/-30, the counter I64.
func lenetLike(t *testing.T, dev *gpu.Device, seed uint64) *nn.List {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	master := func(name string, shape ...int) *nn.Param {
		n := 1
		for _, s := range shape {
			n *= s
		}
		return &nn.Param{Name: name, Shape: shape, Trainable: true, Decay: name == "weight",
			Value: mustOK[*gpu.Tensor](t)(dev.UploadI32(shape, gpu.ExpMaster, rndI32(rng, n, 1<<23)))}
	}
	buffer := func(name string, exp int, shape ...int) *nn.Param {
		n := 1
		for _, s := range shape {
			n *= s
		}
		v := make([]int64, n)
		for i := range v {
			v[i] = rng.Int64N(1<<32) - 1<<31
		}
		dshape := shape
		if len(dshape) == 0 {
			dshape = []int{1} // a 0-d PyTorch tensor lives in one element
		}
		return &nn.Param{Name: name, Shape: shape,
			Value: mustOK[*gpu.Tensor](t)(dev.UploadI64(dshape, exp, v))}
	}
	counter := buffer("num_batches_tracked", 0)
	counter.Shape = []int{}
	var l nn.List
	for _, m := range []nn.Module{
		&paramLayer{name: "conv1", kind: nn.KindConv2d, params: []*nn.Param{master("weight", 6, 1, 5, 5), master("bias", 6)}},
		&paramLayer{name: "bn1", kind: nn.KindBatchNorm2d, params: []*nn.Param{
			master("weight", 6), master("bias", 6), buffer("running_mean", -31, 6), buffer("running_var", -30, 6), counter}},
		&paramLayer{name: "fc3", kind: nn.KindLinear, params: []*nn.Param{master("weight", 10, 24), master("bias", 10)}},
	} {
		if err := l.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	return &l
}

func equalDicts(t *testing.T, got, want statedict.Dict) {
	t.Helper()
	if !slices.Equal(got.Keys, want.Keys) {
		t.Fatalf("keys %v, want %v", got.Keys, want.Keys)
	}
	for _, k := range want.Keys {
		g, w := got.Tensors[k], want.Tensors[k]
		if g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || !slices.Equal(g.Data, w.Data) {
			t.Errorf("%s: %v%v differs from %v%v", k, g.DType, g.Shape, w.DType, w.Shape)
		}
	}
	if len(got.Metadata) != len(want.Metadata) {
		t.Errorf("metadata %v, want %v", got.Metadata, want.Metadata)
	}
	for k, v := range want.Metadata {
		if got.Metadata[k] != v {
			t.Errorf("metadata %s = %q, want %q", k, got.Metadata[k], v)
		}
	}
}

func TestStateDictRoundTrip(t *testing.T) {
	dev := cpuDev(t)
	a, b := lenetLike(t, dev, 1), lenetLike(t, dev, 2)
	da := mustOK[statedict.Dict](t)(a.StateDict())
	wantKeys := []string{"conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
		"bn1.running_var", "bn1.num_batches_tracked", "fc3.weight", "fc3.bias"}
	if !slices.Equal(da.Keys, wantKeys) {
		t.Fatalf("keys %v, want %v", da.Keys, wantKeys)
	}
	for k, want := range map[string]int{"conv1.weight": -23, "bn1.running_mean": -31, "bn1.running_var": -30} {
		if exp, ok, _ := da.Exp(k); !ok || exp != want {
			t.Errorf("%s exponent %d (%v), want %d", k, exp, ok, want)
		}
	}
	if _, ok, _ := da.Exp("bn1.num_batches_tracked"); ok {
		t.Error("num_batches_tracked has an exponent")
	}
	if nb := da.Tensors["bn1.num_batches_tracked"]; nb.DType != statedict.I64 || len(nb.Shape) != 0 {
		t.Errorf("num_batches_tracked is %v%v, want I64 []", nb.DType, nb.Shape)
	}
	rep, err := b.LoadStateDict(da, true)
	if err != nil || !rep.OK() {
		t.Fatalf("LoadStateDict: %v, %v", rep, err)
	}
	equalDicts(t, mustOK[statedict.Dict](t)(b.StateDict()), da)

	// Through a safetensors file as well.
	path := t.TempDir() + "/s.safetensors"
	if err := statedict.SaveSafetensors(path, da); err != nil {
		t.Fatal(err)
	}
	c := lenetLike(t, dev, 3)
	if _, err := c.LoadStateDict(mustOK[statedict.Dict](t)(statedict.LoadSafetensors(path)), true); err != nil {
		t.Fatal(err)
	}
	equalDicts(t, mustOK[statedict.Dict](t)(c.StateDict()), da)
}

func TestLoadFloatStateDict(t *testing.T) {
	dev := cpuDev(t)
	l := lenetLike(t, dev, 1)
	// The PyTorch fixture has exactly LeNetLike's keys.
	pt := mustOK[statedict.Dict](t)(statedict.LoadPyTorch("statedict/testdata/lenet.pt"))
	rep, err := l.LoadStateDict(pt, true)
	if err != nil || !rep.OK() {
		t.Fatalf("LoadStateDict(lenet.pt): %v, %v", rep, err)
	}
	got := mustOK[statedict.Dict](t)(l.StateDict())
	if !slices.Equal(got.Keys, pt.Keys) {
		t.Fatalf("keys changed: %v, want %v", got.Keys, pt.Keys)
	}
	for _, k := range pt.Keys {
		src := pt.Tensors[k]
		exp, ok, _ := got.Exp(k)
		codes := mustOK[[]int64](t)(got.Tensors[k].Int64s())
		if !ok { // the counter
			want := mustOK[[]int64](t)(src.Int64s())
			if !slices.Equal(codes, want) {
				t.Errorf("%s = %v, want %v", k, codes, want)
			}
			continue
		}
		vals := mustOK[[]float32](t)(src.Float32s())
		for i, v := range vals {
			if want := int64(math.RoundToEven(math.Ldexp(float64(v), -exp))); codes[i] != want {
				t.Errorf("%s[%d] = %d, want %d (%v on the 2^%d grid)", k, i, codes[i], want, v, exp)
				break
			}
		}
	}
	// Float export gives back the PyTorch values to within half a step of
	// each grid (2^-24 for masters, finer for the running statistics).
	fd := mustOK[statedict.Dict](t)(l.FloatStateDict())
	if len(fd.Metadata) != 0 {
		t.Errorf("float state dict has metadata %v", fd.Metadata)
	}
	for _, k := range pt.Keys {
		ft := fd.Tensors[k]
		if k == "bn1.num_batches_tracked" {
			if ft.DType != statedict.I64 {
				t.Errorf("%s exported as %v, want I64", k, ft.DType)
			}
			continue
		}
		if ft.DType != statedict.F32 {
			t.Fatalf("%s exported as %v, want F32", k, ft.DType)
		}
		got, want := mustOK[[]float32](t)(ft.Float32s()), mustOK[[]float32](t)(pt.Tensors[k].Float32s())
		for i := range got {
			if d := math.Abs(float64(got[i] - want[i])); d > 0x1p-24 {
				t.Errorf("%s[%d] exported %v, loaded %v: off by %g > half a 2^-23 step", k, i, got[i], want[i], d)
				break
			}
		}
	}
}

// TestLoadQuantizeTies checks the rounding of floats onto the master grid:
// half-way values go to the even code.
func TestLoadQuantizeTies(t *testing.T) {
	dev := cpuDev(t)
	w := &nn.Param{Name: "weight", Shape: []int{4}, Trainable: true,
		Value: mustOK[*gpu.Tensor](t)(dev.UploadI32([]int{4}, gpu.ExpMaster, make([]int32, 4)))}
	var l nn.List
	if err := l.Add(&paramLayer{name: "fc", params: []*nn.Param{w}}); err != nil {
		t.Fatal(err)
	}
	var d statedict.Dict
	d.Set("fc.weight", mustOK[statedict.Tensor](t)(statedict.FromFloat32([]int{4},
		[]float32{0x1p-24, 3 * 0x1p-24, -5 * 0x1p-24, 0.5})))
	if _, err := l.LoadStateDict(d, true); err != nil {
		t.Fatal(err)
	}
	if got, want := mustOK[[]int32](t)(w.Value.DownloadI32()), []int32{0, 2, -2, 1 << 22}; !slices.Equal(got, want) {
		t.Errorf("codes %v, want %v", got, want)
	}
	// Out of the int32 range: an error, nothing loaded.
	d.Set("fc.weight", mustOK[statedict.Tensor](t)(statedict.FromFloat32([]int{4}, []float32{300, 0, 0, 0})))
	if _, err := l.LoadStateDict(d, true); !errors.Is(err, nn.ErrState) {
		t.Errorf("load of 300 into a master: %v, want ErrState", err)
	}
	// Codes with another exponent are shifted exactly.
	d.Set("fc.weight", mustOK[statedict.Tensor](t)(statedict.FromInt32([]int{4}, []int32{1, -3, 5, 0})))
	d.SetExp("fc.weight", -7)
	if _, err := l.LoadStateDict(d, true); err != nil {
		t.Fatal(err)
	}
	if got, want := mustOK[[]int32](t)(w.Value.DownloadI32()), []int32{1 << 16, -3 << 16, 5 << 16, 0}; !slices.Equal(got, want) {
		t.Errorf("codes %v, want %v", got, want)
	}
}

func TestLoadStateDictReport(t *testing.T) {
	dev := cpuDev(t)
	l := lenetLike(t, dev, 1)
	before := mustOK[statedict.Dict](t)(l.StateDict())
	d := lenetLike(t, dev, 2)
	full := mustOK[statedict.Dict](t)(d.StateDict())

	// Missing and unexpected: strict fails and loads nothing; non-strict
	// loads the rest and reports them.
	var partial statedict.Dict
	for _, k := range full.Keys {
		if k == "fc3.bias" {
			continue
		}
		partial.Set(k, full.Tensors[k])
		if e, ok, _ := full.Exp(k); ok {
			partial.SetExp(k, e)
		}
	}
	partial.Set("fc4.weight", full.Tensors["fc3.weight"])
	rep, err := l.LoadStateDict(partial, true)
	if !errors.Is(err, nn.ErrState) || !errors.Is(err, statedict.ErrMismatch) {
		t.Fatalf("strict load: %v, want ErrState and ErrMismatch", err)
	}
	if !slices.Equal(rep.Missing, []string{"fc3.bias"}) || !slices.Equal(rep.Unexpected, []string{"fc4.weight"}) {
		t.Errorf("report %+v", rep)
	}
	equalDicts(t, mustOK[statedict.Dict](t)(l.StateDict()), before)
	rep, err = l.LoadStateDict(partial, false)
	if err != nil || len(rep.Missing) != 1 || len(rep.Unexpected) != 1 {
		t.Fatalf("non-strict load: %+v, %v", rep, err)
	}
	after := mustOK[statedict.Dict](t)(l.StateDict())
	if !slices.Equal(after.Tensors["fc3.weight"].Data, full.Tensors["fc3.weight"].Data) ||
		!slices.Equal(after.Tensors["fc3.bias"].Data, before.Tensors["fc3.bias"].Data) {
		t.Error("non-strict load did not load the present keys only")
	}

	// A shape mismatch is an error even when not strict.
	bad := full.Clone()
	bad.Set("fc3.weight", mustOK[statedict.Tensor](t)(statedict.FromFloat32([]int{10, 25}, make([]float32, 250))))
	rep, err = l.LoadStateDict(bad, false)
	if !errors.Is(err, nn.ErrState) || len(rep.Mismatched) != 1 || rep.Mismatched[0].Key != "fc3.weight" {
		t.Errorf("mismatched load: %+v, %v", rep, err)
	}
}
