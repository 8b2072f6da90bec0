package cpu

// Twins of shaders/pool.wgsl — keep in sync.

// PoolParams is the uniform of every pool kernel (struct PoolParams in
// WGSL). Tensors are NCHW with Planes = N·C; U8 and I8 tensors are packed 4
// per word along the last dimension, each row starting a new word.
type PoolParams struct {
	Planes uint32 // N·C
	H      uint32 // input height
	W      uint32 // input width
	OH     uint32 // output height, (H + 2PH - KH)/SH + 1
	OW     uint32 // output width, (W + 2PW - KW)/SW + 1
	KH     uint32 // window height
	KW     uint32 // window width
	SH     uint32 // stride along h
	SW     uint32 // stride along w
	PH     uint32 // padding along h
	PW     uint32 // padding along w
	DI8    uint32 // backward: 1 if δ is I8 (packed along OW), 0 if I32
	T      uint32 // avgpool2d_bwd: ceil(log2(KH·KW)), bits folded into the exponent
}

// poolByte is the twin of pool_byte.
func poolByte(w, l uint32) uint32 { return w >> (8 * l) & 0xFF }

// poolWindow calls f(iy, ix) for every in-range input position of output
// (oy, ox)'s window, in row-major window order.
func poolWindow(p PoolParams, oy, ox uint32, f func(iy, ix int32)) {
	for dy := range p.KH {
		iy := int32(oy*p.SH+dy) - int32(p.PH)
		if iy < 0 || iy >= int32(p.H) {
			continue
		}
		for dx := range p.KW {
			ix := int32(ox*p.SW+dx) - int32(p.PW)
			if ix < 0 || ix >= int32(p.W) {
				continue
			}
			f(iy, ix)
		}
	}
}

// Maxpool2dFwd is the twin of maxpool2d_fwd: max pooling of U8 codes
// in [Planes, H, W] into out [Planes, OH, OW] (U8) and arg (I32, the index
// iy·W + ix within the plane of the first maximum in row-major window
// order; -1 with code 0 for a window wholly in the padding).
func Maxpool2dFwd(p PoolParams, out, arg, in []uint32) {
	cwo, cwi := (p.OW+3)/4, (p.W+3)/4
	for wi := range out[:p.Planes*p.OH*cwo] {
		row := uint32(wi) / cwo
		pl, oy, ox0 := row/p.OH, row%p.OH, uint32(wi)%cwo*4
		var word uint32
		for l := range uint32(4) {
			ox := ox0 + l
			if ox >= p.OW {
				break
			}
			best, a := uint32(0), int32(-1)
			poolWindow(p, oy, ox, func(iy, ix int32) {
				v := poolByte(in[(pl*p.H+uint32(iy))*cwi+uint32(ix)/4], uint32(ix)%4)
				if a < 0 || v > best {
					best, a = v, iy*int32(p.W)+ix
				}
			})
			word |= best << (8 * l)
			arg[row*p.OW+ox] = uint32(a)
		}
		out[wi] = word
	}
}

// poolRange is the twin of pool_range: the outputs [first, last) whose
// window contains input index i, clipped to [0, n).
func poolRange(i, k, s, pad, n uint32) (first, last uint32) {
	if lo := int32(i+pad) - int32(k) + 1; lo > 0 {
		first = (uint32(lo) + s - 1) / s
	}
	return first, max(first, min((i+pad)/s+1, n))
}

// poolDelta reads δ[row, ox] of a tensor [rows, OW], I8 packed along OW or
// I32 (the twin of pool_delta_mp and pool_delta_ap).
func poolDelta(p PoolParams, d []uint32, row, ox uint32) int32 {
	if p.DI8 != 0 {
		return SignExtendI8(d[row*((p.OW+3)/4)+ox/4], ox%4)
	}
	return int32(d[row*p.OW+ox])
}

// Maxpool2dBwd is the twin of maxpool2d_bwd, the gather form of the
// max-pool backward: for every input position (plane, iy, ix), out = the
// int32 sum (wrapping, ErrOverflow in errWord[0] when it does) of δ over
// the windows containing it whose argmax it is.
func Maxpool2dBwd(p PoolParams, out, d, arg, errWord []uint32) {
	total := p.Planes * p.H * p.W
	_ = out[:total]
	flaggedChunks(total, 4096, errWord, func(lo, hi uint32, flag *uint32) {
		for u := lo; u < hi; u++ {
			pl, iy, ix := u/(p.H*p.W), u/p.W%p.H, u%p.W
			me := int32(iy*p.W + ix)
			y0, y1 := poolRange(iy, p.KH, p.SH, p.PH, p.OH)
			x0, x1 := poolRange(ix, p.KW, p.SW, p.PW, p.OW)
			var s int32
			for oy := y0; oy < y1; oy++ {
				row := pl*p.OH + oy
				for ox := x0; ox < x1; ox++ {
					if int32(arg[row*p.OW+ox]) == me {
						v := poolDelta(p, d, row, ox)
						if AddOverflows(s, v) {
							*flag |= ErrOverflow
						}
						s += v
					}
				}
			}
			out[u] = uint32(s)
		}
	})
}

// poolRoundDiv returns s/d rounded half to even, for d > 0.
func poolRoundDiv(s, d uint32) uint32 {
	q, r := s/d, s%d
	if r > d-r || (r == d-r && q&1 != 0) {
		q++
	}
	return q
}

// Avgpool2dFwd is the twin of avgpool2d_fwd: out = RoundDiv(window sum,
// KH·KW) of U8 codes (padding counts as zero), exact.
func Avgpool2dFwd(p PoolParams, out, in []uint32) {
	cwo, cwi := (p.OW+3)/4, (p.W+3)/4
	d := p.KH * p.KW
	for wi := range out[:p.Planes*p.OH*cwo] {
		row := uint32(wi) / cwo
		pl, oy, ox0 := row/p.OH, row%p.OH, uint32(wi)%cwo*4
		var word uint32
		for l := range uint32(4) {
			ox := ox0 + l
			if ox >= p.OW {
				break
			}
			var s uint32
			poolWindow(p, oy, ox, func(iy, ix int32) {
				s += poolByte(in[(pl*p.H+uint32(iy))*cwi+uint32(ix)/4], uint32(ix)%4)
			})
			word |= poolRoundDiv(s, d) << (8 * l)
		}
		out[wi] = word
	}
}

// Avgpool2dBwd is the twin of avgpool2d_bwd: for every input position, S =
// the exact sum of δ over the windows containing it, and out =
// RoundDiv(S·2^T, KH·KW) (exponent e_δ - T); ErrOverflow with 0 written
// when |S| >= 2^(62-T), and ErrOverflow with the low word written when the
// result does not fit int32.
func Avgpool2dBwd(p PoolParams, out, d, errWord []uint32) {
	dd := p.KH * p.KW
	for i := range out[:p.Planes*p.H*p.W] {
		u := uint32(i)
		pl, iy, ix := u/(p.H*p.W), u/p.W%p.H, u%p.W
		y0, y1 := poolRange(iy, p.KH, p.SH, p.PH, p.OH)
		x0, x1 := poolRange(ix, p.KW, p.SW, p.PW, p.OW)
		var s int64
		for oy := y0; oy < y1; oy++ {
			row := pl*p.OH + oy
			for ox := x0; ox < x1; ox++ {
				s += int64(poolDelta(p, d, row, ox))
			}
		}
		abs := uint64(s)
		if s < 0 {
			abs = -abs
		}
		if abs >= 1<<(62-p.T) {
			out[i] = 0
			errWord[0] |= ErrOverflow
			continue
		}
		q := s
		if dd != 1<<p.T {
			q = RoundDiv(s<<p.T, dd)
		}
		out[i] = uint32(q)
		if q != int64(int32(q)) {
			errWord[0] |= ErrOverflow
		}
	}
}
