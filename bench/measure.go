package bench

import (
	"fmt"
	"time"
)

// Options configure Measure.
type Options struct {
	Warmup int // untimed runs of each case before its check (>= 0)
	Runs   int // timed runs of each case (>= 1)
	// Rewarm is the untimed runs of a case just before each of its timed
	// runs (>= 0): round-robin leaves a GPU idle while the other cases
	// run, and a discrete GPU lowers its clocks when idle (on an H100,
	// wgbench's WebGPU medians came out 3x slower than back-to-back runs).
	Rewarm int
	// Progress, when non-nil, is called after each run (warm-up or timed)
	// with the runs done so far and the total, and the case just run.
	Progress func(done, total int, c Case)
}

// Result is the measurement of one case.
type Result struct {
	Case  Case
	Stats Stats     // seconds per run
	Times []float64 // every timed run, in seconds, in the order run
	// GOPs is operations / median / 1e9; GBs is bytes / median / 1e9.
	GOPs, GBs float64
	// Fraction is the headline throughput (GOPs or GBs, by Case.Bound) over
	// Case.PeakValue; 0 when no peak is configured.
	Fraction float64
	// Ratio is the headline throughput over that of the case's baseline of
	// the same size (Case.Baseline), from the medians; 0 when there is none.
	// RatioBest is the same from the fastest runs (Stats.Min), which under
	// load from other processes estimates the unloaded ratio better.
	Ratio, RatioBest float64
	// Err is why the case has no times: a setup, run or check failure.
	Err error
}

// Throughput returns the headline throughput and its unit: GOPs "GOP/s"
// for a compute-bound case, GBs "GB/s" for a memory-bound one, operations
// per second in Spec.ItemUnit for an Items one.
func (r Result) Throughput() (float64, string) {
	switch r.Case.Bound {
	case Memory:
		return r.GBs, "GB/s"
	case Items:
		return r.GOPs * 1e9, r.Case.ItemUnit
	}
	return r.GOPs, "GOP/s"
}

// Measure runs the cases and returns one Result per case, in order. Cases
// of the same size (adjacent, as Expand orders them) are measured
// together: all are prepared, each runs its warm-up runs (at least one
// untimed run, which compiles pipelines and gives the check a result) and
// its check,
// and then the timed runs go round-robin over the cases that passed, so
// that background load falls on all of them alike and their ratios are
// side by side. A failing case gets Result.Err and does not stop the
// others. Measure itself fails only for bad options.
func Measure(cases []Case, opt Options) ([]Result, error) {
	if opt.Warmup < 0 || opt.Runs < 1 || opt.Rewarm < 0 {
		return nil, fmt.Errorf("%w: warmup %d, runs %d and rewarm %d (need warmup >= 0, runs >= 1, rewarm >= 0)",
			ErrOptions, opt.Warmup, opt.Runs, opt.Rewarm)
	}
	res := make([]Result, len(cases))
	p := progress{total: len(cases) * opt.perCase(), f: opt.Progress}
	for lo := 0; lo < len(cases); {
		hi := lo + 1
		for hi < len(cases) && cases[hi].Size == cases[lo].Size {
			hi++
		}
		measureGroup(cases[lo:hi], res[lo:hi], opt, &p)
		lo = hi
	}
	for i := range res {
		res[i].Ratio, res[i].RatioBest = ratios(res, i)
	}
	return res, nil
}

// perCase returns the runs of one case that progress counts.
func (opt Options) perCase() int { return opt.Warmup + opt.Runs*(1+opt.Rewarm) }

// progress counts runs for Options.Progress.
type progress struct {
	done, total int
	f           func(done, total int, c Case)
}

// step records n runs of c.
func (p *progress) step(c Case, n int) {
	p.done += n
	if p.f != nil {
		p.f(p.done, p.total, c)
	}
}

// measureGroup measures the cases of one size into res.
func measureGroup(cases []Case, res []Result, opt Options, p *progress) {
	preps := make([]Prepared, len(cases))
	live := make([]bool, len(cases))
	defer func() {
		for i := range preps {
			if preps[i].Release != nil {
				preps[i].Release()
			}
		}
	}()
	counted := make([]int, len(cases)) // runs reported to p
	for i, c := range cases {
		res[i].Case = c
		n, err := prepare(c, &preps[i], opt, p)
		counted[i] = n
		if err != nil {
			res[i].Err = fmt.Errorf("bench: %s: %w", c.Name(), err)
			p.step(c, opt.perCase()-counted[i])
			continue
		}
		live[i] = true
	}
	fail := func(i int, err error) {
		res[i].Err = fmt.Errorf("bench: %s: %w", cases[i].Name(), err)
		res[i].Times = nil // a failed case has no times
		live[i] = false
		p.step(cases[i], opt.perCase()-counted[i])
	}
	for range opt.Runs {
		for i, c := range cases {
			for r := 0; r < opt.Rewarm && live[i]; r++ {
				if err := preps[i].Run(); err != nil {
					fail(i, err)
					break
				}
				counted[i]++
				p.step(c, 1)
			}
			if !live[i] {
				continue
			}
			t0 := time.Now()
			err := preps[i].Run()
			dt := time.Since(t0).Seconds()
			if err != nil {
				fail(i, err)
				continue
			}
			res[i].Times = append(res[i].Times, dt)
			counted[i]++
			p.step(c, 1)
		}
	}
	for i := range res {
		if res[i].Err != nil {
			continue
		}
		r := &res[i]
		c := r.Case
		r.Stats = Summarize(r.Times)
		r.GOPs = c.Ops(c.Size) / r.Stats.Median / 1e9
		r.GBs = c.Bytes(c.Size) / r.Stats.Median / 1e9
		if v, _ := r.Throughput(); c.PeakValue > 0 {
			r.Fraction = v / c.PeakValue
		}
	}
}

// prepare sets c up into *pp, runs its warm-up runs (at least one run, so
// that there is a result to check) and its check. It returns the runs it
// reported to p.
func prepare(c Case, pp *Prepared, opt Options, p *progress) (int, error) {
	pr, err := c.Setup(c.Dev, c.Size)
	if err != nil {
		return 0, err
	}
	*pp = pr
	counted := 0
	for i := range max(opt.Warmup, 1) {
		if err := pr.Run(); err != nil {
			return counted, err
		}
		if i < opt.Warmup {
			p.step(c, 1)
			counted++
		}
	}
	if pr.Check != nil {
		if err := pr.Check(); err != nil {
			return counted, err
		}
	}
	return counted, nil
}

// ratios returns the headline throughput of res[i] over that of its
// baseline, from the median and from the fastest run: the baseline is the
// result of kernel Case.Baseline at the same size on the same backend, or
// else on the host; 0, 0 when there is none.
func ratios(res []Result, i int) (median, best float64) {
	c := res[i].Case
	if c.Baseline == "" || res[i].Err != nil {
		return 0, 0
	}
	var base *Result
	for j := range res {
		b := res[j].Case
		if b.Kernel != c.Baseline || b.Size != c.Size || res[j].Err != nil {
			continue
		}
		if b.Backend == c.Backend {
			base = &res[j]
			break
		}
		if b.Backend == HostBackend {
			base = &res[j]
		}
	}
	if base == nil {
		return 0, 0
	}
	v, _ := res[i].Throughput()
	bv, _ := base.Throughput()
	// Throughput is work / median time, so work / min time, the throughput
	// of the fastest run, is v · median / min.
	vBest := v * res[i].Stats.Median / res[i].Stats.Min
	bvBest := bv * base.Stats.Median / base.Stats.Min
	return v / bv, vBest / bvBest
}
