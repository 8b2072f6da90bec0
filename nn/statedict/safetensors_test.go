package statedict_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/nn/statedict"
)

// everyDType builds a Dict with one tensor of each dtype, in an order
// that is neither sorted by name nor by dtype, with edge values, a 0-d and
// an empty tensor, and metadata including a quantization exponent.
func everyDType(t *testing.T) statedict.Dict {
	t.Helper()
	var d statedict.Dict
	d.Set("conv1.weight", must(t)(statedict.FromInt8([]int{2, 2}, []int8{-128, -1, 0, 127})))
	d.Set("bn1.weight", must(t)(statedict.FromFloat32([]int{3}, []float32{1, -0.5, 3.25})))
	d.Set("bn1.num_batches_tracked", must(t)(statedict.FromInt64(nil, []int64{-1 << 63})))
	d.Set("a.f64", must(t)(statedict.FromFloat64([]int{2}, []float64{0.1, -1e300})))
	d.Set("a.u8", must(t)(statedict.FromUint8([]int{3}, []uint8{0, 128, 255})))
	d.Set("a.i16", must(t)(statedict.FromInt16([]int{1, 2}, []int16{-32768, 32767})))
	d.Set("a.i32", must(t)(statedict.FromInt32([]int{2, 1, 1}, []int32{-1 << 31, 1<<31 - 1})))
	d.Set("a.bool", must(t)(statedict.FromBool([]int{2}, []bool{false, true})))
	d.Set("a.f16", must(t)(statedict.New(statedict.F16, []int{3}, []byte{0x00, 0x3c, 0x01, 0x00, 0x00, 0x7c})))
	d.Set("a.bf16", must(t)(statedict.New(statedict.BF16, []int{1}, []byte{0x80, 0x3f})))
	d.Set("empty", must(t)(statedict.FromFloat32([]int{0, 4}, nil)))
	d.Set("empty2", must(t)(statedict.FromInt8([]int{3, 0}, nil)))
	d.SetExp("conv1.weight", -7)
	d.Metadata["format"] = "pt"
	d.Metadata["note"] = `quotes " and \ and <tags> & ünïcode`
	return d
}

// must fails the test on a constructor error.
func must(t *testing.T) func(statedict.Tensor, error) statedict.Tensor {
	return func(x statedict.Tensor, err error) statedict.Tensor {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
}

// TestSafetensorsRoundTrip saves and loads every dtype and checks that
// keys, order, dtypes, shapes, bytes and metadata come back unchanged.
func TestSafetensorsRoundTrip(t *testing.T) {
	d := everyDType(t)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	orig := d.Clone()
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := statedict.SaveSafetensors(path, d); err != nil {
		t.Fatal(err)
	}
	got, err := statedict.LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Keys, orig.Keys) {
		t.Errorf("keys = %q, want %q", got.Keys, orig.Keys)
	}
	for _, k := range orig.Keys {
		w, g := orig.Tensors[k], got.Tensors[k]
		if g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || g.Shape == nil || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("%s: got %v %#v % x, want %v %v % x", k, g.DType, g.Shape, g.Data, w.DType, w.Shape, w.Data)
		}
	}
	if !maps.Equal(got.Metadata, orig.Metadata) {
		t.Errorf("metadata = %v, want %v", got.Metadata, orig.Metadata)
	}
	if e, ok, err := got.Exp("conv1.weight"); e != -7 || !ok || err != nil {
		t.Errorf("Exp = %d, %v, %v; want -7", e, ok, err)
	}
	// The input is not modified.
	if !slices.Equal(d.Keys, orig.Keys) || !bytes.Equal(d.Tensors["a.f64"].Data, orig.Tensors["a.f64"].Data) {
		t.Error("SaveSafetensors modified its input")
	}
	// Loaded tensors are capped: appending to one cannot overwrite the next.
	w := got.Tensors["conv1.weight"]
	if cap(w.Data) != len(w.Data) {
		t.Errorf("Data capacity %d > length %d", cap(w.Data), len(w.Data))
	}
	checkLayout(t, path, orig)
}

// checkLayout parses a written file by the safetensors specification
// (github.com/huggingface/safetensors README: u64 header size N, N bytes of
// JSON, byte buffer) with encoding/json only, and compares it with d.
func checkLayout(t *testing.T, path string, d statedict.Dict) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 || 8+n > uint64(len(b)) {
		t.Fatalf("header size %d: not a multiple of 8 or past the end", n)
	}
	header := b[8 : 8+n]
	if header[0] != '{' || len(bytes.TrimRight(header, " ")) < len(header)-7 {
		t.Errorf("header %q: must start with '{' and be padded with at most 7 spaces", header)
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatal(err)
	}
	var meta map[string]string
	if err := json.Unmarshal(h["__metadata__"], &meta); err != nil || !maps.Equal(meta, d.Metadata) {
		t.Errorf("__metadata__ = %v, %v; want %v", meta, err, d.Metadata)
	}
	data := b[8+n:]
	var off uint64
	for _, k := range d.Keys {
		var info struct {
			DType       string    `json:"dtype"`
			Shape       []int     `json:"shape"`
			DataOffsets [2]uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(h[k], &info); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		x := d.Tensors[k]
		end := off + uint64(len(x.Data))
		if info.DType != x.DType.String() || !slices.Equal(info.Shape, x.Shape) || info.DataOffsets != [2]uint64{off, end} {
			t.Errorf("%s: header %+v, want %v %v [%d %d]", k, info, x.DType, x.Shape, off, end)
		}
		if !bytes.Equal(data[off:end], x.Data) {
			t.Errorf("%s: bytes differ", k)
		}
		off = end
	}
	if off != uint64(len(data)) || len(h) != len(d.Keys)+1 {
		t.Errorf("data %d bytes for %d, header has %d entries for %d keys", len(data), off, len(h), len(d.Keys))
	}
}

// TestLoadSafetensorsPython loads a file written by make_fixtures.py from the
// format specification, with the reference writer's order (dtype size, then
// name), and compares it with PyTorch's values.
func TestLoadSafetensorsPython(t *testing.T) {
	fx := loadFixtures(t)
	name := "python_written.safetensors"
	want, ok := fx.Files[name]
	if !ok {
		t.Fatalf("expected.json has no %s", name)
	}
	d, err := statedict.LoadSafetensors(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, d, want)
	e, ok, err := d.Exp("conv1.weight")
	if e != -7 || !ok || err != nil {
		t.Errorf("Exp = %d, %v, %v; want -7", e, ok, err)
	}
	// Re-saving and re-loading keeps everything.
	path := filepath.Join(t.TempDir(), name)
	if err := statedict.SaveSafetensors(path, d); err != nil {
		t.Fatal(err)
	}
	again, err := statedict.LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, again, want)
}

// TestSafetensorsFromPyTorch converts each torch fixture to safetensors and
// checks the result against PyTorch's values.
func TestSafetensorsFromPyTorch(t *testing.T) {
	fx := loadFixtures(t)
	for _, name := range []string{"checkpoint.pt", "dtypes_legacy.pt"} {
		d, err := statedict.LoadPyTorch(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "x.safetensors")
		if err := statedict.SaveSafetensors(path, d); err != nil {
			t.Fatal(err)
		}
		got, err := statedict.LoadSafetensors(path)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstFixture(t, got, fx.Files[name])
	}
}

// stFile assembles a safetensors file from a header string and data.
func stFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

// TestLoadSafetensorsCorrupt checks that malformed files give clear errors.
func TestLoadSafetensorsCorrupt(t *testing.T) {
	good := stFile(`{"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}`, []byte{1, 2})
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, statedict.ErrFormat},
		{"7 bytes", []byte{1, 2, 3, 4, 5, 6, 7}, statedict.ErrFormat},
		{"header size huge", binary.LittleEndian.AppendUint64(nil, 1<<62), statedict.ErrFormat},
		{"header past end", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), statedict.ErrFormat},
		{"header not json", stFile(`{"a":`, nil), statedict.ErrFormat},
		{"header not object", stFile(`[1,2]`, nil), statedict.ErrFormat},
		{"missing dtype", stFile(`{"a":{"shape":[1],"data_offsets":[0,1],"x":1}}`, []byte{0}), statedict.ErrFormat},
		{"unknown dtype", stFile(`{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}`, []byte{0}), statedict.ErrFormat},
		{"unsupported U16", stFile(`{"a":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}}`, []byte{0, 0}), statedict.ErrDType},
		{"negative size", stFile(`{"a":{"dtype":"I8","shape":[-1],"data_offsets":[0,1]}}`, []byte{0}), statedict.ErrFormat},
		{"shape vs offsets", stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)), statedict.ErrFormat},
		{"overlap", stFile(`{"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"I8","shape":[2],"data_offsets":[1,3]}}`, make([]byte, 3)), statedict.ErrFormat},
		{"gap", stFile(`{"a":{"dtype":"I8","shape":[1],"data_offsets":[1,2]}}`, make([]byte, 2)), statedict.ErrFormat},
		{"data truncated", good[:len(good)-1], statedict.ErrFormat},
		{"trailing bytes", append(bytes.Clone(good), 0), statedict.ErrFormat},
		{"metadata not string", stFile(`{"__metadata__":{"k":1}}`, nil), statedict.ErrFormat},
		{"empty name", stFile(`{"":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}`, []byte{0}), statedict.ErrFormat},
		{"size overflow", stFile(`{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, nil), statedict.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.safetensors")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := statedict.LoadSafetensors(path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "statedict: ") || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %q, want the statedict prefix and the path", err)
			}
		})
	}
	// The well-formed twin loads.
	path := filepath.Join(t.TempDir(), "good.safetensors")
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err := statedict.LoadSafetensors(path); err != nil || !slices.Equal(d.Keys, []string{"a"}) {
		t.Errorf("good file: %v, %v", d.Keys, err)
	}
	if _, err := statedict.LoadSafetensors(filepath.Join(t.TempDir(), "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
}

// TestSaveSafetensorsErrors checks that an invalid Dict is refused and
// leaves an existing file, and its directory, untouched.
func TestSaveSafetensorsErrors(t *testing.T) {
	ok, _ := statedict.FromInt8([]int{1}, []int8{1})
	tests := []struct {
		name string
		d    statedict.Dict
		want error
	}{
		{"duplicate key", statedict.Dict{Keys: []string{"a", "a"}, Tensors: map[string]statedict.Tensor{"a": ok}}, statedict.ErrKey},
		{"reserved key", statedict.Dict{Keys: []string{"__metadata__"}, Tensors: map[string]statedict.Tensor{"__metadata__": ok}}, statedict.ErrKey},
		{"bad tensor", statedict.Dict{Keys: []string{"a"}, Tensors: map[string]statedict.Tensor{"a": {DType: statedict.F32, Shape: []int{1}}}}, statedict.ErrShape},
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "keep.safetensors")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := statedict.SaveSafetensors(path, tt.d); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file changed to %q", b)
	}
	if err := statedict.SaveSafetensors(filepath.Join(dir, "no", "such", "dir", "x"), statedict.Dict{}); err == nil {
		t.Error("saving into a missing directory succeeded")
	}
	// A good save replaces the file and leaves no temporary file behind.
	if err := statedict.SaveSafetensors(path, statedict.Dict{Keys: []string{"a"}, Tensors: map[string]statedict.Tensor{"a": ok}}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %v, %v; want only keep.safetensors", entries, err)
	}
}
