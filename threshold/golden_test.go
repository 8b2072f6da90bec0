package threshold_test

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/wageubn/wageubn/internal/golden"
	"github.com/wageubn/wageubn/threshold"
)

// TestGolden runs every init_max, init_3sd and init_kl_j case of the golden
// directory (golden README, "Threshold initialisers").
func TestGolden(t *testing.T) {
	golden.Run(t, "threshold", map[string]golden.Handler{
		"init_max": func(t *testing.T, c golden.Case) {
			got, err := threshold.Max(c.Input)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, c, "output", []float32{float32(got)}, c.Output)
		},
		"init_3sd": func(t *testing.T, c golden.Case) {
			got, err := threshold.ThreeSD(c.Input)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, c, "output", []float32{float32(got)}, c.Output)
		},
		"init_kl_j": runKLJCase,
	})
}

// klExtra holds the diagnostics of an init_kl_j case.
type klExtra struct {
	MIdx       int       `json:"m_idx"`
	ChosenBin  int       `json:"chosen_bin"`
	BinWidth   float64   `json:"bin_width"`
	Threshold  float64   `json:"threshold"`
	Min        float64   `json:"min"`
	Max        float64   `json:"max"`
	HistCounts []float64 `json:"hist_counts"`
	// DivergenceAt maps candidate i (as a decimal string) to D[i].
	DivergenceAt map[string]float64 `json:"divergence_at"`
}

// runKLJCase runs one init_kl_j case in the mode its params name.
func runKLJCase(t *testing.T, c golden.Case) {
	bins, err := c.Int("bins")
	if err != nil {
		t.Fatal(err)
	}
	cali, err := c.Int("cali")
	if err != nil {
		t.Fatal(err)
	}
	eps, err := c.Float("eps")
	if err != nil {
		t.Fatal(err)
	}
	opts := threshold.Options{
		Bins:           bins,
		Levels:         cali,
		Epsilon:        eps,
		HistogramRange: threshold.HistogramRange(c.String("histogram_range", string(threshold.MinMaxRaw))),
		Divergence:     threshold.Divergence(c.String("divergence", string(threshold.KLPQ))),
	}
	var ex klExtra
	if b, err := json.Marshal(c.Extra); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	res, err := threshold.Entropy(c.Input, opts)
	if err != nil {
		t.Fatalf("%+v: %v", opts, err)
	}
	if err := golden.Compare("output", []float32{float32(res.Log2T)}, c.Output, c.ToleranceFor("output")); err != nil {
		t.Errorf("%v\n  got  chosen_bin %d (m_idx %d), bin_width %.9g, threshold %.9g, D %.9g\n  want chosen_bin %d (m_idx %d), bin_width %.9g, threshold %.9g",
			err, res.ChosenBin, res.ChosenBin-res.Levels, res.BinWidth, res.Threshold, res.Divergence,
			ex.ChosenBin, ex.MIdx, ex.BinWidth, ex.Threshold)
	}
	if _, ok := c.Extra["chosen_bin"]; ok && res.ChosenBin != ex.ChosenBin {
		t.Errorf("chosen_bin = %d (m_idx %d), want %d (m_idx %d)", res.ChosenBin, res.ChosenBin-res.Levels, ex.ChosenBin, ex.MIdx)
	}
	// The README: a float32 implementation matches D to ~1e-5 relative;
	// ours accumulates in float64.
	if want, ok := ex.DivergenceAt[strconv.Itoa(res.ChosenBin)]; ok && math.Abs(res.Divergence-want) > 1e-5*math.Abs(want) {
		t.Errorf("D[%d] = %.9g, want %.9g", res.ChosenBin, res.Divergence, want)
	}
	if ex.HistCounts != nil && opts.HistogramRange == threshold.MinMaxRaw {
		counts, _, err := threshold.Histogram(c.Input, bins, ex.Min, ex.Max)
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != len(ex.HistCounts) {
			t.Fatalf("hist_counts: got %d bins, want %d", len(counts), len(ex.HistCounts))
		}
		bad := 0
		for j, want := range ex.HistCounts {
			if float64(counts[j]) != want {
				if bad < 5 {
					t.Errorf("hist_counts[%d] = %d, want %g", j, counts[j], want)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("hist_counts: %d of %d bins differ", bad, len(ex.HistCounts))
		}
	}
}
