package cpu

// Integer AdderNet (method.md B§7.2, [AdderNet]) on codes: shaders/nnadder.wgsl.
// All three kernels read x, w and dy as int32 codes, one word each (the
// typed wrappers widen narrower codes first), put x and w on their common
// grid by the left shifts SX and SW, and take the zero padding as x = 0.
// The wrappers prove every bound (no int32 sum wraps, no int64 sum leaves
// int64), so the kernels carry no error word.

// AdderI32Params is the geometry of the integer adder kernels: input
// [N, C, H, W], weights [K, CG, KH, KW], output [N, K, OH, OW], CG = C/G and
// KG = K/G for G groups; SX, SW: left shifts of the x and w codes onto the
// common grid; Lim: the HardTanh bound 1 in codes of that grid.
type AdderI32Params struct {
	N, C, H, W, K, KH, KW, OH, OW, Stride, Pad, CG, KG uint32
	SX, SW                                             uint32
	Lim                                                int32
}

// adderXI32 returns x[n, c, ih - Pad, iw - Pad]·2^SX, or 0 in the padding.
func adderXI32(p AdderI32Params, x []uint32, n, c, ih, iw uint32) int32 {
	if ih < p.Pad || ih-p.Pad >= p.H || iw < p.Pad || iw-p.Pad >= p.W {
		return 0
	}
	return Shl(int32(x[((n*p.C+c)*p.H+ih-p.Pad)*p.W+iw-p.Pad]), p.SX)
}

// Adder2dI32 is the twin of adder2d_i32, the forward pass:
//
//	y[n, k, oh, ow] = -Σ_{c', kh, kw} |x·2^SX - w[k, c', kh, kw]·2^SW|
//
// with x = x[n, g·CG + c', oh·Stride + kh - Pad, ow·Stride + kw - Pad],
// g = k / KG, in int32.
func Adder2dI32(p AdderI32Params, y, x, w []uint32) {
	total := p.N * p.K * p.OH * p.OW
	_, _, _ = y[:total], x[:p.N*p.C*p.H*p.W], w[:p.K*p.CG*p.KH*p.KW]
	parallelItems(total, func(i uint32) {
		ow, t := i%p.OW, i/p.OW
		oh, t := t%p.OH, t/p.OH
		k, n := t%p.K, t/p.K
		g := k / p.KG
		var sum int32
		for c := range p.CG {
			for kh := range p.KH {
				for kw := range p.KW {
					d := adderXI32(p, x, n, g*p.CG+c, oh*p.Stride+kh, ow*p.Stride+kw) -
						Shl(int32(w[((k*p.CG+c)*p.KH+kh)*p.KW+kw]), p.SW)
					sum += max(d, -d)
				}
			}
		}
		y[i] = uint32(-sum)
	})
}

// Adder2dBwdDataI32 is the twin of adder2d_bwd_data_i32, AdderNet's input
// gradient with the HardTanh of the full-precision gradient, exact in
// int64 (dx as (lo, hi) word pairs):
//
//	dx[n, c, ih, iw] = Σ_{k', kh, kw} clamp(w·2^SW - x·2^SX, -Lim, Lim)·dy[n, g·KG + k', oh, ow]
//
// with g = c / CG, w = w[g·KG + k', c mod CG, kh, kw], over the (kh, kw)
// where oh = (ih + Pad - kh)/Stride and ow = (iw + Pad - kw)/Stride are
// whole and in range.
func Adder2dBwdDataI32(p AdderI32Params, dx, dy, x, w []uint32) {
	total := p.N * p.C * p.H * p.W
	_, _, _, _ = dx[:2*total], dy[:p.N*p.K*p.OH*p.OW], x[:total], w[:p.K*p.CG*p.KH*p.KW]
	parallelItems(total, func(i uint32) {
		iw, t := i%p.W, i/p.W
		ih, t := t%p.H, t/p.H
		c, n := t%p.C, t/p.C
		g, cl := c/p.CG, c%p.CG
		xv := Shl(int32(x[i]), p.SX)
		var sum int64
		for kl := range p.KG {
			k := g*p.KG + kl
			for kh := range p.KH {
				ty := ih + p.Pad - kh // ih + Pad >= kh, else no output
				if ih+p.Pad < kh || ty%p.Stride != 0 || ty/p.Stride >= p.OH {
					continue
				}
				for kw := range p.KW {
					tx := iw + p.Pad - kw
					if iw+p.Pad < kw || tx%p.Stride != 0 || tx/p.Stride >= p.OW {
						continue
					}
					d := Shl(int32(w[((k*p.CG+cl)*p.KH+kh)*p.KW+kw]), p.SW) - xv
					d = min(max(d, -p.Lim), p.Lim)
					sum += int64(d) * int64(int32(dy[((n*p.K+k)*p.OH+ty/p.Stride)*p.OW+tx/p.Stride]))
				}
			}
		}
		dx[2*i], dx[2*i+1] = uint32(sum), uint32(uint64(sum)>>32)
	})
}

// Adder2dBwdWeightI32 is the twin of adder2d_bwd_weight_i32, AdderNet's
// full-precision weight gradient, exact in int64 (dw as (lo, hi) pairs):
//
//	dw[k, c', kh, kw] = Σ_{n, oh, ow} (x·2^SX - w[k, c', kh, kw]·2^SW)·dy[n, k, oh, ow]
//
// with x as in Adder2dI32 (0 in the padding).
func Adder2dBwdWeightI32(p AdderI32Params, dw, dy, x, w []uint32) {
	total := p.K * p.CG * p.KH * p.KW
	_, _, _, _ = dw[:2*total], dy[:p.N*p.K*p.OH*p.OW], x[:p.N*p.C*p.H*p.W], w[:total]
	parallelItems(total, func(i uint32) {
		kw, t := i%p.KW, i/p.KW
		kh, t := t%p.KH, t/p.KH
		c, k := t%p.CG, t/p.CG
		g := k / p.KG
		wv := Shl(int32(w[i]), p.SW)
		var sum int64
		for n := range p.N {
			for oh := range p.OH {
				for ow := range p.OW {
					d := adderXI32(p, x, n, g*p.CG+c, oh*p.Stride+kh, ow*p.Stride+kw) - wv
					sum += int64(d) * int64(int32(dy[((n*p.K+k)*p.OH+oh)*p.OW+ow]))
				}
			}
		}
		dw[2*i], dw[2*i+1] = uint32(sum), uint32(uint64(sum)>>32)
	})
}
