package threshold_test

import (
	"math"
	"testing"

	"github.com/wageubn/wageubn/threshold"
)

// crossCheckData returns the data sets of TestEntropyCrossCheck, built
// from quantile grids (the histogram ignores order, so no random numbers
// are needed): x_k = F⁻¹((k+0.5)/n).
func crossCheckData() map[string][]float32 {
	const n = 6000
	laplace := make([]float32, 0, n+3)
	normal := make([]float32, 0, n)
	relu := make([]float32, 0, n+2)
	for k := range n {
		u := (float64(k) + 0.5) / n
		// Laplace(0, 1): F⁻¹(u) = −sign(u−½)·ln(1−2|u−½|).
		laplace = append(laplace, float32(-math.Copysign(1, u-0.5)*math.Log(1-2*math.Abs(u-0.5))))
		// Normal(0, 1): F⁻¹(u) = √2·erf⁻¹(2u−1).
		z := math.Sqrt2 * math.Erfinv(2*u-1)
		normal = append(normal, float32(z))
		relu = append(relu, float32(max(z, 0)))
	}
	laplace = append(laplace, 40, -40, 60)
	relu = append(relu, 25, 25)
	// Rough samples: the same quantile functions at splitmix64 uniforms.
	const m = 3000
	s := uint64(12345)
	noisyLaplace := make([]float32, m)
	noisyRelu := make([]float32, m)
	for k := range m {
		u := (float64(splitmix64(&s)>>11) + 0.5) / (1 << 53)
		noisyLaplace[k] = float32(-math.Copysign(1, u-0.5) * math.Log(1-2*math.Abs(u-0.5)))
		noisyRelu[k] = float32(max(math.Sqrt2*math.Erfinv(2*u-1), 0))
	}
	return map[string][]float32{"laplace": laplace, "normal": normal, "relu": relu,
		"noisy_laplace": noisyLaplace, "noisy_relu": noisyRelu}
}

// splitmix64 advances *s and returns the next output of SplitMix64
// (Steele, Lea, Flood 2014).
func splitmix64(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// TestEntropyCrossCheck compares the AbsZeroMax mode with an independent
// NumPy implementation of the same specification (method.md A10 and the
// Entropy doc: float32 binning of |x|, zeros left out unless KeepZeros,
// balanced chunks, epsilon for one-sided empty bins, smallest i within
// 1e-9 of the minimum), run on the same data; want is its chosen bin.
func TestEntropyCrossCheck(t *testing.T) {
	data := crossCheckData()
	for _, tc := range []struct {
		data      string
		unsigned  bool
		div       threshold.Divergence
		keepZeros bool
		want      int
	}{
		{"laplace", false, threshold.Jeffreys, false, 297},        // t = 8.70117
		{"laplace", false, threshold.KLPQ, false, 297},            // t = 8.70117
		{"laplace", true, threshold.Jeffreys, false, 298},         // t = 8.73047
		{"laplace", true, threshold.KLPQ, false, 298},             // t = 8.73047
		{"normal", false, threshold.Jeffreys, false, 2048},        // t = 3.76482
		{"normal", false, threshold.KLPQ, false, 2048},            // t = 3.76482
		{"normal", true, threshold.Jeffreys, false, 2048},         // t = 3.76482
		{"normal", true, threshold.KLPQ, false, 2048},             // t = 3.76482
		{"relu", false, threshold.Jeffreys, false, 311},           // t = 3.79639
		{"relu", false, threshold.KLPQ, false, 311},               // t = 3.79639
		{"relu", true, threshold.Jeffreys, false, 309},            // t = 3.77197
		{"relu", true, threshold.KLPQ, false, 309},                // t = 3.77197
		{"relu", false, threshold.Jeffreys, true, 252},            // t = 3.07617
		{"relu", false, threshold.KLPQ, true, 252},                // t = 3.07617
		{"relu", true, threshold.Jeffreys, true, 309},             // t = 3.77197
		{"relu", true, threshold.KLPQ, true, 309},                 // t = 3.77197
		{"noisy_laplace", false, threshold.Jeffreys, false, 1429}, // t = 5.8251
		{"noisy_laplace", false, threshold.KLPQ, false, 1701},     // t = 6.93387
		{"noisy_laplace", true, threshold.Jeffreys, false, 1431},  // t = 5.83325
		{"noisy_laplace", true, threshold.KLPQ, false, 1431},      // t = 5.83325
		{"noisy_relu", false, threshold.Jeffreys, false, 1623},    // t = 2.91327
		{"noisy_relu", false, threshold.KLPQ, false, 1623},        // t = 2.91327
		{"noisy_relu", true, threshold.Jeffreys, false, 1488},     // t = 2.67095
		{"noisy_relu", true, threshold.KLPQ, false, 1530},         // t = 2.74634
		{"noisy_relu", false, threshold.Jeffreys, true, 237},      // t = 0.425413
		{"noisy_relu", false, threshold.KLPQ, true, 1015},         // t = 1.82192
		{"noisy_relu", true, threshold.Jeffreys, true, 501},       // t = 0.899291
		{"noisy_relu", true, threshold.KLPQ, true, 1015},          // t = 1.82192
	} {
		x := data[tc.data]
		res, err := threshold.Entropy(x, threshold.Options{Unsigned: tc.unsigned, Divergence: tc.div, KeepZeros: tc.keepZeros})
		if err != nil {
			t.Fatal(err)
		}
		if res.ChosenBin != tc.want {
			t.Errorf("%s unsigned=%v %s keepZeros=%v: chosen bin %d (t = %g), NumPy chose %d",
				tc.data, tc.unsigned, tc.div, tc.keepZeros, res.ChosenBin, res.Threshold, tc.want)
		}
		if want := float64(tc.want) * res.Hi / float64(res.Bins); res.ChosenBin == tc.want && res.Threshold != want {
			t.Errorf("%s: threshold %g, want %g", tc.data, res.Threshold, want)
		}
	}
}
