package cpu

import (
	"math"
	"math/bits"

	"github.com/wageubn/wageubn/quant"
)

// Twins of shaders/bn.wgsl — keep in sync. Batch norm in integer
// arithmetic (docs/dataflow.md "Forward 3." and "Backward 6.", method.md
// A2, A9, B§2.4). Per channel c of an NCHW tensor there are n = N·HW
// values; element k < n of channel c sits at index ((k/HW)·C + c)·HW + k%HW.
//
// Wide values are int64 here and (lo, hi) u32 pairs in WGSL. A wide sum or
// product that leaves int64 saturates (to MaxInt64, or MinInt64 when
// negative) and ORs ErrOverflow into the error word; the saturated value
// flows on, so both backends still agree word for word. Every other
// overflow (an int32 or int16 result out of range) also saturates and
// flags.

// BNGroup is bn_group of bn.wgsl: the workgroup size of the per-channel
// reductions (bn_stats, bn_bwd_reduce), one workgroup per channel. Thread t
// sums the channel's elements k ≡ t (mod BNGroup) in increasing k, then
// the partial sums are added in a binary tree (stride 128, 64, ..., 1), the
// same order on both backends.
const BNGroup = 256

// BNKBits is bn_k_bits of bn.wgsl: bn_bwd_grads picks the per-channel
// shift S so that k = RoundDiv(|γ8|·2^S, σ·n) lies in (2^(BNKBits-1),
// 2^(BNKBits+1)) when S is not clamped.
const BNKBits = 24

// BNDxShift is bn_dx_d of bn.wgsl, D = S' - S: bn_bwd_dx computes
// δz = RoundShr(T·k, S + D) with exponent e1 - 6 + D = e1 - 38.
const BNDxShift = -32

// bnSat is the saturated value of the sign: MinInt64 if neg, else MaxInt64.
func bnSat(neg bool) int64 {
	if neg {
		return math.MinInt64
	}
	return math.MaxInt64
}

// bnAdd is bn_add: a + b, saturated and flagged when it leaves int64.
func bnAdd(a, b int64, flag *uint32) int64 {
	s := a + b
	if (a^s)&(b^s) < 0 {
		*flag |= ErrOverflow
		return bnSat(a < 0)
	}
	return s
}

// bnAbs is |a| as uint64 (exact for MinInt64).
func bnAbs(a int64) uint64 {
	if a < 0 {
		return -uint64(a)
	}
	return uint64(a)
}

// bnSigned is bn_signed: ±m for a magnitude m, saturated and flagged when it
// leaves int64 (-2^63 is allowed).
func bnSigned(m uint64, neg bool, flag *uint32) int64 {
	if neg {
		if m > 1<<63 {
			*flag |= ErrOverflow
			return math.MinInt64
		}
		return int64(-m)
	}
	if m > math.MaxInt64 {
		*flag |= ErrOverflow
		return math.MaxInt64
	}
	return int64(m)
}

// bnMul is bn_mul: a·(±b) for a wide a and a u32 magnitude b with sign
// bneg, saturated and flagged when the product leaves int64.
func bnMul(a int64, b uint32, bneg bool, flag *uint32) int64 {
	neg := (a < 0) != bneg
	hi, lo := bits.Mul64(bnAbs(a), uint64(b))
	if hi != 0 {
		*flag |= ErrOverflow
		return bnSat(neg)
	}
	return bnSigned(lo, neg && lo != 0, flag)
}

// bnMulI is bnMul by an i32 b.
func bnMulI(a int64, b int32, flag *uint32) int64 { return bnMul(a, AbsU32(b), b < 0, flag) }

// bnSub is bn_sub: a - b, saturated and flagged when it leaves int64.
func bnSub(a, b int64, flag *uint32) int64 {
	s := a - b
	if (a^b)&(a^s) < 0 {
		*flag |= ErrOverflow
		return bnSat(a < 0)
	}
	return s
}

// bnI32 is bn_i32: a saturated to int32, flagged when out of range.
func bnI32(a int64, flag *uint32) int32 {
	if a > math.MaxInt32 || a < math.MinInt32 {
		*flag |= ErrOverflow
		if a < 0 {
			return math.MinInt32
		}
		return math.MaxInt32
	}
	return int32(a)
}

// bnZ is bn_z: z' = z·2^s on the exponent -15 grid, s = e_z + 15 in
// -31..31: a left shift (exact, |z'| < 2^62) for s >= 0, RoundShr(z, -s)
// (half to even, i.e. Q(z, 16)) for s < 0.
func bnZ(z int32, s int32) int64 {
	if s >= 0 {
		return int64(z) << uint(s)
	}
	return int64(RoundShrI32(z, -s))
}

// bnRoundHalf is bn_round_half: q + 1 when the remainder r of a division by
// d is above d/2, or at d/2 with q odd (round half to even); r < d.
func bnRoundHalf(q, r, d uint64) uint64 {
	if r > d-r || (r == d-r && q&1 != 0) {
		return q + 1
	}
	return q
}

// bnRoundSqrt is bn_round_sqrt: the integer r nearest to sqrt(S/n), ties
// up, decided exactly: (2r-1)²·n <= 4S < (2r+1)²·n. With Q = floor(S/n),
// R = S mod n and f = ISqrt(Q): f <= sqrt(S/n) < f+1 (since S/n < Q+1 <=
// (f+1)²), and r = f+1 iff S/n >= (f+1/2)² = f²+f+1/4, i.e. iff Q > f²+f,
// or Q = f²+f and 4R >= n (R >= ceil(n/4)); for Q < f²+f, S/n < Q+1 <=
// f²+f. No product leaves 64 bits: S < 2^63, f < 2^31.5, f²+f < 2^64.
func bnRoundSqrt(s uint64, n uint32) uint32 {
	q, r := s/uint64(n), uint32(s%uint64(n))
	f := ISqrt(q)
	ff := uint64(f)*uint64(f) + uint64(f)
	if q > ff || (q == ff && r >= n>>2+min(n&3, 1)) {
		return f + 1
	}
	return f
}

// BNStatsParams is the uniform of bn_stats (struct BNStatsParams in WGSL).
type BNStatsParams struct {
	C     uint32 // channels
	N     uint32 // batch
	HW    uint32 // H·W (1 for a [N, C] input)
	Shift int32  // s = e_z + 15, -31..31
}

// bnIndex is bn_index: the index of element k < N·HW of channel c.
func bnIndex(k, c, cc, hw uint32) uint32 { return (k/hw*cc+c)*hw + k%hw }

// bnTree is the tree of bn_stats and bn_bwd_reduce: part[0] = the sum of
// part (len BNGroup), added pairwise at strides 128, 64, ..., 1.
func bnTree(part []int64, flag *uint32) int64 {
	for stride := BNGroup / 2; stride > 0; stride /= 2 {
		for t := range stride {
			part[t] = bnAdd(part[t], part[t+stride], flag)
		}
	}
	return part[0]
}

// BNStats is the twin of bn_stats: for each channel c < p.C, with n =
// N·HW and z' = bnZ(z, Shift):
//
//	Σ = Σ z' (wide), μ = RoundDiv(Σ, n) (int32, exp -15)
//	mean = RoundDiv(Σ·2^16, n) (int64, exp -31; |quotient| clamped to 2^31·2^16, beyond which μ overflows)
//	S = Σ (z' - μ)² (wide), variance = RoundDiv(S, n) (int64, exp -30)
//	σ = RoundSqrt(S/n) + 1 (int32, exp -15: ε = 1 code)
//
// mu, sigma: C words; mean, variance: 2C words (I64).
func BNStats(p BNStatsParams, mu, sigma, mean, variance, z, errWord []uint32) {
	n := p.N * p.HW
	nd := max(n, 1) // n = 0 sums nothing; no division by 0
	var flag uint32
	part := make([]int64, BNGroup)
	for c := range p.C {
		for t := range uint32(BNGroup) {
			var acc int64
			for k := t; k < n; k += BNGroup {
				acc = bnAdd(acc, bnZ(int32(z[bnIndex(k, c, p.C, p.HW)]), p.Shift), &flag)
			}
			part[t] = acc
		}
		sum := bnTree(part, &flag)
		// μ and the fine mean from one division of |Σ| by n.
		neg := sum < 0
		q, r := bnAbs(sum)/uint64(nd), bnAbs(sum)%uint64(nd)
		m := bnI32(bnSigned(bnRoundHalf(q, r, uint64(nd)), neg, &flag), &flag)
		fine := min(q, 1<<31)<<16 + RoundDivU(r<<16, nd)
		mu[c] = uint32(m)
		mean[2*c], mean[2*c+1] = WideWords(bnSigned(fine, neg, &flag))

		for t := range uint32(BNGroup) {
			var acc int64
			for k := t; k < n; k += BNGroup {
				d := bnZ(int32(z[bnIndex(k, c, p.C, p.HW)]), p.Shift) - int64(m)
				acc = bnAdd(acc, bnSquare(d, &flag), &flag)
			}
			part[t] = acc
		}
		s := uint64(bnTree(part, &flag)) // >= 0: every term is
		variance[2*c], variance[2*c+1] = WideWords(int64(bnRoundHalf(s/uint64(nd), s%uint64(nd), uint64(nd))))
		sigma[c] = uint32(bnI32(int64(bnRoundSqrt(s, nd))+1, &flag))
	}
	errWord[0] |= flag
}

// bnSquare is bn_square: d², saturated to MaxInt64 and flagged when it
// leaves int64.
func bnSquare(d int64, flag *uint32) int64 {
	a := bnAbs(d)
	if a>>32 != 0 {
		*flag |= ErrOverflow
		return math.MaxInt64
	}
	return bnSigned(a*a, false, flag)
}

// RoundDivU returns a / d rounded half to even for unsigned a (the
// unsigned core of RoundDiv).
func RoundDivU(a uint64, d uint32) uint64 {
	return bnRoundHalf(a/uint64(d), a%uint64(d), uint64(d))
}

// BNFwdParams is the uniform of bn_fwd (struct BNFwdParams in WGSL).
type BNFwdParams struct {
	C     uint32 // channels
	HW    uint32 // H·W
	Total uint32 // N·C·HW elements
	Shift int32  // s = e_z + 15, -31..31
}

// BNFwd is the twin of bn_fwd: for i < p.Total, c = (i/HW) mod C,
//
//	d = z' - μ[c] (wide), x̂ = RoundDiv(d·128, σ[c]) (exp -7), y = x̂·γ8[c] + 128·β8[c] (exp -14)
//
// x̂ saturates to int16 and y to int32 (flagged); |d| >= 2^56 saturates x̂
// directly; σ < 1 is taken as 1 (flagged).
func BNFwd(p BNFwdParams, xhat, y, z, mu, sigma, gamma8, beta8, errWord []uint32) {
	flaggedChunks(p.Total, 1024, errWord, func(lo, hi uint32, flag *uint32) {
		for i := lo; i < hi; i++ {
			c := i / p.HW % p.C
			d := bnZ(int32(z[i]), p.Shift) - int64(int32(mu[c]))
			s := int32(sigma[c])
			if s < 1 {
				*flag |= ErrOverflow
				s = 1
			}
			var x int64
			if bnAbs(d) >= 1<<56 {
				*flag |= ErrOverflow
				x = math.MaxInt64
				if d < 0 {
					x = math.MinInt64
				}
			} else {
				x = RoundDiv(d*128, uint32(s))
			}
			if x > math.MaxInt16 || x < math.MinInt16 {
				*flag |= ErrOverflow
				x = min(max(x, math.MinInt16), math.MaxInt16)
			}
			v := x*int64(int32(gamma8[c])) + 128*int64(int32(beta8[c]))
			xhat[i] = uint32(int32(x))
			y[i] = uint32(bnI32(v, flag))
		}
	})
}

// BNRunningParams is the uniform of bn_running_update (struct
// BNRunningParams in WGSL).
type BNRunningParams struct {
	C   uint32 // channels
	D16 uint32 // decay d = D16/2^16, D16 <= 65536 (larger is taken as 65536)
}

// bnEMA is bn_ema: RoundShr(d·old + (2^16-d)·new, 16), saturating.
func bnEMA(old, cur int64, d uint32, flag *uint32) int64 {
	a := bnMul(old, d, false, flag)
	b := bnMul(cur, 65536-d, false, flag)
	return quant.RoundShr(bnAdd(a, b, flag), 16)
}

// BNRunningUpdate is the twin of bn_running_update: for c < p.C, in place,
//
//	runMean[c] = RoundShr(d·runMean[c] + (2^16-d)·mean[c], 16)   (I64, exp -31)
//	runVar[c]  = RoundShr(d·runVar[c]  + (2^16-d)·var[c], 16)    (I64, exp -30)
//
// with d = min(D16, 65536), the moving averages of B§2.4 on bn_stats'
// unquantized batch mean and variance.
func BNRunningUpdate(p BNRunningParams, runMean, runVar, mean, variance, errWord []uint32) {
	var flag uint32
	d := min(p.D16, 65536)
	for c := range p.C {
		m := bnEMA(FromWideWords(runMean[2*c], runMean[2*c+1]), FromWideWords(mean[2*c], mean[2*c+1]), d, &flag)
		v := bnEMA(FromWideWords(runVar[2*c], runVar[2*c+1]), FromWideWords(variance[2*c], variance[2*c+1]), d, &flag)
		runMean[2*c], runMean[2*c+1] = WideWords(m)
		runVar[2*c], runVar[2*c+1] = WideWords(v)
	}
	errWord[0] |= flag
}

// BNEvalParams is the uniform of bn_eval_stats (struct BNEvalParams in
// WGSL).
type BNEvalParams struct {
	C uint32 // channels
}

// BNEvalStats is the twin of bn_eval_stats: for c < p.C,
//
//	μ = RoundShr(runMean[c], 16) (int32, exp -15)
//	σ = RoundSqrt(runVar[c]) + 1 (int32, exp -15)
//
// A negative running variance is taken as 0 (flagged).
func BNEvalStats(p BNEvalParams, mu, sigma, runMean, runVar, errWord []uint32) {
	var flag uint32
	for c := range p.C {
		mu[c] = uint32(bnI32(quant.RoundShr(FromWideWords(runMean[2*c], runMean[2*c+1]), 16), &flag))
		v := FromWideWords(runVar[2*c], runVar[2*c+1])
		if v < 0 {
			flag |= ErrOverflow
			v = 0
		}
		sigma[c] = uint32(bnI32(int64(bnRoundSqrt(uint64(v), 1))+1, &flag))
	}
	errWord[0] |= flag
}

// BNBwdReduceParams is the uniform of bn_bwd_reduce (struct
// BNBwdReduceParams in WGSL).
type BNBwdReduceParams struct {
	C      uint32 // channels
	N      uint32 // batch
	HW     uint32 // H·W
	DyLast uint32 // 0: δy is int32 codes; L > 0: int8 codes packed along a last dimension of L
}

// bnDy is bn_dy: element i of δy, int32 codes (last = 0) or int8 codes
// packed 4 per word along rows of last elements, each row starting a word.
func bnDy(dy []uint32, i, last uint32) int32 {
	if last == 0 {
		return int32(dy[i])
	}
	col := i % last
	return SignExtendI8(dy[i/last*((last+3)/4)+col/4], col%4)
}

// BNBwdReduce is the twin of bn_bwd_reduce: for c < p.C, sums[4c..4c+4) =
// (Σ δy, Σ δy·x̂) as two I64 values, in the reduction order of bn_stats,
// with δy read by bnDy.
func BNBwdReduce(p BNBwdReduceParams, sums, dy, xhat, errWord []uint32) {
	n := p.N * p.HW
	var flag uint32
	p1, p2 := make([]int64, BNGroup), make([]int64, BNGroup)
	for c := range p.C {
		for t := range uint32(BNGroup) {
			var a, b int64
			for k := t; k < n; k += BNGroup {
				i := bnIndex(k, c, p.C, p.HW)
				g := int64(bnDy(dy, i, p.DyLast))
				a = bnAdd(a, g, &flag)
				b = bnAdd(b, g*int64(int32(xhat[i])), &flag)
			}
			p1[t], p2[t] = a, b
		}
		s1, s2 := bnTree(p1, &flag), bnTree(p2, &flag)
		sums[4*c], sums[4*c+1] = WideWords(s1)
		sums[4*c+2], sums[4*c+3] = WideWords(s2)
	}
	errWord[0] |= flag
}

// BNBwdGradsParams is the uniform of bn_bwd_grads (struct BNBwdGradsParams
// in WGSL).
type BNBwdGradsParams struct {
	C        uint32 // channels
	Count    uint32 // n = N·HW
	ExpDy    int32  // exponent of the δy codes (without Scale)
	UseScale uint32 // 1: add scale[0] (clamped to ±2^16) to ExpDy
}

// bnRegrid is bn_regrid: RoundShr(v, sh) to int32 for sh >= 0 (0 for sh
// >= 64), v·2^-sh for sh < 0; saturated and flagged when it does not fit.
func bnRegrid(v int64, sh int32, flag *uint32) int32 {
	if sh >= 0 {
		return bnI32(quant.RoundShr(v, uint(sh)), flag)
	}
	l := uint(-sh)
	if v == 0 {
		return 0
	}
	if l >= 32 || (v<<l)>>l != v {
		*flag |= ErrOverflow
		return bnI32(bnSat(v < 0), flag)
	}
	return bnI32(v<<l, flag)
}

// BNBwdGrads is the twin of bn_bwd_grads: for c < p.C, with e1 = ExpDy
// (+ scale[0]), Σδy and Σδy·x̂ from sums,
//
//	dβ[c] = RoundShr(Σδy, -14 - e1)        (int32, exp -14: G_BN = Q(·,15))
//	dγ[c] = RoundShr(Σδy·x̂, -7 - e1)       (int32, exp -14)
//	coef[2c] = k = ±RoundDiv(|γ8|·2^S, σ·n), coef[2c+1] = S + BNDxShift
//
// with S = BNKBits + bitlen(σ·n) - bitlen(|γ8|) clamped to [0, 62 -
// bitlen(|γ8|)] (so |γ8|·2^S < 2^62 and k has about BNKBits+1 bits), and
// k = 0, S = 0 for γ8 = 0. σ < 1 is taken as 1 (flagged).
func BNBwdGrads(p BNBwdGradsParams, dgamma, dbeta, coef, sums, gamma8, sigma, scale, errWord []uint32) {
	var flag uint32
	e1 := p.ExpDy
	if p.UseScale != 0 {
		e1 += min(max(int32(scale[0]), -65536), 65536)
	}
	for c := range p.C {
		s1 := FromWideWords(sums[4*c], sums[4*c+1])
		s2 := FromWideWords(sums[4*c+2], sums[4*c+3])
		dbeta[c] = uint32(bnRegrid(s1, -14-e1, &flag))
		dgamma[c] = uint32(bnRegrid(s2, -7-e1, &flag))

		g, sg := int32(gamma8[c]), int32(sigma[c])
		if sg < 1 {
			flag |= ErrOverflow
			sg = 1
		}
		m := uint64(sg) * uint64(max(p.Count, 1))
		ag := AbsU32(g)
		var k, sh int32
		if ag != 0 {
			bg := int32(bits.Len32(ag))
			s := min(max(BNKBits+int32(bits.Len64(m))-bg, 0), 62-bg)
			a := uint64(ag) << uint(s)
			kk := int64(bnRoundHalf(a/m, a%m, m)) // <= 2^31, -2^31 only when negative
			if g < 0 {
				kk = -kk
			}
			k, sh = int32(kk), s+BNDxShift
		}
		coef[2*c], coef[2*c+1] = uint32(k), uint32(sh)
	}
	errWord[0] |= flag
}

// BNBwdDxParams is the uniform of bn_bwd_dx (struct BNBwdDxParams in WGSL).
type BNBwdDxParams struct {
	C      uint32 // channels
	HW     uint32 // H·W
	Total  uint32 // N·C·HW elements
	Count  uint32 // n = N·HW
	DyLast uint32 // as BNBwdReduceParams.DyLast
}

// bnShr128 is bn_shr96: the magnitude (hi, lo) < 2^96 shifted right by s
// with rounding half to even for s >= 0, or left by -s for s < 0; ok is false
// when the result is 2^63 or more.
func bnShr128(hi, lo uint64, s int32) (uint64, bool) {
	if s < 0 {
		l := uint(-int64(s))
		if hi != 0 {
			return 0, false
		}
		if lo == 0 {
			return 0, true
		}
		if l >= 63 || lo>>(63-l) != 0 {
			return 0, false
		}
		return lo << l, true
	}
	if s == 0 {
		return lo, hi == 0 && lo>>63 == 0
	}
	if s >= 128 {
		return 0, true // v < 2^96 < 2^(s-1): below the half
	}
	us := uint(s)
	// q = v >> s, half bit s-1, below = v mod 2^(s-1) != 0.
	var qhi, qlo uint64
	if us >= 64 {
		qhi, qlo = 0, hi>>(us-64)
	} else {
		qhi, qlo = hi>>us, lo>>us|hi<<(64-us)
	}
	bit := func(j uint) uint64 {
		if j >= 64 {
			return hi >> (j - 64) & 1
		}
		return lo >> j & 1
	}
	below := false
	if h := us - 1; h >= 64 {
		below = lo != 0 || hi&(1<<(h-64)-1) != 0
	} else {
		below = lo&(1<<h-1) != 0
	}
	if bit(us-1) == 1 && (below || qlo&1 == 1) {
		qlo++
		if qlo == 0 {
			qhi++
		}
	}
	return qlo, qhi == 0 && qlo>>63 == 0
}

// BNBwdDx is the twin of bn_bwd_dx: for i < p.Total, c = (i/HW) mod C,
// with (Σδy, Σδy·x̂) from sums and (k, sh) from coef (bn_bwd_grads),
//
//	T = 2^14·n·δy - 2^14·Σδy - x̂·Σδy·x̂        (wide, units 2^(e1-14)/n)
//	δz = RoundShr(T·k, sh)                     (I64, exp e1 - 38)
//
// T·k is formed exactly (up to 2^94); T and δz saturate (flagged) when
// they leave int64.
func BNBwdDx(p BNBwdDxParams, dz, dy, xhat, sums, coef, errWord []uint32) {
	flaggedChunks(p.Total, 1024, errWord, func(lo, hi uint32, flag *uint32) {
		for i := lo; i < hi; i++ {
			c := i / p.HW % p.C
			s1 := FromWideWords(sums[4*c], sums[4*c+1])
			s2 := FromWideWords(sums[4*c+2], sums[4*c+3])
			k, sh := int32(coef[2*c]), int32(coef[2*c+1])
			t1 := bnMul(bnMulI(int64(bnDy(dy, i, p.DyLast)), 1<<14, flag), p.Count, false, flag)
			t2 := bnMulI(s1, 1<<14, flag)
			t3 := bnMulI(s2, int32(xhat[i]), flag)
			t := bnSub(bnSub(t1, t2, flag), t3, flag)
			hi, lo := bits.Mul64(bnAbs(t), uint64(AbsU32(k)))
			m, ok := bnShr128(hi, lo, sh)
			neg := (t < 0) != (k < 0)
			var v int64
			if !ok {
				*flag |= ErrOverflow
				v = bnSat(neg)
			} else {
				v = bnSigned(m, neg, flag)
			}
			dz[2*i], dz[2*i+1] = WideWords(v)
		}
	})
}
