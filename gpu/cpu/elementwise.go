package cpu

// Twins of shaders/elementwise.wgsl — keep in sync.

// FillParams is the uniform of fill_u32 (struct FillParams in WGSL).
type FillParams struct {
	N     uint32 // words to write
	Value uint32 // the word written
}

// FillU32 is the twin of fill_u32: out[i] = p.Value for i < p.N.
func FillU32(p FillParams, out []uint32) {
	for i := range out[:p.N] {
		out[i] = p.Value
	}
}

// ReluParams is the uniform of relu_i32 (struct ReluParams in WGSL).
type ReluParams struct {
	N uint32 // elements
}

// ReluI32 is the twin of relu_i32: out[i] = max(in[i], 0) for i < p.N, on
// int32 codes (the exponent is unchanged).
func ReluI32(p ReluParams, out, in []uint32) {
	for i := range out[:p.N] {
		out[i] = uint32(max(int32(in[i]), 0))
	}
}

// AddParams is the uniform of add_i32 (struct AddParams in WGSL).
type AddParams struct {
	N      uint32 // elements
	ShiftA uint32 // left shift of a (bits)
	ShiftB uint32 // left shift of b (bits)
}

// AddI32 is the twin of add_i32, the residual add with exponent alignment:
// out[i] = Shl(a[i], p.ShiftA) + Shl(b[i], p.ShiftB) for i < p.N, with i32
// wrap-around as in WGSL; a shift or sum that wraps ORs ErrOverflow into
// errWord[0].
func AddI32(p AddParams, out, a, b, errWord []uint32) {
	for i := range out[:p.N] {
		x, y := int32(a[i]), int32(b[i])
		sa, sb := Shl(x, p.ShiftA), Shl(y, p.ShiftB)
		out[i] = uint32(sa + sb)
		if ShlOverflows(x, p.ShiftA) || ShlOverflows(y, p.ShiftB) || AddOverflows(sa, sb) {
			errWord[0] |= ErrOverflow
		}
	}
}
