package train_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wageubn/wageubn/train"
)

// TestDefaultSchedule checks method.md A8 and B§2.8: lr 0.05·[1, 0.12,
// 0.06, 0.03] quantized to lr_q = 26/512, 3/512, 2/512, 1/512, g_scale
// [128, 128, 32, 8], phases starting at 0%, 50%, 70%, 90% of the steps.
func TestDefaultSchedule(t *testing.T) {
	want := []struct {
		start  float64
		code   int32
		gscale int
	}{
		{0, 26, 128},  // B§2.8: lr_q = 26/512
		{0.5, 3, 128}, // 3/512
		{0.7, 2, 32},  // 2/512
		{0.9, 1, 8},   // 1/512
	}
	var s train.Schedule // zero value: the default
	phases := s.Phases()
	if len(phases) != len(want) {
		t.Fatalf("%d phases, want %d", len(phases), len(want))
	}
	const total = 1000
	for i, w := range want {
		if phases[i].Start != w.start || phases[i].GScale != w.gscale {
			t.Errorf("phase %d = %+v, want start %g g_scale %d", i, phases[i], w.start, w.gscale)
		}
		p := s.At(int64(w.start*total), total)
		if p.Index != i || p.LRCode != w.code || p.GScale != w.gscale {
			t.Errorf("At(%d) = %+v, want phase %d code %d g_scale %d", int64(w.start*total), p, i, w.code, w.gscale)
		}
		if got, wantLR := p.LRQuantized(), float64(w.code)/512; got != wantLR {
			t.Errorf("phase %d: LRQuantized = %g, want %g", i, got, wantLR)
		}
	}
	if d, err := train.NewSchedule(train.DefaultPhases()); err != nil || d.At(0, 10) != s.At(0, 10) {
		t.Errorf("NewSchedule(DefaultPhases()) = %v, %v; want the zero Schedule's phases", d.At(0, 10), err)
	}
}

// TestScheduleShape checks that runs of different lengths (2 and 10 epochs
// of MNIST at batch 64: 938 batches per epoch, and some small totals) switch
// phases at the same fractions of their steps: the first step of phase i
// is the step nearest Start_i·total.
func TestScheduleShape(t *testing.T) {
	var s train.Schedule
	fracs := []float64{0, 0.5, 0.7, 0.9} // method.md A8
	for _, total := range []int64{10, 100, 2 * 938, 10 * 938, 7, 1} {
		t.Run(fmt.Sprint("total=", total), func(t *testing.T) {
			starts := s.Starts(total)
			for i, f := range fracs {
				// |start - f·total| <= 1/2: the nearest step.
				if d := float64(starts[i]) - f*float64(total); d > 0.5 || d < -0.5 {
					t.Errorf("phase %d starts at step %d of %d, want the step nearest %g", i, starts[i], total, f*float64(total))
				}
			}
			// At agrees with Starts on every step.
			for step := int64(0); step < total; step++ {
				want := 0
				for i := range starts {
					if step >= starts[i] {
						want = i
					}
				}
				if got := s.At(step, total).Index; got != want {
					t.Fatalf("At(%d, %d).Index = %d, want %d (starts %v)", step, total, got, want, starts)
				}
			}
		})
	}
	// Exact boundaries where f·total is an integer: 2 epochs of 50 steps
	// and 10 epochs of 50 steps.
	for _, tc := range []struct {
		total int64
		want  []int64
	}{
		{100, []int64{0, 50, 70, 90}},
		{500, []int64{0, 250, 350, 450}},
	} {
		if got := s.Starts(tc.total); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Starts(%d) = %v, want %v", tc.total, got, tc.want)
		}
		if p := s.At(tc.want[1]-1, tc.total); p.Index != 0 {
			t.Errorf("At(%d, %d) is phase %d, want 0", tc.want[1]-1, tc.total, p.Index)
		}
	}
	// Out-of-range steps clamp to the first and last phase.
	if p := s.At(-5, 100); p.Index != 0 {
		t.Errorf("At(-5) phase %d, want 0", p.Index)
	}
	if p := s.At(1000, 100); p.Index != 3 {
		t.Errorf("At(1000, 100) phase %d, want 3", p.Index)
	}
}

func TestNewScheduleErrors(t *testing.T) {
	ok := train.PhaseSpec{Start: 0, LR: 0.05, GScale: 128}
	tests := []struct {
		name   string
		phases []train.PhaseSpec
	}{
		{"empty", nil},
		{"first start not 0", []train.PhaseSpec{{Start: 0.1, LR: 0.05, GScale: 128}}},
		{"start not increasing", []train.PhaseSpec{ok, {Start: 0.5, LR: 0.01, GScale: 64}, {Start: 0.5, LR: 0.01, GScale: 64}}},
		{"start decreasing", []train.PhaseSpec{ok, {Start: 0.7, LR: 0.01, GScale: 64}, {Start: 0.6, LR: 0.01, GScale: 64}}},
		{"start 1", []train.PhaseSpec{ok, {Start: 1, LR: 0.01, GScale: 64}}},
		{"start NaN", []train.PhaseSpec{ok, {Start: nan(), LR: 0.01, GScale: 64}}},
		{"lr 0", []train.PhaseSpec{{LR: 0, GScale: 128}}},
		{"lr negative", []train.PhaseSpec{{LR: -0.05, GScale: 128}}},
		{"lr NaN", []train.PhaseSpec{{LR: nan(), GScale: 128}}},
		{"lr Inf", []train.PhaseSpec{{LR: inf(), GScale: 128}}},
		{"lr quantizes to 0", []train.PhaseSpec{{LR: 1.0 / 1024, GScale: 128}}}, // 0.5 code rounds half to even: 0
		{"lr saturates", []train.PhaseSpec{{LR: 1, GScale: 128}}},               // 512/512 > 511/512
		{"g_scale 0", []train.PhaseSpec{{LR: 0.05, GScale: 0}}},
		{"g_scale 1", []train.PhaseSpec{{LR: 0.05, GScale: 1}}},
		{"g_scale 3", []train.PhaseSpec{{LR: 0.05, GScale: 3}}},
		{"g_scale 256", []train.PhaseSpec{{LR: 0.05, GScale: 256}}},
		{"g_scale negative", []train.PhaseSpec{{LR: 0.05, GScale: -128}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := train.NewSchedule(tc.phases)
			if !errors.Is(err, train.ErrConfig) {
				t.Errorf("NewSchedule(%+v) error %v, want ErrConfig", tc.phases, err)
			}
		})
	}
	// Edge values that are valid: the smallest non-zero code, g_scale 2,
	// a learning rate just below saturation.
	valid := []train.PhaseSpec{
		{Start: 0, LR: 511.0 / 512, GScale: 2},
		{Start: 0.25, LR: 1.0/1024 + 1e-6, GScale: 128},
	}
	s, err := train.NewSchedule(valid)
	if err != nil {
		t.Fatalf("NewSchedule(%+v): %v", valid, err)
	}
	if c0, c1 := s.At(0, 4).LRCode, s.At(1, 4).LRCode; c0 != 511 || c1 != 1 {
		t.Errorf("codes %d, %d, want 511, 1", c0, c1)
	}
}
