package lenet

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/train/data"
)

func TestSubset(t *testing.T) {
	ds := &data.Dataset{Name: "d", N: 3, C: 1, H: 1, W: 2, Classes: 2,
		Pixels: []uint8{1, 2, 3, 4, 5, 6}, Labels: []uint8{0, 1, 0}}
	tests := []struct {
		n, wantN int
		wantLast uint8 // last pixel code kept
		wantSame bool  // ds itself returned
	}{
		{0, 3, 6, true},
		{-1, 3, 6, true},
		{3, 3, 6, true},
		{7, 3, 6, true},
		{1, 1, 2, false},
		{2, 2, 4, false},
	}
	for _, tt := range tests {
		got := Subset(ds, tt.n)
		if got.N != tt.wantN || len(got.Labels) != tt.wantN || got.Pixels[len(got.Pixels)-1] != tt.wantLast || (got == ds) != tt.wantSame {
			t.Errorf("Subset(%d) = N %d, %d labels, last pixel %d, same %v; want %d, %d, %d, %v",
				tt.n, got.N, len(got.Labels), got.Pixels[len(got.Pixels)-1], got == ds, tt.wantN, tt.wantN, tt.wantLast, tt.wantSame)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("Subset(%d): %v", tt.n, err)
		}
	}
}

func TestBackend(t *testing.T) {
	tests := []struct {
		name string
		want gpu.Backend
		ok   bool
	}{
		{"cpu", gpu.CPU, true},
		{"webgpu", gpu.WebGPU, true},
		{"auto", gpu.Auto, true},
		{"", 0, false},
		{"CPU", 0, false},
	}
	for _, tt := range tests {
		got, err := Backend(tt.name)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("Backend(%q) = %v, %v; want %v, ok %v", tt.name, got, err, tt.want, tt.ok)
		}
	}
}

func TestLineCounter(t *testing.T) {
	for _, tt := range []struct {
		writes []string
		want   int
	}{
		{nil, 0},
		{[]string{"a"}, 0},
		{[]string{"a\n", "b\nc\n"}, 3},
		{[]string{"\n\n", ""}, 2},
	} {
		var buf bytes.Buffer
		c := &LineCounter{W: &buf}
		for _, w := range tt.writes {
			if _, err := c.Write([]byte(w)); err != nil {
				t.Fatal(err)
			}
		}
		if c.Lines != tt.want {
			t.Errorf("%q: %d lines, want %d", tt.writes, c.Lines, tt.want)
		}
	}
}

// TestMNISTMissing checks that a missing MNIST folder is ErrNotFound and
// that the message names the examples' flag.
func TestMNISTMissing(t *testing.T) {
	_, _, err := MNIST(t.TempDir(), 0)
	if !errors.Is(err, data.ErrNotFound) || !strings.Contains(err.Error(), "-data") {
		t.Errorf("err = %v, want ErrNotFound naming -data", err)
	}
}
