package cpu

// Twins of shaders/pack.wgsl — keep in sync.

// PackParams is the uniform of pack_i8 and pack_i8_t (struct PackParams).
type PackParams struct {
	Rows uint32 // output rows
	K    uint32 // int8 values per output row
	KW   uint32 // words per output row, ceil(K/4)
}

// PackI8 is the twin of pack_i8: in is [Rows, K] int32; for every output
// word i = r*KW + w, lane j holds ByteI8(in[r*K + 4w+j]) when 4w+j < K and 0
// otherwise.
func PackI8(p PackParams, out, in []uint32) {
	for i := range out[:p.Rows*p.KW] {
		r, w := uint32(i)/p.KW, uint32(i)%p.KW
		var word uint32
		for j := range uint32(4) {
			if kk := 4*w + j; kk < p.K {
				word |= ByteI8(int32(in[r*p.K+kk])) << (8 * j)
			}
		}
		out[i] = word
	}
}

// PackI8T is the twin of pack_i8_t: in is [K, Rows] int32 (the transpose);
// lane j of output word r*KW + w holds ByteI8(in[(4w+j)*Rows + r]) when
// 4w+j < K and 0 otherwise.
func PackI8T(p PackParams, out, in []uint32) {
	for i := range out[:p.Rows*p.KW] {
		r, w := uint32(i)/p.KW, uint32(i)%p.KW
		var word uint32
		for j := range uint32(4) {
			if kk := 4*w + j; kk < p.K {
				word |= ByteI8(int32(in[kk*p.Rows+r])) << (8 * j)
			}
		}
		out[i] = word
	}
}
