package bench

import (
	"fmt"
	"math"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// trainStepShape prints the network and batch of a train-step row.
func trainStepShape(n int) string { return fmt.Sprintf("lenet5 batch %d, 1x28x28", n) }

// trainStepImages returns the images of one step: the batch size n.
func trainStepImages(n int) float64 { return float64(n) }

// setupTrainStep returns the Setup of a train-step row: one whole training
// step of LeNet-5-BN (method.md A14) under the recipe, recorded and
// submitted once by nn.Step (forward, softmax cross-entropy, backward,
// update) on a batch of n random MNIST-shaped images, read back (the loss
// and the correct count). The check is that the loss is finite and that a
// step changed the weights.
func setupTrainStep(recipe nn.Recipe) func(d *gpu.Device, n int) (Prepared, error) {
	return func(d *gpu.Device, n int) (Prepared, error) {
		if n < 2 {
			return Prepared{}, fmt.Errorf("%w: a training step needs a batch of at least 2 (batch norm), got %d", ErrSize, n)
		}
		net, err := nn.LeNet5(d, recipe, 1)
		if err != nil {
			return Prepared{}, err
		}
		px := make([]uint8, n*28*28)
		for i, v := range randI8(len(px), n, 7) {
			px[i] = uint8(v)
		}
		lb := make([]uint32, n)
		for i, v := range randI8(n, n, 8) {
			lb[i] = uint32(v) % 10
		}
		pt, err := d.UploadU8([]int{n, 1, 28, 28}, nn.PixelExp, px)
		if err != nil {
			return Prepared{}, err
		}
		lt, err := d.UploadU32([]int{n}, 0, lb)
		if err != nil {
			pt.Release()
			return Prepared{}, err
		}
		opt := nn.NewOptimizer(26, 0.05) // phase 0 of method.md A8: lr 0.05, code 26 on 2^-9
		var step uint32
		var loss float64
		return Prepared{
			Run: func() error {
				step++
				var err error
				loss, _, err = nn.Step(net, opt, pt, lt, nn.Pass{Seed: 1, Step: step, GScale: 128})
				return err
			},
			Check: func() error {
				if math.IsNaN(loss) || math.IsInf(loss, 0) || loss <= 0 {
					return fmt.Errorf("%w: training step loss %v", ErrCheck, loss)
				}
				return nil
			},
			Release: func() { pt.Release(); lt.Release() },
		}, nil
	}
}
