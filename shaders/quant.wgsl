// quant.wgsl: the quantizers of WAGEUBN on device tensors (method.md B§1,
// B§2, A2-A8, A15; docs/dataflow.md), their max|x| reductions and the
// random draws of stochastic rounding.
// Go twins: gpu/cpu/quant.go — keep in sync.
//
// Bindings (every kernel): @binding(0) the params uniform, then the outputs
// (read_write), then the inputs (read). Narrow outputs (I8: 4 lanes per
// word, I16: 2) are written one word per invocation, a tensor [rows, k]
// laid out as rows of kw words (each row starts a new word, padding lanes
// zero), the layout of package gpu. Grids are 1-D over the output words (or
// elements, or chunks of a reduction), spilling into y (linear_index);
// tqt_sum_f32 is one workgroup. Integer arithmetic only, except the TQT
// kernels at the end (float32, as TQT is a float framework).

override wg_size: u32 = 64u;

// quant_max_chunk is the number of consecutive elements one invocation of a
// max reduction scans (max_abs_i64, max_abs_f32). Twin: cpu.QuantMaxChunk.
const quant_max_chunk: u32 = 64u;

// QUANT_SQRT2_U32 = floor(sqrt(2)·2^31) + 1 and QUANT_SQRT2_U64 (lo, hi) =
// floor(sqrt(2)·2^63) + 1: an integer y normalised to [2^31, 2^32) (or
// [2^63, 2^64)) is above sqrt(2) times the bottom of its octave iff y is at
// least this constant (sqrt(2) is irrational, so there are no ties).
const QUANT_SQRT2_U32: u32 = 3037000500u;
const QUANT_SQRT2_U64: vec2<u32> = vec2<u32>(0xF9DE6485u, 0xB504F333u);

// log2_round_u32 returns round(log2 m) for m > 0, exactly: with j =
// floor(log2 m), j + 1 when m > 2^(j+1/2), else j. Twin: quant.Log2Round.
fn log2_round_u32(m: u32) -> i32 {
    let j = firstLeadingBit(m);
    let y = m << (31u - j);
    return i32(j) + select(0, 1, y >= QUANT_SQRT2_U32);
}

// log2_round_u64 is log2_round_u32 for an unsigned 64-bit m > 0 (lo, hi).
fn log2_round_u64(m: vec2<u32>) -> i32 {
    if (m.y == 0u) {
        return log2_round_u32(m.x);
    }
    let j = 32u + firstLeadingBit(m.y);
    let y = wide_shl(m, 63u - j);
    return i32(j) + select(0, 1, !wide_lt_u(y, QUANT_SQRT2_U64));
}

// quant_clamp_wide returns clamp(a, lo, hi) for a signed wide a as i32.
fn quant_clamp_wide(a: vec2<u32>, lo: i32, hi: i32) -> i32 {
    if (wide_lt(a, wide_from_i32(lo))) {
        return lo;
    }
    if (wide_lt(wide_from_i32(hi), a)) {
        return hi;
    }
    return bitcast<i32>(a.x);
}

// quant_round_shl_wide returns a·2^-s rounded half to even for s in 1..63 and
// a·2^-s exactly (a left shift, mod 2^64) for s in -63..0.
fn quant_round_shl_wide(a: vec2<u32>, s: i32) -> vec2<u32> {
    if (s <= 0) {
        return wide_shl(a, u32(-s));
    }
    return wide_round_shr(a, u32(s));
}

// ---------------------------------------------------------------------------
// rng_u32: out[i] = philox_rng_u32(seed, step, tensor, i) for i < n, the
// draws of one stochastic-rounding stream (method.md A3). Twin: cpu.RngU32.
struct RngParams {
    n: u32,        // draws
    seed_lo: u32,  // low word of the 64-bit seed
    seed_hi: u32,  // high word of the seed
    step: u32,     // training step
    tensor: u32,   // tensor id
}
@group(0) @binding(0) var<uniform> rng_p: RngParams;
@group(0) @binding(1) var<storage, read_write> rng_out: array<u32>;

@compute @workgroup_size(wg_size)
fn rng_u32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= rng_p.n) { return; }
    rng_out[i] = philox_rng_u32(rng_p.seed_lo, rng_p.seed_hi, rng_p.step, rng_p.tensor, i);
}

// rng_philox4x32: the raw generator on given counters and keys, for the
// known-answer tests: out[4i..4i+3] = philox4x32_10(in[6i..6i+3],
// in[6i+4..6i+5]) for i < n. Twin: cpu.RngPhilox4x32.
struct PhiloxParams {
    n: u32,  // blocks
}
@group(0) @binding(0) var<uniform> philox_p: PhiloxParams;
@group(0) @binding(1) var<storage, read_write> philox_out: array<u32>;
@group(0) @binding(2) var<storage, read> philox_in: array<u32>;

@compute @workgroup_size(wg_size)
fn rng_philox4x32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= philox_p.n) { return; }
    let b = 6u * i;
    let r = philox4x32_10(vec4<u32>(philox_in[b], philox_in[b + 1u], philox_in[b + 2u], philox_in[b + 3u]),
                          vec2<u32>(philox_in[b + 4u], philox_in[b + 5u]));
    philox_out[4u * i] = r.x;
    philox_out[4u * i + 1u] = r.y;
    philox_out[4u * i + 2u] = r.z;
    philox_out[4u * i + 3u] = r.w;
}

// ---------------------------------------------------------------------------
// max_abs_i64: max |x| of an I64 tensor as an unsigned 64-bit (lo, hi) pair
// in out[0..1], in two dispatches (there is no 64-bit atomic max):
//   phase 0: out[1] = max(out[1], max_i hi(|x_i|))
//   phase 1: out[0] = max(out[0], max_i lo(|x_i|) over the i with hi(|x_i|) = out[1])
// Starting from out = (0, 0), phase 0 then phase 1 give max|x| exactly
// (|-2^63| = 2^63). Grid: 1-D over ceil(n / quant_max_chunk). Twin:
// cpu.MaxAbsI64.
struct MaxAbsI64Params {
    n: u32,      // elements (2n words)
    phase: u32,  // 0: high words, 1: low words
}
@group(0) @binding(0) var<uniform> mai64_p: MaxAbsI64Params;
@group(0) @binding(1) var<storage, read_write> mai64_out: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> mai64_in: array<u32>;

@compute @workgroup_size(wg_size)
fn max_abs_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = linear_index(gid, nwg, wg_size);
    let n = mai64_p.n;
    if (c >= (n + quant_max_chunk - 1u) / quant_max_chunk) { return; }
    let lo = c * quant_max_chunk;
    let hi = min(lo + quant_max_chunk, n);
    if (mai64_p.phase == 0u) {
        var m = 0u;
        for (var i = lo; i < hi; i++) {
            m = max(m, wide_abs(vec2<u32>(mai64_in[2u * i], mai64_in[2u * i + 1u])).y);
        }
        atomicMax(&mai64_out[1], m);
        return;
    }
    let top = atomicLoad(&mai64_out[1]);
    var m = 0u;
    for (var i = lo; i < hi; i++) {
        let a = wide_abs(vec2<u32>(mai64_in[2u * i], mai64_in[2u * i + 1u]));
        if (a.y == top) {
            m = max(m, a.x);
        }
    }
    atomicMax(&mai64_out[0], m);
}

// max_abs_f32: out[0] = max(out[0], max_i (bits(x_i) & 0x7FFFFFFF)) for an
// F32 tensor: for finite floats the order of |x| is the order of the bit
// patterns with the sign cleared, so this is the bit pattern of max|x|,
// computed without float arithmetic. Clear out first. Twin: cpu.MaxAbsF32.
struct MaxAbsF32Params {
    n: u32,  // elements
}
@group(0) @binding(0) var<uniform> maf32_p: MaxAbsF32Params;
@group(0) @binding(1) var<storage, read_write> maf32_out: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> maf32_in: array<u32>;

@compute @workgroup_size(wg_size)
fn max_abs_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = linear_index(gid, nwg, wg_size);
    let n = maf32_p.n;
    if (c >= (n + quant_max_chunk - 1u) / quant_max_chunk) { return; }
    let lo = c * quant_max_chunk;
    let hi = min(lo + quant_max_chunk, n);
    var m = 0u;
    for (var i = lo; i < hi; i++) {
        m = max(m, maf32_in[i] & 0x7FFFFFFFu);
    }
    atomicMax(&maf32_out[0], m);
}

// ---------------------------------------------------------------------------
// quant_weight: Q_W = C_8(Q(W, 8)) of the master weights (method.md B§2.2,
// A8; docs/dataflow.md forward 1): int32 master codes [rows, k] become int8
// codes clamp(RoundShr(m, shift), -127, 127), packed 4 per word along k,
// ready as a GEMM operand. shift = 16 takes exponent -23 to -7. shift in
// 0..31; no overflow (a right shift only shrinks). Twin: cpu.QuantWeight.
struct WeightParams {
    rows: u32,   // rows of the tensor
    k: u32,      // elements per row
    kw: u32,     // output words per row, ceil(k/4)
    shift: u32,  // right shift, 0..31
}
@group(0) @binding(0) var<uniform> qw_p: WeightParams;
@group(0) @binding(1) var<storage, read_write> qw_out: array<u32>;
@group(0) @binding(2) var<storage, read> qw_in: array<i32>;

@compute @workgroup_size(wg_size)
fn quant_weight(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qw_p.rows * qw_p.kw) { return; }
    let r = i / qw_p.kw;
    let w = i % qw_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let c = 4u * w + j;
        if (c < qw_p.k) {
            let q = clamp(round_shr_i32(qw_in[r * qw_p.k + c], i32(qw_p.shift)), -127, 127);
            word = word | (byte_i8(q) << (8u * j));
        }
    }
    qw_out[i] = word;
}

// quant_regrid_i32: int32 codes onto another power-of-two grid, out[i] =
// clamp(x·2^-shift, lo, hi) for i < n, computed exactly in 64 bits: a
// positive shift rounds half to even (RoundShr), a negative one shifts left
// (shift in -31..31). Used for BN γ/β to exponent -7 (shift 16, no clip:
// lo, hi = the int32 range) and G_BN to exponent -14. The clamp is exact;
// a value beyond int32 (only a left shift can make one) comes out clamped
// and also sets ERR_OVERFLOW (binding 3), since the caller's bound proof
// failed. Twin: cpu.QuantRegridI32.
struct RegridParams {
    n: u32,      // elements
    shift: i32,  // right shift (negative: left), -31..31
    lo: i32,     // lower saturation bound
    hi: i32,     // upper saturation bound, >= lo
}
@group(0) @binding(0) var<uniform> rg_p: RegridParams;
@group(0) @binding(1) var<storage, read_write> rg_out: array<i32>;
@group(0) @binding(2) var<storage, read> rg_in: array<i32>;
@group(0) @binding(3) var<storage, read_write> rg_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn quant_regrid_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= rg_p.n) { return; }
    let v = quant_round_shl_wide(wide_from_i32(rg_in[i]), rg_p.shift); // |v| < 2^62: exact
    rg_out[i] = quant_clamp_wide(v, rg_p.lo, rg_p.hi);
    if (!wide_fits_i32(v)) {
        atomicOr(&rg_err[0], ERR_OVERFLOW);
    }
}

// quant_regrid_i64: quant_regrid_i32 for I64 codes with a data-dependent
// exponent (the wide BN sums dβ = Σδy, dγ = Σδy·x̂ at the exponent of E1,
// re-gridded to G_BN's -14: dataflow backward 6): out[i] = clamp(x·2^-sh,
// lo, hi) with sh = shift - in_scale[0] (has_scale) or shift, exactly:
// rounded half to even for sh > 0 (0 for sh >= 64), a left shift for
// sh <= 0. A value beyond int32 (a left shift past int64 included) comes
// out clamped and sets ERR_OVERFLOW (binding 4). Twin: cpu.QuantRegridI64.
struct RegridI64Params {
    n: u32,          // elements
    shift: i32,      // right shift before the input scale (negative: left)
    lo: i32,         // lower saturation bound
    hi: i32,         // upper saturation bound, >= lo
    has_scale: u32,  // 1: subtract in_scale[0] from the shift
}
@group(0) @binding(0) var<uniform> rg64_p: RegridI64Params;
@group(0) @binding(1) var<storage, read_write> rg64_out: array<i32>;
@group(0) @binding(2) var<storage, read> rg64_in: array<u32>;
@group(0) @binding(3) var<storage, read> rg64_in_scale: array<i32>;
@group(0) @binding(4) var<storage, read_write> rg64_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn quant_regrid_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= rg64_p.n) { return; }
    let x = vec2<u32>(rg64_in[2u * i], rg64_in[2u * i + 1u]);
    let sh = rg64_p.shift - select(0, rg64_in_scale[0], rg64_p.has_scale != 0u);
    var v = WIDE_ZERO;
    var fits = true;   // v is the exact value
    if (sh >= 64) {
        v = WIDE_ZERO;
    } else if (sh > 0) {
        v = wide_round_shr(x, u32(sh));
    } else {
        let k = u32(min(-sh, 63));
        v = wide_shl(x, k);
        let back = wide_sar(v, k);
        let zero = x.x == 0u && x.y == 0u;
        fits = zero || (-sh <= 63 && back.x == x.x && back.y == x.y);
    }
    if (!fits) {
        rg64_out[i] = select(rg64_p.hi, rg64_p.lo, wide_is_neg(x));
        atomicOr(&rg64_err[0], ERR_OVERFLOW);
        return;
    }
    rg64_out[i] = quant_clamp_wide(v, rg64_p.lo, rg64_p.hi);
    if (!wide_fits_i32(v)) {
        atomicOr(&rg64_err[0], ERR_OVERFLOW);
    }
}

// ---------------------------------------------------------------------------
// quant_shift: E1, the shift quantizer of method.md B§2.5 with the clip of
// A6 (docs/dataflow.md backward 4). With M = max[0] = max|x| (max_abs_i32)
// and r = round(log2 M):
//   code = clamp(RoundShr(x, r - 7), -127, 127)   (a left shift when r < 7)
// as int8 [rows, k] packed along k, and scale_out[0] = r - 7 (+ in_scale[0]
// when has_scale), so value = code·2^(Exp + scale). M = 0 gives zero codes
// and r = 0. Bounds: r <= 31, so the shift is -7..24; |x| <= M < 2^(r+1/2)
// keeps a left-shifted |x| below 2^7.5 (M >= max|x| is the caller's
// contract). Twin: cpu.QuantShift.
struct ShiftParams {
    rows: u32,       // rows
    k: u32,          // elements per row
    kw: u32,         // output words per row, ceil(k/4)
    has_scale: u32,  // 1: add in_scale[0] to the output scale
}
@group(0) @binding(0) var<uniform> qs_p: ShiftParams;
@group(0) @binding(1) var<storage, read_write> qs_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qs_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qs_in: array<i32>;
@group(0) @binding(4) var<storage, read> qs_max: array<u32>;
@group(0) @binding(5) var<storage, read> qs_in_scale: array<i32>;

@compute @workgroup_size(wg_size)
fn quant_shift(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qs_p.rows * qs_p.kw) { return; }
    let m = qs_max[0];
    var r = 0;
    if (m != 0u) {
        r = log2_round_u32(m);
    }
    let s = r - 7;
    if (i == 0u) {
        qs_scale[0] = s + select(0, qs_in_scale[0], qs_p.has_scale != 0u);
    }
    let row = i / qs_p.kw;
    let w = i % qs_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let c = 4u * w + j;
        if (c < qs_p.k && m != 0u) {
            let q = clamp(round_shr_i32(qs_in[row * qs_p.k + c], s), -127, 127);
            word = word | (byte_i8(q) << (8u * j));
        }
    }
    qs_out[i] = word;
}

// quant_shift_i64: quant_shift on I64 codes (wide sums) with the 64-bit
// max|x| (lo, hi) of max_abs_i64: r <= 63, the shift is -7..56, done with
// wide_round_shr. Twin: cpu.QuantShiftI64.
@group(0) @binding(0) var<uniform> qs64_p: ShiftParams;
@group(0) @binding(1) var<storage, read_write> qs64_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qs64_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qs64_in: array<u32>;
@group(0) @binding(4) var<storage, read> qs64_max: array<u32>;
@group(0) @binding(5) var<storage, read> qs64_in_scale: array<i32>;

@compute @workgroup_size(wg_size)
fn quant_shift_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qs64_p.rows * qs64_p.kw) { return; }
    let m = vec2<u32>(qs64_max[0], qs64_max[1]);
    let zero = m.x == 0u && m.y == 0u;
    var r = 0;
    if (!zero) {
        r = log2_round_u64(m);
    }
    let s = r - 7;
    if (i == 0u) {
        qs64_scale[0] = s + select(0, qs64_in_scale[0], qs64_p.has_scale != 0u);
    }
    let row = i / qs64_p.kw;
    let w = i % qs64_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let c = 4u * w + j;
        if (c < qs64_p.k && !zero) {
            let e = row * qs64_p.k + c;
            let x = vec2<u32>(qs64_in[2u * e], qs64_in[2u * e + 1u]);
            let q = quant_clamp_wide(quant_round_shl_wide(x, s), -127, 127);
            word = word | (byte_i8(q) << (8u * j));
        }
    }
    qs64_out[i] = word;
}

// ---------------------------------------------------------------------------
// quant_flag: E2, the flag quantizer of method.md B§2.5 and A6 (golden fn
// error_quant; quant.Flag's integer form) on I32 codes x with M = max[0]
// and L = round(log2 M), for a width bits = b in 2..16 and h = 2^(b-1):
//   integer mode, x != 0 and |x| >= 2^(L-(b-1)):
//       code = clamp(RoundShr(x, L-(b-1)), ±(h-1))·h
//   fraction mode otherwise:
//       code = RoundShr(x, L-2(b-1))              (at most h in magnitude)
// with scale_out[0] = L - 2(b-1) (+ in_scale[0]). M = 0: zero codes, L = 0.
// Codes are stored lanes per word: lanes = 2 (I16) for b <= 8, where
// |code| <= 127·128 = 16256, and lanes = 1 (I32) for b = 9..16, where
// |code| <= (2^15-1)·2^15 < 2^31. Shifts stay in -30..30 (L <= 31).
// Twin: cpu.QuantFlag.
struct FlagParams {
    rows: u32,       // rows
    k: u32,          // elements per row
    kw: u32,         // output words per row, ceil(k/lanes)
    bits: u32,       // quantizer width b, 2..16
    lanes: u32,      // codes per output word: 2 (I16) or 1 (I32)
    has_scale: u32,  // 1: add in_scale[0] to the output scale
}

// flag_code_i32 is the per-element rule of quant_flag.
fn flag_code_i32(x: i32, l: i32, bits: u32) -> i32 {
    let h = 1 << (bits - 1u);
    let d = l - i32(bits - 1u);
    if (x != 0 && (d <= 0 || abs_u32(x) >= (1u << u32(d)))) {
        return clamp(round_shr_i32(x, d), 1 - h, h - 1) * h;
    }
    return round_shr_i32(x, d - i32(bits - 1u));
}

// flag_code_wide is flag_code_i32 for a wide x and L <= 63.
fn flag_code_wide(x: vec2<u32>, l: i32, bits: u32) -> i32 {
    let h = 1 << (bits - 1u);
    let d = l - i32(bits - 1u);
    let nz = x.x != 0u || x.y != 0u;
    if (nz && (d <= 0 || !wide_lt_u(wide_abs(x), wide_shl(vec2<u32>(1u, 0u), u32(d))))) {
        return quant_clamp_wide(quant_round_shl_wide(x, d), 1 - h, h - 1) * h;
    }
    // Fraction mode: |x| < 2^d, so |x|·2^-(d-(b-1)) <= 2^(b-1) fits.
    return bitcast<i32>(quant_round_shl_wide(x, d - i32(bits - 1u)).x);
}

// flag_word packs the codes of one output word.
fn flag_pack(word: u32, code: i32, j: u32, lanes: u32) -> u32 {
    if (lanes == 1u) {
        return bitcast<u32>(code);
    }
    return word | ((bitcast<u32>(code) & 0xFFFFu) << (16u * j));
}

@group(0) @binding(0) var<uniform> qf_p: FlagParams;
@group(0) @binding(1) var<storage, read_write> qf_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qf_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qf_in: array<i32>;
@group(0) @binding(4) var<storage, read> qf_max: array<u32>;
@group(0) @binding(5) var<storage, read> qf_in_scale: array<i32>;

@compute @workgroup_size(wg_size)
fn quant_flag(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qf_p.rows * qf_p.kw) { return; }
    let m = qf_max[0];
    var l = 0;
    if (m != 0u) {
        l = log2_round_u32(m);
    }
    if (i == 0u) {
        qf_scale[0] = l - 2 * i32(qf_p.bits - 1u) + select(0, qf_in_scale[0], qf_p.has_scale != 0u);
    }
    let row = i / qf_p.kw;
    let w = i % qf_p.kw;
    var word = 0u;
    for (var j = 0u; j < qf_p.lanes; j++) {
        let c = qf_p.lanes * w + j;
        if (c < qf_p.k && m != 0u) {
            word = flag_pack(word, flag_code_i32(qf_in[row * qf_p.k + c], l, qf_p.bits), j, qf_p.lanes);
        }
    }
    qf_out[i] = word;
}

// quant_flag_i64: quant_flag on I64 codes with the 64-bit max of
// max_abs_i64 (L <= 63, shifts -30..62). Twin: cpu.QuantFlagI64.
@group(0) @binding(0) var<uniform> qf64_p: FlagParams;
@group(0) @binding(1) var<storage, read_write> qf64_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qf64_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qf64_in: array<u32>;
@group(0) @binding(4) var<storage, read> qf64_max: array<u32>;
@group(0) @binding(5) var<storage, read> qf64_in_scale: array<i32>;

@compute @workgroup_size(wg_size)
fn quant_flag_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qf64_p.rows * qf64_p.kw) { return; }
    let m = vec2<u32>(qf64_max[0], qf64_max[1]);
    let zero = m.x == 0u && m.y == 0u;
    var l = 0;
    if (!zero) {
        l = log2_round_u64(m);
    }
    if (i == 0u) {
        qf64_scale[0] = l - 2 * i32(qf64_p.bits - 1u) + select(0, qf64_in_scale[0], qf64_p.has_scale != 0u);
    }
    let row = i / qf64_p.kw;
    let w = i % qf64_p.kw;
    var word = 0u;
    for (var j = 0u; j < qf64_p.lanes; j++) {
        let c = qf64_p.lanes * w + j;
        if (c < qf64_p.k && !zero) {
            let e = row * qf64_p.k + c;
            word = flag_pack(word, flag_code_wide(vec2<u32>(qf64_in[2u * e], qf64_in[2u * e + 1u]), l, qf64_p.bits), j, qf64_p.lanes);
        }
    }
    qf64_out[i] = word;
}

// quant_f32_split returns the exact decomposition x = m·2^e of a finite float32
// from its bits (|m| < 2^24; zero and subnormals have e = -149): (m, e).
// No float arithmetic. Twin: the split of package quant.
fn quant_f32_split(b: u32) -> vec2<i32> {
    let ef = i32((b >> 23u) & 0xFFu);
    let f = i32(b & 0x7FFFFFu);
    var m = f | 0x800000;
    var e = ef - 150;
    if (ef == 0) {
        m = f;
        e = -149;
    }
    return vec2<i32>(select(m, -m, (b >> 31u) != 0u), e);
}

// quant_f32_scale_round returns round(m·2^n) (half to even) for |m| < 2^24,
// saturated to ±2^30 where |m·2^n| >= 2^30, as i32.
fn quant_f32_scale_round(m: i32, n: i32) -> i32 {
    if (n < 0) {
        if (n < -31) {
            return 0; // |m| < 2^24 <= 2^(s-1): rounds to 0
        }
        return round_shr_i32(m, -n);
    }
    return quant_clamp_wide(wide_shl(wide_from_i32(m), u32(min(n, 32))), -(1 << 30), 1 << 30);
}

// quant_flag_f32: quant_flag on an F32 tensor (the loss gradient, dataflow
// backward 1), exactly as quant.Flag: with (mM, eM) the split of max[0] =
// the bits of max|x| (max_abs_f32), log2R = round(log2 mM) + eM and Exp =
// log2R - 2(b-1); for each x = m·2^e and n = e - Exp:
//   integer mode, m != 0 and |m|·2^n >= 2^(b-1):
//       code = clamp(round(m·2^(n-(b-1))), ±(h-1))·h
//   fraction mode: code = round(m·2^n)
// and scale_out[0] = Exp, the absolute exponent (the tensor's Exp is 0).
// max = 0: zero codes, scale -2(b-1). Finite inputs only (non-finite ones
// give unspecified codes, the same on both backends). Twin: cpu.QuantFlagF32.
@group(0) @binding(0) var<uniform> qff_p: FlagParams;
@group(0) @binding(1) var<storage, read_write> qff_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qff_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qff_in: array<u32>;
@group(0) @binding(4) var<storage, read> qff_max: array<u32>;
@group(0) @binding(5) var<storage, read> qff_in_scale: array<i32>;

@compute @workgroup_size(wg_size)
fn quant_flag_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qff_p.rows * qff_p.kw) { return; }
    let mb = qff_max[0] & 0x7FFFFFFFu;
    let b1 = i32(qff_p.bits - 1u);
    var exp = -2 * b1;
    if (mb != 0u) {
        let me = quant_f32_split(mb);
        exp = log2_round_u32(u32(me.x)) + me.y - 2 * b1;
    }
    if (i == 0u) {
        qff_scale[0] = exp + select(0, qff_in_scale[0], qff_p.has_scale != 0u);
    }
    let h = 1 << (qff_p.bits - 1u);
    let row = i / qff_p.kw;
    let w = i % qff_p.kw;
    var word = 0u;
    for (var j = 0u; j < qff_p.lanes; j++) {
        let c = qff_p.lanes * w + j;
        if (c < qff_p.k && mb != 0u) {
            let me = quant_f32_split(qff_in[row * qff_p.k + c]);
            let n = me.y - exp;
            let d = b1 - n; // integer mode iff |m| >= 2^d
            var code = 0;
            if (me.x != 0 && (d <= 0 || (d < 31 && abs_u32(me.x) >= (1u << u32(d))))) {
                code = clamp(quant_f32_scale_round(me.x, n - b1), 1 - h, h - 1) * h;
            } else {
                code = quant_f32_scale_round(me.x, n);
            }
            word = flag_pack(word, code, j, qff_p.lanes);
        }
    }
    qff_out[i] = word;
}

// ---------------------------------------------------------------------------
// quant_const: G, the constant quantizer of method.md B§2.6 with stochastic
// rounding (docs/dataflow.md backward 3), on I32 weight-gradient codes t
// with M = max[0] and r = round(log2 M), for g_scale = 2^g (g in 1..7):
//   code = clamp(SR(t·2^(g-r)), ±(2^g-1)),  SR = StochasticShr(t, r-g, u)
// with u = philox_rng_u32(seed, step, tensor, i) for element i (flat index); a
// left shift (exact, no draw used) when r < g. int8 codes [rows, k] packed
// along k, exponent -14: R is discarded. M = 0: zero codes. Bounds: r <= 31
// so the stochastic shift is at most 30 (s <= 32: P(up) = frac exactly).
// Twin: cpu.QuantConst.
struct ConstParams {
    rows: u32,       // rows
    k: u32,          // elements per row
    kw: u32,         // output words per row, ceil(k/4)
    g: u32,          // log2 g_scale, 1..7
    seed_lo: u32,    // RNG stream: seed (low, high word), step, tensor id
    seed_hi: u32,
    step: u32,
    tensor: u32,
    has_scale: u32,  // quant_const_mag*: 1 adds in_scale[0] to the output scale
}

// quant_stochastic_shr_wide returns StochasticShr(a, s, u) of package quant for a
// wide a and s in 1..63: floor(a/2^s) + [u < frac·2^32], where for s > 32
// only the top 32 bits of the fraction are compared.
fn quant_stochastic_shr_wide(a: vec2<u32>, s: u32, u: u32) -> vec2<u32> {
    var q = wide_sar(a, s);
    var up = false;
    if (s <= 32u) {
        up = (u >> (32u - s)) < wide_low_bits(a, s).x;
    } else {
        up = u < wide_sar(a, s - 32u).x;
    }
    if (up) {
        q = wide_add(q, vec2<u32>(1u, 0u));
    }
    return q;
}

// const_code returns the code of quant_const for a wide t, the exponent r
// of its R and g: clamp(SR(t·2^(g-r)), ±(2^g-1)).
fn const_code(t: vec2<u32>, r: i32, g: u32, u: u32) -> i32 {
    let lim = (1 << g) - 1;
    let s = r - i32(g);
    if (s <= 0) {
        return quant_clamp_wide(wide_shl(t, u32(-s)), -lim, lim);
    }
    return quant_clamp_wide(quant_stochastic_shr_wide(t, u32(s), u), -lim, lim);
}

@group(0) @binding(0) var<uniform> qc_p: ConstParams;
@group(0) @binding(1) var<storage, read_write> qc_out: array<u32>;
@group(0) @binding(2) var<storage, read> qc_in: array<i32>;
@group(0) @binding(3) var<storage, read> qc_max: array<u32>;

@compute @workgroup_size(wg_size)
fn quant_const(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qc_p.rows * qc_p.kw) { return; }
    let m = qc_max[0];
    var r = 0;
    if (m != 0u) {
        r = log2_round_u32(m);
    }
    let row = i / qc_p.kw;
    let w = i % qc_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let c = 4u * w + j;
        if (c < qc_p.k && m != 0u) {
            let e = row * qc_p.k + c;
            let u = philox_rng_u32(qc_p.seed_lo, qc_p.seed_hi, qc_p.step, qc_p.tensor, e);
            word = word | (byte_i8(const_code(wide_from_i32(qc_in[e]), r, qc_p.g, u)) << (8u * j));
        }
    }
    qc_out[i] = word;
}

// quant_const_i64: quant_const on I64 codes with the 64-bit max of
// max_abs_i64 (r <= 63: shifts up to 62, the s > 32 rule of StochasticShr).
// Twin: cpu.QuantConstI64.
@group(0) @binding(0) var<uniform> qc64_p: ConstParams;
@group(0) @binding(1) var<storage, read_write> qc64_out: array<u32>;
@group(0) @binding(2) var<storage, read> qc64_in: array<u32>;
@group(0) @binding(3) var<storage, read> qc64_max: array<u32>;

@compute @workgroup_size(wg_size)
fn quant_const_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qc64_p.rows * qc64_p.kw) { return; }
    let m = vec2<u32>(qc64_max[0], qc64_max[1]);
    let zero = m.x == 0u && m.y == 0u;
    var r = 0;
    if (!zero) {
        r = log2_round_u64(m);
    }
    let row = i / qc64_p.kw;
    let w = i % qc64_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let c = 4u * w + j;
        if (c < qc64_p.k && !zero) {
            let e = row * qc64_p.k + c;
            let u = philox_rng_u32(qc64_p.seed_lo, qc64_p.seed_hi, qc64_p.step, qc64_p.tensor, e);
            word = word | (byte_i8(const_code(vec2<u32>(qc64_in[2u * e], qc64_in[2u * e + 1u]), r, qc64_p.g, u)) << (8u * j));
        }
    }
    qc64_out[i] = word;
}

// quant_const_mag: G of recipe full8plus (method.md A15): the codes of
// quant_const (g = 7: clamp(SR(t·2^(7-r)), ±127)) with the magnitude kept,
// scale_out[0] = r - g (+ in_scale[0]), so value = code·2^(Exp + scale).
// M = 0: zero codes, scale -g. Twin: cpu.QuantConstMag.
@group(0) @binding(0) var<uniform> qcm_p: ConstParams;
@group(0) @binding(1) var<storage, read_write> qcm_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qcm_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qcm_in: array<i32>;
@group(0) @binding(4) var<storage, read> qcm_max: array<u32>;
@group(0) @binding(5) var<storage, read> qcm_in_scale: array<i32>;

@compute @workgroup_size(wg_size)
fn quant_const_mag(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qcm_p.rows * qcm_p.kw) { return; }
    let m = qcm_max[0];
    var r = 0;
    if (m != 0u) {
        r = log2_round_u32(m);
    }
    if (i == 0u) {
        qcm_scale[0] = r - i32(qcm_p.g) + select(0, qcm_in_scale[0], qcm_p.has_scale != 0u);
    }
    let row = i / qcm_p.kw;
    let w = i % qcm_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let c = 4u * w + j;
        if (c < qcm_p.k && m != 0u) {
            let e = row * qcm_p.k + c;
            let u = philox_rng_u32(qcm_p.seed_lo, qcm_p.seed_hi, qcm_p.step, qcm_p.tensor, e);
            word = word | (byte_i8(const_code(wide_from_i32(qcm_in[e]), r, qcm_p.g, u)) << (8u * j));
        }
    }
    qcm_out[i] = word;
}

// quant_const_mag_i64: quant_const_mag on I64 codes with the 64-bit max of
// max_abs_i64. Twin: cpu.QuantConstMagI64.
@group(0) @binding(0) var<uniform> qcm64_p: ConstParams;
@group(0) @binding(1) var<storage, read_write> qcm64_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qcm64_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qcm64_in: array<u32>;
@group(0) @binding(4) var<storage, read> qcm64_max: array<u32>;
@group(0) @binding(5) var<storage, read> qcm64_in_scale: array<i32>;

@compute @workgroup_size(wg_size)
fn quant_const_mag_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qcm64_p.rows * qcm64_p.kw) { return; }
    let m = vec2<u32>(qcm64_max[0], qcm64_max[1]);
    let zero = m.x == 0u && m.y == 0u;
    var r = 0;
    if (!zero) {
        r = log2_round_u64(m);
    }
    if (i == 0u) {
        qcm64_scale[0] = r - i32(qcm64_p.g) + select(0, qcm64_in_scale[0], qcm64_p.has_scale != 0u);
    }
    let row = i / qcm64_p.kw;
    let w = i % qcm64_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let c = 4u * w + j;
        if (c < qcm64_p.k && !zero) {
            let e = row * qcm64_p.k + c;
            let u = philox_rng_u32(qcm64_p.seed_lo, qcm64_p.seed_hi, qcm64_p.step, qcm64_p.tensor, e);
            word = word | (byte_i8(const_code(vec2<u32>(qcm64_in[2u * e], qcm64_in[2u * e + 1u]), r, qcm64_p.g, u)) << (8u * j));
        }
    }
    qcm64_out[i] = word;
}

// ---------------------------------------------------------------------------
// quant_decay: the total weight gradient with weight decay (method.md A8,
// B§2.9: L2 decay 1e-4 on non-BN variables, applied before G; dataflow
// backward 3), exactly on the grid of dW:
//   t = dW + RoundShr(wd·W, sh),  sh = shift + (in_scale[0] if has_scale)
// where wd is the fixed-point decay wd/2^frac (ops_quant.go: frac = 40),
// W the int32 master codes, shift = dW.Exp - W.Exp + frac, so that sh is
// the exponent of t minus that of the product wd·W·2^(W.Exp - frac). The
// product is exact in 64 bits (|W|·wd < 2^31·2^32 = 2^63); sh >= 64 gives
// 0, a negative sh shifts left. t is I64 (lo, hi); scale_out[0] copies the
// input scale (0 without one). A left shift or sum beyond int64 sets
// ERR_OVERFLOW. Twin: cpu.QuantDecay.
struct DecayParams {
    n: u32,          // elements
    wd: u32,         // fixed-point weight decay, wd/2^frac
    shift: i32,      // dW.Exp - W.Exp + frac
    has_scale: u32,  // 1: dW's scale in_scale[0] adds to the shift
}

// decay_term returns (RoundShr(wd·w, sh), overflow).
fn decay_term(w: i32, wd: u32, sh: i32) -> vec3<u32> {
    let p = wide_mul_wide_i32(wide_from_u32(wd), w); // exact: < 2^63
    if (sh >= 64) {
        return vec3<u32>(0u, 0u, 0u);
    }
    if (sh >= 0) {
        let q = wide_round_shr(p, u32(sh));
        return vec3<u32>(q.x, q.y, 0u);
    }
    let k = u32(min(-sh, 63));
    let q = wide_shl(p, k);
    let back = wide_sar(q, k);
    let ovf = -sh > 63 || back.x != p.x || back.y != p.y;
    return vec3<u32>(q.x, q.y, select(0u, 1u, ovf));
}

// decay_add returns (dw + term, overflow of the add or of term).
fn decay_add(dw: vec2<u32>, term: vec3<u32>) -> vec3<u32> {
    let b = vec2<u32>(term.x, term.y);
    let s = wide_add(dw, b);
    let ovf = ((dw.y ^ s.y) & (b.y ^ s.y)) >> 31u;
    return vec3<u32>(s.x, s.y, ovf | term.z);
}

@group(0) @binding(0) var<uniform> qd_p: DecayParams;
@group(0) @binding(1) var<storage, read_write> qd_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qd_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qd_dw: array<i32>;
@group(0) @binding(4) var<storage, read> qd_w: array<i32>;
@group(0) @binding(5) var<storage, read> qd_in_scale: array<i32>;
@group(0) @binding(6) var<storage, read_write> qd_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn quant_decay(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qd_p.n) { return; }
    let sc = select(0, qd_in_scale[0], qd_p.has_scale != 0u);
    if (i == 0u) {
        qd_scale[0] = sc;
    }
    let t = decay_add(wide_from_i32(qd_dw[i]), decay_term(qd_w[i], qd_p.wd, qd_p.shift + sc));
    qd_out[2u * i] = t.x;
    qd_out[2u * i + 1u] = t.y;
    if (t.z != 0u) {
        atomicOr(&qd_err[0], ERR_OVERFLOW);
    }
}

// quant_decay_i64: quant_decay with an I64 dW (a wide sum). Twin:
// cpu.QuantDecayI64.
@group(0) @binding(0) var<uniform> qd64_p: DecayParams;
@group(0) @binding(1) var<storage, read_write> qd64_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> qd64_scale: array<i32>;
@group(0) @binding(3) var<storage, read> qd64_dw: array<u32>;
@group(0) @binding(4) var<storage, read> qd64_w: array<i32>;
@group(0) @binding(5) var<storage, read> qd64_in_scale: array<i32>;
@group(0) @binding(6) var<storage, read_write> qd64_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn quant_decay_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= qd64_p.n) { return; }
    let sc = select(0, qd64_in_scale[0], qd64_p.has_scale != 0u);
    if (i == 0u) {
        qd64_scale[0] = sc;
    }
    let dw = vec2<u32>(qd64_dw[2u * i], qd64_dw[2u * i + 1u]);
    let t = decay_add(dw, decay_term(qd64_w[i], qd64_p.wd, qd64_p.shift + sc));
    qd64_out[2u * i] = t.x;
    qd64_out[2u * i + 1u] = t.y;
    if (t.z != 0u) {
        atomicOr(&qd64_err[0], ERR_OVERFLOW);
    }
}

// ---------------------------------------------------------------------------
// TQT's power-of-two threshold quantizers (method.md B§7.1, A10; golden fns
// qsigned, qunsigned), on F32 tensors with log2_t in a one-element F32
// buffer. These run in float32 (TQT is a float framework): with
// e = ceil(log2_t) - (bits-1) (signed) or - bits (unsigned), s = 2^e,
// v = x/s = ldexp(x, -e), r = round(v) half to even, and the code range
// n..p (-2^(bits-1)..2^(bits-1)-1, or 0..2^bits-1), bits in 1..24 so that
// n and p are exact in f32:
//   forward:  q = clamp(r, n, p)·s
//   backward: grad_in = g·[n <= r <= p];
//             dlog2t_i = g·(ln2·(term·s)), term = r - v inside, n below,
//             p above, with term·s formed as r·s - x
// (defects T-1, T-2 fixed), the per-element terms of quant.QSignedBackward,
// summed by tqt_sum_f32. |log2_t| must stay below about 100: WGSL's ldexp
// is indeterminate for a scale exponent beyond 128 (quant allows 256).
// ldexp and the range tests are exact; the products
// are single float32 roundings as in quant, so the backends differ only by
// flush-to-zero of subnormals. Twins: cpu.TqtQSignedF32 and friends.
struct TqtParams {
    n: u32,     // elements
    bits: u32,  // width, 1..24
}

const TQT_LN2: f32 = 0.6931471824645996;  // float32(ln 2), as quant

// tqt_grid returns (e, n, p) of the quantizer as f32 (e exact as an integer).
fn tqt_grid(log2t: f32, bits: u32, signed: bool) -> vec3<f32> {
    let c = i32(ceil(log2t));
    if (signed) {
        let h = f32(1u << (bits - 1u));
        return vec3<f32>(f32(c - i32(bits - 1u)), -h, h - 1.0);
    }
    return vec3<f32>(f32(c - i32(bits)), 0.0, f32((1u << bits) - 1u));
}

fn tqt_forward(x: f32, g: vec3<f32>) -> f32 {
    let e = i32(g.x);
    return ldexp(clamp(round(ldexp(x, -e)), g.y, g.z), e);
}

// tqt_backward returns (grad_in, dlog2t_i). The term is formed at the scale
// of x, term·s = r·s - x, rather than as (r - v)·s: the two round alike,
// but v = x/s is subnormal for |x| far below s, and a GPU that flushes it
// (NVIDIA's does) would return 0 where |x| is a normal number (seen on an
// H100 with log2_t = 60).
fn tqt_backward(x: f32, go: f32, g: vec3<f32>) -> vec2<f32> {
    let e = i32(g.x);
    let r = round(ldexp(x, -e));
    var gi = 0.0;
    var ts = ldexp(g.z, e);
    if (r < g.y) {
        ts = ldexp(g.y, e);
    } else if (r <= g.z) {
        gi = go;
        ts = ldexp(r, e) - x;
    }
    return vec2<f32>(gi, go * (TQT_LN2 * ts));
}

@group(0) @binding(0) var<uniform> tqs_p: TqtParams;
@group(0) @binding(1) var<storage, read_write> tqs_out: array<f32>;
@group(0) @binding(2) var<storage, read> tqs_x: array<f32>;
@group(0) @binding(3) var<storage, read> tqs_log2t: array<f32>;

// tqt_qsigned_f32: out[i] = qSigned(x[i]). Twin: cpu.TqtQSignedF32.
@compute @workgroup_size(wg_size)
fn tqt_qsigned_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= tqs_p.n) { return; }
    tqs_out[i] = tqt_forward(tqs_x[i], tqt_grid(tqs_log2t[0], tqs_p.bits, true));
}

@group(0) @binding(0) var<uniform> tqu_p: TqtParams;
@group(0) @binding(1) var<storage, read_write> tqu_out: array<f32>;
@group(0) @binding(2) var<storage, read> tqu_x: array<f32>;
@group(0) @binding(3) var<storage, read> tqu_log2t: array<f32>;

// tqt_qunsigned_f32: out[i] = qUnsigned(x[i]). Twin: cpu.TqtQUnsignedF32.
@compute @workgroup_size(wg_size)
fn tqt_qunsigned_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= tqu_p.n) { return; }
    tqu_out[i] = tqt_forward(tqu_x[i], tqt_grid(tqu_log2t[0], tqu_p.bits, false));
}

@group(0) @binding(0) var<uniform> tqsb_p: TqtParams;
@group(0) @binding(1) var<storage, read_write> tqsb_gin: array<f32>;
@group(0) @binding(2) var<storage, read_write> tqsb_dl: array<f32>;
@group(0) @binding(3) var<storage, read> tqsb_x: array<f32>;
@group(0) @binding(4) var<storage, read> tqsb_gout: array<f32>;
@group(0) @binding(5) var<storage, read> tqsb_log2t: array<f32>;

// tqt_qsigned_bwd_f32: grad_in and the per-element dlog2t of qSigned.
// Twin: cpu.TqtQSignedBwdF32.
@compute @workgroup_size(wg_size)
fn tqt_qsigned_bwd_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= tqsb_p.n) { return; }
    let b = tqt_backward(tqsb_x[i], tqsb_gout[i], tqt_grid(tqsb_log2t[0], tqsb_p.bits, true));
    tqsb_gin[i] = b.x;
    tqsb_dl[i] = b.y;
}

@group(0) @binding(0) var<uniform> tqub_p: TqtParams;
@group(0) @binding(1) var<storage, read_write> tqub_gin: array<f32>;
@group(0) @binding(2) var<storage, read_write> tqub_dl: array<f32>;
@group(0) @binding(3) var<storage, read> tqub_x: array<f32>;
@group(0) @binding(4) var<storage, read> tqub_gout: array<f32>;
@group(0) @binding(5) var<storage, read> tqub_log2t: array<f32>;

// tqt_qunsigned_bwd_f32: grad_in and the per-element dlog2t of qUnsigned.
// Twin: cpu.TqtQUnsignedBwdF32.
@compute @workgroup_size(wg_size)
fn tqt_qunsigned_bwd_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= tqub_p.n) { return; }
    let b = tqt_backward(tqub_x[i], tqub_gout[i], tqt_grid(tqub_log2t[0], tqub_p.bits, false));
    tqub_gin[i] = b.x;
    tqub_dl[i] = b.y;
}

// tqt_sum_f32: out[0] = the float32 sum of in[0..n) in a fixed order, one
// workgroup of 64: invocation l adds in[l], in[l+64], ... in order, then
// the 64 partials are added pairwise (l += l + 32, 16, ..., 1). The sum of
// the per-element dlog2t (autograd's sum-reduce to log2_t's shape [1]).
// Twin: cpu.TqtSumF32.
struct TqtSumParams {
    n: u32,  // elements
}
@group(0) @binding(0) var<uniform> tsum_p: TqtSumParams;
@group(0) @binding(1) var<storage, read_write> tsum_out: array<f32>;
@group(0) @binding(2) var<storage, read> tsum_in: array<f32>;

var<workgroup> tsum_part: array<f32, 64>;

@compute @workgroup_size(64)
fn tqt_sum_f32(@builtin(local_invocation_index) l: u32) {
    var s = 0.0;
    for (var i = l; i < tsum_p.n; i += 64u) {
        s = s + tsum_in[i];
    }
    tsum_part[l] = s;
    workgroupBarrier();
    for (var stride = 32u; stride > 0u; stride = stride / 2u) {
        if (l < stride) {
            tsum_part[l] = tsum_part[l] + tsum_part[l + stride];
        }
        workgroupBarrier();
    }
    if (l == 0u) {
        tsum_out[0] = tsum_part[0];
    }
}
