// float.wgsl: float32 kernels for layers a recipe keeps in float.
// Go twins: gpu/cpu/float.go — keep in sync.
//
// Bindings: @binding(0) the params uniform, then the outputs, then the
// inputs. Buffers hold f32, except masks and argmax indices (u32).
// Elementwise kernels: 1-D grid over n, spilling into y (linear_index).

override wg_size: u32 = 64u;

struct F32EltParams {
    n: u32,  // elements
}
@group(0) @binding(0) var<uniform> fe_p: F32EltParams;

// relu_f32: y = max(x, 0), mask = 1 where x > 0. Twin: cpu.ReluF32.
@group(0) @binding(1) var<storage, read_write> relu_f_y: array<f32>;
@group(0) @binding(2) var<storage, read_write> relu_f_mask: array<u32>;
@group(0) @binding(3) var<storage, read> relu_f_x: array<f32>;

@compute @workgroup_size(wg_size)
fn relu_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= fe_p.n) { return; }
    let v = relu_f_x[i];
    if (v > 0.0) {
        relu_f_y[i] = v;
        relu_f_mask[i] = 1u;
    } else {
        relu_f_y[i] = 0.0;
        relu_f_mask[i] = 0u;
    }
}

// relu6_f32: y = min(max(x, 0), 6), mask = 1 where 0 < x < 6.
// Twin: cpu.Relu6F32.
@group(0) @binding(1) var<storage, read_write> relu6_f_y: array<f32>;
@group(0) @binding(2) var<storage, read_write> relu6_f_mask: array<u32>;
@group(0) @binding(3) var<storage, read> relu6_f_x: array<f32>;

@compute @workgroup_size(wg_size)
fn relu6_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= fe_p.n) { return; }
    let v = relu6_f_x[i];
    if (v > 0.0 && v < 6.0) {
        relu6_f_y[i] = v;
        relu6_f_mask[i] = 1u;
    } else if (v >= 6.0) {
        relu6_f_y[i] = 6.0;
        relu6_f_mask[i] = 0u;
    } else {
        relu6_f_y[i] = 0.0;
        relu6_f_mask[i] = 0u;
    }
}

// relu_bwd_f32: dx = dy where mask != 0, else +0. Twin: cpu.ReluBwdF32.
@group(0) @binding(1) var<storage, read_write> relub_f_dx: array<u32>;
@group(0) @binding(2) var<storage, read> relub_f_dy: array<u32>;
@group(0) @binding(3) var<storage, read> relub_f_mask: array<u32>;

@compute @workgroup_size(wg_size)
fn relu_bwd_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= fe_p.n) { return; }
    relub_f_dx[i] = select(0u, relub_f_dy[i], relub_f_mask[i] != 0u);
}

// add_f32: out = a + b (the residual add). Twin: cpu.AddF32.
@group(0) @binding(1) var<storage, read_write> add_f_out: array<f32>;
@group(0) @binding(2) var<storage, read> add_f_a: array<f32>;
@group(0) @binding(3) var<storage, read> add_f_b: array<f32>;

@compute @workgroup_size(wg_size)
fn add_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= fe_p.n) { return; }
    add_f_out[i] = add_f_a[i] + add_f_b[i];
}

// The fake quantizers: y = round(x·scale) [clipped to ±lim]·inv_scale with
// scale a power of two and round half to even (WGSL round), a zero result
// written as +0. Exact in f32.
struct F32QuantParams {
    n: u32,           // elements
    scale: f32,       // 2^(kdec-1)
    inv_scale: f32,   // 2^-(kdec-1)
    lim: f32,         // clip bound of the code (quant_alldirect_f32 only)
}
@group(0) @binding(0) var<uniform> fq_p: F32QuantParams;
@group(0) @binding(1) var<storage, read_write> fq_y: array<f32>;
@group(0) @binding(2) var<storage, read> fq_x: array<f32>;

// fq_store writes code·inv_scale at i, +0 for zero.
fn fq_store(i: u32, c: f32) {
    let y = c * fq_p.inv_scale;
    fq_y[i] = select(y, 0.0, y == 0.0);
}

// quant_direct_f32: the float view of quant.Direct. Twin: cpu.QuantDirectF32.
@compute @workgroup_size(wg_size)
fn quant_direct_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= fq_p.n) { return; }
    fq_store(i, round(fq_x[i] * fq_p.scale));
}

// quant_alldirect_f32: the float view of quant.AllDirect.
// Twin: cpu.QuantAllDirectF32.
@compute @workgroup_size(wg_size)
fn quant_alldirect_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= fq_p.n) { return; }
    fq_store(i, clamp(round(fq_x[i] * fq_p.scale), -fq_p.lim, fq_p.lim));
}

// Batch norm, NCHW with hw = H·W; per-channel kernels run one workgroup of
// 256 per channel (c = the workgroup's linear id): lane l sums elements e =
// l, l + 256, ... (element e of channel c at (e / hw·c_total + c)·hw + e %
// hw), then the lanes are added in a tree.
struct BNF32Params {
    n: u32,          // batch
    c: u32,          // channels
    hw: u32,         // H·W
    eps: f32,        // added to the variance
    momentum: f32,   // running-stat momentum (bn_f32)
    train: u32,      // bn_bwd_f32: 1 through the batch statistics
}
@group(0) @binding(0) var<uniform> bnf_p: BNF32Params;

var<workgroup> bnf_sh: array<f32, 256>;
var<workgroup> bnf_sh2: array<f32, 256>;

fn bnf_addr(c: u32, e: u32) -> u32 {
    return (e / bnf_p.hw * bnf_p.c + c) * bnf_p.hw + e % bnf_p.hw;
}

// bnf_tree adds bnf_sh (and bnf_sh2 when two) over the lanes into lane 0;
// every lane must call it.
fn bnf_tree(l: u32, two: bool) {
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride = stride / 2u) {
        if (l < stride) {
            bnf_sh[l] += bnf_sh[l + stride];
            if (two) { bnf_sh2[l] += bnf_sh2[l + stride]; }
        }
        workgroupBarrier();
    }
}

fn bnf_inv_std(v: f32) -> f32 {
    return 1.0 / sqrt(v + bnf_p.eps);
}

// bn_f32: training forward of channel c: μ, σ² (population, two passes),
// y = (x-μ)·(1/sqrt(σ²+ε))·γ + β, saved mean and variance, running stats
// updated in place (unbiased variance, momentum). Bindings: y, mean,
// variance, rmean, rvar (read_write), x, gamma, beta. Twin: cpu.BNF32.
@group(0) @binding(1) var<storage, read_write> bnf_y: array<f32>;
@group(0) @binding(2) var<storage, read_write> bnf_mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> bnf_var: array<f32>;
@group(0) @binding(4) var<storage, read_write> bnf_rmean: array<f32>;
@group(0) @binding(5) var<storage, read_write> bnf_rvar: array<f32>;
@group(0) @binding(6) var<storage, read> bnf_x: array<f32>;
@group(0) @binding(7) var<storage, read> bnf_gamma: array<f32>;
@group(0) @binding(8) var<storage, read> bnf_beta: array<f32>;

@compute @workgroup_size(256)
fn bn_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) l: u32) {
    let c = wid.x + wid.y * nwg.x;
    if (c >= bnf_p.c) { return; }
    let m = bnf_p.n * bnf_p.hw;
    let fm = f32(m);
    var s = 0.0f;
    for (var e = l; e < m; e += 256u) { s += bnf_x[bnf_addr(c, e)]; }
    bnf_sh[l] = s;
    bnf_tree(l, false);
    let mu = bnf_sh[0] / fm;
    workgroupBarrier();
    s = 0.0f;
    for (var e = l; e < m; e += 256u) { let d = bnf_x[bnf_addr(c, e)] - mu; s += d * d; }
    bnf_sh[l] = s;
    bnf_tree(l, false);
    let v = bnf_sh[0] / fm;
    let is = bnf_inv_std(v);
    let g = bnf_gamma[c];
    let b = bnf_beta[c];
    for (var e = l; e < m; e += 256u) {
        let a = bnf_addr(c, e);
        bnf_y[a] = (bnf_x[a] - mu) * is * g + b;
    }
    if (l == 0u) {
        bnf_mean[c] = mu;
        bnf_var[c] = v;
        let unbiased = v * fm / f32(m - 1u);
        let mom = bnf_p.momentum;
        bnf_rmean[c] = (1.0 - mom) * bnf_rmean[c] + mom * mu;
        bnf_rvar[c] = (1.0 - mom) * bnf_rvar[c] + mom * unbiased;
    }
}

// bn_eval_f32: y = (x - rmean)·(1/sqrt(rvar+ε))·γ + β, 1-D grid over
// n·c·hw. Bindings: y, x, gamma, beta, rmean, rvar. Twin: cpu.BNEvalF32.
@group(0) @binding(1) var<storage, read_write> bnfe_y: array<f32>;
@group(0) @binding(2) var<storage, read> bnfe_x: array<f32>;
@group(0) @binding(3) var<storage, read> bnfe_gamma: array<f32>;
@group(0) @binding(4) var<storage, read> bnfe_beta: array<f32>;
@group(0) @binding(5) var<storage, read> bnfe_rmean: array<f32>;
@group(0) @binding(6) var<storage, read> bnfe_rvar: array<f32>;

@compute @workgroup_size(64)
fn bn_eval_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    if (i >= bnf_p.n * bnf_p.c * bnf_p.hw) { return; }
    let c = i / bnf_p.hw % bnf_p.c;
    bnfe_y[i] = (bnfe_x[i] - bnfe_rmean[c]) * bnf_inv_std(bnfe_rvar[c]) * bnfe_gamma[c] + bnfe_beta[c];
}

// bn_bwd_f32: backward of channel c with statistics mean, variance (the
// batch's when train = 1, the running ones otherwise), s = 1/sqrt(σ²+ε):
// dβ = Σdy, dγ = s·Σdy·(x-μ); dx = γ·s·(dy - dβ/m - x̂·dγ/m) when train,
// else γ·s·dy. Bindings: dx, dgamma, dbeta, dy, x, gamma, mean, variance.
// Twin: cpu.BNBwdF32.
@group(0) @binding(1) var<storage, read_write> bnfb_dx: array<f32>;
@group(0) @binding(2) var<storage, read_write> bnfb_dgamma: array<f32>;
@group(0) @binding(3) var<storage, read_write> bnfb_dbeta: array<f32>;
@group(0) @binding(4) var<storage, read> bnfb_dy: array<f32>;
@group(0) @binding(5) var<storage, read> bnfb_x: array<f32>;
@group(0) @binding(6) var<storage, read> bnfb_gamma: array<f32>;
@group(0) @binding(7) var<storage, read> bnfb_mean: array<f32>;
@group(0) @binding(8) var<storage, read> bnfb_var: array<f32>;

@compute @workgroup_size(256)
fn bn_bwd_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) l: u32) {
    let c = wid.x + wid.y * nwg.x;
    if (c >= bnf_p.c) { return; }
    let m = bnf_p.n * bnf_p.hw;
    let fm = f32(m);
    let mu = bnfb_mean[c];
    let s = bnf_inv_std(bnfb_var[c]);
    var s1 = 0.0f;
    var s2 = 0.0f;
    for (var e = l; e < m; e += 256u) {
        let a = bnf_addr(c, e);
        let d = bnfb_dy[a];
        s1 += d;
        s2 += d * (bnfb_x[a] - mu);
    }
    bnf_sh[l] = s1;
    bnf_sh2[l] = s2;
    bnf_tree(l, true);
    let db = bnf_sh[0];
    let dg = bnf_sh2[0] * s;
    let gs = bnfb_gamma[c] * s;
    for (var e = l; e < m; e += 256u) {
        let a = bnf_addr(c, e);
        if (bnf_p.train != 0u) {
            let xh = (bnfb_x[a] - mu) * s;
            bnfb_dx[a] = gs * (bnfb_dy[a] - db / fm - xh * dg / fm);
        } else {
            bnfb_dx[a] = gs * bnfb_dy[a];
        }
    }
    if (l == 0u) {
        bnfb_dgamma[c] = dg;
        bnfb_dbeta[c] = db;
    }
}

// Pooling, NCHW: x [n, c, h, w], y [n, c, oh, ow], floor mode; padding is
// implicit (never read). 1-D grids over the outputs (forward) or the
// inputs (backward, a gather in a fixed order).
struct PoolF32Params {
    n: u32, c: u32, h: u32, w: u32,
    oh: u32, ow: u32,
    kh: u32, kw: u32,    // window
    sh: u32, sw: u32,    // stride
    ph: u32, pw: u32,    // padding
    count_pad: u32,      // avgpool: 1 divides by kh·kw, 0 by the in-range count
}
@group(0) @binding(0) var<uniform> pf_p: PoolF32Params;

// pf_range is the in-range input rows [lo, hi) of output row o.
fn pf_range(o: u32, s: u32, pad: u32, k: u32, size: u32) -> vec2<u32> {
    let start = i32(o * s) - i32(pad);
    return vec2<u32>(u32(max(start, 0)), u32(min(start + i32(k), i32(size))));
}

// pf_cover is the output rows [lo, hi) whose window covers input row i.
fn pf_cover(i: u32, s: u32, pad: u32, k: u32, out_size: u32) -> vec2<u32> {
    let a = i32(i + pad) - i32(k) + 1;
    var lo = 0u;
    if (a > 0) { lo = (u32(a) + s - 1u) / s; }
    let hi = min((i + pad) / s + 1u, out_size);
    return vec2<u32>(lo, max(hi, lo));
}

fn pf_div(hr: vec2<u32>, wr: vec2<u32>) -> f32 {
    if (pf_p.count_pad != 0u) { return f32(pf_p.kh * pf_p.kw); }
    return f32((hr.y - hr.x) * (wr.y - wr.x));
}

// maxpool2d_f32: y = max of the window's in-range elements, idx = its
// position h·w_size + w, the first on ties. Bindings: y, idx, x.
// Twin: cpu.MaxPool2dF32.
@group(0) @binding(1) var<storage, read_write> mpf_y: array<f32>;
@group(0) @binding(2) var<storage, read_write> mpf_idx: array<u32>;
@group(0) @binding(3) var<storage, read> mpf_x: array<f32>;

@compute @workgroup_size(64)
fn maxpool2d_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    let p = pf_p;
    if (i >= p.n * p.c * p.oh * p.ow) { return; }
    let ow = i % p.ow;
    let t = i / p.ow;
    let oh = t % p.oh;
    let nc = t / p.oh;
    let hr = pf_range(oh, p.sh, p.ph, p.kh, p.h);
    let wr = pf_range(ow, p.sw, p.pw, p.kw, p.w);
    var best = 0.0f;
    var at = hr.x * p.w + wr.x;
    var first = true;
    for (var h = hr.x; h < hr.y; h++) {
        for (var w = wr.x; w < wr.y; w++) {
            let v = mpf_x[(nc * p.h + h) * p.w + w];
            if (first || v > best) {
                best = v;
                at = h * p.w + w;
                first = false;
            }
        }
    }
    if (first) { best = bitcast<f32>(0xff800000u); }  // -inf: an empty window
    mpf_y[i] = best;
    mpf_idx[i] = at;
}

// maxpool2d_bwd_f32: dx = Σ dy over the covering outputs whose idx is this
// element. Bindings: dx, dy, idx. Twin: cpu.MaxPool2dBwdF32.
@group(0) @binding(1) var<storage, read_write> mpfb_dx: array<f32>;
@group(0) @binding(2) var<storage, read> mpfb_dy: array<f32>;
@group(0) @binding(3) var<storage, read> mpfb_idx: array<u32>;

@compute @workgroup_size(64)
fn maxpool2d_bwd_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    let p = pf_p;
    if (i >= p.n * p.c * p.h * p.w) { return; }
    let w = i % p.w;
    let t = i / p.w;
    let h = t % p.h;
    let nc = t / p.h;
    let hc = pf_cover(h, p.sh, p.ph, p.kh, p.oh);
    let wc = pf_cover(w, p.sw, p.pw, p.kw, p.ow);
    var s = 0.0f;
    for (var oh = hc.x; oh < hc.y; oh++) {
        for (var ow = wc.x; ow < wc.y; ow++) {
            let o = (nc * p.oh + oh) * p.ow + ow;
            if (mpfb_idx[o] == h * p.w + w) { s += mpfb_dy[o]; }
        }
    }
    mpfb_dx[i] = s;
}

// avgpool2d_f32: y = Σ in-range x / div. Bindings: y, x.
// Twin: cpu.AvgPool2dF32.
@group(0) @binding(1) var<storage, read_write> apf_y: array<f32>;
@group(0) @binding(2) var<storage, read> apf_x: array<f32>;

@compute @workgroup_size(64)
fn avgpool2d_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    let p = pf_p;
    if (i >= p.n * p.c * p.oh * p.ow) { return; }
    let ow = i % p.ow;
    let t = i / p.ow;
    let oh = t % p.oh;
    let nc = t / p.oh;
    let hr = pf_range(oh, p.sh, p.ph, p.kh, p.h);
    let wr = pf_range(ow, p.sw, p.pw, p.kw, p.w);
    var s = 0.0f;
    for (var h = hr.x; h < hr.y; h++) {
        for (var w = wr.x; w < wr.y; w++) {
            s += apf_x[(nc * p.h + h) * p.w + w];
        }
    }
    apf_y[i] = s / pf_div(hr, wr);
}

// avgpool2d_bwd_f32: dx = Σ dy/div over the covering outputs. Bindings:
// dx, dy. Twin: cpu.AvgPool2dBwdF32.
@group(0) @binding(1) var<storage, read_write> apfb_dx: array<f32>;
@group(0) @binding(2) var<storage, read> apfb_dy: array<f32>;

@compute @workgroup_size(64)
fn avgpool2d_bwd_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    let p = pf_p;
    if (i >= p.n * p.c * p.h * p.w) { return; }
    let w = i % p.w;
    let t = i / p.w;
    let h = t % p.h;
    let nc = t / p.h;
    let hc = pf_cover(h, p.sh, p.ph, p.kh, p.oh);
    let wc = pf_cover(w, p.sw, p.pw, p.kw, p.ow);
    var s = 0.0f;
    for (var oh = hc.x; oh < hc.y; oh++) {
        let hr = pf_range(oh, p.sh, p.ph, p.kh, p.h);
        for (var ow = wc.x; ow < wc.y; ow++) {
            let wr = pf_range(ow, p.sw, p.pw, p.kw, p.w);
            s += apfb_dy[(nc * p.oh + oh) * p.ow + ow] / pf_div(hr, wr);
        }
    }
    apfb_dx[i] = s;
}

// AdderNet (adder.py: F.unfold with zero padding, so the padding takes
// part as x = 0), conv2d_f32's params and layouts: x [n, c, h, w], w [k,
// cg, kh, kw], y and dy [n, k, oh, ow], g = k / kg; all groups in one
// dispatch (group and row_words ignored).
struct ConvParams {
    n: u32, c: u32, h: u32, w: u32,
    k: u32,
    kh: u32, kw: u32,
    oh: u32, ow: u32,
    stride: u32,
    pad: u32,
    cg: u32,
    kg: u32,
    group: u32,      // ignored
    row_words: u32,  // ignored
}
@group(0) @binding(0) var<uniform> adf_p: ConvParams;

// adf_in_range: (ih, iw) of the padded input lies inside x.
fn adf_in_range(ih: u32, iw: u32) -> bool {
    let p = adf_p;
    return ih >= p.pad && ih - p.pad < p.h && iw >= p.pad && iw - p.pad < p.w;
}

// adder2d_f32: y = -Σ_{c', i, j} |x[n, g·cg + c', oy·stride + i - pad,
// ox·stride + j - pad] - w[k, c', i, j]|. Bindings: y, x, w. Grid: 1-D over
// n·k·oh·ow. Twin: cpu.Adder2dF32.
@group(0) @binding(1) var<storage, read_write> adf_y: array<f32>;
@group(0) @binding(2) var<storage, read> adf_x: array<f32>;
@group(0) @binding(3) var<storage, read> adf_w: array<f32>;

@compute @workgroup_size(64)
fn adder2d_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, 64u);
    let p = adf_p;
    if (idx >= p.n * p.k * p.oh * p.ow) { return; }
    let ox = idx % p.ow;
    var t = idx / p.ow;
    let oy = t % p.oh;
    t = t / p.oh;
    let k = t % p.k;
    let n = t / p.k;
    let g = k / p.kg;
    var sum = 0.0f;
    for (var c = 0u; c < p.cg; c++) {
        for (var i = 0u; i < p.kh; i++) {
            let ih = oy * p.stride + i;
            for (var j = 0u; j < p.kw; j++) {
                let iw = ox * p.stride + j;
                var a = 0.0f;
                if (adf_in_range(ih, iw)) {
                    a = adf_x[((n * p.c + g * p.cg + c) * p.h + ih - p.pad) * p.w + iw - p.pad];
                }
                sum += abs(a - adf_w[((k * p.cg + c) * p.kh + i) * p.kw + j]);
            }
        }
    }
    adf_y[idx] = -sum;
}

// adder2d_bwd_data_f32: dx[n, c, y, x] = Σ_{k', i, j} clamp(w[g·kg + k',
// c', i, j] - x[n, c, y, x], -1, 1)·dy[n, g·kg + k', oy, ox], g = c / cg,
// over the (i, j) with oy = (y + pad - i)/stride and ox likewise whole and
// in range. Bindings: dx, dy, x, w. Grid: 1-D over n·c·h·w.
// Twin: cpu.Adder2dBwdDataF32.
@group(0) @binding(1) var<storage, read_write> adfd_dx: array<f32>;
@group(0) @binding(2) var<storage, read> adfd_dy: array<f32>;
@group(0) @binding(3) var<storage, read> adfd_x: array<f32>;
@group(0) @binding(4) var<storage, read> adfd_w: array<f32>;

@compute @workgroup_size(64)
fn adder2d_bwd_data_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, 64u);
    let p = adf_p;
    if (idx >= p.n * p.c * p.h * p.w) { return; }
    let x = idx % p.w;
    var t = idx / p.w;
    let y = t % p.h;
    t = t / p.h;
    let c = t % p.c;
    let n = t / p.c;
    let g = c / p.cg;
    let cl = c % p.cg;
    let xv = adfd_x[idx];
    var sum = 0.0f;
    for (var kl = 0u; kl < p.kg; kl++) {
        let k = g * p.kg + kl;
        for (var i = 0u; i < p.kh; i++) {
            let yp = y + p.pad;
            if (yp < i || (yp - i) % p.stride != 0u || (yp - i) / p.stride >= p.oh) { continue; }
            let oy = (yp - i) / p.stride;
            for (var j = 0u; j < p.kw; j++) {
                let xp = x + p.pad;
                if (xp < j || (xp - j) % p.stride != 0u || (xp - j) / p.stride >= p.ow) { continue; }
                let ox = (xp - j) / p.stride;
                let d = clamp(adfd_w[((k * p.cg + cl) * p.kh + i) * p.kw + j] - xv, -1.0, 1.0);
                sum += d * adfd_dy[((n * p.k + k) * p.oh + oy) * p.ow + ox];
            }
        }
    }
    adfd_dx[idx] = sum;
}

// adder2d_bwd_weight_f32: dw[k, c', i, j] = Σ_{n, oy, ox} (x[n, g·cg + c',
// oy·stride + i - pad, ox·stride + j - pad] - w[k, c', i, j])·dy[n, k, oy,
// ox], the padding as x = 0 (adder.py's full-precision gradient, before
// its adaptive scaling). Bindings: dw, dy, x, w. Grid: 1-D over
// k·cg·kh·kw. Twin: cpu.Adder2dBwdWeightF32.
@group(0) @binding(1) var<storage, read_write> adfw_dw: array<f32>;
@group(0) @binding(2) var<storage, read> adfw_dy: array<f32>;
@group(0) @binding(3) var<storage, read> adfw_x: array<f32>;
@group(0) @binding(4) var<storage, read> adfw_w: array<f32>;

@compute @workgroup_size(64)
fn adder2d_bwd_weight_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, 64u);
    let p = adf_p;
    if (idx >= p.k * p.cg * p.kh * p.kw) { return; }
    let j = idx % p.kw;
    var t = idx / p.kw;
    let i = t % p.kh;
    t = t / p.kh;
    let c = t % p.cg;
    let k = t / p.cg;
    let g = k / p.kg;
    let wv = adfw_w[idx];
    var sum = 0.0f;
    for (var n = 0u; n < p.n; n++) {
        for (var oy = 0u; oy < p.oh; oy++) {
            let ih = oy * p.stride + i;
            for (var ox = 0u; ox < p.ow; ox++) {
                let iw = ox * p.stride + j;
                var a = 0.0f;
                if (adf_in_range(ih, iw)) {
                    a = adfw_x[((n * p.c + g * p.cg + c) * p.h + ih - p.pad) * p.w + iw - p.pad];
                }
                sum += (a - wv) * adfw_dy[((n * p.k + k) * p.oh + oy) * p.ow + ox];
            }
        }
    }
    adfw_dw[idx] = sum;
}

// adder_grad_scale_f32: AdderNet's adaptive gradient scaling (adder.py),
// out = dw / max(‖dw‖₂, 1e-12)·k, one workgroup of 256 (‖dw‖₂² summed as
// bn_f32's sums). Bindings: out, dw. Twin: cpu.AdderGradScaleF32.
struct AdderScaleParams {
    n: u32,   // elements of dw
    k: f32,   // η·sqrt(n)/5
}
@group(0) @binding(0) var<uniform> ags_p: AdderScaleParams;
@group(0) @binding(1) var<storage, read_write> ags_out: array<f32>;
@group(0) @binding(2) var<storage, read> ags_dw: array<f32>;

@compute @workgroup_size(256)
fn adder_grad_scale_f32(@builtin(local_invocation_index) l: u32) {
    let n = ags_p.n;
    var s = 0.0f;
    for (var e = l; e < n; e += 256u) { let v = ags_dw[e]; s += v * v; }
    bnf_sh[l] = s;
    bnf_tree(l, false);
    let nrm = max(sqrt(bnf_sh[0]), 1e-12);
    for (var e = l; e < n; e += 256u) { ags_out[e] = ags_dw[e] / nrm * ags_p.k; }
}
