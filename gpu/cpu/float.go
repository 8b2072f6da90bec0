package cpu

import "math"

// Twins of shaders/float.wgsl — keep in sync.
//
// The float32 kernels of layers that a recipe keeps in float (recipe float,
// the float first and last layers, the pytorch mode's fake-quantized
// layers). Every buffer holds float32 bits, except the U32 masks and argmax
// indices. Sums run in the order written; the shaders may contract a
// product and a sum into a fused multiply-add and WGSL fixes no rounding
// mode, so the backends agree within rounding, except where noted (the
// activations, the residual add and the quantizers, which are exact).

func flF(w uint32) float32    { return math.Float32frombits(w) }
func flBits(f float32) uint32 { return math.Float32bits(f) }

// F32EltParams is the uniform of the elementwise float kernels (struct
// F32EltParams in WGSL).
type F32EltParams struct {
	N uint32 // elements
}

// ReluF32 is the twin of relu_f32: y = max(x, 0) and mask = 1 where the
// gradient passes (x > 0, PyTorch's threshold backward on the output), else
// 0. A NaN x gives y = 0 and mask 0 (the comparison is false), where the
// device honours NaN.
func ReluF32(p F32EltParams, y, mask, x []uint32) {
	for i := range y[:p.N] {
		v := flF(x[i])
		if v > 0 {
			y[i], mask[i] = flBits(v), 1
		} else {
			y[i], mask[i] = 0, 0
		}
	}
}

// Relu6F32 is the twin of relu6_f32: y = min(max(x, 0), 6) and mask = 1
// where 0 < x < 6 (PyTorch's hardtanh backward), else 0.
func Relu6F32(p F32EltParams, y, mask, x []uint32) {
	for i := range y[:p.N] {
		v := flF(x[i])
		switch {
		case v > 0 && v < 6:
			y[i], mask[i] = flBits(v), 1
		case v >= 6:
			y[i], mask[i] = flBits(6), 0
		default:
			y[i], mask[i] = 0, 0
		}
	}
}

// ReluBwdF32 is the twin of relu_bwd_f32: dx = dy where mask != 0, else 0
// (+0), for ReLU and ReLU6 alike.
func ReluBwdF32(p F32EltParams, dx, dy, mask []uint32) {
	for i := range dx[:p.N] {
		if mask[i] != 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// AddF32 is the twin of add_f32, the residual add: out = a + b, one
// correctly rounded float32 addition (exact agreement).
func AddF32(p F32EltParams, out, a, b []uint32) {
	for i := range out[:p.N] {
		out[i] = flBits(flF(a[i]) + flF(b[i]))
	}
}

// F32QuantParams is the uniform of quant_direct_f32 and quant_alldirect_f32
// (struct F32QuantParams in WGSL). The wrapper fills it from the bit widths
// so that every float is exact: Scale = 2^(kdec-1), InvScale = 2^-(kdec-1),
// Lim = float32(2^(kall-1)-1) (rounded to nearest for kall > 25, which
// clips the integer-valued codes exactly as the float view of the clipped
// integer code).
type F32QuantParams struct {
	N        uint32  // elements
	Scale    float32 // 2^(kdec-1)
	InvScale float32 // 2^-(kdec-1)
	Lim      float32 // clip bound of the code (quant_alldirect_f32 only)
}

// quantF32 is round_half_even(x·Scale), clipped to ±lim when clip, times
// InvScale, with a zero result as +0. Every step is exact in float32
// (power-of-two scaling of finite values below 2^98; round of a float32).
func flQuant(p F32QuantParams, v float32, clip bool) uint32 {
	c := float32(math.RoundToEven(float64(v * p.Scale)))
	if clip {
		c = min(max(c, -p.Lim), p.Lim)
	}
	y := c * p.InvScale
	if y == 0 {
		return 0
	}
	return flBits(y)
}

// QuantDirectF32 is the twin of quant_direct_f32, the float view of
// quant.Direct: y = round(x·2^(kdec-1))/2^(kdec-1), exactly.
func QuantDirectF32(p F32QuantParams, y, x []uint32) {
	for i := range y[:p.N] {
		y[i] = flQuant(p, flF(x[i]), false)
	}
}

// QuantAllDirectF32 is the twin of quant_alldirect_f32, the float view of
// quant.AllDirect: y = clip(round(x·2^(kdec-1)), ±(2^(kall-1)-1))/2^(kdec-1),
// exactly.
func QuantAllDirectF32(p F32QuantParams, y, x []uint32) {
	for i := range y[:p.N] {
		y[i] = flQuant(p, flF(x[i]), true)
	}
}

// F32BNGroup is the workgroup size of the per-channel float kernels (one
// workgroup per channel).
const F32BNGroup = 256

// BNF32Params is the uniform of bn_f32, bn_eval_f32 and bn_bwd_f32 (struct
// BNF32Params in WGSL): x is NCHW with HW = H·W (1 for [N, C]).
type BNF32Params struct {
	N        uint32  // batch
	C        uint32  // channels
	HW       uint32  // H·W
	Eps      float32 // added to the variance
	Momentum float32 // running-stat momentum (bn_f32 only; PyTorch's 0.1)
	Train    uint32  // bn_bwd_f32: 1 for the backward through the batch statistics
}

// bnF32Sum is the per-channel sum of f(e) over e < m the shader computes:
// lane l of F32BNGroup adds e = l, l + F32BNGroup, ... in order, then the
// lanes are added in a tree (strides 128, 64, ..., 1).
func flSum(m uint32, f func(e uint32) float32) float32 {
	var sh [F32BNGroup]float32
	for l := range uint32(F32BNGroup) {
		var s float32
		for e := l; e < m; e += F32BNGroup {
			s += f(e)
		}
		sh[l] = s
	}
	for stride := F32BNGroup / 2; stride > 0; stride /= 2 {
		for l := range stride {
			sh[l] += sh[l+stride]
		}
	}
	return sh[0]
}

// bnAddr is the index of element e (over N·HW) of channel c.
func flBNAddr(p BNF32Params, c, e uint32) uint32 {
	return (e/p.HW*p.C+c)*p.HW + e%p.HW
}

// invStd is 1/sqrt(v + eps) in float32.
func flInvStd(v, eps float32) float32 {
	return 1 / float32(math.Sqrt(float64(v+eps)))
}

// BNF32 is the twin of bn_f32, batch norm's training forward, per channel
// c over m = N·HW elements: μ = Σx/m, σ² = Σ(x-μ)²/m (population
// variance, two passes), y = (x-μ)·(1/sqrt(σ²+ε))·γ + β; saves μ and σ² in
// mean, variance, and updates the running statistics in place as PyTorch:
// rmean = (1-mom)·rmean + mom·μ, rvar = (1-mom)·rvar + mom·σ²·m/(m-1).
func BNF32(p BNF32Params, y, mean, variance, rmean, rvar, x, gamma, beta []uint32) {
	m := p.N * p.HW
	fm := float32(m)
	for c := range p.C {
		mu := flSum(m, func(e uint32) float32 { return flF(x[flBNAddr(p, c, e)]) }) / fm
		v := flSum(m, func(e uint32) float32 { d := flF(x[flBNAddr(p, c, e)]) - mu; return d * d }) / fm
		is := flInvStd(v, p.Eps)
		g, b := flF(gamma[c]), flF(beta[c])
		for e := range m {
			a := flBNAddr(p, c, e)
			y[a] = flBits((flF(x[a])-mu)*is*g + b)
		}
		mean[c], variance[c] = flBits(mu), flBits(v)
		unbiased := v * fm / float32(m-1)
		rmean[c] = flBits((1-p.Momentum)*flF(rmean[c]) + p.Momentum*mu)
		rvar[c] = flBits((1-p.Momentum)*flF(rvar[c]) + p.Momentum*unbiased)
	}
}

// BNEvalF32 is the twin of bn_eval_f32, batch norm's evaluation forward
// with the running statistics: y = (x - rmean)·(1/sqrt(rvar+ε))·γ + β.
func BNEvalF32(p BNF32Params, y, x, gamma, beta, rmean, rvar []uint32) {
	total := p.N * p.C * p.HW
	_ = y[:total]
	for i := range total {
		c := i / p.HW % p.C
		y[i] = flBits((flF(x[i])-flF(rmean[c]))*flInvStd(flF(rvar[c]), p.Eps)*flF(gamma[c]) + flF(beta[c]))
	}
}

// BNBwdF32 is the twin of bn_bwd_f32, batch norm's backward per channel
// with statistics μ, σ² (mean, variance: the batch's saved by bn_f32 when
// Train = 1, the running ones otherwise), s = 1/sqrt(σ²+ε), x̂ = (x-μ)·s:
//
//	dβ = Σ dy, dγ = s·Σ dy·(x-μ)
//	Train = 1: dx = γ·s·(dy - dβ/m - x̂·dγ/m)   (through the batch statistics)
//	Train = 0: dx = γ·s·dy                      (fixed statistics)
func BNBwdF32(p BNF32Params, dx, dgamma, dbeta, dy, x, gamma, mean, variance []uint32) {
	m := p.N * p.HW
	fm := float32(m)
	for c := range p.C {
		mu := flF(mean[c])
		s := flInvStd(flF(variance[c]), p.Eps)
		s1 := flSum(m, func(e uint32) float32 { return flF(dy[flBNAddr(p, c, e)]) })
		s2 := flSum(m, func(e uint32) float32 { a := flBNAddr(p, c, e); return flF(dy[a]) * (flF(x[a]) - mu) })
		dg := s2 * s
		gs := flF(gamma[c]) * s
		for e := range m {
			a := flBNAddr(p, c, e)
			if p.Train != 0 {
				xh := (flF(x[a]) - mu) * s
				dx[a] = flBits(gs * (flF(dy[a]) - s1/fm - xh*dg/fm))
			} else {
				dx[a] = flBits(gs * flF(dy[a]))
			}
		}
		dgamma[c], dbeta[c] = flBits(dg), flBits(s1)
	}
}

// PoolF32Params is the uniform of the float pooling kernels (struct
// PoolF32Params in WGSL): x [N, C, H, W], y [N, C, OH, OW] with OH = (H +
// 2·PH - KH)/SH + 1 (floor mode) and OW likewise.
type PoolF32Params struct {
	N, C, H, W uint32
	OH, OW     uint32
	KH, KW     uint32 // window
	SH, SW     uint32 // stride
	PH, PW     uint32 // zero padding (implicit: never read)
	CountPad   uint32 // avgpool: 1 divides by KH·KW (PyTorch count_include_pad), 0 by the in-range count
}

// poolF32Range returns the in-range input rows [lo, hi) of output row o.
func poolF32Range(o, s, pad, k, size uint32) (lo, hi uint32) {
	start := int64(o)*int64(s) - int64(pad)
	return uint32(max(start, 0)), uint32(min(start+int64(k), int64(size)))
}

// poolF32Cover returns the output rows [lo, hi) whose window covers input row
// i: o·s - pad <= i <= o·s - pad + k - 1.
func poolF32Cover(i, s, pad, k, outSize uint32) (lo, hi uint32) {
	a := int64(i) + int64(pad) - int64(k) + 1 // o·s >= a
	if a > 0 {
		lo = uint32((a + int64(s) - 1) / int64(s))
	}
	hi = min((i+pad)/s+1, outSize)
	return lo, max(hi, lo)
}

// MaxPool2dF32 is the twin of maxpool2d_f32: y = the window's maximum over
// its in-range elements (padding never wins, as PyTorch's -inf padding),
// idx = its position h·W + w in the plane, the first (row-major) on ties.
func MaxPool2dF32(p PoolF32Params, y, idx, x []uint32) {
	total := p.N * p.C * p.OH * p.OW
	_ = y[:total]
	for i := range total {
		ow, t := i%p.OW, i/p.OW
		oh, nc := t%p.OH, t/p.OH
		h0, h1 := poolF32Range(oh, p.SH, p.PH, p.KH, p.H)
		w0, w1 := poolF32Range(ow, p.SW, p.PW, p.KW, p.W)
		best, at := float32(math.Inf(-1)), h0*p.W+w0
		first := true
		for h := h0; h < h1; h++ {
			for w := w0; w < w1; w++ {
				v := flF(x[(nc*p.H+h)*p.W+w])
				if first || v > best {
					best, at, first = v, h*p.W+w, false
				}
			}
		}
		y[i], idx[i] = flBits(best), at
	}
}

// MaxPool2dBwdF32 is the twin of maxpool2d_bwd_f32: dx[n, c, h, w] = Σ dy
// over the outputs (oh, ow ascending) whose window covers (h, w) and whose
// idx is h·W + w. A gather in a fixed order: exact on both backends.
func MaxPool2dBwdF32(p PoolF32Params, dx, dy, idx []uint32) {
	total := p.N * p.C * p.H * p.W
	_ = dx[:total]
	for i := range total {
		w, t := i%p.W, i/p.W
		h, nc := t%p.H, t/p.H
		oh0, oh1 := poolF32Cover(h, p.SH, p.PH, p.KH, p.OH)
		ow0, ow1 := poolF32Cover(w, p.SW, p.PW, p.KW, p.OW)
		var s float32
		for oh := oh0; oh < oh1; oh++ {
			for ow := ow0; ow < ow1; ow++ {
				o := (nc*p.OH+oh)*p.OW + ow
				if idx[o] == h*p.W+w {
					s += flF(dy[o])
				}
			}
		}
		dx[i] = flBits(s)
	}
}

// poolF32Div is avgpool's divisor of a window with in-range rows [h0, h1) and
// columns [w0, w1).
func poolF32Div(p PoolF32Params, h0, h1, w0, w1 uint32) float32 {
	if p.CountPad != 0 {
		return float32(p.KH * p.KW)
	}
	return float32((h1 - h0) * (w1 - w0))
}

// AvgPool2dF32 is the twin of avgpool2d_f32: y = (Σ in-range x, row-major)
// / div, div = KH·KW with CountPad, else the in-range count. Global average
// pooling is KH = H, KW = W, stride 1, no padding.
func AvgPool2dF32(p PoolF32Params, y, x []uint32) {
	total := p.N * p.C * p.OH * p.OW
	_ = y[:total]
	for i := range total {
		ow, t := i%p.OW, i/p.OW
		oh, nc := t%p.OH, t/p.OH
		h0, h1 := poolF32Range(oh, p.SH, p.PH, p.KH, p.H)
		w0, w1 := poolF32Range(ow, p.SW, p.PW, p.KW, p.W)
		var s float32
		for h := h0; h < h1; h++ {
			for w := w0; w < w1; w++ {
				s += flF(x[(nc*p.H+h)*p.W+w])
			}
		}
		y[i] = flBits(s / poolF32Div(p, h0, h1, w0, w1))
	}
}

// AvgPool2dBwdF32 is the twin of avgpool2d_bwd_f32: dx[n, c, h, w] = Σ
// dy/div over the outputs (oh, ow ascending) whose window covers (h, w).
func AvgPool2dBwdF32(p PoolF32Params, dx, dy []uint32) {
	total := p.N * p.C * p.H * p.W
	_ = dx[:total]
	for i := range total {
		w, t := i%p.W, i/p.W
		h, nc := t%p.H, t/p.H
		oh0, oh1 := poolF32Cover(h, p.SH, p.PH, p.KH, p.OH)
		ow0, ow1 := poolF32Cover(w, p.SW, p.PW, p.KW, p.OW)
		var s float32
		for oh := oh0; oh < oh1; oh++ {
			h0, h1 := poolF32Range(oh, p.SH, p.PH, p.KH, p.H)
			for ow := ow0; ow < ow1; ow++ {
				w0, w1 := poolF32Range(ow, p.SW, p.PW, p.KW, p.W)
				s += flF(dy[(nc*p.OH+oh)*p.OW+ow]) / poolF32Div(p, h0, h1, w0, w1)
			}
		}
		dx[i] = flBits(s)
	}
}

// The AdderNet kernels (Chen et al. 2020, and the reference package's
// adder.py: F.unfold with zero padding, so that the padding takes part as
// x = 0) take conv2d_f32's ConvParams and layouts (all groups in one
// dispatch, p.Group and p.RowWords ignored): x [N, C, H, W], w [K, C/G,
// KH, KW], y and dy [N, K, OH, OW], with g = k / KG.

// adderX returns x[n, g·CG + c', oh·Stride + kh - Pad, ow·Stride + kw -
// Pad], 0 in the padding.
func flAdderX(p ConvParams, x []uint32, n, c, ih, iw uint32) float32 {
	if ih < p.Pad || ih-p.Pad >= p.H || iw < p.Pad || iw-p.Pad >= p.W {
		return 0
	}
	return flF(x[((n*p.C+c)*p.H+ih-p.Pad)*p.W+iw-p.Pad])
}

// Adder2dF32 is the twin of adder2d_f32, the forward pass:
//
//	y[n, k, oh, ow] = -Σ_{c', kh, kw} |x[n, g·CG + c', oh·Stride + kh - Pad, ow·Stride + kw - Pad] - w[k, c', kh, kw]|
//
// summed in that order (no products: the backends agree exactly).
func Adder2dF32(p ConvParams, y, x, w []uint32) {
	total := p.N * p.K * p.OH * p.OW
	_, _, _ = y[:total], x[:p.N*p.C*p.H*p.W], w[:p.K*p.CG*p.KH*p.KW]
	parallelItems(total, func(i uint32) {
		ow, t := i%p.OW, i/p.OW
		oh, t := t%p.OH, t/p.OH
		k, n := t%p.K, t/p.K
		g := k / p.KG
		var sum float32
		for c := range p.CG {
			for kh := range p.KH {
				for kw := range p.KW {
					a := flAdderX(p, x, n, g*p.CG+c, oh*p.Stride+kh, ow*p.Stride+kw)
					sum += float32(math.Abs(float64(a - flF(w[((k*p.CG+c)*p.KH+kh)*p.KW+kw]))))
				}
			}
		}
		y[i] = flBits(-sum)
	})
}

// Adder2dBwdDataF32 is the twin of adder2d_bwd_data_f32, AdderNet's input
// gradient (HardTanh of the full-precision gradient):
//
//	dx[n, c, ih, iw] = Σ_{k', kh, kw} clamp(w[g·KG + k', c', kh, kw] - x[n, c, ih, iw], -1, 1)·dy[n, g·KG + k', oh, ow]
//
// with g = c / CG, c' = c mod CG, over the (kh, kw) where oh = (ih + Pad -
// kh)/Stride and ow = (iw + Pad - kw)/Stride are whole and in range.
func Adder2dBwdDataF32(p ConvParams, dx, dy, x, w []uint32) {
	total := p.N * p.C * p.H * p.W
	_, _, _, _ = dx[:total], dy[:p.N*p.K*p.OH*p.OW], x[:total], w[:p.K*p.CG*p.KH*p.KW]
	parallelItems(total, func(i uint32) {
		iw, t := i%p.W, i/p.W
		ih, t := t%p.H, t/p.H
		c, n := t%p.C, t/p.C
		g, cl := c/p.CG, c%p.CG
		xv := flF(x[i])
		var sum float32
		for kl := range p.KG {
			k := g*p.KG + kl
			for kh := range p.KH {
				y := ih + p.Pad
				if y < kh || (y-kh)%p.Stride != 0 || (y-kh)/p.Stride >= p.OH {
					continue
				}
				oh := (y - kh) / p.Stride
				for kw := range p.KW {
					xx := iw + p.Pad
					if xx < kw || (xx-kw)%p.Stride != 0 || (xx-kw)/p.Stride >= p.OW {
						continue
					}
					ow := (xx - kw) / p.Stride
					d := min(max(flF(w[((k*p.CG+cl)*p.KH+kh)*p.KW+kw])-xv, -1), 1)
					sum += float32(d * flF(dy[((n*p.K+k)*p.OH+oh)*p.OW+ow]))
				}
			}
		}
		dx[i] = flBits(sum)
	})
}

// Adder2dBwdWeightF32 is the twin of adder2d_bwd_weight_f32, AdderNet's
// full-precision weight gradient (before the adaptive scaling
// η·sqrt(K·CG·KH·KW)/(5·‖dw‖₂) of adder.py, which the layer applies):
//
//	dw[k, c', kh, kw] = Σ_{n, oh, ow} (x[n, g·CG + c', oh·Stride + kh - Pad, ow·Stride + kw - Pad] - w[k, c', kh, kw])·dy[n, k, oh, ow]
//
// the padding taking part as x = 0.
func Adder2dBwdWeightF32(p ConvParams, dw, dy, x, w []uint32) {
	total := p.K * p.CG * p.KH * p.KW
	_, _, _, _ = dw[:total], dy[:p.N*p.K*p.OH*p.OW], x[:p.N*p.C*p.H*p.W], w[:total]
	parallelItems(total, func(i uint32) {
		kw, t := i%p.KW, i/p.KW
		kh, t := t%p.KH, t/p.KH
		c, k := t%p.CG, t/p.CG
		g := k / p.KG
		wv := flF(w[i])
		var sum float32
		for n := range p.N {
			for oh := range p.OH {
				for ow := range p.OW {
					a := flAdderX(p, x, n, g*p.CG+c, oh*p.Stride+kh, ow*p.Stride+kw)
					sum += float32((a - wv) * flF(dy[((n*p.K+k)*p.OH+oh)*p.OW+ow]))
				}
			}
		}
		dw[i] = flBits(sum)
	})
}

// AdderScaleParams is the uniform of adder_grad_scale_f32 (struct
// AdderScaleParams in WGSL).
type AdderScaleParams struct {
	N uint32  // elements of dw
	K float32 // the factor after normalisation: η·sqrt(N)/5 (adder.py)
}

// AdderGradScaleF32 is the twin of adder_grad_scale_f32, AdderNet's
// adaptive gradient scaling (adder.py): out = dw / max(‖dw‖₂, 1e-12)·K,
// with ‖dw‖₂² summed by one workgroup of F32BNGroup lanes as bn_f32's sums.
func AdderGradScaleF32(p AdderScaleParams, out, dw []uint32) {
	_ = out[:p.N]
	ss := flSum(p.N, func(e uint32) float32 { v := flF(dw[e]); return v * v })
	nrm := max(float32(math.Sqrt(float64(ss))), 1e-12)
	for i := range p.N {
		out[i] = flBits(flF(dw[i]) / nrm * p.K)
	}
}
