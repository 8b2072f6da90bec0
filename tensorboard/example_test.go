package tensorboard_test

import (
	"fmt"
	"os"

	"github.com/wageubn/wageubn/tensorboard"
)

// Example writes a loss curve and a weight histogram, then reads the file
// back.
func Example() {
	dir, err := os.MkdirTemp("", "tb")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	w, err := tensorboard.NewWriter(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for step, loss := range []float32{2.3, 1.1, 0.6} {
		if err := w.AddScalar("train/loss", int64(step), loss); err != nil {
			fmt.Println(err)
		}
	}
	if err := w.AddHistogram("conv1/weight", 2, []float32{-0.5, -0.25, 0, 0.25, 0.5}, 4); err != nil {
		fmt.Println(err)
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	evs, err := tensorboard.ReadFile(w.Path())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(evs[0].FileVersion)
	for _, e := range evs[1:] {
		v := e.Summary[0]
		if v.Histo != nil {
			fmt.Printf("%d %s limits %v counts %v\n", e.Step, v.Tag, v.Histo.BucketLimit, v.Histo.Bucket)
			continue
		}
		fmt.Printf("%d %s %g\n", e.Step, v.Tag, v.SimpleValue)
	}
	// Output:
	// brain.Event:2
	// 0 train/loss 2.3
	// 1 train/loss 1.1
	// 2 train/loss 0.6
	// 2 conv1/weight limits [-0.25 0 0.25 0.5] counts [1 1 1 2]
}
