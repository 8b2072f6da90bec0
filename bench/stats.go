package bench

import (
	"math"
	"slices"
)

// Stats summarizes the times of the timed runs of one case, in seconds.
type Stats struct {
	Median float64 // the middle time (the mean of the two middle times for an even count)
	Min    float64
	Max    float64
	// MAD is the median absolute deviation, median_i |t_i - Median|: a
	// spread that one stray run (a descheduled process) does not move.
	MAD float64
}

// Summarize returns the Stats of times (NaN everywhere for none). times is
// not modified.
func Summarize(times []float64) Stats {
	if len(times) == 0 {
		nan := math.NaN()
		return Stats{nan, nan, nan, nan}
	}
	s := slices.Clone(times)
	slices.Sort(s)
	med := median(s)
	dev := make([]float64, len(s))
	for i, t := range s {
		dev[i] = math.Abs(t - med)
	}
	slices.Sort(dev)
	return Stats{Median: med, Min: s[0], Max: s[len(s)-1], MAD: median(dev)}
}

// median returns the median of sorted, non-empty s.
func median(s []float64) float64 {
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
