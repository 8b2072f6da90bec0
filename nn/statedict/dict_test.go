package statedict_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/nn/statedict"
)

// TestDictSetOrder checks that Set appends new keys and keeps the place of
// replaced ones.
func TestDictSetOrder(t *testing.T) {
	var d statedict.Dict
	a, _ := statedict.FromFloat32([]int{1}, []float32{1})
	b, _ := statedict.FromFloat32([]int{2}, []float32{2, 3})
	d.Set("conv1.weight", a)
	d.Set("bn1.running_mean", a)
	d.Set("conv1.weight", b)
	if want := []string{"conv1.weight", "bn1.running_mean"}; !slices.Equal(d.Keys, want) {
		t.Errorf("keys = %q, want %q", d.Keys, want)
	}
	if got, ok := d.Get("conv1.weight"); !ok || !slices.Equal(got.Shape, []int{2}) {
		t.Errorf("Get after replace = %v, %v", got, ok)
	}
	if _, ok := d.Get("absent"); ok || d.Len() != 2 {
		t.Errorf("Get(absent) ok = %v, Len = %d", ok, d.Len())
	}
	if s := d.Shapes(); len(s) != 2 || !slices.Equal(s["bn1.running_mean"], []int{1}) {
		t.Errorf("Shapes = %v", s)
	}
	c := d.Clone()
	c.Keys[0] = "x"
	c.Tensors["bn1.running_mean"].Data[0] = 0xff
	if d.Keys[0] != "conv1.weight" || d.Tensors["bn1.running_mean"].Data[0] == 0xff {
		t.Error("Clone shares memory with the original")
	}
}

// TestDictValidate checks every Validate failure.
func TestDictValidate(t *testing.T) {
	ok, _ := statedict.FromInt8([]int{1}, []int8{1})
	bad := statedict.Tensor{DType: statedict.I8, Shape: []int{2}, Data: []byte{1}}
	tests := []struct {
		name string
		d    statedict.Dict
		want error
	}{
		{"empty", statedict.Dict{}, nil},
		{"fine", statedict.Dict{Keys: []string{"a"}, Tensors: map[string]statedict.Tensor{"a": ok}}, nil},
		{"empty key", statedict.Dict{Keys: []string{""}, Tensors: map[string]statedict.Tensor{"": ok}}, statedict.ErrKey},
		{"duplicate", statedict.Dict{Keys: []string{"a", "a"}, Tensors: map[string]statedict.Tensor{"a": ok}}, statedict.ErrKey},
		{"no tensor", statedict.Dict{Keys: []string{"a"}}, statedict.ErrKey},
		{"unlisted", statedict.Dict{Keys: []string{"a"}, Tensors: map[string]statedict.Tensor{"a": ok, "b": ok}}, statedict.ErrKey},
		{"bad utf8 key", statedict.Dict{Keys: []string{"\xff"}, Tensors: map[string]statedict.Tensor{"\xff": ok}}, statedict.ErrKey},
		{"bad tensor", statedict.Dict{Keys: []string{"a"}, Tensors: map[string]statedict.Tensor{"a": bad}}, statedict.ErrShape},
		{"bad utf8 metadata", statedict.Dict{Metadata: map[string]string{"k": "\xfe"}}, statedict.ErrMetadata},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Validate()
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestDictExp checks the quantization exponent metadata: value = code·2^exp
// stored as "<key>.exp".
func TestDictExp(t *testing.T) {
	var d statedict.Dict
	if _, ok, err := d.Exp("conv1.weight"); ok || err != nil {
		t.Errorf("Exp on empty dict: ok = %v, err = %v", ok, err)
	}
	d.SetExp("conv1.weight", -7)
	d.SetExp("fc.bias", 0)
	if d.Metadata["conv1.weight.exp"] != "-7" || d.Metadata["fc.bias.exp"] != "0" {
		t.Errorf("metadata = %v", d.Metadata)
	}
	if e, ok, err := d.Exp("conv1.weight"); e != -7 || !ok || err != nil {
		t.Errorf("Exp = %d, %v, %v; want -7", e, ok, err)
	}
	for _, bad := range []string{"", "-7.0", "0x10", " 3", "1e3"} {
		d.Metadata["x.exp"] = bad
		if _, ok, err := d.Exp("x"); !ok || !errors.Is(err, statedict.ErrMetadata) {
			t.Errorf("Exp of %q: ok = %v, err = %v; want ErrMetadata", bad, ok, err)
		}
	}
}
