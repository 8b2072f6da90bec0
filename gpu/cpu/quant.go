package cpu

import (
	"math"

	"github.com/wageubn/wageubn/quant"
)

// Twins of shaders/quant.wgsl (and of shaders/lib_philox.wgsl, whose twins
// are quant.Philox4x32 and quant.RNGKey.Uint32) — keep in sync.

// QuantMaxChunk is quant_max_chunk of quant.wgsl: the elements one
// invocation of max_abs_i64 and max_abs_f32 scans, which sets their grids.
const QuantMaxChunk = 64

// log2Round is the twin of log2_round_u32 and log2_round_u64: round(log2 m)
// for m > 0 (quant.Log2Round), and 0 for m = 0, the convention of every
// quantizer below (zero codes, R = 1).
func log2Round(m uint64) int32 {
	if m == 0 {
		return 0
	}
	return int32(quant.Log2Round(m))
}

// clampI64 is the twin of quant_clamp_wide.
func clampI64(v int64, lo, hi int32) int32 { return int32(min(max(v, int64(lo)), int64(hi))) }

// roundShl is the twin of quant_round_shl_wide: v·2^-s rounded half to even for
// s in 1..63, a left shift (mod 2^64) for s in -63..0.
func roundShl(v int64, s int32) int64 {
	if s <= 0 {
		return int64(uint64(v) << uint(-s))
	}
	return quant.RoundShr(v, uint(s))
}

// wideAt returns element e of an I64 buffer.
func wideAt(w []uint32, e uint32) int64 { return FromWideWords(w[2*e], w[2*e+1]) }

// scaleIn returns in_scale[0] when has is set, else 0.
func scaleIn(has uint32, inScale []uint32) int32 {
	if has != 0 {
		return int32(inScale[0])
	}
	return 0
}

// RngParams is the uniform of rng_u32 (struct RngParams in WGSL).
type RngParams struct {
	N      uint32 // draws
	SeedLo uint32 // low word of the 64-bit seed
	SeedHi uint32 // high word of the seed
	Step   uint32 // training step
	Tensor uint32 // tensor id
}

// Key returns the quant.RNGKey of the stream.
func (p RngParams) Key() quant.RNGKey {
	return quant.RNGKey{Seed: uint64(p.SeedHi)<<32 | uint64(p.SeedLo), Step: p.Step, Tensor: p.Tensor}
}

// RngU32 is the twin of rng_u32: out[i] = p.Key().Uint32(i) for i < p.N.
func RngU32(p RngParams, out []uint32) {
	k := p.Key()
	for i := range out[:p.N] {
		out[i] = k.Uint32(uint32(i))
	}
}

// PhiloxParams is the uniform of rng_philox4x32.
type PhiloxParams struct {
	N uint32 // blocks
}

// RngPhilox4x32 is the twin of rng_philox4x32: for i < p.N, out[4i..4i+3]
// = quant.Philox4x32(in[6i..6i+3], in[6i+4..6i+5]).
func RngPhilox4x32(p PhiloxParams, out, in []uint32) {
	for i := range p.N {
		b := in[6*i : 6*i+6]
		r := quant.Philox4x32([4]uint32{b[0], b[1], b[2], b[3]}, [2]uint32{b[4], b[5]})
		copy(out[4*i:4*i+4], r[:])
	}
}

// MaxAbsI64Params is the uniform of max_abs_i64.
type MaxAbsI64Params struct {
	N     uint32 // elements (2N words)
	Phase uint32 // 0: high words, 1: low words
}

// MaxAbsI64 is the twin of max_abs_i64: phase 0 sets out[1] = max(out[1],
// max hi(|x|)); phase 1 sets out[0] = max(out[0], max lo(|x|)) over the
// elements whose hi(|x|) equals out[1]. From out = (0, 0) the two phases
// give max|x| as an unsigned 64-bit (lo, hi).
func MaxAbsI64(p MaxAbsI64Params, out, in []uint32) {
	abs := func(i uint32) uint64 {
		v := wideAt(in, i)
		if v < 0 {
			return -uint64(v)
		}
		return uint64(v)
	}
	if p.Phase == 0 {
		m := out[1]
		for i := range p.N {
			m = max(m, uint32(abs(i)>>32))
		}
		out[1] = m
		return
	}
	top, m := out[1], out[0]
	for i := range p.N {
		if a := abs(i); uint32(a>>32) == top {
			m = max(m, uint32(a))
		}
	}
	out[0] = m
}

// MaxAbsF32Params is the uniform of max_abs_f32.
type MaxAbsF32Params struct {
	N uint32 // elements
}

// MaxAbsF32 is the twin of max_abs_f32: out[0] = max(out[0], max_i
// in[i] &^ 2^31), the bits of max|x| for finite floats.
func MaxAbsF32(p MaxAbsF32Params, out, in []uint32) {
	m := out[0]
	for _, b := range in[:p.N] {
		m = max(m, b&0x7FFFFFFF)
	}
	out[0] = m
}

// WeightParams is the uniform of quant_weight.
type WeightParams struct {
	Rows  uint32 // rows of the tensor
	K     uint32 // elements per row
	KW    uint32 // output words per row, ceil(K/4)
	Shift uint32 // right shift, 0..31
}

// QuantWeight is the twin of quant_weight: lane j of output word
// r*KW + w is clamp(RoundShrI32(in[r*K + 4w+j], Shift), -127, 127) as a
// byte, 0 past K.
func QuantWeight(p WeightParams, out, in []uint32) {
	for i := range out[:p.Rows*p.KW] {
		r, w := uint32(i)/p.KW, uint32(i)%p.KW
		var word uint32
		for j := range uint32(4) {
			if c := 4*w + j; c < p.K {
				q := min(max(RoundShrI32(int32(in[r*p.K+c]), int32(p.Shift)), -127), 127)
				word |= ByteI8(q) << (8 * j)
			}
		}
		out[i] = word
	}
}

// RegridParams is the uniform of quant_regrid_i32.
type RegridParams struct {
	N     uint32 // elements
	Shift int32  // right shift (negative: left), -31..31
	Lo    int32  // lower saturation bound
	Hi    int32  // upper saturation bound, >= Lo
}

// QuantRegridI32 is the twin of quant_regrid_i32: out[i] = clamp(v, Lo, Hi)
// with v = in[i]·2^-Shift exact in int64 (rounded half to even for a right
// shift); v beyond int32 ORs ErrOverflow into errWord[0].
func QuantRegridI32(p RegridParams, out, in, errWord []uint32) {
	for i := range out[:p.N] {
		v := roundShl(int64(int32(in[i])), p.Shift)
		out[i] = uint32(clampI64(v, p.Lo, p.Hi))
		if v < math.MinInt32 || v > math.MaxInt32 {
			errWord[0] |= ErrOverflow
		}
	}
}

// RegridI64Params is the uniform of quant_regrid_i64.
type RegridI64Params struct {
	N        uint32 // elements
	Shift    int32  // right shift before the input scale (negative: left)
	Lo       int32  // lower saturation bound
	Hi       int32  // upper saturation bound, >= Lo
	HasScale uint32 // 1: subtract inScale[0] from the shift
}

// QuantRegridI64 is the twin of quant_regrid_i64: out[i] = clamp(x·2^-sh,
// Lo, Hi) for the int64 x = in[i] and sh = Shift - inScale[0] (HasScale),
// exactly (quant.RoundShr for sh > 0, a left shift otherwise); a value
// beyond int32 (or a left shift beyond int64, which saturates by the sign
// of x) ORs ErrOverflow into errWord[0].
func QuantRegridI64(p RegridI64Params, out, in, inScale, errWord []uint32) {
	sh := p.Shift - scaleIn(p.HasScale, inScale)
	for i := range out[:p.N] {
		x := wideAt(in, uint32(i))
		var v int64
		fits := true
		switch {
		case sh >= 64:
		case sh > 0:
			v = quant.RoundShr(x, uint(sh))
		default:
			k := uint(min(-sh, 63))
			v = int64(uint64(x) << k)
			fits = x == 0 || (-sh <= 63 && v>>k == x)
		}
		if !fits {
			out[i] = uint32(p.Hi)
			if x < 0 {
				out[i] = uint32(p.Lo)
			}
			errWord[0] |= ErrOverflow
			continue
		}
		out[i] = uint32(clampI64(v, p.Lo, p.Hi))
		if v < math.MinInt32 || v > math.MaxInt32 {
			errWord[0] |= ErrOverflow
		}
	}
}

// ShiftParams is the uniform of quant_shift and quant_shift_i64.
type ShiftParams struct {
	Rows     uint32 // rows
	K        uint32 // elements per row
	KW       uint32 // output words per row, ceil(K/4)
	HasScale uint32 // 1: add inScale[0] to the output scale
}

// QuantShift is the twin of quant_shift (E1): with r = log2Round(mx[0]),
// scale[0] = r - 7 (+ inScale[0]) and lane j of word row*KW + w is
// clamp(RoundShrI32(x, r-7), ±127) of x = in[row*K + 4w+j] (0 when mx[0]
// = 0 or past K).
func QuantShift(p ShiftParams, out, scale, in, mx, inScale []uint32) {
	shiftQuant(p, out, scale, uint64(mx[0]), inScale, func(e uint32, s int32) int32 {
		return min(max(RoundShrI32(int32(in[e]), s), -127), 127)
	})
}

// QuantShiftI64 is the twin of quant_shift_i64: QuantShift on I64 codes
// with the 64-bit max (lo, hi) in mx[0..1].
func QuantShiftI64(p ShiftParams, out, scale, in, mx, inScale []uint32) {
	shiftQuant(p, out, scale, uint64(FromWideWords(mx[0], mx[1])), inScale, func(e uint32, s int32) int32 {
		return clampI64(roundShl(wideAt(in, e), s), -127, 127)
	})
}

func shiftQuant(p ShiftParams, out, scale []uint32, m uint64, inScale []uint32, code func(e uint32, s int32) int32) {
	s := log2Round(m) - 7
	if p.Rows*p.KW > 0 {
		scale[0] = uint32(s + scaleIn(p.HasScale, inScale))
	}
	for i := range out[:p.Rows*p.KW] {
		row, w := uint32(i)/p.KW, uint32(i)%p.KW
		var word uint32
		for j := range uint32(4) {
			if c := 4*w + j; c < p.K && m != 0 {
				word |= ByteI8(code(row*p.K+c, s)) << (8 * j)
			}
		}
		out[i] = word
	}
}

// FlagParams is the uniform of quant_flag, quant_flag_i64 and
// quant_flag_f32.
type FlagParams struct {
	Rows     uint32 // rows
	K        uint32 // elements per row
	KW       uint32 // output words per row, ceil(K/Lanes)
	Bits     uint32 // quantizer width b, 2..16
	Lanes    uint32 // codes per output word: 2 (I16) or 1 (I32)
	HasScale uint32 // 1: add inScale[0] to the output scale
}

// flagCode is the twin of flag_code_wide: for L = l and
// h = 2^(b-1), clamp(RoundShr(x, L-(b-1)), ±(h-1))·h in integer mode (x != 0
// and |x| >= 2^(L-(b-1))), RoundShr(x, L-2(b-1)) otherwise.
func flagCode(x int64, l int32, bits uint32) int32 {
	h := int32(1) << (bits - 1)
	d := l - int32(bits-1)
	ax := uint64(x)
	if x < 0 {
		ax = -ax
	}
	if x != 0 && (d <= 0 || ax >= uint64(1)<<d) {
		return clampI64(roundShl(x, d), 1-h, h-1) * h
	}
	return int32(roundShl(x, d-int32(bits-1)))
}

// flagCodeI32 is the twin of flag_code_i32: flagCode with the int32
// shifts of WGSL (RoundShrI32), which wrap only when |x| exceeds the max.
func flagCodeI32(x int32, l int32, bits uint32) int32 {
	h := int32(1) << (bits - 1)
	d := l - int32(bits-1)
	if x != 0 && (d <= 0 || AbsU32(x) >= uint32(1)<<d) {
		return min(max(RoundShrI32(x, d), 1-h), h-1) * h
	}
	return RoundShrI32(x, d-int32(bits-1))
}

// flagPack is the twin of flag_pack.
func flagPack(word uint32, code int32, j, lanes uint32) uint32 {
	if lanes == 1 {
		return uint32(code)
	}
	return word | (uint32(code)&0xFFFF)<<(16*j)
}

// flagQuant runs the word loop of the flag kernels; exp is the output
// scale before inScale, code the per-element rule.
func flagQuant(p FlagParams, out, scale []uint32, zero bool, exp int32, inScale []uint32, code func(e uint32) int32) {
	if p.Rows*p.KW > 0 {
		scale[0] = uint32(exp + scaleIn(p.HasScale, inScale))
	}
	for i := range out[:p.Rows*p.KW] {
		row, w := uint32(i)/p.KW, uint32(i)%p.KW
		var word uint32
		for j := range p.Lanes {
			if c := p.Lanes*w + j; c < p.K && !zero {
				word = flagPack(word, code(row*p.K+c), j, p.Lanes)
			}
		}
		out[i] = word
	}
}

// QuantFlag is the twin of quant_flag (E2 on I32 codes): with L =
// log2Round(mx[0]), scale[0] = L - 2(b-1) (+ inScale[0]) and each code is
// flagCode(x, L, b), Lanes codes per word (16 bits each when Lanes = 2).
func QuantFlag(p FlagParams, out, scale, in, mx, inScale []uint32) {
	l := log2Round(uint64(mx[0]))
	flagQuant(p, out, scale, mx[0] == 0, l-2*int32(p.Bits-1), inScale, func(e uint32) int32 {
		return flagCodeI32(int32(in[e]), l, p.Bits)
	})
}

// QuantFlagI64 is the twin of quant_flag_i64: QuantFlag on I64 codes with
// the 64-bit max (lo, hi) in mx[0..1].
func QuantFlagI64(p FlagParams, out, scale, in, mx, inScale []uint32) {
	m := uint64(FromWideWords(mx[0], mx[1]))
	l := log2Round(m)
	flagQuant(p, out, scale, m == 0, l-2*int32(p.Bits-1), inScale, func(e uint32) int32 {
		return flagCode(wideAt(in, e), l, p.Bits)
	})
}

// F32Split is the twin of quant_f32_split: x = m·2^e exactly for the bits b of a
// finite float32, |m| < 2^24 (zero and subnormals: e = -149).
func F32Split(b uint32) (m, e int32) {
	ef := int32(b>>23) & 0xFF
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

// f32ScaleRound is the twin of quant_f32_scale_round: round(m·2^n) half to even
// for |m| < 2^24, saturated to ±2^30.
func f32ScaleRound(m, n int32) int32 {
	if n < 0 {
		if n < -31 {
			return 0
		}
		return RoundShrI32(m, -n)
	}
	return clampI64(int64(m)<<min(n, 32), -(1 << 30), 1<<30)
}

// QuantFlagF32 is the twin of quant_flag_f32 (E2 on the float loss
// gradient, quant.Flag exactly): with (mM, eM) = F32Split(mx[0] &^ 2^31),
// Exp = log2Round(mM) + eM - 2(b-1) and scale[0] = Exp (+ inScale[0]); for
// x = m·2^e and n = e - Exp the code is clamp(f32ScaleRound(m, n-(b-1)),
// ±(h-1))·h when m != 0 and |m|·2^n >= 2^(b-1), f32ScaleRound(m, n)
// otherwise.
func QuantFlagF32(p FlagParams, out, scale, in, mx, inScale []uint32) {
	mb := mx[0] & 0x7FFFFFFF
	b1 := int32(p.Bits - 1)
	exp := -2 * b1
	if mb != 0 {
		mm, me := F32Split(mb)
		exp = log2Round(uint64(mm)) + me - 2*b1
	}
	h := int32(1) << (p.Bits - 1)
	flagQuant(p, out, scale, mb == 0, exp, inScale, func(e uint32) int32 {
		m, ex := F32Split(in[e])
		n := ex - exp
		d := b1 - n
		if m != 0 && (d <= 0 || (d < 31 && AbsU32(m) >= 1<<d)) {
			return min(max(f32ScaleRound(m, n-b1), 1-h), h-1) * h
		}
		return f32ScaleRound(m, n)
	})
}

// ConstParams is the uniform of quant_const, quant_const_i64,
// quant_const_mag and quant_const_mag_i64.
type ConstParams struct {
	Rows     uint32 // rows
	K        uint32 // elements per row
	KW       uint32 // output words per row, ceil(K/4)
	G        uint32 // log2 g_scale, 1..7
	SeedLo   uint32 // RNG stream: seed (low, high word), step, tensor id
	SeedHi   uint32
	Step     uint32
	Tensor   uint32
	HasScale uint32 // quant_const_mag*: 1 adds inScale[0] to the output scale
}

// Key returns the quant.RNGKey of the stream.
func (p ConstParams) Key() quant.RNGKey {
	return quant.RNGKey{Seed: uint64(p.SeedHi)<<32 | uint64(p.SeedLo), Step: p.Step, Tensor: p.Tensor}
}

// constCode is the twin of const_code: clamp(SR(t·2^(g-r)), ±(2^g-1)) with
// SR = quant.StochasticShr(t, r-g, u), a left shift when r <= g.
func constCode(t int64, r int32, g uint32, u uint32) int32 {
	lim := int32(1)<<g - 1
	s := r - int32(g)
	if s <= 0 {
		return clampI64(int64(uint64(t)<<uint(-s)), -lim, lim)
	}
	return clampI64(quant.StochasticShr(t, uint(s), u), -lim, lim)
}

// constQuant runs the word loop of the const kernels.
func constQuant(p ConstParams, out []uint32, m uint64, at func(e uint32) int64) {
	r := log2Round(m)
	key := p.Key()
	for i := range out[:p.Rows*p.KW] {
		row, w := uint32(i)/p.KW, uint32(i)%p.KW
		var word uint32
		for j := range uint32(4) {
			if c := 4*w + j; c < p.K && m != 0 {
				e := row*p.K + c
				word |= ByteI8(constCode(at(e), r, p.G, key.Uint32(e))) << (8 * j)
			}
		}
		out[i] = word
	}
}

// QuantConst is the twin of quant_const (G): with r = log2Round(mx[0]),
// lane j of word row*KW + w is constCode(t, r, G, u) of t = in[e], e =
// row*K + 4w+j, u = p.Key().Uint32(e); 0 when mx[0] = 0 or past K.
func QuantConst(p ConstParams, out, in, mx []uint32) {
	constQuant(p, out, uint64(mx[0]), func(e uint32) int64 { return int64(int32(in[e])) })
}

// QuantConstI64 is the twin of quant_const_i64: QuantConst on I64 codes
// with the 64-bit max (lo, hi) in mx[0..1].
func QuantConstI64(p ConstParams, out, in, mx []uint32) {
	constQuant(p, out, uint64(FromWideWords(mx[0], mx[1])), func(e uint32) int64 { return wideAt(in, e) })
}

// QuantConstMag is the twin of quant_const_mag (full8plus G): the codes of
// QuantConst and scale[0] = log2Round(mx[0]) - G (+ inScale[0]).
func QuantConstMag(p ConstParams, out, scale, in, mx, inScale []uint32) {
	if p.Rows*p.KW > 0 {
		scale[0] = uint32(log2Round(uint64(mx[0])) - int32(p.G) + scaleIn(p.HasScale, inScale))
	}
	QuantConst(p, out, in, mx)
}

// QuantConstMagI64 is the twin of quant_const_mag_i64.
func QuantConstMagI64(p ConstParams, out, scale, in, mx, inScale []uint32) {
	if p.Rows*p.KW > 0 {
		scale[0] = uint32(log2Round(uint64(FromWideWords(mx[0], mx[1]))) - int32(p.G) + scaleIn(p.HasScale, inScale))
	}
	QuantConstI64(p, out, in, mx)
}

// DecayParams is the uniform of quant_decay and quant_decay_i64.
type DecayParams struct {
	N        uint32 // elements
	WD       uint32 // fixed-point weight decay, WD/2^frac
	Shift    int32  // dW.Exp - W.Exp + frac
	HasScale uint32 // 1: dW's scale inScale[0] adds to the shift
}

// decayTerm is the twin of decay_term: RoundShr(wd·w, sh) (0 for sh >=
// 64; a left shift for sh < 0, flagged when it leaves int64).
func decayTerm(w int32, wd uint32, sh int32) (int64, bool) {
	p := int64(wd) * int64(w) // |p| < 2^63
	if sh >= 64 {
		return 0, false
	}
	if sh >= 0 {
		return quant.RoundShr(p, uint(sh)), false
	}
	k := uint(min(-sh, 63))
	q := int64(uint64(p) << k)
	return q, -sh > 63 || q>>k != p
}

// decay is the per-element body of the decay twins.
func decay(p DecayParams, out, scale []uint32, inScale []uint32, errWord []uint32, dw func(i uint32) int64, w []uint32) {
	sc := scaleIn(p.HasScale, inScale)
	if p.N > 0 {
		scale[0] = uint32(sc)
	}
	for i := range p.N {
		term, ovf := decayTerm(int32(w[i]), p.WD, p.Shift+sc)
		a := dw(i)
		t := int64(uint64(a) + uint64(term))
		if (a^t)&(term^t) < 0 {
			ovf = true
		}
		out[2*i], out[2*i+1] = WideWords(t)
		if ovf {
			errWord[0] |= ErrOverflow
		}
	}
}

// QuantDecay is the twin of quant_decay: for i < p.N, t = dw[i] +
// decayTerm(w[i], WD, Shift + scale) as int64 words (lo, hi), scale[0] =
// the input scale (0 without one); int64 overflow ORs ErrOverflow into
// errWord[0].
func QuantDecay(p DecayParams, out, scale, dw, w, inScale, errWord []uint32) {
	decay(p, out, scale, inScale, errWord, func(i uint32) int64 { return int64(int32(dw[i])) }, w)
}

// QuantDecayI64 is the twin of quant_decay_i64: QuantDecay with an I64 dW.
func QuantDecayI64(p DecayParams, out, scale, dw, w, inScale, errWord []uint32) {
	decay(p, out, scale, inScale, errWord, func(i uint32) int64 { return wideAt(dw, i) }, w)
}

// TqtParams is the uniform of the TQT kernels.
type TqtParams struct {
	N    uint32 // elements
	Bits uint32 // width, 1..24
}

// tqtLn2 is TQT_LN2: float32(ln 2), the constant of quant's backward.
const tqtLn2 = float32(math.Ln2)

// tqtGrid is the twin of tqt_grid: (e, n, p).
func tqtGrid(log2t float32, bits uint32, signed bool) (e int, n, p float32) {
	c := int(math.Ceil(float64(log2t)))
	if signed {
		h := float32(uint32(1) << (bits - 1))
		return c - int(bits-1), -h, h - 1
	}
	return c - int(bits), 0, float32(uint32(1)<<bits - 1)
}

// ldexp32 is WGSL's ldexp on f32: x·2^k rounded to float32.
func ldexp32(x float32, k int) float32 { return float32(math.Ldexp(float64(x), k)) }

func tqtForward(x float32, e int, n, p float32) float32 {
	r := float32(math.RoundToEven(float64(ldexp32(x, -e))))
	return ldexp32(min(max(r, n), p), e)
}

// tqtBackward forms the term at the scale of x (r·s - x, not (r - v)·s) as
// its shader does, so that no subnormal v = x/s is scaled back up: a GPU
// may flush it.
func tqtBackward(x, g float32, e int, n, p float32) (gi, dl float32) {
	r := float32(math.RoundToEven(float64(ldexp32(x, -e))))
	ts := ldexp32(p, e)
	if r < n {
		ts = ldexp32(n, e)
	} else if r <= p {
		gi = g
		ts = ldexp32(r, e) - x
	}
	return gi, g * (tqtLn2 * ts)
}

func f32s(w []uint32, i uint32) float32 { return math.Float32frombits(w[i]) }

// TqtQSignedF32 is the twin of tqt_qsigned_f32: out[i] = clamp(round(x/s),
// n, p)·s for i < p.N, s = 2^e from log2t[0] (see tqtGrid).
func TqtQSignedF32(p TqtParams, out, x, log2t []uint32) { tqtFwd(p, out, x, log2t, true) }

// TqtQUnsignedF32 is the twin of tqt_qunsigned_f32.
func TqtQUnsignedF32(p TqtParams, out, x, log2t []uint32) { tqtFwd(p, out, x, log2t, false) }

func tqtFwd(p TqtParams, out, x, log2t []uint32, signed bool) {
	e, n, pp := tqtGrid(f32s(log2t, 0), p.Bits, signed)
	for i := range p.N {
		out[i] = math.Float32bits(tqtForward(f32s(x, i), e, n, pp))
	}
}

// TqtQSignedBwdF32 is the twin of tqt_qsigned_bwd_f32: gradIn[i] =
// g·[n <= r <= p] and dl[i] = g·(ln2·term)·s (float32 products).
func TqtQSignedBwdF32(p TqtParams, gradIn, dl, x, gradOut, log2t []uint32) {
	tqtBwd(p, gradIn, dl, x, gradOut, log2t, true)
}

// TqtQUnsignedBwdF32 is the twin of tqt_qunsigned_bwd_f32.
func TqtQUnsignedBwdF32(p TqtParams, gradIn, dl, x, gradOut, log2t []uint32) {
	tqtBwd(p, gradIn, dl, x, gradOut, log2t, false)
}

func tqtBwd(p TqtParams, gradIn, dl, x, gradOut, log2t []uint32, signed bool) {
	e, n, pp := tqtGrid(f32s(log2t, 0), p.Bits, signed)
	for i := range p.N {
		gi, d := tqtBackward(f32s(x, i), f32s(gradOut, i), e, n, pp)
		gradIn[i], dl[i] = math.Float32bits(gi), math.Float32bits(d)
	}
}

// TqtSumParams is the uniform of tqt_sum_f32.
type TqtSumParams struct {
	N uint32 // elements
}

// TqtSumF32 is the twin of tqt_sum_f32: 64 partial sums over the strides
// l, l+64, ..., added pairwise (stride 32, 16, ..., 1), in float32.
func TqtSumF32(p TqtSumParams, out, in []uint32) {
	var part [64]float32
	for l := range uint32(64) {
		var s float32
		for i := l; i < p.N; i += 64 {
			s += f32s(in, i)
		}
		part[l] = s
	}
	for stride := 32; stride > 0; stride /= 2 {
		for l := range stride {
			part[l] += part[l+stride]
		}
	}
	out[0] = math.Float32bits(part[0])
}
