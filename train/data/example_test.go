package data_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/wageubn/wageubn/train/data"
)

// ExampleBatches cuts a 5-sample dataset into batches of 2 without
// shuffling: the final partial batch is kept unless DropLast is set.
func ExampleBatches() {
	ds := &data.Dataset{
		Name: "tiny", N: 5, C: 1, H: 1, W: 2, Classes: 3,
		Pixels: []uint8{0, 1, 10, 11, 20, 21, 30, 31, 40, 41},
		Labels: []uint8{0, 1, 2, 0, 1},
	}
	e, err := data.Batches(ds, 2, false, 1, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for b := range e.All() {
		fmt.Println(b.Index, b.Indices, b.Pixels, b.Labels)
	}
	dropped, _ := data.Sampler{BatchSize: 2, DropLast: true}.Epoch(ds, 0)
	fmt.Println("with DropLast:", dropped.Len(), "batches")
	// Output:
	// 0 [0 1] [0 1 10 11] [0 1]
	// 1 [2 3] [20 21 30 31] [2 0]
	// 2 [4] [40 41] [1]
	// with DropLast: 2 batches
}

// ExampleReadIDXImages shows the error for a labels file given to the
// image reader: the header's magic number is checked first.
func ExampleReadIDXImages() {
	labels := []byte{0, 0, 8, 1, 0, 0, 0, 1, 7} // magic 0x00000801, N = 1, label 7
	_, err := data.ReadIDXImages(bytes.NewReader(labels))
	fmt.Println(err)
	fmt.Println(errors.Is(err, data.ErrCorrupt))
	// Output:
	// data: idx images: bad magic 0x00000801, want 0x00000803 (this looks like an idx labels file)
	// true
}
