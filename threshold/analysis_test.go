package threshold_test

import (
	"errors"
	"math"
	"testing"

	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/threshold"
)

// TestCosineByLayer checks hand-computed cosines: identical captures give
// 1, negated ones -1, orthogonal 0, (1,0)·(1,1) 1/√2; an all-zero capture
// is an error for its entry only, never NaN.
func TestCosineByLayer(t *testing.T) {
	l := newList(t,
		&fakeLayer{name: "conv1", kind: nn.KindConv2d},
		&fakeLayer{name: "relu1", kind: nn.KindReLU},
		&fakeLayer{name: "flat", kind: nn.KindFlatten},
		&fakeLayer{name: "fc1", kind: nn.KindLinear},
		&fakeLayer{name: "fc2", kind: nn.KindLinear},
		&fakeLayer{name: "fc3", kind: nn.KindLinear},
	)
	c := func(name string, v ...float32) threshold.Capture {
		return threshold.Capture{Name: name, Values: v, Shape: []int{len(v)}, Batches: 1}
	}
	// Captures deliberately out of network order: the result is in
	// network order.
	fCaps := []threshold.Capture{c("fc1", 1, 0), c("conv1", 1, -2, 0.5), c("relu1", 3, 4), c("fc2", 1, 0), c("fc3", 0, 0)}
	qCaps := []threshold.Capture{c("conv1", 1, -2, 0.5), c("relu1", -3, -4), c("fc1", 0, 2), c("fc2", 1, 1), c("fc3", 1, 2)}
	got, err := threshold.CosineByLayer(l, l, fCaps, qCaps)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name    string
		kind    nn.Kind
		cos     float64
		wantErr error
	}{
		{"conv1", nn.KindConv2d, 1, nil},
		{"relu1", nn.KindReLU, -1, nil},
		{"fc1", nn.KindLinear, 0, nil},
		{"fc2", nn.KindLinear, 1 / math.Sqrt2, nil},
		{"fc3", nn.KindLinear, 0, threshold.ErrZeroNorm},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Kind != w.kind || math.Abs(g.Cosine-w.cos) > 1e-15 || !errors.Is(g.Err, w.wantErr) || (w.wantErr == nil) != (g.Err == nil) {
			t.Errorf("entry %d = %+v, want %s %s cos %v err %v", i, g, w.name, w.kind, w.cos, w.wantErr)
		}
	}
	if math.IsNaN(got[4].Cosine) {
		t.Error("zero-norm entry is NaN")
	}

	// Different lengths are an entry error too.
	got, err = threshold.CosineByLayer(l, l, []threshold.Capture{c("fc1", 1, 2)}, []threshold.Capture{c("fc1", 1, 2, 3)})
	if err != nil || len(got) != 1 || !errors.Is(got[0].Err, threshold.ErrLength) {
		t.Errorf("length mismatch: %+v, %v; want one entry with ErrLength", got, err)
	}

	other := newList(t, &fakeLayer{name: "conv1", kind: nn.KindConv2d})
	for _, tc := range []struct {
		name         string
		f, q         *nn.List
		fCaps, qCaps []threshold.Capture
		want         error
	}{
		{"networks differ", l, other, fCaps, qCaps, threshold.ErrMismatch},
		{"captured on one side only", l, l, fCaps, qCaps[:4], threshold.ErrMismatch},
		{"unknown layer", l, l, []threshold.Capture{c("conv9", 1)}, nil, threshold.ErrHook},
		{"captured twice", l, l, fCaps, append(qCaps, c("conv1", 1, 1, 1)), threshold.ErrHook},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := threshold.CosineByLayer(tc.f, tc.q, tc.fCaps, tc.qCaps); !errors.Is(err, tc.want) {
				t.Errorf("CosineByLayer = %v, want %v", err, tc.want)
			}
		})
	}
}
