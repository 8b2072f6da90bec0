// optim.wgsl: the optimizer updates, in place on the master weights and
// the momentum (method.md A8, A15, B§2.8; docs/dataflow.md Update), and the
// float optimizers of the float recipe and of trainable TQT thresholds.
// Go twins: gpu/cpu/optim.go — keep in sync.
//
// Bindings: @binding(0) params, @binding(1) the master weights W and
// @binding(2) the momentum M (outputs, read and written in place; Adam's
// second moment is @binding(3)), then the gradient G, the Scale of G
// (optim_wageubn_plus) and the error word. One invocation per element.
// An I8 G is packed 4 per word along its last dimension (cols), each row
// starting a new word (cw words per row). Grid: 1-D, spilling into y.

override wg_size: u32 = 64u;

// OptimParams is the uniform of optim_wageubn and optim_wageubn_plus.
struct OptimParams {
    n: u32,       // elements
    cols: u32,    // last dimension (the rows of an I8 G)
    cw: u32,      // words per row of an I8 G, ceil(cols / 4)
    g_i8: u32,    // 1: G is I8; 0: G is I32 (optim_wageubn only)
    lr: i32,      // learning-rate code, exponent -9 (|lr| <= 1023)
    g_exp: i32,   // optim_wageubn_plus: the static exponent of G (plus Scale[0])
    use_scale: u32, // optim_wageubn_plus: 1 to add Scale[0] to g_exp, 0 to ignore it
}
@group(0) @binding(0) var<uniform> opt_p: OptimParams;
@group(0) @binding(1) var<storage, read_write> opt_w: array<i32>;
@group(0) @binding(2) var<storage, read_write> opt_m: array<i32>;
@group(0) @binding(3) var<storage, read> opt_g: array<u32>;

// opt_grad returns G[i] (I8 or I32).
fn opt_grad(i: u32) -> i32 {
    if (opt_p.g_i8 != 0u) {
        let j = i % opt_p.cols;
        return sign_extend_i8(opt_g[(i / opt_p.cols) * opt_p.cw + j / 4u], j % 4u);
    }
    return bitcast<i32>(opt_g[i]);
}

@group(0) @binding(4) var<storage, read_write> opt_err: array<atomic<u32>>;

// optim_wageubn: the full8 update (A8, B§2.8). With W codes (exponent
// -23), M codes (-12), G codes (-14, I8 or I32) and lr (-9):
//
//	M' = M + G              exponent -14 (M/4 on the -12 grid is M on the -14 grid)
//	W  = W - lr·M'          exponent -9-14 = -23, exact (a wide product)
//	M  = RoundShr(M', 2)    exponent -12
//
// Bounds: |lr·M'| <= 2^31·2^31 = 2^62 and |W| < 2^31, so W - lr·M' is
// exact in 64 bits; ERR_OVERFLOW is set where M + G wraps in int32 or the
// new W does not fit int32 (its low word is stored). In training neither
// happens: |G| <= 127 (G_BN: Q(·,15) of BN gradients), |M'| <= 4/3·max|G|
// in steady state (<= 170 for I8 G), |lr| <= 511, so |lr·M'| < 2^17 and
// the masters stay far inside int32. Twin: cpu.OptimWageubn.
@compute @workgroup_size(wg_size)
fn optim_wageubn(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= opt_p.n) { return; }
    let m = opt_m[i];
    let g = opt_grad(i);
    let mp = m + g;
    let wn = wide_sub(wide_from_i32(opt_w[i]), wide_mul_i32(opt_p.lr, mp));
    opt_w[i] = bitcast<i32>(wn.x);
    opt_m[i] = round_shr_i32(mp, 2);
    if (add_overflows(m, g) || !wide_fits_i32(wn)) {
        atomicOr(&opt_err[0], ERR_OVERFLOW);
    }
}

@group(0) @binding(4) var<storage, read> optp_scale: array<i32>;
@group(0) @binding(5) var<storage, read_write> optp_err: array<atomic<u32>>;

// The grids of optim_wageubn_plus: G's exponent e_g = g_exp + Scale[0]
// (Scale clamped to ±4096), the common grid e_c = clamp(e_g, OPTP_EMIN, -15).
const OPTP_EMIN: i32 = -39;

// optim_wageubn_plus: the full8plus update (A15): momentum 7/8 and a G of
// 8-bit codes (I8) with the data-dependent exponent e_g = g_exp + Scale[0]
// (g_exp alone when use_scale is 0; the scale binding is then any buffer).
// All terms go onto the common grid e_c = clamp(e_g, -39, -15): 7/8 of M
// (exponent -12) is 7·M on -15, so
//
//	M' = 7·M·2^(-15-e_c) + G·2^(e_g-e_c)         exponent e_c (wide, exact)
//	W  = RoundShr(W·2^s - lr·M', s), s = -14-e_c  exponent -23: Q(W - lr·M', 24)
//	M  = RoundShr(M', -12-e_c)                   exponent -12 (13-bit grid)
//
// Rounding happens only where B§2.8 re-quantizes (W to 2^-23 and M to
// 2^-12), each once, half to even, so W and M are exactly Q(·, 24) and
// Q(·, 13) of the A15 update for every e_g <= 16. A G finer than 2^-39
// (e_g < -39) enters as its sign on the 2^-39 grid, a sticky bit, which is
// still exact: without G, M' on 2^-39 is a multiple of 2^24 (7·M·2^24),
// so its distance to M's rounding boundaries (shift 27) is 0 (a tie) or
// at least 2^23, and W·2^25 - lr·M' is a multiple of 2^24, at 0 or at
// least 2^23 from W's (shift 25); G's true contribution, at most 2^6 units
// in M' and 2^16 in lr·M', only breaks ties, in the direction of its sign,
// and so does the sticky ±1 (±lr). ERR_OVERFLOW flags e_g - e_c > 31 (G
// coarser than 2^16; G·2^31 is used), |M'| >= 2^52, and a new W or M
// outside int32 (low words stored). With |M'| < 2^52 and |lr| <= 1023,
// lr·M' and W·2^s (s <= 25) are exact in 64 bits. Twin:
// cpu.OptimWageubnPlus.
@compute @workgroup_size(wg_size)
fn optim_wageubn_plus(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= opt_p.n) { return; }
    let eg = select(0, clamp(optp_scale[0], -4096, 4096), opt_p.use_scale != 0u) + opt_p.g_exp;
    let ec = clamp(eg, OPTP_EMIN, -15);
    let g = opt_grad(i);
    var over = false;
    var mp = wide_shl(wide_mul_i32(opt_m[i], 7), u32(-15 - ec));
    if (eg >= ec) {
        let k = eg - ec;
        over = k > 31;
        mp = wide_add(mp, wide_shl(wide_from_i32(g), u32(min(k, 31))));
    } else {
        mp = wide_add(mp, wide_from_i32(select(select(0, 1, g > 0), -1, g < 0))); // sticky sign
    }
    over = over || !wide_lt_u(wide_abs(mp), vec2<u32>(0u, 1u << 20u));
    let s = u32(-14 - ec);
    let t = wide_sub(wide_shl(wide_from_i32(opt_w[i]), s), wide_mul_wide_i32(mp, opt_p.lr));
    let wn = wide_round_shr(t, s);
    let mn = wide_round_shr(mp, u32(-12 - ec));
    opt_w[i] = bitcast<i32>(wn.x);
    opt_m[i] = bitcast<i32>(mn.x);
    if (over || !wide_fits_i32(wn) || !wide_fits_i32(mn)) {
        atomicOr(&optp_err[0], ERR_OVERFLOW);
    }
}

// SGDParams is the uniform of optim_sgd_f32.
struct SGDParams {
    n: u32,             // elements
    lr: f32,            // learning rate
    momentum: f32,      // momentum μ
    weight_decay: f32,  // L2 weight decay λ
}
@group(0) @binding(0) var<uniform> sgd_p: SGDParams;
@group(0) @binding(1) var<storage, read_write> sgd_w: array<f32>;
@group(0) @binding(2) var<storage, read_write> sgd_v: array<f32>;
@group(0) @binding(3) var<storage, read> sgd_g: array<f32>;

// optim_sgd_f32: PyTorch's SGD with momentum (dampening 0, not Nesterov)
// in float32: g' = g + λ·w, v = μ·v + g', w = w - lr·v (v starts at 0,
// which equals PyTorch's first step v = g'). Twin: cpu.OptimSGDF32.
@compute @workgroup_size(wg_size)
fn optim_sgd_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= sgd_p.n) { return; }
    let w = sgd_w[i];
    let g = sgd_g[i] + sgd_p.weight_decay * w;
    let v = sgd_p.momentum * sgd_v[i] + g;
    sgd_v[i] = v;
    sgd_w[i] = w - sgd_p.lr * v;
}

// AdamParams is the uniform of optim_adam_f32.
struct AdamParams {
    n: u32,             // elements
    lr: f32,            // learning rate
    beta1: f32,         // first-moment decay
    beta2: f32,         // second-moment decay
    eps: f32,           // added to the root of the second moment
    weight_decay: f32,  // L2 weight decay λ (added to the gradient)
    bc1: f32,           // 1 - beta1^step (bias correction)
    bc2: f32,           // 1 - beta2^step
}
@group(0) @binding(0) var<uniform> adam_p: AdamParams;
@group(0) @binding(1) var<storage, read_write> adam_w: array<f32>;
@group(0) @binding(2) var<storage, read_write> adam_m: array<f32>;
@group(0) @binding(3) var<storage, read_write> adam_v: array<f32>;
@group(0) @binding(4) var<storage, read> adam_g: array<f32>;

// optim_adam_f32: PyTorch's Adam in float32 (for the float recipe and the
// trainable log2_t thresholds of TQT): g' = g + λ·w, m = β1·m + (1-β1)·g',
// v = β2·v + (1-β2)·g'², w = w - lr·(m/bc1)/(sqrt(v/bc2) + eps). Twin:
// cpu.OptimAdamF32.
@compute @workgroup_size(wg_size)
fn optim_adam_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= adam_p.n) { return; }
    let w = adam_w[i];
    let g = adam_g[i] + adam_p.weight_decay * w;
    let m = adam_p.beta1 * adam_m[i] + (1.0 - adam_p.beta1) * g;
    let v = adam_p.beta2 * adam_v[i] + (1.0 - adam_p.beta2) * g * g;
    adam_m[i] = m;
    adam_v[i] = v;
    adam_w[i] = w - adam_p.lr * (m / adam_p.bc1) / (sqrt(v / adam_p.bc2) + adam_p.eps);
}
