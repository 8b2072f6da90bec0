package statedict

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzLoadSafetensors feeds arbitrary bytes to the safetensors parser. The
// seeds are testdata/fuzz/FuzzLoadSafetensors (valid files of every dtype,
// a Python-written file, truncations, bad offsets) plus the fixture file.
// Properties: no panic; every error wraps a package sentinel; a file that
// loads gives a valid Dict, and writing that Dict and parsing it again gives
// the same keys, tensors and metadata.
func FuzzLoadSafetensors(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "python_written.safetensors")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseSafetensors(b)
		if err != nil {
			if !isOwn(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("loaded dict is invalid: %v", err)
		}
		header, err := safetensorsHeader(d)
		if err != nil {
			t.Fatalf("loaded dict cannot be saved: %v", err)
		}
		var buf bytes.Buffer
		if err := writeSafetensors(&buf, d, header); err != nil {
			t.Fatal(err)
		}
		again, err := parseSafetensors(buf.Bytes())
		if err != nil {
			t.Fatalf("re-parse of the written file: %v", err)
		}
		if len(again.Keys) != len(d.Keys) || len(again.Metadata) != len(d.Metadata) {
			t.Fatalf("round trip: %q %v, want %q %v", again.Keys, again.Metadata, d.Keys, d.Metadata)
		}
		for _, k := range d.Keys {
			a, b := d.Tensors[k], again.Tensors[k]
			if a.DType != b.DType || !slices.Equal(a.Shape, b.Shape) || !bytes.Equal(a.Data, b.Data) {
				t.Fatalf("round trip changed %q", k)
			}
		}
		for k, v := range d.Metadata {
			if again.Metadata[k] != v {
				t.Fatalf("round trip changed metadata %q", k)
			}
		}
	})
}

// FuzzLoadPyTorch feeds arbitrary bytes to the torch.save reader, seeded
// with every .pt fixture. Properties: no panic; every error wraps a package
// sentinel; a file that loads gives a valid Dict.
func FuzzLoadPyTorch(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.pt"))
	for _, name := range names {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parsePyTorch(b)
		if err != nil {
			if !isOwn(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("loaded dict is invalid: %v", err)
		}
	})
}
