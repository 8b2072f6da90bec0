package data_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/train/data"
)

// indexedDataset has n samples of 1x2x3 whose pixel codes spell out the
// sample index (first byte n%256, second n/256, then 1..4) and label n%classes,
// so a batch can be checked against the indices alone.
func indexedDataset(n, classes int) *data.Dataset {
	ds := &data.Dataset{Name: "indexed", N: n, C: 1, H: 2, W: 3, Classes: classes}
	for i := range n {
		ds.Pixels = append(ds.Pixels, byte(i), byte(i>>8), 1, 2, 3, 4)
		ds.Labels = append(ds.Labels, byte(i%classes))
	}
	return ds
}

// checkBatch checks that b holds copies of the samples it names.
func checkBatch(t *testing.T, b *data.Batch) {
	t.Helper()
	if b.N != len(b.Indices) || len(b.Labels) != b.N || len(b.Pixels) != b.N*6 || b.C != 1 || b.H != 2 || b.W != 3 {
		t.Fatalf("batch %d: N=%d %dx%dx%d, %d indices, %d labels, %d pixels", b.Index, b.N, b.C, b.H, b.W, len(b.Indices), len(b.Labels), len(b.Pixels))
	}
	for k, i := range b.Indices {
		px := b.Pixels[k*6 : k*6+6]
		if px[0] != byte(i) || px[1] != byte(i>>8) || px[5] != 4 || b.Labels[k] != byte(i%10) {
			t.Fatalf("batch %d sample %d (index %d): pixels %v label %d", b.Index, k, i, px, b.Labels[k])
		}
	}
}

func collect(e *data.Epoch, from int) (idx [][]int, sizes []int) {
	for b := range e.From(from) {
		idx = append(idx, b.Indices)
		sizes = append(sizes, b.N)
	}
	return idx, sizes
}

func TestBatchesInOrder(t *testing.T) {
	ds := indexedDataset(10, 10)
	for _, tc := range []struct {
		size     int
		dropLast bool
		want     []int // batch sizes
	}{
		{3, false, []int{3, 3, 3, 1}}, // 10 = 3*3 + 1: final partial batch kept
		{3, true, []int{3, 3, 3}},     // and dropped
		{5, false, []int{5, 5}},
		{5, true, []int{5, 5}},
		{10, false, []int{10}},
		{11, false, []int{10}},
		{11, true, nil},
		{1, false, slices.Repeat([]int{1}, 10)},
	} {
		e, err := data.Sampler{BatchSize: tc.size, DropLast: tc.dropLast, Seed: 99}.Epoch(ds, 3)
		if err != nil {
			t.Fatal(err)
		}
		if e.Len() != len(tc.want) {
			t.Errorf("size %d drop %v: Len = %d, want %d", tc.size, tc.dropLast, e.Len(), len(tc.want))
		}
		idx, sizes := collect(e, 0)
		if !slices.Equal(sizes, tc.want) {
			t.Errorf("size %d drop %v: batch sizes %v, want %v", tc.size, tc.dropLast, sizes, tc.want)
		}
		// Without Shuffle the order is 0, 1, ..., N-1 whatever the seed and epoch.
		if got := slices.Concat(idx...); !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}[:len(got)]) {
			t.Errorf("size %d drop %v: order %v, want 0..", tc.size, tc.dropLast, got)
		}
	}
}

func TestBatchesShuffled(t *testing.T) {
	ds := indexedDataset(1000, 10)
	e, err := data.Batches(ds, 64, true, 42, 0)
	if err != nil {
		t.Fatal(err)
	}
	if e.Len() != 16 { // ceil(1000/64)
		t.Fatalf("Len = %d, want 16", e.Len())
	}
	var all []int
	for b := range e.All() {
		checkBatch(t, b)
		all = append(all, b.Indices...)
	}
	// Every sample exactly once, and not in dataset order.
	sorted := slices.Sorted(slices.Values(all))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("epoch is not a permutation of 0..999: sorted[%d] = %d", i, v)
		}
	}
	if slices.IsSorted(all) {
		t.Error("shuffled epoch is in dataset order")
	}
}

// TestBatchesResume checks that the order is a pure function of (seed,
// epoch): a fresh sampler (as after a restart) reproduces every batch, and
// From(k) equals the tail of an uninterrupted epoch.
func TestBatchesResume(t *testing.T) {
	ds := indexedDataset(500, 10)
	s := data.Sampler{BatchSize: 32, Shuffle: true, Seed: 7}
	var orders [3][]int
	for _, epoch := range []int{0, 1, 2} {
		run1, err := s.Epoch(ds, epoch)
		if err != nil {
			t.Fatal(err)
		}
		full, _ := collect(run1, 0)
		// The restarted run: a copy of the dataset, a new sampler value.
		run2, err := data.Sampler{BatchSize: 32, Shuffle: true, Seed: 7}.Epoch(indexedDataset(500, 10), epoch)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{0, 1, 9, 15, 16} {
			tail, _ := collect(run2, k)
			if !slices.EqualFunc(tail, full[k:], slices.Equal) {
				t.Errorf("epoch %d: From(%d) differs from the uninterrupted run", epoch, k)
			}
		}
		if tail, _ := collect(run2, 99); tail != nil {
			t.Errorf("From past the end yielded %d batches", len(tail))
		}
		var b data.Batch
		if err := run2.Batch(5, &b); err != nil || !slices.Equal(b.Indices, full[5]) || !slices.Equal(run2.Indices(5), full[5]) {
			t.Errorf("epoch %d: Batch(5) / Indices(5) differ from the uninterrupted run (%v)", epoch, err)
		}
		checkBatch(t, &b)
		orders[epoch] = slices.Concat(full...)
	}
	if slices.Equal(orders[0], orders[1]) || slices.Equal(orders[1], orders[2]) {
		t.Error("two epochs have the same order")
	}
	other, _ := data.Sampler{BatchSize: 32, Shuffle: true, Seed: 8}.Epoch(ds, 0)
	if idx, _ := collect(other, 0); slices.Equal(slices.Concat(idx...), orders[0]) {
		t.Error("seeds 7 and 8 give the same order")
	}
}

// TestPermutationUniform checks that every sample lands in the first
// position about equally often over many epochs (an unbiased shuffle).
func TestPermutationUniform(t *testing.T) {
	const n, epochs = 5, 5000
	var count [n]int
	for e := range epochs {
		p := data.Permutation(n, 1, e)
		count[p[0]]++
	}
	// Expected 1000 each; binomial sd = sqrt(5000*0.2*0.8) = 28, so +-150 is > 5 sd.
	for i, c := range count {
		if c < 850 || c > 1150 {
			t.Errorf("sample %d first in %d of %d epochs, want about %d", i, c, epochs, epochs/n)
		}
	}
	for _, n := range []int{-1, 0, 1} {
		if p := data.Permutation(n, 1, 0); len(p) != max(n, 0) || (n == 1 && p[0] != 0) {
			t.Errorf("Permutation(%d) = %v", n, p)
		}
	}
}

func TestBatchesErrors(t *testing.T) {
	ok := indexedDataset(4, 10)
	bad := indexedDataset(4, 10)
	bad.Labels[2] = 10
	short := indexedDataset(4, 10)
	short.Pixels = short.Pixels[:5]
	for _, tc := range []struct {
		name  string
		ds    *data.Dataset
		size  int
		epoch int
	}{
		{"nil dataset", nil, 2, 0},
		{"batch size 0", ok, 0, 0},
		{"batch size -1", ok, -1, 0},
		{"negative epoch", ok, 2, -1},
		{"label out of range", bad, 2, 0},
		{"short pixels", short, 2, 0},
	} {
		if _, err := data.Batches(tc.ds, tc.size, true, 1, tc.epoch); !errors.Is(err, data.ErrArgument) {
			t.Errorf("%s: err = %v, want ErrArgument", tc.name, err)
		}
	}
	e, err := data.Batches(ok, 3, false, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b data.Batch
	for _, i := range []int{-1, 2} {
		if err := e.Batch(i, &b); !errors.Is(err, data.ErrArgument) {
			t.Errorf("Batch(%d): err = %v, want ErrArgument", i, err)
		}
		if e.Indices(i) != nil {
			t.Errorf("Indices(%d) = %v, want nil", i, e.Indices(i))
		}
	}
	// An empty dataset has no batches.
	empty, err := data.Batches(&data.Dataset{C: 1, H: 1, W: 1, Classes: 10}, 8, true, 0, 0)
	if err != nil || empty.Len() != 0 {
		t.Errorf("empty dataset: Len %v, err %v; want 0, nil", empty, err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*data.Dataset)
		ok   bool
	}{
		{"ok", func(*data.Dataset) {}, true},
		{"N < 0", func(d *data.Dataset) { d.N = -1 }, false},
		{"C = 0", func(d *data.Dataset) { d.C = 0 }, false},
		{"Classes = 0", func(d *data.Dataset) { d.Classes = 0 }, false},
		{"Classes = 257", func(d *data.Dataset) { d.Classes = 257 }, false},
		{"Classes = 256", func(d *data.Dataset) { d.Classes = 256 }, true},
		{"label = Classes", func(d *data.Dataset) { d.Labels[3] = 10 }, false},
		{"label = Classes-1", func(d *data.Dataset) { d.Labels[3] = 9 }, true},
		{"missing label", func(d *data.Dataset) { d.Labels = d.Labels[:3] }, false},
		{"extra pixel", func(d *data.Dataset) { d.Pixels = append(d.Pixels, 0) }, false},
	} {
		ds := indexedDataset(4, 10)
		tc.edit(ds)
		if err := ds.Validate(); (err == nil) != tc.ok || (err != nil && !errors.Is(err, data.ErrArgument)) {
			t.Errorf("%s: Validate = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
