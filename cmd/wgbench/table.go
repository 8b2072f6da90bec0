package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/wageubn/wageubn/bench"
)

// writeTable prints the machine, then one row per result: kernel, backend,
// size, median time, spread (MAD relative to the median, and min–max),
// throughput, fraction of the peak and ratio to the baseline of the same
// size; then the peaks the fractions refer to.
func writeTable(w io.Writer, m bench.Machine, res []bench.Result, cfg config) {
	fmt.Fprintf(w, "machine: %s, %d cores (GOMAXPROCS %d), %s/%s, %s", m.CPU, m.Cores, m.GOMAXPROCS, m.GOOS, m.GOARCH, m.GoVersion)
	if m.GOEXPERIMENT != "" {
		fmt.Fprintf(w, ", GOEXPERIMENT=%s", m.GOEXPERIMENT)
	}
	fmt.Fprintln(w)
	if a := m.Adapter; a != nil {
		fmt.Fprintf(w, "webgpu:  %s [%s], driver %s\n", a.Name, a.Type, a.Driver)
	}
	fmt.Fprintf(w, "median of %d timed runs per case (after %d warm-up), round-robin over the cases of each size;\n", cfg.runs, cfg.warmup)
	fmt.Fprintf(w, "vs baseline: ratio of median throughputs (best: of the fastest runs) to the baseline of the same size\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kernel\tbackend\tsize\tmedian\tspread (MAD, min–max)\tthroughput\tof peak\tvs baseline\t")
	peaks := map[string]bool{}
	for _, r := range res {
		c := r.Case
		if r.Err != nil {
			fmt.Fprintf(tw, "%s\t%s\t%d\tFAILED (see below)\t\t\t\t\t\n", c.Kernel, c.Backend, c.Size)
			continue
		}
		v, unit := r.Throughput()
		s := r.Stats
		peak, base := "-", "-"
		if r.Fraction > 0 {
			peak = fmt.Sprintf("%.1f%%", 100*r.Fraction)
			peaks[fmt.Sprintf("%s = %g %s", c.PeakName, c.PeakValue, unit)] = true
		}
		if r.Ratio > 0 {
			base = fmt.Sprintf("%.2f× %s (best %.2f×)", r.Ratio, c.Baseline, r.RatioBest)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t±%.1f%%, %s–%s\t%.2f %s\t%s\t%s\t\n",
			c.Kernel, c.Backend, c.Size, duration(s.Median), 100*s.MAD/s.Median,
			duration(s.Min), duration(s.Max), v, unit, peak, base)
	}
	tw.Flush()
	if len(peaks) > 0 {
		fmt.Fprintln(w, "\npeaks (-peak-* flags; the defaults are the development machine's, shared/notes.md):")
		for _, k := range sortedKeys(peaks) {
			fmt.Fprintf(w, "  %s\n", k)
		}
	}
}

// duration formats seconds with a unit that keeps 3-4 significant digits.
func duration(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.3f s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3f ms", s*1e3)
	default:
		return fmt.Sprintf("%.1f µs", s*1e6)
	}
}
