package train

import (
	"fmt"
	"math"

	"github.com/wageubn/wageubn/quant"
)

// LRBits is the width of the quantized learning rate, and LRExp the exponent
// of its codes: lr_q = C_10(Q(lr, 10)) = LRCode·2^-9 (method.md B§2.8, B§9.1).
const (
	LRBits = 10
	LRExp  = -(LRBits - 1)
)

// PhaseSpec is one phase of a [Schedule]: it begins at fraction Start of the
// total number of steps and runs with learning rate LR and G scale GScale
// (the γ_s of method.md B§2.6) until the next phase begins.
type PhaseSpec struct {
	Start  float64 // fraction of the total steps at which the phase begins; 0 for the first phase
	LR     float64 // nominal learning rate; quantized to C_10(Q(LR, 10)) on the 2^-9 grid
	GScale int     // g_scale of the G quantizer: a power of two in 2..128
}

// Phase is the schedule's state at one step: the phase number, the nominal
// learning rate, its 10-bit code and the g_scale.
type Phase struct {
	Index  int     // 0-based phase number
	LR     float64 // nominal learning rate of the phase
	LRCode int32   // C_10(Q(LR, 10)) as a code with exponent LRExp: 0.05 -> 26
	GScale int     // g_scale of the G quantizer
}

// LRQuantized does return the quantized learning rate lr_q = LRCode·2^-9,
// the value the update W ← W − lr_q·M uses (method.md B§2.8).
func (p Phase) LRQuantized() float64 { return math.Ldexp(float64(p.LRCode), LRExp) }

// DefaultPhases does return method.md A8's phases: the learning rate and
// g_scale change at 50%, 70% and 90% of the total steps, with
// lr = 0.05·[1, 0.12, 0.06, 0.03] and g_scale = [128, 128, 32, 8].
func DefaultPhases() []PhaseSpec {
	const base = 0.05 // method.md A8, B§2.8
	return []PhaseSpec{
		{Start: 0, LR: base, GScale: 128},
		{Start: 0.5, LR: base * 0.12, GScale: 128},
		{Start: 0.7, LR: base * 0.06, GScale: 32},
		{Start: 0.9, LR: base * 0.03, GScale: 8},
	}
}

// Schedule is the learning-rate and g_scale schedule of a run, with phases
// placed at fractions of the total step count so that a 2-epoch and a
// 100-epoch run have the same shape (method.md A8). The zero Schedule is the
// default one ([DefaultPhases]); [NewSchedule] builds others. A Schedule is
// immutable and safe for concurrent use.
type Schedule struct {
	phases []PhaseSpec
	codes  []int32
}

// NewSchedule does check phases and return the schedule they describe.
//
// Rules: at least one phase; the first Start is 0 and the others increase
// strictly inside (0, 1); every LR is finite, positive and quantizes to a
// non-zero 10-bit code (LR > 2^-10, half a step of the 2^-9 grid; LR above
// 511/512 saturates at code 511 and is rejected); every GScale is a power of
// two in 2..128. Errors wrap ErrConfig and name the phase.
func NewSchedule(phases []PhaseSpec) (Schedule, error) {
	if len(phases) == 0 {
		return Schedule{}, fmt.Errorf("%w: schedule has no phases", ErrConfig)
	}
	codes := make([]int32, len(phases))
	for i, p := range phases {
		switch {
		case i == 0 && p.Start != 0:
			return Schedule{}, fmt.Errorf("%w: phase 0 starts at %g, want 0", ErrConfig, p.Start)
		case i > 0 && !(p.Start > phases[i-1].Start && p.Start < 1):
			return Schedule{}, fmt.Errorf("%w: phase %d starts at %g, want a fraction in (%g, 1)", ErrConfig, i, p.Start, phases[i-1].Start)
		case math.IsNaN(p.LR) || math.IsInf(p.LR, 0) || p.LR <= 0:
			return Schedule{}, fmt.Errorf("%w: phase %d: learning rate %g, want a positive finite number", ErrConfig, i, p.LR)
		case p.GScale < 2 || p.GScale > 128 || p.GScale&(p.GScale-1) != 0:
			return Schedule{}, fmt.Errorf("%w: phase %d: g_scale %d, want a power of two in 2..128", ErrConfig, i, p.GScale)
		}
		c, err := lrCode(p.LR)
		if err != nil {
			return Schedule{}, fmt.Errorf("%w: phase %d: %w", ErrConfig, i, err)
		}
		codes[i] = c
	}
	return Schedule{phases: append([]PhaseSpec(nil), phases...), codes: codes}, nil
}

// lrCode does quantize lr to C_10(Q(lr, 10)) with quant.Weight (method.md
// B§2.2 and B§2.8 use the same C_k(Q(x, k))) and rejects a code of zero or
// one that saturated.
func lrCode(lr float64) (int32, error) {
	c, err := quant.Weight([]float32{float32(lr)}, LRBits)
	if err != nil {
		return 0, err
	}
	if c.Exp != LRExp {
		return 0, fmt.Errorf("learning rate code exponent %d, want %d", c.Exp, LRExp)
	}
	const maxCode = 1<<(LRBits-1) - 1
	q := c.Q[0]
	switch {
	case q <= 0:
		return 0, fmt.Errorf("learning rate %g quantizes to 0 on the 2^%d grid", lr, LRExp)
	case q >= maxCode && math.Ldexp(lr, -LRExp) > maxCode+0.5:
		return 0, fmt.Errorf("learning rate %g saturates the %d-bit code (max %d/512)", lr, LRBits, maxCode)
	}
	return q, nil
}

// defaultSchedule is DefaultPhases as a Schedule, built once.
var defaultSchedule = func() Schedule {
	s, err := NewSchedule(DefaultPhases())
	if err != nil {
		panic("train: default schedule invalid: " + err.Error()) // package invariant; TestDefaultSchedule catches it
	}
	return s
}()

// resolved does return s, or the default schedule for the zero Schedule.
func (s Schedule) resolved() Schedule {
	if len(s.phases) == 0 {
		return defaultSchedule
	}
	return s
}

// Phases does return a copy of the schedule's phases.
func (s Schedule) Phases() []PhaseSpec {
	return append([]PhaseSpec(nil), s.resolved().phases...)
}

// Starts does return the first step of every phase in a run of total steps:
// phase i begins at step round(Start_i·total) (the nearest step, halves
// rounded up), so that the boundaries sit at the same fractions in runs of
// any length. A phase can be empty in a very short run (two equal starts).
func (s Schedule) Starts(total int64) []int64 {
	r := s.resolved()
	starts := make([]int64, len(r.phases))
	for i, p := range r.phases {
		starts[i] = startStep(p.Start, total)
	}
	return starts
}

func startStep(frac float64, total int64) int64 {
	if total <= 0 {
		return 0
	}
	return int64(math.Floor(frac*float64(total) + 0.5))
}

// At does return the phase of step (0-based: the number of steps already
// taken) in a run of total steps: the last phase whose first step (see
// [Schedule.Starts]) is at most step. Steps before 0 are in phase 0, steps at
// or past total in the last phase.
func (s Schedule) At(step, total int64) Phase {
	r := s.resolved()
	i := 0
	for j := 1; j < len(r.phases); j++ {
		if step >= startStep(r.phases[j].Start, total) {
			i = j
		}
	}
	p := r.phases[i]
	return Phase{Index: i, LR: p.LR, LRCode: r.codes[i], GScale: p.GScale}
}
