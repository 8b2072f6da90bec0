package threshold_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/threshold"
)

// uniformGrid returns n evenly spaced samples a·(k+0.5)/n of the uniform
// distribution on [0, a].
func uniformGrid(n int, a float64) []float32 {
	x := make([]float32, n)
	for k := range x {
		x[k] = float32(a * (float64(k) + 0.5) / float64(n))
	}
	return x
}

// normalWithOutliers returns n standard normal samples (fixed seed) and
// nOut outliers at ±far.
func normalWithOutliers(n, nOut int, far float32) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 0, n+nOut)
	for range n {
		x = append(x, float32(r.NormFloat64()))
	}
	for k := range nOut {
		if k%2 == 0 {
			x = append(x, far)
		} else {
			x = append(x, -far)
		}
	}
	return x
}

// TestEntropyUniform: for data spread evenly over [0, a] nothing is worth
// clipping, so the best threshold is the whole range, t ≈ a (any i < bins
// folds the tail into the last kept bin, which Q cannot represent).
func TestEntropyUniform(t *testing.T) {
	const a = 3.0
	x := uniformGrid(2048*64, a)
	for _, tc := range []struct {
		name string
		opts threshold.Options
	}{
		{"kl_j/signed", threshold.Options{}},
		{"kl_j/unsigned", threshold.Options{Unsigned: true}},
		{"kl_j/levels=bins", threshold.Options{Bins: 256, Levels: 256}},
		{"kl/signed", threshold.Options{Divergence: threshold.KLPQ}},
		{"kl_j/bits=4", threshold.Options{Bits: 4, Bins: 512}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := threshold.Entropy(x, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if rel := math.Abs(res.Threshold-a) / a; rel > 1e-3 {
				t.Errorf("threshold %g, want ≈ %g (chosen bin %d of %d)", res.Threshold, a, res.ChosenBin, res.Bins)
			}
			if want := math.Log2(res.Threshold); res.Log2T != want {
				t.Errorf("Log2T %g, want log2(%g) = %g", res.Log2T, res.Threshold, want)
			}
		})
	}
}

// TestEntropyOutliers: a standard normal sample with a few far outliers at
// ±100 must be clipped well below max|x| = 100 but above the bulk of the
// normal (|x| > 2 holds 4.6% of it, far more than one quantization step).
func TestEntropyOutliers(t *testing.T) {
	x := normalWithOutliers(20000, 4, 100)
	for _, m := range []threshold.Method{threshold.MethodKLJ, threshold.MethodKL} {
		for _, unsigned := range []bool{false, true} {
			l, err := m.Calibrate(x, threshold.Options{Unsigned: unsigned})
			if err != nil {
				t.Fatal(err)
			}
			// Unsigned data has 256 levels, so at least 256 of the 2048
			// bins (12.5) are kept; the bound is still max|x|/4.
			if tt, hi := math.Exp2(l), map[bool]float64{false: 10, true: 25}[unsigned]; tt < 2 || tt > hi {
				t.Errorf("%s unsigned=%v: threshold %g, want in [2, %g] (max|x| = 100)", m, unsigned, tt, hi)
			}
		}
	}
}

// TestKLJSignSymmetric: AbsZeroMax histograms |x|, so x and −x calibrate
// to the same threshold (method.md A10, the T-11a fix).
func TestKLJSignSymmetric(t *testing.T) {
	x := normalWithOutliers(5000, 2, 30)
	neg := make([]float32, len(x))
	for k, v := range x {
		neg[k] = -v
	}
	a, err := threshold.KLJ(x, threshold.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := threshold.KLJ(neg, threshold.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("KLJ(x) = %g, KLJ(-x) = %g, want equal", a, b)
	}
	// The raw compatibility mode measures from min x and is not symmetric
	// (T-11a): for the same data it picks a different threshold.
	raw := threshold.Options{HistogramRange: threshold.MinMaxRaw}
	ra, err := threshold.KLJ(x, raw)
	if err != nil {
		t.Fatal(err)
	}
	if ra == a {
		t.Errorf("min_max_raw gave the abs_zero_max result %g; the modes should differ on signed data", a)
	}
}

// TestEntropyLevels: signed tensors get 2^(b−1) levels, unsigned 2^b
// (method.md A10), the candidate count of kept bins is never below the
// levels, and the defaults are 2048 bins.
func TestEntropyLevels(t *testing.T) {
	x := normalWithOutliers(8000, 2, 50)
	for _, tc := range []struct {
		opts       threshold.Options
		wantLevels int
		wantBins   int
	}{
		{threshold.Options{}, 128, 2048},
		{threshold.Options{Unsigned: true}, 256, 2048},
		{threshold.Options{Bits: 4}, 8, 2048},
		{threshold.Options{Bits: 4, Unsigned: true}, 16, 2048},
		{threshold.Options{Levels: 100, Bins: 1000}, 100, 1000},
	} {
		res, err := threshold.Entropy(x, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Levels != tc.wantLevels || res.Bins != tc.wantBins {
			t.Errorf("%+v: levels %d bins %d, want %d %d", tc.opts, res.Levels, res.Bins, tc.wantLevels, tc.wantBins)
		}
		if res.ChosenBin < res.Levels || res.ChosenBin > res.Bins {
			t.Errorf("%+v: chosen bin %d outside [%d, %d]", tc.opts, res.ChosenBin, res.Levels, res.Bins)
		}
	}
}

// TestCalibrateErrors: bad input and bad options give errors, never panics.
func TestCalibrateErrors(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	ok := []float32{1, -2, 3, 0.5}
	for _, tc := range []struct {
		name string
		m    threshold.Method
		x    []float32
		opts threshold.Options
		want error
	}{
		{"max/empty", threshold.MethodMax, nil, threshold.Options{}, threshold.ErrEmpty},
		{"max/nan", threshold.MethodMax, []float32{1, nan}, threshold.Options{}, threshold.ErrNonFinite},
		{"3sd/inf", threshold.Method3SD, []float32{inf, 1}, threshold.Options{}, threshold.ErrNonFinite},
		{"3sd/one", threshold.Method3SD, []float32{1}, threshold.Options{}, threshold.ErrOptions},
		{"3sd/zeros", threshold.Method3SD, []float32{0, 0, 0}, threshold.Options{}, threshold.ErrThreshold},
		{"kl_j/empty", threshold.MethodKLJ, []float32{}, threshold.Options{}, threshold.ErrEmpty},
		{"kl_j/-inf", threshold.MethodKLJ, []float32{float32(math.Inf(-1))}, threshold.Options{}, threshold.ErrNonFinite},
		{"kl_j/zeros", threshold.MethodKLJ, []float32{0, 0}, threshold.Options{}, threshold.ErrThreshold},
		{"kl_j/bins<levels", threshold.MethodKLJ, ok, threshold.Options{Bins: 64, Levels: 128}, threshold.ErrOptions},
		{"kl_j/levels=1", threshold.MethodKLJ, ok, threshold.Options{Levels: 1}, threshold.ErrOptions},
		{"kl_j/levels<0", threshold.MethodKLJ, ok, threshold.Options{Levels: -4}, threshold.ErrOptions},
		{"kl_j/bins<0", threshold.MethodKLJ, ok, threshold.Options{Bins: -1}, threshold.ErrOptions},
		{"kl_j/bins huge", threshold.MethodKLJ, ok, threshold.Options{Bins: threshold.MaxBins + 1}, threshold.ErrOptions},
		{"kl_j/bits=17", threshold.MethodKLJ, ok, threshold.Options{Bits: 17}, threshold.ErrOptions},
		{"kl_j/bits<0", threshold.MethodKLJ, ok, threshold.Options{Bits: -1}, threshold.ErrOptions},
		{"kl_j/range", threshold.MethodKLJ, ok, threshold.Options{HistogramRange: "abs"}, threshold.ErrOptions},
		{"kl/divergence", threshold.MethodKL, ok, threshold.Options{Divergence: "js"}, threshold.ErrOptions},
		{"kl/eps<0", threshold.MethodKL, ok, threshold.Options{Epsilon: -1}, threshold.ErrOptions},
		{"kl/eps nan", threshold.MethodKL, ok, threshold.Options{Epsilon: math.NaN()}, threshold.ErrOptions},
		{"kl/raw bins=levels", threshold.MethodKL, ok, threshold.Options{HistogramRange: threshold.MinMaxRaw, Bins: 128}, threshold.ErrOptions},
		// Raw mode measures from min x: data in [-10, -1] gives t < 0.
		{"kl/raw negative", threshold.MethodKL, []float32{-10, -5, -1}, threshold.Options{HistogramRange: threshold.MinMaxRaw}, threshold.ErrThreshold},
		{"unknown", threshold.Method("ig"), ok, threshold.Options{}, threshold.ErrOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.m.Calibrate(tc.x, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("Calibrate = %g, %v; want error %v", got, err, tc.want)
			}
		})
	}
}

// TestCalibrateDispatch: each Method gives the same value as its function.
func TestCalibrateDispatch(t *testing.T) {
	x := normalWithOutliers(3000, 2, 20)
	for _, tc := range []struct {
		m  threshold.Method
		fn func([]float32) (float64, error)
	}{
		{threshold.MethodMax, threshold.Max},
		{threshold.Method3SD, threshold.ThreeSD},
		{threshold.MethodKL, func(x []float32) (float64, error) { return threshold.KL(x, threshold.Options{}) }},
		{threshold.MethodKLJ, func(x []float32) (float64, error) { return threshold.KLJ(x, threshold.Options{}) }},
	} {
		got, err := tc.m.Calibrate(x, threshold.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := tc.fn(x)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: Calibrate %g, function %g", tc.m, got, want)
		}
	}
}

// TestEntropyZeros: AbsZeroMax leaves exact zeros out (every threshold
// represents 0 exactly), so a ReLU output (half of it zeros) calibrates as
// its non-zero part does, unless KeepZeros is set: then the zero spike
// drags the threshold down (TestEntropyCrossCheck has the values).
func TestEntropyZeros(t *testing.T) {
	x := crossCheckData()["noisy_relu"]
	var nonZero []float32
	for _, v := range x {
		if v != 0 {
			nonZero = append(nonZero, v)
		}
	}
	if len(nonZero) > len(x)*6/10 {
		t.Fatalf("noisy_relu has %d non-zeros of %d, want about half", len(nonZero), len(x))
	}
	for _, m := range []threshold.Method{threshold.MethodKLJ, threshold.MethodKL} {
		a, err := m.Calibrate(nonZero, threshold.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Calibrate(x, threshold.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("%s: %g without zeros, %g with them; want equal", m, a, b)
		}
		c, err := m.Calibrate(x, threshold.Options{KeepZeros: true})
		if err != nil {
			t.Fatal(err)
		}
		if c >= b {
			t.Errorf("%s: KeepZeros gave log2_t %g, want below %g (the zero spike pulls it down)", m, c, b)
		}
	}
}

// FuzzEntropy: any finite input either errors or gives a threshold in
// (0, max|x|] in the AbsZeroMax mode.
func FuzzEntropy(f *testing.F) {
	f.Add(float32(1), float32(-2), float32(0), float32(3.5), uint8(0))
	f.Add(float32(0), float32(0), float32(0), float32(1e-30), uint8(1))
	f.Add(float32(3e38), float32(-3e38), float32(1), float32(2), uint8(2))
	f.Fuzz(func(t *testing.T, a, b, c, d float32, mode uint8) {
		x := []float32{a, b, c, d, a / 2, b * 3}
		opts := threshold.Options{Bins: 64, Levels: 8, Unsigned: mode&1 == 1}
		if mode&2 == 2 {
			opts.Divergence = threshold.KLPQ
		}
		res, err := threshold.Entropy(x, opts)
		if err != nil {
			return
		}
		var m float64
		for _, v := range x {
			m = math.Max(m, math.Abs(float64(v)))
		}
		if !(res.Threshold > 0) || res.Threshold > m*(1+1e-12) || math.IsNaN(res.Log2T) {
			t.Errorf("x %v: threshold %g, max|x| %g", x, res.Threshold, m)
		}
	})
}
