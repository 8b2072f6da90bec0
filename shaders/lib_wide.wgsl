// lib_wide.wgsl: exact 64-bit integer arithmetic for WGSL, which has no i64.
// Spliced ahead of every family file, after common.wgsl (see package
// shaders). A wide value is a vec2<u32> (lo, hi): the two's complement int64
// lo + hi·2^32, the layout of a DType I64 tensor (two words per element,
// little-endian). Go twins use int64 directly; gpu/cpu/wide.go holds the
// twins of the helpers that are not plain int64 operators. Keep in sync.
//
// Every operation is exact while its true result fits int64; callers prove
// their bounds (docs/dataflow.md). Nothing here uses floating point.

const WIDE_ZERO: vec2<u32> = vec2<u32>(0u, 0u);

// wide_from_i32 sign-extends x.
fn wide_from_i32(x: i32) -> vec2<u32> {
    return vec2<u32>(bitcast<u32>(x), select(0u, 0xFFFFFFFFu, x < 0));
}

// wide_from_u32 zero-extends x.
fn wide_from_u32(x: u32) -> vec2<u32> {
    return vec2<u32>(x, 0u);
}

// wide_is_neg reports a < 0.
fn wide_is_neg(a: vec2<u32>) -> bool {
    return (a.y >> 31u) != 0u;
}

// wide_add returns a + b (mod 2^64).
fn wide_add(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let lo = a.x + b.x;
    let carry = select(0u, 1u, lo < a.x);
    return vec2<u32>(lo, a.y + b.y + carry);
}

// wide_neg returns -a (mod 2^64).
fn wide_neg(a: vec2<u32>) -> vec2<u32> {
    return wide_add(vec2<u32>(~a.x, ~a.y), vec2<u32>(1u, 0u));
}

// wide_sub returns a - b (mod 2^64).
fn wide_sub(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return wide_add(a, wide_neg(b));
}

// wide_abs returns |a| as an unsigned 64-bit value (exact for every int64).
fn wide_abs(a: vec2<u32>) -> vec2<u32> {
    return select(a, wide_neg(a), wide_is_neg(a));
}

// wide_lt_u returns a < b for unsigned 64-bit values.
fn wide_lt_u(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.y < b.y || (a.y == b.y && a.x < b.x);
}

// wide_lt returns a < b for signed 64-bit values.
fn wide_lt(a: vec2<u32>, b: vec2<u32>) -> bool {
    let sa = bitcast<i32>(a.y);
    let sb = bitcast<i32>(b.y);
    return sa < sb || (sa == sb && a.x < b.x);
}

// mul_u32_wide returns the full 64-bit product of two u32 (16-bit halves).
fn mul_u32_wide(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xFFFFu;
    let a1 = a >> 16u;
    let b0 = b & 0xFFFFu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // mid = p01 + p10 + (p00 >> 16) may carry into bit 32.
    let mid = p01 + (p00 >> 16u);
    let mid2 = mid + p10;
    let carry = select(0u, 0x10000u, mid2 < mid);
    let lo = (mid2 << 16u) | (p00 & 0xFFFFu);
    let hi = p11 + (mid2 >> 16u) + carry;
    return vec2<u32>(lo, hi);
}

// wide_mul_i32 returns the exact product of two i32 as int64.
fn wide_mul_i32(a: i32, b: i32) -> vec2<u32> {
    let p = mul_u32_wide(abs_u32(a), abs_u32(b));
    return select(p, wide_neg(p), (a < 0) != (b < 0));
}

// wide_mul_wide_i32 returns a·b for a wide a and an i32 b, exact while the
// product fits int64.
fn wide_mul_wide_i32(a: vec2<u32>, b: i32) -> vec2<u32> {
    let ua = wide_abs(a);
    let ub = abs_u32(b);
    let lo = mul_u32_wide(ua.x, ub);
    let hi = ua.y * ub; // only its low word matters below 2^63
    let p = vec2<u32>(lo.x, lo.y + hi);
    return select(p, wide_neg(p), wide_is_neg(a) != (b < 0));
}

// wide_shl returns a·2^s for s in 0..63 (mod 2^64).
fn wide_shl(a: vec2<u32>, s: u32) -> vec2<u32> {
    if (s == 0u) {
        return a;
    }
    if (s >= 32u) {
        return vec2<u32>(0u, a.x << (s - 32u));
    }
    return vec2<u32>(a.x << s, (a.y << s) | (a.x >> (32u - s)));
}

// wide_sar returns floor(a / 2^s) for s in 0..63 (arithmetic shift).
fn wide_sar(a: vec2<u32>, s: u32) -> vec2<u32> {
    if (s == 0u) {
        return a;
    }
    let hi = bitcast<i32>(a.y);
    if (s >= 32u) {
        return vec2<u32>(bitcast<u32>(hi >> min(s - 32u, 31u)), bitcast<u32>(hi >> 31u));
    }
    return vec2<u32>((a.x >> s) | (a.y << (32u - s)), bitcast<u32>(hi >> s));
}

// wide_low_bits returns a mod 2^s as an unsigned 64-bit value, s in 1..63.
fn wide_low_bits(a: vec2<u32>, s: u32) -> vec2<u32> {
    if (s >= 32u) {
        let m = select((1u << (s - 32u)) - 1u, 0xFFFFFFFFu, s == 64u);
        return vec2<u32>(a.x, a.y & m);
    }
    return vec2<u32>(a.x & ((1u << s) - 1u), 0u);
}

// wide_round_shr returns a / 2^s rounded half to even, s in 0..63: the twin
// of quant.RoundShr.
fn wide_round_shr(a: vec2<u32>, s: u32) -> vec2<u32> {
    if (s == 0u) {
        return a;
    }
    var q = wide_sar(a, s);
    let r = wide_low_bits(a, s);
    let h = wide_shl(vec2<u32>(1u, 0u), s - 1u);
    let above = wide_lt_u(h, r);
    let tie = r.x == h.x && r.y == h.y;
    if (above || (tie && (q.x & 1u) != 0u)) {
        q = wide_add(q, vec2<u32>(1u, 0u));
    }
    return q;
}

// round_shr_i32 returns x / 2^s rounded half to even for s in 0..31, and
// x·2^-s (a left shift) for negative s down to -31: quant.RoundShr on i32.
// The caller proves that a left shift does not overflow.
fn round_shr_i32(x: i32, s: i32) -> i32 {
    if (s <= 0) {
        return x << u32(-s);
    }
    let us = u32(s);
    var q = x >> us;
    let r = bitcast<u32>(x) & ((1u << us) - 1u);
    let h = 1u << (us - 1u);
    if (r > h || (r == h && (q & 1) != 0)) {
        q = q + 1;
    }
    return q;
}

// wide_fits_i32 reports whether a is in the int32 range.
fn wide_fits_i32(a: vec2<u32>) -> bool {
    return a.y == select(0u, 0xFFFFFFFFu, bitcast<i32>(a.x) < 0);
}

// wide_divmod_u32 returns (floor(a / d), a mod d) for an unsigned 64-bit a
// and d > 0, by restoring long division one bit at a time; the quotient is
// a wide value, the remainder in .z of the result's third lane.
fn wide_divmod_u32(a: vec2<u32>, d: u32) -> vec3<u32> {
    var q = WIDE_ZERO;
    var r = 0u; // r < d always, so 2r + 1 fits in 33 bits: track the carry
    for (var i = 63i; i >= 0; i = i - 1) {
        let bit = select((a.x >> u32(i)) & 1u, (a.y >> u32(i - 32)) & 1u, i >= 32);
        let top = (r >> 31u) != 0u;
        r = (r << 1u) | bit;
        var qb = 0u;
        if (top || r >= d) {
            r = r - d;
            qb = 1u;
        }
        if (i >= 32) {
            q.y = q.y | (qb << u32(i - 32));
        } else {
            q.x = q.x | (qb << u32(i));
        }
    }
    return vec3<u32>(q.x, q.y, r);
}

// wide_round_div_u32 returns a / d rounded half to even for a signed wide a
// and d > 0: the twin of RoundDiv in gpu/cpu/wide.go.
fn wide_round_div_u32(a: vec2<u32>, d: u32) -> vec2<u32> {
    let qr = wide_divmod_u32(wide_abs(a), d);
    var q = vec2<u32>(qr.x, qr.y);
    let r = qr.z;
    // Compare 2r with d without overflow: r > d - r.
    let above = r > d - r;
    let tie = r == d - r;
    if (above || (tie && (q.x & 1u) != 0u)) {
        q = wide_add(q, vec2<u32>(1u, 0u));
    }
    return select(q, wide_neg(q), wide_is_neg(a));
}

// wide_isqrt returns floor(sqrt(a)) for an unsigned 64-bit a (bit by bit).
fn wide_isqrt(a: vec2<u32>) -> u32 {
    var res = 0u;
    for (var b = 31i; b >= 0; b = b - 1) {
        let cand = res | (1u << u32(b));
        let sq = mul_u32_wide(cand, cand);
        if (!wide_lt_u(a, sq)) {
            res = cand;
        }
    }
    return res;
}
