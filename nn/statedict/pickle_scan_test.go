package statedict

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestScanPickle checks the opcode scanner on pickles CPython wrote with
// every protocol (testdata/expected.json "pickles", from make_fixtures.py):
// each scans to exactly its length, trailing bytes are left alone, and every
// truncation is refused with ErrFormat.
func TestScanPickle(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Pickles []struct {
			Protocol int    `json:"protocol"`
			Hex      string `json:"hex"`
		} `json:"pickles"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for i, p := range fx.Pickles {
		data, err := hex.DecodeString(p.Hex)
		if err != nil {
			t.Fatal(err)
		}
		seen[p.Protocol] = true
		if n, err := scanPickle(data); n != len(data) || err != nil {
			t.Errorf("pickle %d (protocol %d): scan = %d, %v; want %d", i, p.Protocol, n, err, len(data))
		}
		if n, err := scanPickle(append(data[:len(data):len(data)], "trailing"...)); n != len(data) || err != nil {
			t.Errorf("pickle %d with trailing bytes: scan = %d, %v; want %d", i, n, err, len(data))
		}
		for cut := 0; cut < len(data); cut++ {
			if _, err := scanPickle(data[:cut]); !errors.Is(err, ErrFormat) {
				t.Fatalf("pickle %d cut to %d bytes: err = %v, want ErrFormat", i, cut, err)
			}
		}
	}
	for proto := 0; proto <= 5; proto++ {
		if !seen[proto] {
			t.Errorf("no pickle of protocol %d in expected.json", proto)
		}
	}
	// Declared lengths larger than the input are refused before any
	// allocation: BINBYTES8 of 2^61 bytes, a FRAME of 2^40 bytes, BINUNICODE
	// of 2^32-1 bytes.
	for _, bad := range [][]byte{
		{0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x20, '.'},
		{0x80, 4, 0x95, 0, 0, 0, 0, 0, 1, 0, 0, '.'},
		{'X', 0xff, 0xff, 0xff, 0xff, '.'},
		{0xff},
	} {
		if _, err := scanPickle(bad); !errors.Is(err, ErrFormat) {
			t.Errorf("scan(% x) err = %v, want ErrFormat", bad, err)
		}
	}
}
