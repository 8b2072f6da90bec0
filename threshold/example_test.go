package threshold_test

import (
	"fmt"

	"github.com/wageubn/wageubn/threshold"
)

// ExampleMethod_Calibrate calibrates a small weight-like tensor with every
// method. The evenly spaced values fill the range, so kl and kl_j keep it
// whole: t = max|x| = 1.
func ExampleMethod_Calibrate() {
	x := make([]float32, 4096)
	for k := range x {
		x[k] = float32(k-2048) / 2048 // −1 … 1−2^−11
	}
	x[0] = -1
	for _, m := range threshold.Methods {
		l, err := m.Calibrate(x, threshold.Options{})
		if err != nil {
			fmt.Println(m, err)
			continue
		}
		fmt.Printf("%-4s log2_t = %.4f\n", m, l)
	}
	// Output:
	// max  log2_t = 0.0000
	// 3sd  log2_t = 0.7929
	// kl   log2_t = 0.0000
	// kl_j log2_t = 0.0000
}

// ExampleEntropy runs the reference package's compatibility mode (the
// golden init_kl_j cases) next to the A10 default on the same data. The
// raw result (bin 7 of 16, t = 0 + 7.5·3/16) was also reproduced with
// torch.histc and the B§7.3 loop in PyTorch.
func ExampleEntropy() {
	x := []float32{0, 0.1, 0.2, 0.3, 0.4, 0.5, 3}
	ref, err := threshold.Entropy(x, threshold.Options{HistogramRange: threshold.MinMaxRaw, Divergence: threshold.KLPQ, Bins: 16, Levels: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	def, err := threshold.Entropy(x, threshold.Options{Bins: 16, Levels: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("min_max_raw kl_p_q: chosen bin %d, t = %.5f\n", ref.ChosenBin, ref.Threshold)
	fmt.Printf("abs_zero_max jeffreys: chosen bin %d, t = %.5f\n", def.ChosenBin, def.Threshold)
	// Output:
	// min_max_raw kl_p_q: chosen bin 7, t = 1.40625
	// abs_zero_max jeffreys: chosen bin 16, t = 3.00000
}
