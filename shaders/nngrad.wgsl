// nngrad.wgsl: the exact sum of two gradients whose exponents depend on the
// data (E1 codes with a Scale, the wide input gradients of conv and BN), for
// a network output read by two layers (a residual branch). Twin:
// gpu/cpu/nngrad.go — keep in sync.

struct GradAddParams {
    n: u32,            // elements
    a_wide: u32,       // 1: a is I64 (two words per element), 0: I32
    b_wide: u32,       // likewise for b
    a_has_scale: u32,  // 1: a's exponent adds a_scale[0]
    b_has_scale: u32,  // likewise for b
    a_exp: i32,        // a.Exp
    b_exp: i32,        // b.Exp
    out_exp: i32,      // the output's Exp, min(a.Exp, b.Exp)
}

const GADD_MAX: vec2<u32> = vec2<u32>(0xFFFFFFFFu, 0x7FFFFFFFu);
const GADD_MIN: vec2<u32> = vec2<u32>(0u, 0x80000000u);

// gadd_shl returns v·2^s in .xy and 1 in .z when it fits int64 (s >= 0;
// any s >= 63 overflows a nonzero v).
fn gadd_shl(v: vec2<u32>, s: u32) -> vec3<u32> {
    if (v.x == 0u && v.y == 0u) {
        return vec3<u32>(0u, 0u, 1u);
    }
    if (s >= 63u) {
        return vec3<u32>(0u, 0u, 0u);
    }
    let r = wide_shl(v, s);
    let back = wide_sar(r, s);
    return vec3<u32>(r, select(0u, 1u, back.x == v.x && back.y == v.y));
}

// grad_add_i64: with e_a = a_exp (+ a_scale[0]), e_b likewise and e =
// min(e_a, e_b), out[i] = a[i]·2^(e_a - e) + b[i]·2^(e_b - e) exactly in
// int64, out_scale[0] = e - out_exp. A shift or sum beyond int64 saturates
// (to the sign of a's shifted value, else b's, else of the shifted a) and
// raises ERR_OVERFLOW. Bindings: out (wide), out_scale, a, b, a_scale,
// b_scale, error word. Grid: 1-D over n. Twin: cpu.GradAdd.
@group(0) @binding(0) var<uniform> gadd_p: GradAddParams;
@group(0) @binding(1) var<storage, read_write> gadd_out: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> gadd_out_scale: array<i32>;
@group(0) @binding(3) var<storage, read> gadd_a: array<u32>;
@group(0) @binding(4) var<storage, read> gadd_b: array<u32>;
@group(0) @binding(5) var<storage, read> gadd_a_scale: array<i32>;
@group(0) @binding(6) var<storage, read> gadd_b_scale: array<i32>;
@group(0) @binding(7) var<storage, read_write> gadd_err: array<atomic<u32>>;

@compute @workgroup_size(64)
fn grad_add_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    let p = gadd_p;
    if (i >= p.n) { return; }
    // Exponents within ±2^31 by the wrapper's checks and the Scales' range.
    var ea = p.a_exp;
    if (p.a_has_scale != 0u) { ea = ea + gadd_a_scale[0]; }
    var eb = p.b_exp;
    if (p.b_has_scale != 0u) { eb = eb + gadd_b_scale[0]; }
    let e = min(ea, eb);
    let sa = u32(min(ea - e, 63));
    let sb = u32(min(eb - e, 63));
    if (i == 0u) {
        gadd_out_scale[0] = e - p.out_exp;
    }
    var va: vec2<u32>;
    if (p.a_wide != 0u) {
        va = vec2<u32>(gadd_a[2u * i], gadd_a[2u * i + 1u]);
    } else {
        va = wide_from_i32(bitcast<i32>(gadd_a[i]));
    }
    var vb: vec2<u32>;
    if (p.b_wide != 0u) {
        vb = vec2<u32>(gadd_b[2u * i], gadd_b[2u * i + 1u]);
    } else {
        vb = wide_from_i32(bitcast<i32>(gadd_b[i]));
    }
    let xa = gadd_shl(va, sa);
    let xb = gadd_shl(vb, sb);
    var r: vec2<u32>;
    var ok = xa.z != 0u && xb.z != 0u;
    if (xa.z == 0u) {
        r = select(GADD_MAX, GADD_MIN, wide_is_neg(va));
    } else if (xb.z == 0u) {
        r = select(GADD_MAX, GADD_MIN, wide_is_neg(vb));
    } else {
        r = wide_add(xa.xy, xb.xy);
        let na = wide_is_neg(xa.xy);
        if (na == wide_is_neg(xb.xy) && wide_is_neg(r) != na) {
            r = select(GADD_MAX, GADD_MIN, na);
            ok = false;
        }
    }
    if (!ok) {
        atomicOr(&gadd_err[0], ERR_OVERFLOW);
    }
    gadd_out[i] = r;
}
