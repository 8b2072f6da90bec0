package cpu

// Twins of shaders/reshape.wgsl — keep in sync.

// ReshapeParams is the uniform of reshape_b8, reshape_b16 and reshape_b32
// (struct ReshapeParams in WGSL).
type ReshapeParams struct {
	N        uint32 // elements
	OldLast  uint32 // last dimension of the input
	NewLast  uint32 // last dimension of the output
	OutWords uint32 // words of the output
}

// reshapeLane returns input element e with lanes of bits bits, per per word.
func reshapeLane(p ReshapeParams, in []uint32, e, bits, per uint32) uint32 {
	rowWords := (p.OldLast + per - 1) / per
	row, col := e/p.OldLast, e%p.OldLast
	w := in[row*rowWords+col/per]
	return (w >> (bits * (col % per))) & (1<<bits - 1)
}

// reshapeWord assembles output word w; lanes past the row or past N are 0.
func reshapeWord(p ReshapeParams, in []uint32, w, bits, per uint32) uint32 {
	rowWords := (p.NewLast + per - 1) / per
	row, first := w/rowWords, (w%rowWords)*per
	var out uint32
	for l := range per {
		col := first + l
		if e := row*p.NewLast + col; col < p.NewLast && e < p.N {
			out |= reshapeLane(p, in, e, bits, per) << (bits * l)
		}
	}
	return out
}

// ReshapeB8 is the twin of reshape_b8: out holds the N 8-bit elements of in
// (rows of OldLast) in rows of NewLast.
func ReshapeB8(p ReshapeParams, out, in []uint32) {
	for w := range p.OutWords {
		out[w] = reshapeWord(p, in, w, 8, 4)
	}
}

// ReshapeB16 is the twin of reshape_b16, with 16-bit elements.
func ReshapeB16(p ReshapeParams, out, in []uint32) {
	for w := range p.OutWords {
		out[w] = reshapeWord(p, in, w, 16, 2)
	}
}

// ReshapeB32 is the twin of reshape_b32: out[w] = in[w] for w < OutWords.
func ReshapeB32(p ReshapeParams, out, in []uint32) {
	copy(out[:p.OutWords], in[:p.OutWords])
}
