package statedict_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/nn/statedict"
)

// checkAgainstFixture compares a loaded Dict with what PyTorch recorded:
// key order, dtype, shape, raw bytes, Float32s and metadata.
func checkAgainstFixture(t *testing.T, d statedict.Dict, want fixtureFile) {
	t.Helper()
	var keys []string
	for _, ft := range want.Tensors {
		keys = append(keys, ft.Key)
	}
	if !slices.Equal(d.Keys, keys) {
		t.Fatalf("keys = %q, want %q", d.Keys, keys)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("loaded dict does not validate: %v", err)
	}
	for _, ft := range want.Tensors {
		got := d.Tensors[ft.Key]
		if got.DType.String() != ft.DType {
			t.Errorf("%s: dtype %v, want %s", ft.Key, got.DType, ft.DType)
		}
		if got.Shape == nil || !slices.Equal(got.Shape, ft.Shape) {
			t.Errorf("%s: shape %#v, want %v", ft.Key, got.Shape, ft.Shape)
		}
		if wantData := mustHex(t, ft.DataHex); !bytes.Equal(got.Data, wantData) {
			t.Errorf("%s: data %x, want %x", ft.Key, got.Data, wantData)
		}
		f32, err := got.Float32s()
		if err != nil {
			t.Errorf("%s: Float32s: %v", ft.Key, err)
			continue
		}
		wantF := mustHex(t, ft.Float32Hex)
		for i, v := range f32 { // compare bits: -0, Inf and NaN included
			if w := binary.LittleEndian.Uint32(wantF[4*i:]); math.Float32bits(v) != w {
				t.Errorf("%s[%d]: Float32s = %v (%#08x), torch.to(float32) = %v (%#08x)",
					ft.Key, i, v, math.Float32bits(v), math.Float32frombits(w), w)
			}
		}
		if len(f32)*4 != len(wantF) {
			t.Errorf("%s: Float32s gives %d elements, want %d", ft.Key, len(f32), len(wantF)/4)
		}
	}
	if len(want.Metadata) == 0 && len(d.Metadata) == 0 {
		return
	}
	if !maps.Equal(d.Metadata, want.Metadata) {
		t.Errorf("metadata = %v, want %v", d.Metadata, want.Metadata)
	}
}

// TestLoadPyTorchFixtures loads every torch.save fixture and compares it
// with the values PyTorch recorded in expected.json.
func TestLoadPyTorchFixtures(t *testing.T) {
	fx := loadFixtures(t)
	n := 0
	for name, want := range fx.Files {
		if want.Format != "zip" && want.Format != "legacy" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			d, err := statedict.LoadPyTorch(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstFixture(t, d, want)
		})
	}
	if n < 8 { // lenet, lenet_proto4, resnet, dtypes, checkpoint, wrapped_model, 2 legacy
		t.Errorf("only %d torch fixtures in expected.json", n)
	}
	t.Logf("statedict: %d torch %s fixtures compared", n, fx.TorchVersion)
}

// TestLoadPyTorchKeys spells out the keys the layers rely on, independent
// of expected.json.
func TestLoadPyTorchKeys(t *testing.T) {
	tests := []struct {
		file  string
		key   string
		dtype statedict.DType
		shape []int
	}{
		{"lenet.pt", "conv1.weight", statedict.F32, []int{6, 1, 5, 5}},
		{"lenet.pt", "bn1.running_var", statedict.F32, []int{6}},
		{"lenet.pt", "bn1.num_batches_tracked", statedict.I64, []int{}},
		{"lenet_legacy.pt", "bn1.num_batches_tracked", statedict.I64, []int{}},
		{"checkpoint.pt", "fc3.weight", statedict.F32, []int{10, 24}},
		{"resnet.pt", "layer1.0.conv1.weight", statedict.F32, []int{2, 2, 3, 3}},
		{"wrapped_model.pt", "layer1.0.bn1.running_mean", statedict.F32, []int{2}},
		{"dtypes.pt", "i8", statedict.I8, []int{2, 3}},
		{"dtypes.pt", "transposed", statedict.F32, []int{5, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.key, func(t *testing.T) {
			d, err := statedict.LoadPyTorch(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := d.Get(tt.key)
			if !ok {
				t.Fatalf("no key %q in %q", tt.key, d.Keys)
			}
			if got.DType != tt.dtype || !slices.Equal(got.Shape, tt.shape) {
				t.Errorf("%v %v, want %v %v", got.DType, got.Shape, tt.dtype, tt.shape)
			}
		})
	}
	// num_batches_tracked after two training batches (make_fixtures.py).
	d, err := statedict.LoadPyTorch(filepath.Join("testdata", "lenet.pt"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Tensors["bn1.num_batches_tracked"].Int64s()
	if err != nil || len(n) != 1 || n[0] != 2 {
		t.Errorf("num_batches_tracked = %v, %v; want [2]", n, err)
	}
	// transposed = arange(20).reshape(4, 5).t(): element [i][j] = 5j + i.
	tr, err := statedict.LoadPyTorch(filepath.Join("testdata", "dtypes.pt"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := tr.Tensors["transposed"].Float32s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		for j := range 4 {
			if v[4*i+j] != float32(5*j+i) {
				t.Fatalf("transposed[%d][%d] = %v, want %d", i, j, v[4*i+j], 5*j+i)
			}
		}
	}
}

// TestFixtureFolderName checks that the fixtures exercise a zip folder not
// named "archive" (torch names it after the file).
func TestFixtureFolderName(t *testing.T) {
	zr, err := zip.OpenReader(filepath.Join("testdata", "lenet.pt"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "lenet/") {
			t.Errorf("record %q is not under lenet/", f.Name)
		}
	}
}

// TestLoadPyTorchUnsupported checks the files PyTorch writes that are not
// state dicts: each must fail with ErrUnsupported and say why.
func TestLoadPyTorchUnsupported(t *testing.T) {
	fx := loadFixtures(t)
	if len(fx.Unsupported) < 5 {
		t.Fatalf("expected.json lists %d unsupported files, want 5", len(fx.Unsupported))
	}
	for name, word := range fx.Unsupported {
		t.Run(name, func(t *testing.T) {
			_, err := statedict.LoadPyTorch(filepath.Join("testdata", name))
			if !errors.Is(err, statedict.ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
			if !strings.Contains(err.Error(), word) || !strings.HasPrefix(err.Error(), "statedict: ") {
				t.Errorf("err = %q, want it to start with \"statedict: \" and mention %s", err, word)
			}
		})
	}
}

// TestLoadPyTorchCorrupt checks that damaged files give ErrFormat, never a
// panic or a silently wrong dict.
func TestLoadPyTorchCorrupt(t *testing.T) {
	lenet := readFile(t, "lenet.pt")
	legacy := readFile(t, "lenet_legacy.pt")
	dtypes := readFile(t, "dtypes_legacy.pt")
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"text", []byte("not a checkpoint\n")},
		{"zip magic only", []byte("PK\x03\x04")},
		{"zip truncated", lenet[:len(lenet)/2]},
		{"zip without end", lenet[:len(lenet)-10]},
		{"zip data byte flipped", flipByte(lenet, bytes.Index(lenet, []byte("lenet/data/0"))+100)},
		{"zip no data.pkl", rezip(t, lenet, func(name string) string { return strings.Replace(name, "data.pkl", "other.pkl", 1) })},
		{"zip storage missing", rezip(t, lenet, func(name string) string { return strings.Replace(name, "data/7", "data/x", 1) })},
		{"zip storage short", rezipData(t, lenet, "lenet/data/7", func(b []byte) []byte { return b[:len(b)-4] })},
		{"zip pickle truncated", rezipData(t, lenet, "lenet/data.pkl", func(b []byte) []byte { return b[:len(b)/2] })},
		{"legacy magic only", legacy[:30]},
		{"legacy truncated in pickle", legacy[:300]},
		{"legacy truncated in data", legacy[:len(legacy)-5]},
		{"legacy dtypes truncated", dtypes[:len(dtypes)-100]},
		{"legacy bad magic", flipByte(legacy, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.pt")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := statedict.LoadPyTorch(path)
			if !errors.Is(err, statedict.ErrFormat) {
				t.Fatalf("err = %v (dict %q), want ErrFormat", err, d.Keys)
			}
			if !strings.HasPrefix(err.Error(), "statedict: ") || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %q, want the statedict prefix and the path", err)
			}
		})
	}
	// Every prefix of the small files fails cleanly.
	for _, name := range []string{"lenet_legacy.pt", "resnet.pt"} {
		b := readFile(t, name)
		path := filepath.Join(t.TempDir(), name)
		for n := 0; n < len(b); n += 7 {
			if err := os.WriteFile(path, b[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := statedict.LoadPyTorch(path); err == nil {
				t.Fatalf("%s cut to %d bytes loaded without error", name, n)
			}
		}
	}
	if _, err := statedict.LoadPyTorch(filepath.Join(t.TempDir(), "absent.pt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
}

// readFile reads a fixture.
func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flipByte returns a copy of b with byte i inverted.
func flipByte(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xff
	return c
}

// rezip copies a zip archive, renaming its records.
func rezip(t *testing.T, b []byte, rename func(string) string) []byte {
	return rewriteZip(t, b, rename, "", nil)
}

// rezipData copies a zip archive, changing the content of one record.
func rezipData(t *testing.T, b []byte, record string, edit func([]byte) []byte) []byte {
	return rewriteZip(t, b, func(s string) string { return s }, record, edit)
}

// rewriteZip copies a zip archive (stored records), renaming records and
// editing one.
func rewriteZip(t *testing.T, b []byte, rename func(string) string, record string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var data bytes.Buffer
		if _, err := data.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		content := data.Bytes()
		if f.Name == record {
			content = edit(content)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: rename(f.Name), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
