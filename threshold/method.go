package threshold

import "fmt"

// Method names a threshold calibrator (method.md A10, B§7.3).
type Method string

const (
	// MethodMax is [Max]: log2(max|x| + 1e-8).
	MethodMax Method = "max"
	// Method3SD is [ThreeSD]: log2(|mean| + 3·std).
	Method3SD Method = "3sd"
	// MethodKL is [KL]: entropy calibration minimising KL(P‖Q).
	MethodKL Method = "kl"
	// MethodKLJ is [KLJ]: entropy calibration minimising the Jeffreys
	// divergence (the default for activations).
	MethodKLJ Method = "kl_j"
)

// Methods lists every calibrator, in a fixed order.
var Methods = []Method{MethodMax, Method3SD, MethodKL, MethodKLJ}

// Calibrate does the calibration m on x and returns log2_t as float64, the
// type every calibrator of the package returns (the reference computes in
// float32; the golden cases compare log2_t with abs 1e-5). opts matters only
// for MethodKL and MethodKLJ. x is not modified.
//
// Errors: ErrOptions for an unknown method or bad options, and the errors of
// the calibrator.
func (m Method) Calibrate(x []float32, opts Options) (float64, error) {
	switch m {
	case MethodMax:
		return Max(x)
	case Method3SD:
		return ThreeSD(x)
	case MethodKL:
		return KL(x, opts)
	case MethodKLJ:
		return KLJ(x, opts)
	}
	return 0, fmt.Errorf("%w: unknown method %q, want one of %v", ErrOptions, string(m), Methods)
}

// Calibrator is anything that turns a sample of a tensor into log2_t;
// [Method] implements it.
type Calibrator interface {
	Calibrate(x []float32, opts Options) (float64, error)
}

var _ Calibrator = MethodMax
