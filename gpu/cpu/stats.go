package cpu

import "math/bits"

// Twins of shaders/stats.wgsl — keep in sync.

// SumParams is the uniform of sum_i32_wide (struct SumParams in WGSL).
type SumParams struct {
	Rows   uint32 // rows summed separately (1: the whole tensor)
	Cols   uint32 // elements per row
	Chunks uint32 // ceil(Cols / SumChunk)
}

// SumChunk is SUM_CHUNK of stats.wgsl, the elements one invocation adds.
const SumChunk = 256

// SumI32Wide is the twin of sum_i32_wide: out[r] += Σ_j in[r·Cols + j] as
// int64 (two words, lo and hi) for every row r, wrapping mod 2^64.
func SumI32Wide(p SumParams, out, in []uint32) {
	for r := range p.Rows {
		s := FromWideWords(out[2*r], out[2*r+1])
		for _, v := range in[r*p.Cols : (r+1)*p.Cols] {
			s += int64(int32(v))
		}
		out[2*r], out[2*r+1] = WideWords(s)
	}
}

// SumSqParams is the uniform of sumsq_i32_wide (struct SumSqParams in WGSL).
type SumSqParams struct {
	Rows   uint32 // rows summed separately (1: the whole tensor)
	Cols   uint32 // elements per row
	Chunks uint32 // ceil(Cols / SumChunk)
}

// SumSqI32Wide is the twin of sumsq_i32_wide: out[r] += Σ_j in[r·Cols+j]²
// as an unsigned 64-bit (lo, hi) pair, mod 2^64; a total that reaches 2^64
// sets ErrOverflow in errWord[0].
func SumSqI32Wide(p SumSqParams, out, in, errWord []uint32) {
	for r := range p.Rows {
		s := uint64(out[2*r+1])<<32 | uint64(out[2*r])
		for _, v := range in[r*p.Cols : (r+1)*p.Cols] {
			x := int64(int32(v))
			var carry uint64
			s, carry = bits.Add64(s, uint64(x*x), 0)
			if carry != 0 {
				errWord[0] |= ErrOverflow
			}
		}
		out[2*r], out[2*r+1] = uint32(s), uint32(s>>32)
	}
}

// HistParams is the uniform of histogram_i32 (struct HistParams in WGSL).
type HistParams struct {
	N     uint32 // elements
	Lo    int32  // lowest code counted
	Width uint32 // hi - lo + 1 codes counted, >= 1
	Bins  uint32 // bins, >= 1
}

// HistogramI32 is the twin of histogram_i32: out[b] += the number of codes
// x with u = x - Lo (mod 2^32) < Width and floor(u·Bins/Width) = b.
func HistogramI32(p HistParams, out, in []uint32) {
	for _, v := range in[:p.N] {
		u := v - uint32(p.Lo)
		if u >= p.Width {
			continue
		}
		out[uint64(u)*uint64(p.Bins)/uint64(p.Width)]++
	}
}
