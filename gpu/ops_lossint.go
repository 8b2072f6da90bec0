package gpu

import (
	"math"
	"math/bits"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// XentInt is the result of SoftmaxXentInt.
type XentInt struct {
	// Grad is ∂(mean loss)/∂logits = (softmax - onehot)/N as I32 codes with
	// Exp -30 - ceil(log2 N), identical on every backend.
	Grad *Tensor
	// PY is the softmax probability of each sample's label, I32 codes with
	// Exp -30 (2^30 for ignored samples), for diagnostics; the loss to report
	// is [XentLoss] of the logits.
	PY      *Tensor
	Pred    *Tensor // I32 [N], argmax of the logits (ties to the lowest index)
	Correct *Tensor // U32 [1], the number of samples with Pred == label
}

// Release releases the four tensors.
func (x XentInt) Release() {
	x.Grad.Release()
	x.PY.Release()
	x.Pred.Release()
	x.Correct.Release()
}

// SoftmaxXentInt records softmax_xent_i32 and xent_correct: softmax
// cross-entropy on I32 logit codes (a fixed exponent, no Scale) [N, K] with
// U32 labels [N], computed in integer arithmetic (shaders/loss_int.wgsl) so
// that the gradient entering the backward pass is bit-identical on every
// backend. K is 1..255; a label >= K marks a sample to ignore.
func (r *Recorder) SoftmaxXentInt(logits, labels *Tensor) XentInt {
	const k = "softmax_xent_i32"
	if r.err != nil {
		return XentInt{}
	}
	shapes := shapesOf(logits, labels)
	if err := r.checkTensor(k, shapes, "logits", logits, I32, 2); err != nil {
		r.fail(err)
		return XentInt{}
	}
	if err := r.checkTensor(k, shapes, "labels", labels, U32, 1); err != nil {
		r.fail(err)
		return XentInt{}
	}
	n, kk := logits.shape[0], logits.shape[1]
	switch {
	case logits.Scale != nil:
		r.fail(kernelErr(k, shapes, ErrShape, "logits have a data-dependent Scale"))
		return XentInt{}
	case labels.shape[0] != n:
		r.fail(kernelErr(k, shapes, ErrShape, "%d labels for %d samples", labels.shape[0], n))
		return XentInt{}
	case kk < 1 || kk > 255 || n < 1:
		r.fail(kernelErr(k, shapes, ErrShape, "%d samples of %d classes: want N >= 1 and 1..255 classes", n, kk))
		return XentInt{}
	case logits.Exp < -1000 || logits.Exp > 1000:
		r.fail(kernelErr(k, shapes, ErrShape, "logits exponent %d out of range", logits.Exp))
		return XentInt{}
	}
	shift := uint32(bits.Len32(uint32(n - 1))) // ceil(log2 n)
	x := XentInt{
		Grad:    r.newOutput(k, shapes, I32, []int{n, kk}, -30-int(shift)),
		PY:      r.newOutput(k, shapes, I32, []int{n}, -30),
		Pred:    r.newOutput(k, shapes, I32, []int{n}, 0),
		Correct: r.newOutput(k, shapes, U32, []int{1}, 0),
	}
	p := cpu.XentIntParams{N: uint32(n), K: uint32(kk), Exp: int32(logits.Exp), Shift: shift}
	if x.Grad == nil || x.PY == nil || x.Pred == nil || x.Correct == nil ||
		r.Run(k, p, x.Grad, x.PY, logits, labels) != nil || r.Fill(x.Correct, 0) == nil ||
		r.Run("xent_correct", cpu.XentParams{N: uint32(n), K: uint32(kk), IsI32: 1, Exp: int32(logits.Exp)}, x.Pred, x.Correct, logits, labels) != nil {
		x.Release()
		return XentInt{}
	}
	return x
}

// XentLoss returns the summed softmax cross-entropy of the logit codes
// (exponent exp, [N, K] row-major) for the labels, in float64 on the host:
// Σ_s log Σ_j exp(x_sj - max_j x_sj) - (x_s,label - max_j x_sj), labels >= K
// ignored. The codes are identical on every backend, so the loss is too;
// it is a metric only (the gradient comes from SoftmaxXentInt).
func XentLoss(logits []int32, exp int, labels []uint32) float64 {
	var total float64
	if len(labels) == 0 {
		return 0
	}
	k := len(logits) / len(labels)
	for s, y := range labels {
		if int(y) >= k {
			continue
		}
		row := logits[s*k : (s+1)*k]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(math.Ldexp(float64(int64(v)-int64(mx)), exp))
		}
		total += math.Log(sum) - math.Ldexp(float64(int64(row[y])-int64(mx)), exp)
	}
	return total
}
