// pool.wgsl: max and average pooling on activation codes and their
// backward passes (docs/dataflow.md Forward 5, Backward 5).
// Go twins: gpu/cpu/pool.go — keep in sync.
//
// Tensors are NCHW. U8 (and I8) tensors are packed 4 per word along W, each
// row (fixed n, c, h) starting a new word; I32 tensors are one word per
// element. planes = N·C. Windows: output (oy, ox) covers input rows
// oy·sh - ph .. oy·sh - ph + kh - 1 and columns ox·sw - pw .. + kw - 1;
// positions in the padding are skipped by max pool and count as zero in
// average pool (the divisor is always kh·kw, PyTorch's count_include_pad).
// Bindings: @binding(0) params, @binding(1..) outputs, then inputs.
// Grid: 1-D, spilling into y (linear_index).

override wg_size: u32 = 64u;

// PoolParams is the uniform of every pool kernel.
struct PoolParams {
    planes: u32,  // N·C
    h: u32,       // input height
    w: u32,       // input width
    oh: u32,      // output height, (h + 2ph - kh)/sh + 1
    ow: u32,      // output width, (w + 2pw - kw)/sw + 1
    kh: u32,      // window height
    kw: u32,      // window width
    sh: u32,      // stride along h
    sw: u32,      // stride along w
    ph: u32,      // padding along h
    pw: u32,      // padding along w
    d_i8: u32,    // backward: 1 if δ is I8 (packed along ow), 0 if I32
    t: u32,       // avgpool2d_bwd: ceil(log2(kh·kw)), the bits folded into the exponent
}
@group(0) @binding(0) var<uniform> pool_p: PoolParams;

// pool_byte returns lane l (0..3) of a packed word as an unsigned byte.
fn pool_byte(wd: u32, l: u32) -> u32 {
    return (wd >> (8u * l)) & 0xFFu;
}

@group(0) @binding(1) var<storage, read_write> mpf_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> mpf_arg: array<i32>;
@group(0) @binding(3) var<storage, read> mpf_in: array<u32>;

// maxpool2d_fwd: max pooling of U8 codes x [planes, h, w] into y [planes,
// oh, ow] (U8, same exponent) and argmax [planes, oh, ow] (I32, the index
// iy·w + ix of the maximum within its plane; ties go to the first index in
// row-major window order; -1 and code 0 for a window wholly in the padding,
// which the wrapper's padding bound rules out). One invocation per output
// word. Twin: cpu.Maxpool2dFwd.
@compute @workgroup_size(wg_size)
fn maxpool2d_fwd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let p = pool_p;
    let cwo = (p.ow + 3u) / 4u;
    let cwi = (p.w + 3u) / 4u;
    let wi = linear_index(gid, nwg, wg_size);
    if (wi >= p.planes * p.oh * cwo) { return; }
    let row = wi / cwo;           // plane·oh + oy
    let pl = row / p.oh;
    let oy = row % p.oh;
    let ox0 = (wi % cwo) * 4u;
    var word = 0u;
    for (var l = 0u; l < 4u; l++) {
        let ox = ox0 + l;
        if (ox >= p.ow) { break; }
        var best = 0u;
        var arg = -1;
        for (var dy = 0u; dy < p.kh; dy++) {
            let iy = i32(oy * p.sh + dy) - i32(p.ph);
            if (iy < 0 || iy >= i32(p.h)) { continue; }
            for (var dx = 0u; dx < p.kw; dx++) {
                let ix = i32(ox * p.sw + dx) - i32(p.pw);
                if (ix < 0 || ix >= i32(p.w)) { continue; }
                let v = pool_byte(mpf_in[(pl * p.h + u32(iy)) * cwi + u32(ix) / 4u], u32(ix) % 4u);
                if (arg < 0 || v > best) {
                    best = v;
                    arg = iy * i32(p.w) + ix;
                }
            }
        }
        word = word | (best << (8u * l));
        mpf_arg[row * p.ow + ox] = arg;
    }
    mpf_out[wi] = word;
}

@group(0) @binding(1) var<storage, read_write> mpb_out: array<i32>;
@group(0) @binding(2) var<storage, read> mpb_d: array<u32>;
@group(0) @binding(3) var<storage, read> mpb_arg: array<i32>;
@group(0) @binding(4) var<storage, read_write> mpb_err: array<atomic<u32>>;

// pool_range returns the first and one past the last output index o whose
// window (o·s - pad .. o·s - pad + k - 1) contains input index i, clipped
// to [0, n).
fn pool_range(i: u32, k: u32, s: u32, pad: u32, n: u32) -> vec2<u32> {
    let lo = i32(i + pad) - i32(k) + 1;
    var first = 0u;
    if (lo > 0) {
        first = (u32(lo) + s - 1u) / s;
    }
    let last = min((i + pad) / s + 1u, n);
    return vec2<u32>(first, max(first, last));
}

// pool_delta_mp reads δ[row, ox] of a tensor [rows, ow], I8 packed along ow
// (ceil(ow/4) words per row) or I32; pool_delta_ap likewise for apb_d.
fn pool_delta_mp(row: u32, ox: u32) -> i32 {
    if (pool_p.d_i8 != 0u) {
        let cw = (pool_p.ow + 3u) / 4u;
        return sign_extend_i8(mpb_d[row * cw + ox / 4u], ox % 4u);
    }
    return bitcast<i32>(mpb_d[row * pool_p.ow + ox]);
}

// maxpool2d_bwd: the gather form of the max-pool backward, without
// atomics: for every input position (plane, iy, ix), out = the sum of δ over
// the windows containing it whose argmax it is (I32 [planes, h, w], δ's
// exponent). δ: I8 or I32 [planes, oh, ow]. A sum that wraps (only possible
// for I32 δ) sets ERR_OVERFLOW. One invocation per input element. Twin:
// cpu.Maxpool2dBwd.
@compute @workgroup_size(wg_size)
fn maxpool2d_bwd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let p = pool_p;
    let i = linear_index(gid, nwg, wg_size);
    if (i >= p.planes * p.h * p.w) { return; }
    let pl = i / (p.h * p.w);
    let iy = (i / p.w) % p.h;
    let ix = i % p.w;
    let me = i32(iy * p.w + ix);
    let ry = pool_range(iy, p.kh, p.sh, p.ph, p.oh);
    let rx = pool_range(ix, p.kw, p.sw, p.pw, p.ow);
    var s = 0;
    var over = false;
    for (var oy = ry.x; oy < ry.y; oy++) {
        let row = pl * p.oh + oy;
        for (var ox = rx.x; ox < rx.y; ox++) {
            if (mpb_arg[row * p.ow + ox] == me) {
                let d = pool_delta_mp(row, ox);
                over = over || add_overflows(s, d);
                s = s + d;
            }
        }
    }
    mpb_out[i] = s;
    if (over) {
        atomicOr(&mpb_err[0], ERR_OVERFLOW);
    }
}

@group(0) @binding(1) var<storage, read_write> apf_out: array<u32>;
@group(0) @binding(2) var<storage, read> apf_in: array<u32>;

// avgpool2d_fwd: average pooling of U8 codes x [planes, h, w] into y
// [planes, oh, ow] (U8, same exponent): y = RoundDiv(window sum, kh·kw),
// rounding half to even, exact (the sum is at most 255·kh·kw < 2^32 for
// kh·kw <= 2^24, which the wrapper enforces). Global average pooling is
// kh = h, kw = w. One invocation per output word. Twin: cpu.Avgpool2dFwd.
@compute @workgroup_size(wg_size)
fn avgpool2d_fwd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let p = pool_p;
    let cwo = (p.ow + 3u) / 4u;
    let cwi = (p.w + 3u) / 4u;
    let wi = linear_index(gid, nwg, wg_size);
    if (wi >= p.planes * p.oh * cwo) { return; }
    let row = wi / cwo;
    let pl = row / p.oh;
    let oy = row % p.oh;
    let ox0 = (wi % cwo) * 4u;
    let d = p.kh * p.kw;
    var word = 0u;
    for (var l = 0u; l < 4u; l++) {
        let ox = ox0 + l;
        if (ox >= p.ow) { break; }
        var s = 0u;
        for (var dy = 0u; dy < p.kh; dy++) {
            let iy = i32(oy * p.sh + dy) - i32(p.ph);
            if (iy < 0 || iy >= i32(p.h)) { continue; }
            for (var dx = 0u; dx < p.kw; dx++) {
                let ix = i32(ox * p.sw + dx) - i32(p.pw);
                if (ix < 0 || ix >= i32(p.w)) { continue; }
                s = s + pool_byte(apf_in[(pl * p.h + u32(iy)) * cwi + u32(ix) / 4u], u32(ix) % 4u);
            }
        }
        var q = s / d;
        let r = s % d;
        if (r > d - r || (r == d - r && (q & 1u) != 0u)) {
            q = q + 1u;
        }
        word = word | (q << (8u * l));
    }
    apf_out[wi] = word;
}

@group(0) @binding(1) var<storage, read_write> apb_out: array<i32>;
@group(0) @binding(2) var<storage, read> apb_d: array<u32>;
@group(0) @binding(3) var<storage, read_write> apb_err: array<atomic<u32>>;

fn pool_delta_ap(row: u32, ox: u32) -> i32 {
    if (pool_p.d_i8 != 0u) {
        let cw = (pool_p.ow + 3u) / 4u;
        return sign_extend_i8(apb_d[row * cw + ox / 4u], ox % 4u);
    }
    return bitcast<i32>(apb_d[row * pool_p.ow + ox]);
}

// avgpool2d_bwd: the average-pool backward. For every input position, S =
// the sum of δ over the windows containing it (wide), and
//
//	out = RoundDiv(S·2^t, kh·kw)   with exponent e_δ - t, t = ceil(log2(kh·kw))
//
// so the factor 1/(kh·kw) goes into the exponent: exactly (out = S) when
// kh·kw is a power of two, else rounded half to even with t extra bits.
// ERR_OVERFLOW is set (and 0 written) when |S| >= 2^(62-t), and when the
// result does not fit int32 (its low word is written). Only I32 δ can
// overflow. One invocation per input element. Twin: cpu.Avgpool2dBwd.
@compute @workgroup_size(wg_size)
fn avgpool2d_bwd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let p = pool_p;
    let i = linear_index(gid, nwg, wg_size);
    if (i >= p.planes * p.h * p.w) { return; }
    let pl = i / (p.h * p.w);
    let iy = (i / p.w) % p.h;
    let ix = i % p.w;
    let ry = pool_range(iy, p.kh, p.sh, p.ph, p.oh);
    let rx = pool_range(ix, p.kw, p.sw, p.pw, p.ow);
    var s = WIDE_ZERO;
    for (var oy = ry.x; oy < ry.y; oy++) {
        let row = pl * p.oh + oy;
        for (var ox = rx.x; ox < rx.y; ox++) {
            s = wide_add(s, wide_from_i32(pool_delta_ap(row, ox)));
        }
    }
    let d = p.kh * p.kw;
    if (!wide_lt_u(wide_abs(s), wide_shl(vec2<u32>(1u, 0u), 62u - p.t))) {
        apb_out[i] = 0;
        atomicOr(&apb_err[0], ERR_OVERFLOW);
        return;
    }
    var q = wide_shl(s, p.t);
    if (d != (1u << p.t)) {
        q = wide_round_div_u32(q, d);
    } else {
        q = s;
    }
    apb_out[i] = bitcast<i32>(q.x);
    if (!wide_fits_i32(q)) {
        atomicOr(&apb_err[0], ERR_OVERFLOW);
    }
}
