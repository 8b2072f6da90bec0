package cpu

import (
	"math"

	"github.com/wageubn/wageubn/quant"
)

// Twins of shaders/optim.wgsl — keep in sync.

// OptimParams is the uniform of optim_wageubn and optim_wageubn_plus
// (struct OptimParams in WGSL).
type OptimParams struct {
	N    uint32 // elements
	Cols uint32 // last dimension (the rows of an I8 G)
	CW   uint32 // words per row of an I8 G, ceil(Cols/4)
	GI8  uint32 // 1: G is I8; 0: G is I32 (optim_wageubn only)
	LR   int32  // learning-rate code, exponent -9 (|LR| <= 1023)
	GExp int32  // optim_wageubn_plus: the static exponent of G (plus Scale[0])
	// UseScale is 1 for optim_wageubn_plus to add Scale[0] to GExp, 0 to
	// ignore the scale buffer.
	UseScale uint32
}

// optGrad is the twin of opt_grad: G[i], I8 or I32.
func optGrad(p OptimParams, g []uint32, i uint32) int32 {
	if p.GI8 != 0 {
		j := i % p.Cols
		return SignExtendI8(g[i/p.Cols*p.CW+j/4], j%4)
	}
	return int32(g[i])
}

// OptimWageubn is the twin of optim_wageubn, the full8 update of method.md
// A8 in place: for i < p.N, with W (exponent -23), M (-12), G (-14), LR (-9),
//
//	M' = M + G;  W = W - LR·M';  M = RoundShr(M', 2)
//
// M + G wraps in int32 and W keeps the low word of the exact int64 result;
// either wrap ORs ErrOverflow into errWord[0].
func OptimWageubn(p OptimParams, w, m, g, errWord []uint32) {
	for i := range w[:p.N] {
		mi, gi := int32(m[i]), optGrad(p, g, uint32(i))
		mp := mi + gi
		wn := int64(int32(w[i])) - int64(p.LR)*int64(mp)
		w[i] = uint32(wn)
		m[i] = uint32(RoundShrI32(mp, 2))
		if AddOverflows(mi, gi) || wn != int64(int32(wn)) {
			errWord[0] |= ErrOverflow
		}
	}
}

// OptimPlusEMin is OPTP_EMIN of optim.wgsl, the finest common grid of
// optim_wageubn_plus.
const OptimPlusEMin = -39

// OptimWageubnPlus is the twin of optim_wageubn_plus, the full8plus update
// of method.md A15 in place: with e_g = GExp + clamp(scale[0], ±4096) and
// e_c = clamp(e_g, -39, -15),
//
//	M' = 7·M·2^(-15-e_c) + G·2^(e_g-e_c)           (sign(G) if e_g < -39: exact, a sticky bit)
//	W  = RoundShr(W·2^s - LR·M', s), s = -14 - e_c
//	M  = RoundShr(M', -12 - e_c)
//
// in wrapping int64 arithmetic (the shader's (lo, hi) words), with
// ErrOverflow for e_g - e_c > 31, |M'| >= 2^52, or a W or M beyond int32.
func OptimWageubnPlus(p OptimParams, w, m, g, scale, errWord []uint32) {
	eg := p.GExp
	if p.UseScale != 0 {
		eg += min(max(int32(scale[0]), -4096), 4096)
	}
	ec := min(max(eg, OptimPlusEMin), -15)
	for i := range w[:p.N] {
		gi := optGrad(p, g, uint32(i))
		over := false
		mp := int64(int32(m[i])) * 7 << uint(-15-ec)
		if eg >= ec {
			k := eg - ec
			over = k > 31
			mp += int64(gi) << uint(min(k, 31))
		} else {
			switch { // sticky sign, exact (see optim_wageubn_plus)
			case gi > 0:
				mp++
			case gi < 0:
				mp--
			}
		}
		abs := uint64(mp)
		if mp < 0 {
			abs = -abs
		}
		over = over || abs >= 1<<52
		s := uint(-14 - ec)
		wn := quant.RoundShr(int64(int32(w[i]))<<s-mp*int64(p.LR), s)
		mn := quant.RoundShr(mp, uint(-12-ec))
		w[i], m[i] = uint32(wn), uint32(mn)
		if over || wn != int64(int32(wn)) || mn != int64(int32(mn)) {
			errWord[0] |= ErrOverflow
		}
	}
}

// SGDParams is the uniform of optim_sgd_f32 (struct SGDParams in WGSL).
type SGDParams struct {
	N           uint32  // elements
	LR          float32 // learning rate
	Momentum    float32 // momentum μ
	WeightDecay float32 // L2 weight decay λ
}

// OptimSGDF32 is the twin of optim_sgd_f32, PyTorch's SGD with momentum in
// float32: g' = g + λ·w, v = μ·v + g', w = w - lr·v.
func OptimSGDF32(p SGDParams, w, v, g []uint32) {
	for i := range w[:p.N] {
		wi := math.Float32frombits(w[i])
		gi := math.Float32frombits(g[i]) + p.WeightDecay*wi
		vi := p.Momentum*math.Float32frombits(v[i]) + gi
		v[i] = math.Float32bits(vi)
		w[i] = math.Float32bits(wi - p.LR*vi)
	}
}

// AdamParams is the uniform of optim_adam_f32 (struct AdamParams in WGSL).
type AdamParams struct {
	N           uint32  // elements
	LR          float32 // learning rate
	Beta1       float32 // first-moment decay
	Beta2       float32 // second-moment decay
	Eps         float32 // added to the root of the second moment
	WeightDecay float32 // L2 weight decay λ (added to the gradient)
	BC1         float32 // 1 - Beta1^step (bias correction)
	BC2         float32 // 1 - Beta2^step
}

// OptimAdamF32 is the twin of optim_adam_f32, PyTorch's Adam in float32:
// g' = g + λ·w, m = β1·m + (1-β1)·g', v = β2·v + (1-β2)·g'², w = w -
// lr·(m/BC1)/(sqrt(v/BC2) + eps).
func OptimAdamF32(p AdamParams, w, m, v, g []uint32) {
	for i := range w[:p.N] {
		wi := math.Float32frombits(w[i])
		gi := math.Float32frombits(g[i]) + p.WeightDecay*wi
		mi := p.Beta1*math.Float32frombits(m[i]) + (1-p.Beta1)*gi
		vi := p.Beta2*math.Float32frombits(v[i]) + (1-p.Beta2)*gi*gi
		m[i], v[i] = math.Float32bits(mi), math.Float32bits(vi)
		root := float32(math.Sqrt(float64(vi / p.BC2)))
		w[i] = math.Float32bits(wi - p.LR*(mi/p.BC1)/(root+p.Eps))
	}
}
