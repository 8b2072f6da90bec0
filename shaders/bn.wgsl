// bn.wgsl: batch norm forward and backward in integer arithmetic
// (docs/dataflow.md "Forward 3." and "Backward 6."; method.md A2, A9, B§2.4).
// Go twins: gpu/cpu/bn.go — keep in sync.
//
// Per channel c of an NCHW tensor there are n = N·HW values; element k < n
// of channel c sits at index ((k/HW)·C + c)·HW + k%HW (bn_index).
// Wide values are vec2<u32> (lo, hi) as in lib_wide.wgsl. A wide sum or
// product that leaves int64 saturates (to MaxInt64, or MinInt64 when
// negative) and ORs ERR_OVERFLOW into the error word (the last binding of
// every kernel here); int32/int16 results out of range saturate and flag
// too. Nothing here uses floating point.
//
// Bindings: @binding(0) the params uniform, then the outputs, then the
// inputs, then the error word.

override wg_size: u32 = 64u;

// bn_group: the workgroup size of the per-channel reductions (bn_stats,
// bn_bwd_reduce), one workgroup per channel. Thread t sums the elements
// k ≡ t (mod bn_group) in increasing k; the partial sums are added in a
// binary tree (strides 128, 64, ..., 1). Twin: cpu.BNGroup.
const bn_group: u32 = 256u;

// bn_k_bits and bn_dx_d: see bn_bwd_grads. Twins: cpu.BNKBits, cpu.BNDxShift.
const bn_k_bits: i32 = 24;
const bn_dx_d: i32 = -32;

const BN_MAX: vec2<u32> = vec2<u32>(0xFFFFFFFFu, 0x7FFFFFFFu);
const BN_MIN: vec2<u32> = vec2<u32>(0u, 0x80000000u);

var<workgroup> bn_part: array<vec2<u32>, 256>;
var<workgroup> bn_part2: array<vec2<u32>, 256>;
var<workgroup> bn_mu_wg: i32;

// bn_sat: MinInt64 if neg, else MaxInt64.
fn bn_sat(neg: bool) -> vec2<u32> {
    return select(BN_MAX, BN_MIN, neg);
}

fn bn_eq(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.x == b.x && a.y == b.y;
}

// bn_add: a + b, saturated and flagged when it leaves int64.
fn bn_add(a: vec2<u32>, b: vec2<u32>, flag: ptr<function, u32>) -> vec2<u32> {
    let s = wide_add(a, b);
    let na = wide_is_neg(a);
    if (na == wide_is_neg(b) && wide_is_neg(s) != na) {
        *flag = *flag | ERR_OVERFLOW;
        return bn_sat(na);
    }
    return s;
}

// bn_sub: a - b, saturated and flagged when it leaves int64.
fn bn_sub(a: vec2<u32>, b: vec2<u32>, flag: ptr<function, u32>) -> vec2<u32> {
    let s = wide_sub(a, b);
    let na = wide_is_neg(a);
    if (na != wide_is_neg(b) && wide_is_neg(s) != na) {
        *flag = *flag | ERR_OVERFLOW;
        return bn_sat(na);
    }
    return s;
}

// bn_signed: ±m for an unsigned 64-bit magnitude m, saturated and flagged
// when it leaves int64 (-2^63 is allowed).
fn bn_signed(m: vec2<u32>, neg: bool, flag: ptr<function, u32>) -> vec2<u32> {
    if (neg) {
        if (m.y > 0x80000000u || (m.y == 0x80000000u && m.x != 0u)) {
            *flag = *flag | ERR_OVERFLOW;
            return BN_MIN;
        }
        return wide_neg(m);
    }
    if (m.y >= 0x80000000u) {
        *flag = *flag | ERR_OVERFLOW;
        return BN_MAX;
    }
    return m;
}

// bn_mul: a·(±b) for a wide a and a u32 magnitude b with sign bneg,
// saturated and flagged when the product leaves int64.
fn bn_mul(a: vec2<u32>, b: u32, bneg: bool, flag: ptr<function, u32>) -> vec2<u32> {
    let neg = wide_is_neg(a) != bneg;
    let ua = wide_abs(a);
    let lo = mul_u32_wide(ua.x, b);
    let hi = mul_u32_wide(ua.y, b);
    let mid = lo.y + hi.x;
    if (hi.y != 0u || mid < lo.y) {
        *flag = *flag | ERR_OVERFLOW;
        return bn_sat(neg);
    }
    let p = vec2<u32>(lo.x, mid);
    return bn_signed(p, neg && (p.x != 0u || p.y != 0u), flag);
}

// bn_mul_i: bn_mul by an i32.
fn bn_mul_i(a: vec2<u32>, b: i32, flag: ptr<function, u32>) -> vec2<u32> {
    return bn_mul(a, abs_u32(b), b < 0, flag);
}

// bn_i32: a saturated to int32, flagged when out of range.
fn bn_i32(a: vec2<u32>, flag: ptr<function, u32>) -> i32 {
    if (wide_fits_i32(a)) {
        return bitcast<i32>(a.x);
    }
    *flag = *flag | ERR_OVERFLOW;
    return select(2147483647, -2147483647 - 1, wide_is_neg(a));
}

// bn_z: z' = z·2^s on the exponent -15 grid, s = e_z + 15 in -31..31: a
// left shift (exact, |z'| < 2^62) for s >= 0, RoundShr(z, -s) for s < 0.
fn bn_z(z: i32, s: i32) -> vec2<u32> {
    if (s >= 0) {
        return wide_shl(wide_from_i32(z), u32(s));
    }
    return wide_from_i32(round_shr_i32(z, -s));
}

// bn_index: the index of element k < N·HW of channel c.
fn bn_index(k: u32, c: u32, cc: u32, hw: u32) -> u32 {
    return (k / hw * cc + c) * hw + k % hw;
}

// bn_round_half: q + 1 when the remainder r of a division by d is above
// d/2, or at d/2 with q odd (round half to even); r < d, all unsigned.
fn bn_round_half(q: vec2<u32>, r: vec2<u32>, d: vec2<u32>) -> vec2<u32> {
    let dr = wide_sub(d, r);
    if (wide_lt_u(dr, r) || (bn_eq(dr, r) && (q.x & 1u) != 0u)) {
        return wide_add(q, vec2<u32>(1u, 0u));
    }
    return q;
}

// bn_divmod: (floor(a/d), a mod d) for unsigned a and 0 < d < 2^63, by
// restoring long division (the remainder stays below 2^63, so 2r+1 fits).
fn bn_divmod(a: vec2<u32>, d: vec2<u32>) -> vec4<u32> {
    var q = WIDE_ZERO;
    var r = WIDE_ZERO;
    for (var i = 63i; i >= 0; i = i - 1) {
        let bit = select((a.x >> u32(i)) & 1u, (a.y >> u32(i - 32)) & 1u, i >= 32);
        r = vec2<u32>((r.x << 1u) | bit, (r.y << 1u) | (r.x >> 31u));
        if (!wide_lt_u(r, d)) {
            r = wide_sub(r, d);
            if (i >= 32) {
                q.y = q.y | (1u << u32(i - 32));
            } else {
                q.x = q.x | (1u << u32(i));
            }
        }
    }
    return vec4<u32>(q.x, q.y, r.x, r.y);
}

// bn_round_sqrt: the integer r nearest to sqrt(S/n), ties up, for S < 2^63
// and n > 0, decided exactly ((2r-1)²·n <= 4S < (2r+1)²·n): with
// Q = floor(S/n), R = S mod n, f = isqrt(Q), r = f+1 iff Q > f²+f or
// (Q = f²+f and R >= ceil(n/4)). Proof in cpu.bnRoundSqrt.
fn bn_round_sqrt(s: vec2<u32>, n: u32) -> u32 {
    let qr = wide_divmod_u32(s, n);
    let q = vec2<u32>(qr.x, qr.y);
    let f = wide_isqrt(q);
    let ff = wide_add(mul_u32_wide(f, f), wide_from_u32(f));
    if (wide_lt_u(ff, q) || (bn_eq(ff, q) && qr.z >= (n >> 2u) + min(n & 3u, 1u))) {
        return f + 1u;
    }
    return f;
}

// bn_square: d², saturated to MaxInt64 and flagged when it leaves int64.
fn bn_square(d: vec2<u32>, flag: ptr<function, u32>) -> vec2<u32> {
    let a = wide_abs(d);
    if (a.y != 0u) {
        *flag = *flag | ERR_OVERFLOW;
        return BN_MAX;
    }
    return bn_signed(mul_u32_wide(a.x, a.x), false, flag);
}

// ---------------------------------------------------------------------------

// bn_stats: per channel c < p.c, with n = N·HW and z' = bn_z(z, shift):
//   Σ = Σ z' (wide), μ = RoundDiv(Σ, n)               int32, exp -15
//   mean = RoundDiv(Σ·2^16, n)                        int64, exp -31 (|Σ/n| clamped to 2^31 first)
//   S = Σ (z' - μ)² (wide), var = RoundDiv(S, n)      int64, exp -30
//   σ = RoundSqrt(S/n) + 1                            int32, exp -15 (ε = 1 code)
// One workgroup per channel (grid: p.c workgroups, spilling into y).
// Twin: cpu.BNStats.
struct BNStatsParams {
    c: u32,      // channels
    n: u32,      // batch
    hw: u32,     // H·W
    shift: i32,  // e_z + 15
}
@group(0) @binding(0) var<uniform> bn_stats_p: BNStatsParams;
@group(0) @binding(1) var<storage, read_write> bn_stats_mu: array<i32>;
@group(0) @binding(2) var<storage, read_write> bn_stats_sigma: array<i32>;
@group(0) @binding(3) var<storage, read_write> bn_stats_mean: array<u32>;
@group(0) @binding(4) var<storage, read_write> bn_stats_var: array<u32>;
@group(0) @binding(5) var<storage, read> bn_stats_z: array<i32>;
@group(0) @binding(6) var<storage, read_write> bn_stats_err: array<atomic<u32>>;

@compute @workgroup_size(bn_group)
fn bn_stats(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = wid.x + wid.y * nwg.x;
    let cc = bn_stats_p.c;
    if (c >= cc) { return; }
    let t = lid.x;
    let hw = bn_stats_p.hw;
    let n = bn_stats_p.n * hw;
    let nd = max(n, 1u);
    let sh = bn_stats_p.shift;
    var flag = 0u;

    var acc = WIDE_ZERO;
    for (var k = t; k < n; k += bn_group) {
        acc = bn_add(acc, bn_z(bn_stats_z[bn_index(k, c, cc, hw)], sh), &flag);
    }
    bn_part[t] = acc;
    workgroupBarrier();
    for (var stride = bn_group / 2u; stride > 0u; stride = stride >> 1u) {
        if (t < stride) {
            bn_part[t] = bn_add(bn_part[t], bn_part[t + stride], &flag);
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        let sum = bn_part[0];
        let neg = wide_is_neg(sum);
        let qr = wide_divmod_u32(wide_abs(sum), nd);
        let q = vec2<u32>(qr.x, qr.y);
        let m = bn_i32(bn_signed(bn_round_half(q, vec2<u32>(qr.z, 0u), vec2<u32>(nd, 0u)), neg, &flag), &flag);
        var qc = q;
        if (q.y != 0u || q.x > 0x80000000u) {
            qc = vec2<u32>(0x80000000u, 0u);
        }
        let qr2 = wide_divmod_u32(wide_shl(vec2<u32>(qr.z, 0u), 16u), nd);
        let f = bn_round_half(vec2<u32>(qr2.x, qr2.y), vec2<u32>(qr2.z, 0u), vec2<u32>(nd, 0u));
        let mean = bn_signed(wide_add(wide_shl(qc, 16u), f), neg, &flag);
        bn_stats_mu[c] = m;
        bn_stats_mean[2u * c] = mean.x;
        bn_stats_mean[2u * c + 1u] = mean.y;
        bn_mu_wg = m;
    }
    workgroupBarrier();
    let mu = wide_from_i32(bn_mu_wg);

    acc = WIDE_ZERO;
    for (var k = t; k < n; k += bn_group) {
        let d = wide_sub(bn_z(bn_stats_z[bn_index(k, c, cc, hw)], sh), mu);
        acc = bn_add(acc, bn_square(d, &flag), &flag);
    }
    bn_part[t] = acc;
    workgroupBarrier();
    for (var stride = bn_group / 2u; stride > 0u; stride = stride >> 1u) {
        if (t < stride) {
            bn_part[t] = bn_add(bn_part[t], bn_part[t + stride], &flag);
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        let s = bn_part[0];
        let qr = wide_divmod_u32(s, nd);
        let v = bn_round_half(vec2<u32>(qr.x, qr.y), vec2<u32>(qr.z, 0u), vec2<u32>(nd, 0u));
        bn_stats_var[2u * c] = v.x;
        bn_stats_var[2u * c + 1u] = v.y;
        bn_stats_sigma[c] = bn_i32(wide_add(wide_from_u32(bn_round_sqrt(s, nd)), vec2<u32>(1u, 0u)), &flag);
    }
    if (flag != 0u) {
        atomicOr(&bn_stats_err[0], flag);
    }
}

// bn_fwd: for i < p.total, c = (i/hw) mod C:
//   d = z' - μ[c] (wide), x̂ = RoundDiv(d·128, σ[c])   int16 range in i32, exp -7
//   y = x̂·γ8[c] + 128·β8[c]                          int32, exp -14
// x̂ saturates to int16 and y to int32 (flagged); |d| >= 2^56 saturates x̂
// directly; σ < 1 is taken as 1 (flagged). Grid: 1-D over p.total.
// Twin: cpu.BNFwd.
struct BNFwdParams {
    c: u32,      // channels
    hw: u32,     // H·W
    total: u32,  // N·C·HW
    shift: i32,  // e_z + 15
}
@group(0) @binding(0) var<uniform> bn_fwd_p: BNFwdParams;
@group(0) @binding(1) var<storage, read_write> bn_fwd_xhat: array<i32>;
@group(0) @binding(2) var<storage, read_write> bn_fwd_y: array<i32>;
@group(0) @binding(3) var<storage, read> bn_fwd_z: array<i32>;
@group(0) @binding(4) var<storage, read> bn_fwd_mu: array<i32>;
@group(0) @binding(5) var<storage, read> bn_fwd_sigma: array<i32>;
@group(0) @binding(6) var<storage, read> bn_fwd_gamma8: array<i32>;
@group(0) @binding(7) var<storage, read> bn_fwd_beta8: array<i32>;
@group(0) @binding(8) var<storage, read_write> bn_fwd_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn bn_fwd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= bn_fwd_p.total) { return; }
    let c = i / bn_fwd_p.hw % bn_fwd_p.c;
    var flag = 0u;
    let d = wide_sub(bn_z(bn_fwd_z[i], bn_fwd_p.shift), wide_from_i32(bn_fwd_mu[c]));
    var s = bn_fwd_sigma[c];
    if (s < 1) {
        flag = flag | ERR_OVERFLOW;
        s = 1;
    }
    var x: i32;
    if (wide_abs(d).y >= 0x01000000u) {
        flag = flag | ERR_OVERFLOW;
        x = select(32767, -32768, wide_is_neg(d));
    } else {
        let xw = wide_round_div_u32(wide_shl(d, 7u), u32(s));
        if (!wide_fits_i32(xw)) {
            flag = flag | ERR_OVERFLOW;
            x = select(32767, -32768, wide_is_neg(xw));
        } else {
            x = bitcast<i32>(xw.x);
            if (x > 32767 || x < -32768) {
                flag = flag | ERR_OVERFLOW;
                x = clamp(x, -32768, 32767);
            }
        }
    }
    let v = wide_add(wide_mul_i32(x, bn_fwd_gamma8[c]), wide_mul_i32(128, bn_fwd_beta8[c]));
    bn_fwd_xhat[i] = x;
    bn_fwd_y[i] = bn_i32(v, &flag);
    if (flag != 0u) {
        atomicOr(&bn_fwd_err[0], flag);
    }
}

// bn_ema: RoundShr(d·old + (2^16-d)·cur, 16), saturating.
fn bn_ema(old: vec2<u32>, cur: vec2<u32>, d: u32, flag: ptr<function, u32>) -> vec2<u32> {
    let a = bn_mul(old, d, false, flag);
    let b = bn_mul(cur, 65536u - d, false, flag);
    return wide_round_shr(bn_add(a, b, flag), 16u);
}

// bn_running_update: for c < p.c, in place, with d = min(p.d16, 65536):
//   run_mean[c] = RoundShr(d·run_mean[c] + (2^16-d)·mean[c], 16)   I64, exp -31
//   run_var[c]  = RoundShr(d·run_var[c] + (2^16-d)·var[c], 16)     I64, exp -30
// Grid: 1-D over p.c. Twin: cpu.BNRunningUpdate.
struct BNRunningParams {
    c: u32,    // channels
    d16: u32,  // decay·2^16
}
@group(0) @binding(0) var<uniform> bn_run_p: BNRunningParams;
@group(0) @binding(1) var<storage, read_write> bn_run_mean: array<u32>;
@group(0) @binding(2) var<storage, read_write> bn_run_var: array<u32>;
@group(0) @binding(3) var<storage, read> bn_run_bmean: array<u32>;
@group(0) @binding(4) var<storage, read> bn_run_bvar: array<u32>;
@group(0) @binding(5) var<storage, read_write> bn_run_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn bn_running_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = linear_index(gid, nwg, wg_size);
    if (c >= bn_run_p.c) { return; }
    let d = min(bn_run_p.d16, 65536u);
    var flag = 0u;
    let m = bn_ema(vec2<u32>(bn_run_mean[2u * c], bn_run_mean[2u * c + 1u]),
                   vec2<u32>(bn_run_bmean[2u * c], bn_run_bmean[2u * c + 1u]), d, &flag);
    let v = bn_ema(vec2<u32>(bn_run_var[2u * c], bn_run_var[2u * c + 1u]),
                   vec2<u32>(bn_run_bvar[2u * c], bn_run_bvar[2u * c + 1u]), d, &flag);
    bn_run_mean[2u * c] = m.x;
    bn_run_mean[2u * c + 1u] = m.y;
    bn_run_var[2u * c] = v.x;
    bn_run_var[2u * c + 1u] = v.y;
    if (flag != 0u) {
        atomicOr(&bn_run_err[0], flag);
    }
}

// bn_eval_stats: for c < p.c, from the running statistics:
//   μ = RoundShr(run_mean[c], 16)        int32, exp -15
//   σ = RoundSqrt(run_var[c]) + 1        int32, exp -15
// A negative running variance is taken as 0 (flagged). Grid: 1-D over p.c.
// Twin: cpu.BNEvalStats.
struct BNEvalParams {
    c: u32,  // channels
}
@group(0) @binding(0) var<uniform> bn_eval_p: BNEvalParams;
@group(0) @binding(1) var<storage, read_write> bn_eval_mu: array<i32>;
@group(0) @binding(2) var<storage, read_write> bn_eval_sigma: array<i32>;
@group(0) @binding(3) var<storage, read> bn_eval_mean: array<u32>;
@group(0) @binding(4) var<storage, read> bn_eval_var: array<u32>;
@group(0) @binding(5) var<storage, read_write> bn_eval_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn bn_eval_stats(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = linear_index(gid, nwg, wg_size);
    if (c >= bn_eval_p.c) { return; }
    var flag = 0u;
    let rm = vec2<u32>(bn_eval_mean[2u * c], bn_eval_mean[2u * c + 1u]);
    bn_eval_mu[c] = bn_i32(wide_round_shr(rm, 16u), &flag);
    var v = vec2<u32>(bn_eval_var[2u * c], bn_eval_var[2u * c + 1u]);
    if (wide_is_neg(v)) {
        flag = flag | ERR_OVERFLOW;
        v = WIDE_ZERO;
    }
    bn_eval_sigma[c] = bn_i32(wide_add(wide_from_u32(bn_round_sqrt(v, 1u)), vec2<u32>(1u, 0u)), &flag);
    if (flag != 0u) {
        atomicOr(&bn_eval_err[0], flag);
    }
}

// bn_bwd_reduce: for c < p.c, sums[4c..4c+4) = (Σ δy, Σ δy·x̂) as two wide
// values, in bn_stats' reduction order. One workgroup per channel. δy is
// int32 codes (dy_last = 0) or int8 codes packed 4 per word along rows of
// dy_last elements, each row starting a new word (an I8 tensor whose last
// dimension is dy_last).
// Twin: cpu.BNBwdReduce.
struct BNBwdReduceParams {
    c: u32,        // channels
    n: u32,        // batch
    hw: u32,       // H·W
    dy_last: u32,  // 0: δy is int32 codes; L > 0: int8 codes packed along rows of L
}
@group(0) @binding(0) var<uniform> bn_red_p: BNBwdReduceParams;
@group(0) @binding(1) var<storage, read_write> bn_red_sums: array<u32>;
@group(0) @binding(2) var<storage, read> bn_red_dy: array<i32>;
@group(0) @binding(3) var<storage, read> bn_red_xhat: array<i32>;
@group(0) @binding(4) var<storage, read_write> bn_red_err: array<atomic<u32>>;

@compute @workgroup_size(bn_group)
fn bn_bwd_reduce(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = wid.x + wid.y * nwg.x;
    let cc = bn_red_p.c;
    if (c >= cc) { return; }
    let t = lid.x;
    let hw = bn_red_p.hw;
    let n = bn_red_p.n * hw;
    var flag = 0u;
    var a = WIDE_ZERO;
    var b = WIDE_ZERO;
    for (var k = t; k < n; k += bn_group) {
        let i = bn_index(k, c, cc, hw);
        var g: i32;
        let last = bn_red_p.dy_last;
        if (last == 0u) {
            g = bn_red_dy[i];
        } else {
            let col = i % last;
            g = sign_extend_i8(bitcast<u32>(bn_red_dy[i / last * ((last + 3u) / 4u) + col / 4u]), col % 4u);
        }
        a = bn_add(a, wide_from_i32(g), &flag);
        b = bn_add(b, wide_mul_i32(g, bn_red_xhat[i]), &flag);
    }
    bn_part[t] = a;
    bn_part2[t] = b;
    workgroupBarrier();
    for (var stride = bn_group / 2u; stride > 0u; stride = stride >> 1u) {
        if (t < stride) {
            bn_part[t] = bn_add(bn_part[t], bn_part[t + stride], &flag);
        }
        workgroupBarrier();
    }
    for (var stride = bn_group / 2u; stride > 0u; stride = stride >> 1u) {
        if (t < stride) {
            bn_part2[t] = bn_add(bn_part2[t], bn_part2[t + stride], &flag);
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        let s1 = bn_part[0];
        let s2 = bn_part2[0];
        bn_red_sums[4u * c] = s1.x;
        bn_red_sums[4u * c + 1u] = s1.y;
        bn_red_sums[4u * c + 2u] = s2.x;
        bn_red_sums[4u * c + 3u] = s2.y;
    }
    if (flag != 0u) {
        atomicOr(&bn_red_err[0], flag);
    }
}

// bn_regrid: RoundShr(v, sh) as int32 for sh >= 0 (0 for sh >= 64),
// v·2^-sh for sh < 0; saturated and flagged when it does not fit.
fn bn_regrid(v: vec2<u32>, sh: i32, flag: ptr<function, u32>) -> i32 {
    if (sh >= 64) {
        return 0;
    }
    if (sh >= 0) {
        return bn_i32(wide_round_shr(v, u32(sh)), flag);
    }
    if (v.x == 0u && v.y == 0u) {
        return 0;
    }
    let l = u32(-sh);
    if (l >= 32u) {
        *flag = *flag | ERR_OVERFLOW;
        return bn_i32(bn_sat(wide_is_neg(v)), flag);
    }
    let w = wide_shl(v, l);
    if (!bn_eq(wide_sar(w, l), v)) {
        *flag = *flag | ERR_OVERFLOW;
        return bn_i32(bn_sat(wide_is_neg(v)), flag);
    }
    return bn_i32(w, flag);
}

// bn_bitlen: the number of significant bits of an unsigned wide a.
fn bn_bitlen(a: vec2<u32>) -> i32 {
    if (a.y != 0u) {
        return 64 - i32(countLeadingZeros(a.y));
    }
    return 32 - i32(countLeadingZeros(a.x));
}

// bn_bwd_grads: for c < p.c, with e1 = exp_dy (+ scale[0] clamped to
// ±2^16 when use_scale), (Σδy, Σδy·x̂) from sums:
//   dβ[c] = RoundShr(Σδy, -14 - e1)          int32, exp -14 (G_BN = Q(·,15))
//   dγ[c] = RoundShr(Σδy·x̂, -7 - e1)         int32, exp -14
//   coef[2c] = k = ±RoundDiv(|γ8|·2^S, σ·n), coef[2c+1] = S + bn_dx_d
// with S = bn_k_bits + bitlen(σ·n) - bitlen(|γ8|) clamped to
// [0, 62 - bitlen(|γ8|)], and k = 0, S = 0 for γ8 = 0; σ < 1 is taken as 1
// (flagged). Grid: 1-D over p.c. Twin: cpu.BNBwdGrads.
struct BNBwdGradsParams {
    c: u32,          // channels
    count: u32,      // n = N·HW
    exp_dy: i32,     // exponent of the δy codes
    use_scale: u32,  // 1: add scale[0]
}
@group(0) @binding(0) var<uniform> bn_gr_p: BNBwdGradsParams;
@group(0) @binding(1) var<storage, read_write> bn_gr_dgamma: array<i32>;
@group(0) @binding(2) var<storage, read_write> bn_gr_dbeta: array<i32>;
@group(0) @binding(3) var<storage, read_write> bn_gr_coef: array<i32>;
@group(0) @binding(4) var<storage, read> bn_gr_sums: array<u32>;
@group(0) @binding(5) var<storage, read> bn_gr_gamma8: array<i32>;
@group(0) @binding(6) var<storage, read> bn_gr_sigma: array<i32>;
@group(0) @binding(7) var<storage, read> bn_gr_scale: array<i32>;
@group(0) @binding(8) var<storage, read_write> bn_gr_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn bn_bwd_grads(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = linear_index(gid, nwg, wg_size);
    if (c >= bn_gr_p.c) { return; }
    var flag = 0u;
    var e1 = bn_gr_p.exp_dy;
    if (bn_gr_p.use_scale != 0u) {
        e1 = e1 + clamp(bn_gr_scale[0], -65536, 65536);
    }
    let s1 = vec2<u32>(bn_gr_sums[4u * c], bn_gr_sums[4u * c + 1u]);
    let s2 = vec2<u32>(bn_gr_sums[4u * c + 2u], bn_gr_sums[4u * c + 3u]);
    bn_gr_dbeta[c] = bn_regrid(s1, -14 - e1, &flag);
    bn_gr_dgamma[c] = bn_regrid(s2, -7 - e1, &flag);

    let g = bn_gr_gamma8[c];
    var sg = bn_gr_sigma[c];
    if (sg < 1) {
        flag = flag | ERR_OVERFLOW;
        sg = 1;
    }
    let m = mul_u32_wide(u32(sg), max(bn_gr_p.count, 1u));
    let ag = abs_u32(g);
    var k = 0;
    var sh = 0;
    if (ag != 0u) {
        let bg = 32 - i32(countLeadingZeros(ag));
        let s = min(max(bn_k_bits + bn_bitlen(m) - bg, 0), 62 - bg);
        let qr = bn_divmod(wide_shl(wide_from_u32(ag), u32(s)), m);
        let kk = bn_round_half(vec2<u32>(qr.x, qr.y), vec2<u32>(qr.z, qr.w), m).x; // <= 2^31
        k = select(bitcast<i32>(kk), bitcast<i32>(0u - kk), g < 0);
        sh = s + bn_dx_d;
    }
    bn_gr_coef[2u * c] = k;
    bn_gr_coef[2u * c + 1u] = sh;
    if (flag != 0u) {
        atomicOr(&bn_gr_err[0], flag);
    }
}

// bn_shr96: the unsigned 96-bit w (w.x lowest) shifted right by s >= 0
// with rounding half to even, or left by -s for s < 0, as a wide
// magnitude in .xy; .z is 1 when the result is below 2^63, else 0.
fn bn_shr96(w: vec3<u32>, s: i32) -> vec3<u32> {
    if (s < 0) {
        let l = u32(-s);
        let m = vec2<u32>(w.x, w.y);
        if (w.z != 0u) {
            return vec3<u32>(0u, 0u, 0u);
        }
        if (bn_eq(m, WIDE_ZERO)) {
            return vec3<u32>(0u, 0u, 1u);
        }
        if (l >= 63u || !bn_eq(wide_sar(m, 63u - l), WIDE_ZERO)) {
            return vec3<u32>(0u, 0u, 0u);
        }
        let r = wide_shl(m, l);
        return vec3<u32>(r.x, r.y, 1u);
    }
    if (s == 0) {
        return vec3<u32>(w.x, w.y, select(0u, 1u, w.z == 0u && w.y < 0x80000000u));
    }
    if (s >= 128) {
        return vec3<u32>(0u, 0u, 1u); // w < 2^96 < 2^(s-1): below the half
    }
    var a = array<u32, 8>(w.x, w.y, w.z, 0u, 0u, 0u, 0u, 0u);
    let us = u32(s);
    let ws = us / 32u;
    let bs = us % 32u;
    var q = array<u32, 3>(0u, 0u, 0u);
    for (var j = 0u; j < 3u; j++) {
        var v = a[j + ws] >> bs;
        if (bs != 0u) {
            v = v | (a[j + ws + 1u] << (32u - bs));
        }
        q[j] = v;
    }
    let h = us - 1u;
    let half = (a[h / 32u] >> (h % 32u)) & 1u;
    var below = (a[h / 32u] & ((1u << (h % 32u)) - 1u)) != 0u;
    for (var j = 0u; j < h / 32u; j++) {
        below = below || a[j] != 0u;
    }
    if (half == 1u && (below || (q[0] & 1u) == 1u)) {
        q[0] = q[0] + 1u;
        if (q[0] == 0u) {
            q[1] = q[1] + 1u;
            if (q[1] == 0u) {
                q[2] = q[2] + 1u;
            }
        }
    }
    return vec3<u32>(q[0], q[1], select(0u, 1u, q[2] == 0u && q[1] < 0x80000000u));
}

// bn_bwd_dx: for i < p.total, c = (i/hw) mod C, with (Σδy, Σδy·x̂) from
// sums and (k, sh) from coef (bn_bwd_grads):
//   T = 2^14·n·δy - 2^14·Σδy - x̂·Σδy·x̂     wide, units 2^(e1-14)/n
//   δz = RoundShr(T·k, sh)                  I64, exp e1 - 38
// T·k is formed exactly in 96 bits; T and δz saturate (flagged) when they
// leave int64. Grid: 1-D over p.total. Twin: cpu.BNBwdDx.
struct BNBwdDxParams {
    c: u32,        // channels
    hw: u32,       // H·W
    total: u32,    // N·C·HW
    count: u32,    // n = N·HW
    dy_last: u32,  // as in BNBwdReduceParams
}
@group(0) @binding(0) var<uniform> bn_dx_p: BNBwdDxParams;
@group(0) @binding(1) var<storage, read_write> bn_dx_dz: array<u32>;
@group(0) @binding(2) var<storage, read> bn_dx_dy: array<i32>;
@group(0) @binding(3) var<storage, read> bn_dx_xhat: array<i32>;
@group(0) @binding(4) var<storage, read> bn_dx_sums: array<u32>;
@group(0) @binding(5) var<storage, read> bn_dx_coef: array<i32>;
@group(0) @binding(6) var<storage, read_write> bn_dx_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn bn_bwd_dx(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= bn_dx_p.total) { return; }
    let c = i / bn_dx_p.hw % bn_dx_p.c;
    var flag = 0u;
    let s1 = vec2<u32>(bn_dx_sums[4u * c], bn_dx_sums[4u * c + 1u]);
    let s2 = vec2<u32>(bn_dx_sums[4u * c + 2u], bn_dx_sums[4u * c + 3u]);
    let k = bn_dx_coef[2u * c];
    let sh = bn_dx_coef[2u * c + 1u];
    var g: i32;
    let last = bn_dx_p.dy_last;
    if (last == 0u) {
        g = bn_dx_dy[i];
    } else {
        let col = i % last;
        g = sign_extend_i8(bitcast<u32>(bn_dx_dy[i / last * ((last + 3u) / 4u) + col / 4u]), col % 4u);
    }
    let t1 = bn_mul(bn_mul_i(wide_from_i32(g), 16384, &flag), bn_dx_p.count, false, &flag);
    let t2 = bn_mul_i(s1, 16384, &flag);
    let t3 = bn_mul_i(s2, bn_dx_xhat[i], &flag);
    let t = bn_sub(bn_sub(t1, t2, &flag), t3, &flag);
    let at = wide_abs(t);
    let ak = abs_u32(k);
    let lo = mul_u32_wide(at.x, ak);
    let hi = mul_u32_wide(at.y, ak);
    let w1 = lo.y + hi.x;
    let w2 = hi.y + select(0u, 1u, w1 < lo.y);
    let r = bn_shr96(vec3<u32>(lo.x, w1, w2), sh);
    let neg = wide_is_neg(t) != (k < 0);
    var v: vec2<u32>;
    if (r.z == 0u) {
        flag = flag | ERR_OVERFLOW;
        v = bn_sat(neg);
    } else {
        v = bn_signed(vec2<u32>(r.x, r.y), neg, &flag);
    }
    bn_dx_dz[2u * i] = v.x;
    bn_dx_dz[2u * i + 1u] = v.y;
    if (flag != 0u) {
        atomicOr(&bn_dx_err[0], flag);
    }
}
