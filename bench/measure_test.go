package bench

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/internal/i8gemm"
)

func TestSummarize(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name  string
		times []float64
		want  Stats
	}{
		// Odd count: sorted 1 2 3, deviations from 2 are 1 1 0 -> MAD 1.
		{"odd", []float64{3, 1, 2}, Stats{Median: 2, Min: 1, Max: 3, MAD: 1}},
		// Even count: median (2+3)/2; deviations 1.5 0.5 0.5 7.5 -> MAD (0.5+1.5)/2.
		{"even with outlier", []float64{10, 1, 3, 2}, Stats{Median: 2.5, Min: 1, Max: 10, MAD: 1}},
		{"one", []float64{0.25}, Stats{Median: 0.25, Min: 0.25, Max: 0.25, MAD: 0}},
		{"none", nil, Stats{nan, nan, nan, nan}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float64(nil), tc.times...)
			got := Summarize(tc.times)
			same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
			if !same(got.Median, tc.want.Median) || !same(got.Min, tc.want.Min) || !same(got.Max, tc.want.Max) || !same(got.MAD, tc.want.MAD) {
				t.Errorf("Summarize(%v) = %+v, want %+v", tc.times, got, tc.want)
			}
			for i := range in {
				if in[i] != tc.times[i] {
					t.Fatalf("Summarize modified its input: %v, was %v", tc.times, in)
				}
			}
		})
	}
}

func TestLookup(t *testing.T) {
	// A family that is named but has no rows yet ("future") is reported as
	// not available, with the rows of the others.
	saved := Families
	Families = append(slices.Clone(Families), "future")
	defer func() { Families = saved }()
	for _, tc := range []struct {
		families []string
		kernels  string // the kernels returned, in order
		err      error
	}{
		{[]string{"gemm"}, "sgemm_gonum i8gemm_go gemm_i8", nil},
		{[]string{"quant", "conv"}, "conv_f32_go conv_i8 max_abs pack_i8", nil},
		{nil, "sgemm_gonum i8gemm_go gemm_i8 conv_f32_go conv_i8 max_abs pack_i8 bn_forward lenet5_float lenet5_full8", nil},
		{[]string{"train-step"}, "lenet5_float lenet5_full8", nil},
		{[]string{"bn"}, "bn_forward", nil},
		{[]string{"gemm", "future"}, "sgemm_gonum i8gemm_go gemm_i8", ErrNotAvailable},
		{[]string{"gemm", "gem"}, "", ErrUnknown},
	} {
		specs, err := Lookup(tc.families)
		var names []string
		for _, s := range specs {
			names = append(names, s.Kernel)
		}
		if got := strings.Join(names, " "); got != tc.kernels || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tc.families, got, err, tc.kernels, tc.err)
		}
	}
	_, err := Lookup([]string{"future"})
	if err == nil || !strings.Contains(err.Error(), "future") {
		t.Errorf("Lookup(future) error %v does not name the family", err)
	}
}

func TestExpand(t *testing.T) {
	d := cpuDevice(t)
	specs, err := Lookup([]string{"gemm"})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Expand(specs, []*gpu.Device{d}, []int{8, 4}, DevMachine)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name())
	}
	want := "sgemm_gonum/go/n=8 i8gemm_go/go/n=8 gemm_i8/cpu/n=8 sgemm_gonum/go/n=4 i8gemm_go/go/n=4 gemm_i8/cpu/n=4"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("cases %q, want %q", got, want)
	}
	// Ceilings of shared/notes.md: int8 VNNI 2150 GOP/s, fp32 540 GFLOP/s.
	for _, c := range cs {
		want := map[string]float64{"sgemm_gonum": 540, "i8gemm_go": 2150, "gemm_i8": 2150}[c.Kernel]
		if c.PeakValue != want {
			t.Errorf("%s: peak %v, want %v", c.Name(), c.PeakValue, want)
		}
	}
	for _, sizes := range [][]int{{0}, {16, -1}} {
		if _, err := Expand(specs, nil, sizes, DevMachine); !errors.Is(err, ErrSize) {
			t.Errorf("Expand(sizes %v) error %v, want ErrSize", sizes, err)
		}
	}
}

func TestPeak(t *testing.T) {
	p := Peaks{CPUInt8: 1, CPUF32: 2, CPUMem: 3, GPUInt8: 10, GPUF32: 20}
	for _, tc := range []struct {
		c    Ceiling
		be   string
		at   gpu.AdapterType
		want float64
	}{
		{Int8Ops, HostBackend, gpu.AdapterUnknown, 1},
		{Int8Ops, "cpu", gpu.AdapterUnknown, 1},
		{Int8Ops, "webgpu", gpu.AdapterCPU, 1}, // lavapipe runs on the same cores
		{Int8Ops, "webgpu", gpu.AdapterDiscrete, 10},
		{F32Ops, "webgpu", gpu.AdapterIntegrated, 20},
		{MemBytes, "cpu", gpu.AdapterUnknown, 3},
		{MemBytes, "webgpu", gpu.AdapterDiscrete, 0}, // not configured
		{NoCeiling, "cpu", gpu.AdapterUnknown, 0},
	} {
		if got, _ := p.peak(tc.c, tc.be, tc.at); got != tc.want {
			t.Errorf("peak(%v, %s, %v) = %v, want %v", tc.c, tc.be, tc.at, got, tc.want)
		}
	}
}

// cpuDevice opens the CPU backend for one test.
func cpuDevice(t *testing.T) *gpu.Device {
	t.Helper()
	d, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestMeasureAll runs every row of the table on every backend that opens,
// at two small sizes: each result must pass its check and have its times,
// and the int8 GEMM rows a ratio to sgemm_gonum.
func TestMeasureAll(t *testing.T) {
	specs, err := Lookup(nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Expand(specs, openDevices(t), []int{8, 37}, DevMachine)
	if err != nil {
		t.Fatal(err)
	}
	calls, last := 0, 0
	res, err := Measure(cs, Options{Warmup: 1, Runs: 3, Progress: func(done, total int, _ Case) {
		calls++
		if done <= last || done > total || total != len(cs)*4 {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
	}})
	if err != nil {
		t.Fatal(err)
	}
	if last != len(cs)*4 {
		t.Errorf("progress ended at %d, want %d", last, len(cs)*4)
	}
	for _, r := range res {
		c := r.Case
		if r.Err != nil {
			t.Errorf("%s: %v", c.Name(), r.Err)
			continue
		}
		if len(r.Times) != 3 || !(r.Stats.Min <= r.Stats.Median && r.Stats.Median <= r.Stats.Max) || !(r.GOPs > 0) || !(r.GBs > 0) {
			t.Errorf("%s: times %v, stats %+v, %v GOP/s, %v GB/s", c.Name(), r.Times, r.Stats, r.GOPs, r.GBs)
		}
		if (c.Baseline != "") != (r.Ratio > 0) || (c.Baseline != "") != (r.RatioBest > 0) {
			t.Errorf("%s: baseline %q, ratio %v", c.Name(), c.Baseline, r.Ratio)
		}
		if (c.PeakValue > 0) != (r.Fraction > 0) {
			t.Errorf("%s: peak %v, fraction %v", c.Name(), c.PeakValue, r.Fraction)
		}
	}
	t.Logf("bench: %d cases measured", len(res))
}

// TestMeasureRewarm checks Options.Rewarm: each timed run of a case comes
// right after its rewarm runs (not after another case's), only the timed
// runs are kept, progress counts every run, and a run failing in a rewarm
// fails its case without stopping the others.
func TestMeasureRewarm(t *testing.T) {
	var order strings.Builder
	spec := func(name string, failAt int) *Spec {
		calls := 0
		return &Spec{Kernel: name, Ops: elems, Bytes: elems, Shape: squareShape("i32"),
			Setup: func(*gpu.Device, int) (Prepared, error) {
				return Prepared{Run: func() error {
					calls++
					order.WriteString(name)
					if calls == failAt {
						return gpu.ErrDeviceLost
					}
					return nil
				}, Release: func() {}}, nil
			}}
	}
	// C fails in the first rewarm of its second round (its 4th call).
	cs := []Case{{Spec: spec("A", 0), Backend: HostBackend, Size: 4}, {Spec: spec("B", 0), Backend: HostBackend, Size: 4},
		{Spec: spec("C", 4), Backend: HostBackend, Size: 4}}
	last, total := 0, 0
	res, err := Measure(cs, Options{Warmup: 0, Runs: 2, Rewarm: 1, Progress: func(d, n int, _ Case) { last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	// Setup runs each once (the untimed run the check needs); then each
	// round runs every case twice in a row: rewarm, timed.
	if got, want := order.String(), "ABC"+"AABBCC"+"AABBC"; got != want {
		t.Errorf("run order %q, want %q", got, want)
	}
	if total != 3*2*2 || last != total {
		t.Errorf("progress ended at %d/%d, want %d/%d", last, total, 12, 12)
	}
	for i, want := range []int{2, 2, 0} {
		if len(res[i].Times) != want {
			t.Errorf("%s: %d times, want %d", cs[i].Name(), len(res[i].Times), want)
		}
	}
	if !errors.Is(res[2].Err, gpu.ErrDeviceLost) {
		t.Errorf("C: error %v, want ErrDeviceLost", res[2].Err)
	}
	if _, err := Measure(cs, Options{Runs: 1, Rewarm: -1}); !errors.Is(err, ErrOptions) {
		t.Errorf("Rewarm -1: error %v, want ErrOptions", err)
	}
}

// TestMeasureFailures checks that a case whose result is wrong, whose setup
// fails or whose run fails is reported and not timed, and that the other
// cases of its size still are.
func TestMeasureFailures(t *testing.T) {
	good := Spec{Kernel: "good", Ops: elems, Bytes: elems, Shape: squareShape("i32"),
		Setup: func(*gpu.Device, int) (Prepared, error) {
			return Prepared{Run: func() error { return nil }, Release: func() {}}, nil
		}}
	// wrong computes C = A·Bᵀ with one corner off by one: checkGemm, which
	// samples the corners, must see it.
	wrong := good
	wrong.Kernel = "wrong"
	wrong.Setup = func(_ *gpu.Device, n int) (Prepared, error) {
		a, b := gemmInputs(n)
		c := make([]int32, n*n)
		return Prepared{
			Run: func() error {
				err := i8gemm.NT(n, n, n, a, n, b, n, c, n)
				c[n*n-1]++
				return err
			},
			Check:   func() error { return checkGemm(n, a, b, func(i, j int) int64 { return int64(c[i*n+j]) }) },
			Release: func() {},
		}, nil
	}
	failing := good
	failing.Kernel = "failing"
	failing.Setup = func(*gpu.Device, int) (Prepared, error) {
		return Prepared{Run: func() error { return gpu.ErrDeviceLost }, Release: func() {}}, nil
	}
	conv, _ := Lookup([]string{"conv"})
	cs := []Case{{Spec: &good, Backend: HostBackend, Size: 4}, {Spec: &wrong, Backend: HostBackend, Size: 4},
		{Spec: &failing, Backend: HostBackend, Size: 4}, {Spec: conv[0], Backend: HostBackend, Size: 4}}
	last, total := 0, 0
	res, err := Measure(cs, Options{Warmup: 1, Runs: 2, Progress: func(d, n int, _ Case) { last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if last != total || total != len(cs)*3 {
		t.Errorf("progress ended at %d/%d, want %d/%d: failed cases must still count", last, total, len(cs)*3, len(cs)*3)
	}
	for i, want := range []error{nil, ErrCheck, gpu.ErrDeviceLost, ErrSize} {
		r := res[i]
		if !errors.Is(r.Err, want) || (want == nil) != (r.Err == nil) {
			t.Errorf("%s: error %v, want %v", cs[i].Name(), r.Err, want)
		}
		if ntimes := map[bool]int{true: 2, false: 0}[want == nil]; len(r.Times) != ntimes {
			t.Errorf("%s: %d times, want %d", cs[i].Name(), len(r.Times), ntimes)
		}
		if r.Err != nil && !strings.HasPrefix(r.Err.Error(), "bench: "+cs[i].Name()+": ") {
			t.Errorf("error %q does not start with bench: and the case name", r.Err)
		}
	}
	for _, o := range []Options{{Runs: 0}, {Warmup: -1, Runs: 1}} {
		if _, err := Measure(cs, o); !errors.Is(err, ErrOptions) {
			t.Errorf("Measure(%+v) error %v, want ErrOptions", o, err)
		}
	}
}

// TestRatios checks the baseline ratios on made-up results: the baseline
// on the same backend wins over the host one, and the best-run ratio uses
// the minimum times.
func TestRatios(t *testing.T) {
	base := &Spec{Kernel: "base"}
	fast := &Spec{Kernel: "fast", Baseline: "base"}
	mk := func(s *Spec, be string, gops, median, min float64) Result {
		return Result{Case: Case{Spec: s, Backend: be, Size: 64}, GOPs: gops, Stats: Stats{Median: median, Min: min}}
	}
	res := []Result{
		mk(base, HostBackend, 10, 2, 1),
		mk(fast, "cpu", 20, 1, 0.8),    // vs host: 20/10 = 2; best 25/20 = 1.25
		mk(base, "webgpu", 40, 1, 1),   // same backend as the next row
		mk(fast, "webgpu", 60, 1, 0.5), // vs webgpu base: 60/40 = 1.5; best 120/40 = 3
		mk(fast, "cpu", 20, 1, 1),      // no baseline at its size (set below)
	}
	res[4].Case.Size = 128
	want := [][2]float64{{0, 0}, {2, 1.25}, {0, 0}, {1.5, 3}, {0, 0}}
	for i, w := range want {
		if m, b := ratios(res, i); m != w[0] || b != w[1] {
			t.Errorf("ratios(%s) = %v, %v; want %v, %v", res[i].Case.Name(), m, b, w[0], w[1])
		}
	}
}

func TestThroughput(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		val  float64
		unit string
	}{
		{Spec{Bound: Compute}, 3, "GOP/s"},
		{Spec{Bound: Memory}, 5, "GB/s"},
		{Spec{Bound: Items, ItemUnit: "images/s"}, 3e9, "images/s"}, // 3 GOP/s of images
	} {
		r := Result{Case: Case{Spec: &tc.spec}, GOPs: 3, GBs: 5}
		if v, u := r.Throughput(); v != tc.val || u != tc.unit {
			t.Errorf("bound %v: Throughput() = %v %s, want %v %s", tc.spec.Bound, v, u, tc.val, tc.unit)
		}
	}
}
