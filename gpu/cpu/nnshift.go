package cpu

// nnShiftF32Split is the twin of nn2_f32_split: the exact decomposition
// x = m·2^e of a finite float32 from its bits (|m| < 2^24; zero and
// subnormals have e = -149).
func nnShiftF32Split(b uint32) (m, e int32) {
	ef := int32(b >> 23 & 0xFF)
	f := int32(b & 0x7FFFFF)
	m, e = f|0x800000, ef-150
	if ef == 0 {
		m, e = f, -149
	}
	if b>>31 != 0 {
		m = -m
	}
	return m, e
}

// nnShiftCode is the twin of nn2_shift_code: clamp(round(m·2^n), ±127) for
// |m| < 2^24, rounded half to even.
func nnShiftCode(m, n int32) int32 {
	switch {
	case n < -31:
		return 0
	case n < 0:
		return min(max(RoundShrI32(m, -n), -127), 127)
	case n >= 8:
		return min(max(m, -1), 1) * 127
	default:
		return min(max(m<<uint(n), -127), 127)
	}
}

// ShiftF32I8 is the twin of shift_f32_i8, E1 (quant_shift) on float32
// values, exactly as quant.Shift at k = 8: with (mM, eM) the split of
// mx[0] (the bits of max|x|, max_abs_f32), r = round(log2 mM) + eM and
// Exp = r - 7, each x = m·2^e gets the code clamp(round(m·2^(e-Exp)),
// ±127), packed as int8 lanes along rows of K like quant_shift; scale[0] =
// Exp (+ inScale[0]). A zero max gives zero codes and scale -7.
func ShiftF32I8(p ShiftParams, out, scale, in, mx, inScale []uint32) {
	mb := mx[0] & 0x7FFFFFFF
	exp := int32(-7)
	if mb != 0 {
		m, e := nnShiftF32Split(mb)
		exp = log2Round(uint64(m)) + e - 7
	}
	if p.Rows*p.KW > 0 {
		scale[0] = uint32(exp + scaleIn(p.HasScale, inScale))
	}
	for i := range out[:p.Rows*p.KW] {
		row, w := uint32(i)/p.KW, uint32(i)%p.KW
		var word uint32
		for j := range uint32(4) {
			if c := 4*w + j; c < p.K && mb != 0 {
				m, e := nnShiftF32Split(in[row*p.K+c])
				word |= ByteI8(nnShiftCode(m, e-exp)) << (8 * j)
			}
		}
		out[i] = word
	}
}
