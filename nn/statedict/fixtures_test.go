package statedict_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// fixtureTensor is one tensor as testdata/make_fixtures.py recorded it from
// PyTorch.
type fixtureTensor struct {
	Key        string `json:"key"`
	DType      string `json:"dtype"`
	Shape      []int  `json:"shape"`
	DataHex    string `json:"data_hex"`    // row-major raw little-endian bytes
	Float32Hex string `json:"float32_hex"` // tensor.to(torch.float32), raw bytes
}

// fixtureFile is one fixture file's expected content.
type fixtureFile struct {
	Format   string            `json:"format"`
	Metadata map[string]string `json:"metadata"`
	Tensors  []fixtureTensor   `json:"tensors"`
}

// fixtures is testdata/expected.json.
type fixtures struct {
	TorchVersion string                 `json:"torch_version"`
	Files        map[string]fixtureFile `json:"files"`
	Unsupported  map[string]string      `json:"unsupported"`
}

// loadFixtures reads testdata/expected.json, written by PyTorch through
// make_fixtures.py.
func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Files) == 0 {
		t.Fatal("expected.json lists no files")
	}
	return f
}

// mustHex decodes a hex string from expected.json.
func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
