package cpu

import "math"

// Twins of shaders/loss.wgsl — keep in sync.

// XentParams is the uniform of softmax_xent_f32 and xent_correct (struct
// XentParams in WGSL).
type XentParams struct {
	N     uint32 // samples (the batch size of the mean)
	K     uint32 // classes
	IsI32 uint32 // 1: logits are I32 codes with exponent Exp; 0: F32
	Exp   int32  // exponent of I32 logits
}

// xentValue is the twin of xent_value.
func xentValue(p XentParams, logits []uint32, i uint32) float32 {
	if p.IsI32 != 0 {
		return float32(math.Ldexp(float64(float32(int32(logits[i]))), int(p.Exp)))
	}
	return math.Float32frombits(logits[i])
}

// SoftmaxXentF32 is the twin of softmax_xent_f32: for every sample s with
// logits x and label y < K,
//
//	loss[s]    = log Σ_j exp(x_j - max x) - (x_y - max x)
//	grad[s, j] = (exp(x_j - max x)/Σ - [j == y]) / N
//
// in float32; a label >= K gives loss 0 and a zero gradient row.
func SoftmaxXentF32(p XentParams, loss, grad, logits, labels []uint32) {
	k := p.K
	if k == 0 {
		return
	}
	f32exp := func(x float32) float32 { return float32(math.Exp(float64(x))) }
	for s := range loss[:p.N] {
		base := uint32(s) * k
		y := labels[s]
		if y >= k {
			loss[s] = 0
			for j := range k {
				grad[base+j] = 0
			}
			continue
		}
		mx := xentValue(p, logits, base)
		for j := uint32(1); j < k; j++ {
			mx = max(mx, xentValue(p, logits, base+j))
		}
		var sum float32
		for j := range k {
			sum += f32exp(xentValue(p, logits, base+j) - mx)
		}
		loss[s] = math.Float32bits(float32(math.Log(float64(sum))) - (xentValue(p, logits, base+y) - mx))
		invN := 1 / float32(p.N)
		for j := range k {
			sm := f32exp(xentValue(p, logits, base+j)-mx) / sum
			var one float32
			if j == y {
				one = 1
			}
			grad[base+j] = math.Float32bits((sm - one) * invN)
		}
	}
}

// xcGreater is the twin of xc_greater.
func xcGreater(p XentParams, a, b uint32) bool {
	if p.IsI32 != 0 {
		return int32(a) > int32(b)
	}
	return math.Float32frombits(a) > math.Float32frombits(b)
}

// XentCorrect is the twin of xent_correct: pred[s] = argmax_j x_j (ties to
// the lowest index), correct[0] += the number of samples with pred ==
// label.
func XentCorrect(p XentParams, pred, correct, logits, labels []uint32) {
	k := p.K
	if k == 0 {
		return
	}
	for s := range pred[:p.N] {
		base := uint32(s) * k
		best, arg := logits[base], uint32(0)
		for j := uint32(1); j < k; j++ {
			if v := logits[base+j]; xcGreater(p, v, best) {
				best, arg = v, j
			}
		}
		pred[s] = arg
		if arg == labels[s] {
			correct[0]++
		}
	}
}
