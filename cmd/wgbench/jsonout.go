package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/wageubn/wageubn/bench"
)

// report is the JSON document: {"machine": {...}, "results": [...]}.
type report struct {
	Machine bench.Machine `json:"machine"`
	Results []result      `json:"results"`
}

// result is one case in the JSON. Times are seconds; gops is operations /
// median / 1e9 and gbps bytes / median / 1e9 (a multiply-add is two
// operations); peak_fraction is the headline throughput ("unit") over peak;
// baseline_ratio is the headline throughput over the baseline's of the
// same size (from the medians; baseline_ratio_best from the fastest runs). A failed case has error set and zero times.
type result struct {
	Kernel        string    `json:"kernel"`
	Backend       string    `json:"backend"`
	Size          int       `json:"size"`
	Family        string    `json:"family"`
	Shape         string    `json:"shape"`
	MedianS       float64   `json:"median_s"`
	MinS          float64   `json:"min_s"`
	MaxS          float64   `json:"max_s"`
	MADS          float64   `json:"mad_s"`
	TimesS        []float64 `json:"times_s"`
	Warmup        int       `json:"warmup"`
	Rewarm        int       `json:"rewarm"`
	Ops           float64   `json:"ops"`
	Bytes         float64   `json:"bytes"`
	GOPs          float64   `json:"gops"`
	GBps          float64   `json:"gbps"`
	Unit          string    `json:"unit"` // headline: "GOP/s" or "GB/s"
	Peak          float64   `json:"peak,omitempty"`
	PeakName      string    `json:"peak_name,omitempty"`
	PeakFraction  float64   `json:"peak_fraction,omitempty"`
	Baseline      string    `json:"baseline,omitempty"`
	BaselineRatio float64   `json:"baseline_ratio,omitempty"`
	BaselineBest  float64   `json:"baseline_ratio_best,omitempty"` // from the fastest runs
	Error         string    `json:"error,omitempty"`
}

// toJSON converts the results.
func toJSON(m bench.Machine, res []bench.Result, cfg config) report {
	rep := report{Machine: m, Results: []result{}}
	for _, r := range res {
		c := r.Case
		_, unit := r.Throughput()
		o := result{Kernel: c.Kernel, Backend: c.Backend, Size: c.Size, Family: c.Family, Shape: c.Shape(c.Size),
			Warmup: cfg.warmup, Rewarm: cfg.rewarm, Ops: c.Ops(c.Size), Bytes: c.Bytes(c.Size), Unit: unit, Baseline: c.Baseline,
			TimesS: []float64{}}
		if r.Err != nil {
			o.Error = r.Err.Error()
		} else {
			o.MedianS, o.MinS, o.MaxS, o.MADS, o.TimesS = r.Stats.Median, r.Stats.Min, r.Stats.Max, r.Stats.MAD, r.Times
			o.GOPs, o.GBps, o.BaselineRatio, o.BaselineBest = r.GOPs, r.GBs, r.Ratio, r.RatioBest
			if r.Fraction > 0 {
				o.Peak, o.PeakName, o.PeakFraction = c.PeakValue, c.PeakName, r.Fraction
			}
		}
		rep.Results = append(rep.Results, o)
	}
	return rep
}

// writeJSON writes the report to path atomically (a temporary file in the
// same directory, renamed over path).
func writeJSON(path string, m bench.Machine, res []bench.Result, cfg config) error {
	b, err := json.MarshalIndent(toJSON(m, res, cfg), "", "  ")
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	return writeAtomic(path, append(b, '\n'))
}

// writeAtomic writes data to a temporary file next to path and renames it
// over path, so that a reader never sees a partial file; on error no
// temporary file is left behind.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
