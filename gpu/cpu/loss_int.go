package cpu

import "github.com/wageubn/wageubn/quant"

// Twins of shaders/loss_int.wgsl — keep in sync.

// XentIntParams is the uniform of softmax_xent_i32.
type XentIntParams struct {
	N     uint32 // samples
	K     uint32 // classes, 1..255
	Exp   int32  // exponent of the logit codes
	Shift uint32 // s = ceil(log2 N): the gradient has exponent -30 - s
}

const (
	liLog2E = 1549082005 // round(log2(e)·2^30)
	liLn2   = 744261118  // round(ln(2)·2^30)
)

// liExp24 is the twin of li_exp24: round(exp(d·2^exp)·2^24) for d <= 0, by
// the integer steps of loss_int.wgsl.
func liExp24(d int64, exp int32) uint32 {
	sh := exp + 24
	var v int64
	if sh >= 0 {
		switch {
		case sh >= 31 && d == 0:
			v = 0
		case sh >= 31 || d < -(0x40000000>>sh):
			v = -0x40000000
		default:
			v = d << sh
		}
	} else {
		v = max(quant.RoundShr(d, uint(min(-sh, 63))), -0x40000000)
	}
	u := v * liLog2E                   // Q.54, <= 0
	n := u >> 54                       // floor
	f30 := (u - n<<54) >> 24           // frac in Q.30
	a := quant.RoundShr(f30*liLn2, 30) // f·ln2 in Q.30
	term, sum := int64(0x40000000), int64(0x40000000)
	for i := int64(1); i <= 12; i++ {
		term = quant.RoundShr(term*a, 30) / i
		sum += term
	}
	s := 6 - n
	if s >= 32 {
		return 0
	}
	return uint32(RoundShrI32(int32(sum), int32(s)))
}

// SoftmaxXentI32 is the twin of softmax_xent_i32: for every sample, the
// softmax in Q.30 by integer steps, py = p_label and grad = RoundDiv((p -
// 2^30·onehot)·2^Shift, N).
func SoftmaxXentI32(p XentIntParams, grad, py, logits, labels []uint32) {
	k := p.K
	for s := range p.N {
		base := s * k
		y := labels[s]
		if y >= k {
			for j := range k {
				grad[base+j] = 0
			}
			py[s] = 0x40000000
			continue
		}
		mx := int32(logits[base])
		for j := uint32(1); j < k; j++ {
			mx = max(mx, int32(logits[base+j]))
		}
		var total uint32
		for j := range k {
			total += liExp24(int64(int32(logits[base+j]))-int64(mx), p.Exp)
		}
		for j := range k {
			e := liExp24(int64(int32(logits[base+j]))-int64(mx), p.Exp)
			pj := int32(RoundDiv(int64(e)<<30, total))
			if j == y {
				py[s] = uint32(pj)
				pj -= 0x40000000
			}
			grad[base+j] = uint32(int32(RoundDiv(int64(pj)<<p.Shift, p.N)))
		}
	}
}
