//go:build !cgo

package gpu

import (
	"errors"
	"strings"
	"testing"
)

// TestNoCgo checks the cgo-less build: WebGPU reports ErrNoAdapter and Auto
// falls back to the CPU backend.
func TestNoCgo(t *testing.T) {
	_, err := Open(Options{Backend: WebGPU})
	if !errors.Is(err, ErrNoAdapter) || !strings.Contains(err.Error(), "built without cgo") {
		t.Errorf("Open(WebGPU) err %v, want ErrNoAdapter \"built without cgo\"", err)
	}
	d, err := Open(Options{Backend: Auto})
	if err != nil || d.Backend() != CPU {
		t.Fatalf("Open(Auto) = %v, %v; want the CPU backend", d, err)
	}
	d.Close()
}
