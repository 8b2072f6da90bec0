package gpu

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSoftmaxXentInt compares the integer softmax cross-entropy with a
// float64 reference: gradients within 2^-22/N, the host loss of the logits,
// and exact argmax counts.
func TestSoftmaxXentInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const n, k, exp = 50, 10, -14
	logits := make([]int32, n*k)
	labels := make([]uint32, n)
	for i := range logits {
		logits[i] = int32(rng.NormFloat64() * 3 * (1 << 14))
	}
	for i := range labels {
		labels[i] = uint32(rng.IntN(k))
	}
	// Reference in float64.
	var wantLoss float64
	wantGrad := make([]float64, n*k)
	wantCorrect := 0
	for s := range n {
		row := logits[s*k : (s+1)*k]
		mx, arg := row[0], 0
		for j, v := range row {
			if v > mx {
				mx, arg = v, j
			}
		}
		if arg == int(labels[s]) {
			wantCorrect++
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(math.Ldexp(float64(v-mx), exp))
		}
		for j, v := range row {
			p := math.Exp(math.Ldexp(float64(v-mx), exp)) / sum
			if j == int(labels[s]) {
				wantLoss -= math.Log(p)
				p--
			}
			wantGrad[s*k+j] = p / n
		}
	}
	for _, dev := range devices(t) {
		t.Run(dev.Info().Backend.String(), func(t *testing.T) {
			lt, _ := dev.UploadI32([]int{n, k}, exp, logits)
			yt, _ := dev.UploadU32([]int{n}, 0, labels)
			r := dev.Record()
			x := r.SoftmaxXentInt(lt, yt)
			if err := r.Submit(); err != nil {
				t.Fatal(err)
			}
			py, _ := x.PY.DownloadI32()
			for s, c := range py {
				want := wantGrad[s*k+int(labels[s])]*n + 1 // p of the label
				if got := math.Ldexp(float64(c), -30); math.Abs(got-want) > 0x1p-22 {
					t.Fatalf("py[%d] = %v, want %v", s, got, want)
				}
			}
			if got := XentLoss(logits, exp, labels); math.Abs(got-wantLoss) > 1e-9*wantLoss {
				t.Errorf("loss %v, want %v", got, wantLoss)
			}
			g, _ := x.Grad.DownloadI32()
			for i, c := range g {
				if got := math.Ldexp(float64(c), x.Grad.Exp); math.Abs(got-wantGrad[i]) > 0x1p-22/n {
					t.Fatalf("grad[%d] = %v, want %v", i, got, wantGrad[i])
				}
			}
			if c, _ := x.Correct.DownloadU32(); int(c[0]) != wantCorrect {
				t.Errorf("correct %d, want %d", c[0], wantCorrect)
			}
			if x.Grad.Exp != -30-6 { // ceil(log2 50) = 6
				t.Errorf("grad exponent %d, want -36", x.Grad.Exp)
			}
			r2 := dev.Record()
			big, _ := dev.UploadI32([]int{1, 256}, 0, make([]int32, 256))
			one, _ := dev.UploadU32([]int{1}, 0, []uint32{0})
			if x := r2.SoftmaxXentInt(big, one); x.Grad != nil || !errors.Is(r2.Err(), ErrShape) {
				t.Errorf("256 classes accepted: %v", r2.Err())
			}
		})
	}
}
