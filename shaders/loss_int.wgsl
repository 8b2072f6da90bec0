// loss_int.wgsl: softmax cross-entropy in exact integer arithmetic, so that
// the loss gradient (and every code after it) is bit-identical on every
// backend: float32 exp and log differ in the last bits between WebGPU and
// Go, and E2 would then round a few gradients differently. Go twins:
// gpu/cpu/loss_int.go — keep in sync.
//
// For a sample with logit codes z (exponent exp) and label y, with
// d_j = z_j - max z (<= 0):
//
//	v_j = max(d_j·2^(exp+24), -2^30)          the exponent in Q.24, clamped at -64
//	u_j = v_j·LOG2E                             log2 of exp(v), Q.54 (LOG2E in Q.30)
//	E_j = round(2^frac(u_j)·2^floor(u_j)·2^24)  2^frac by its series, Q.24, <= 2^24
//	S   = Σ E_j;  p_j = RoundDiv(E_j·2^30, S)   softmax, Q.30
//	py  = p_y                                    for the loss, -ln(py·2^-30) (host)
//	grad_j = RoundDiv((p_j - 2^30·[j = y])·2^s, n), exponent -30 - s, s = ceil(log2 n)
//
// Every step is integer: the series 2^f = Σ (f·ln2)^i/i! runs 12 terms on
// Q.30 with truncating division by i (error below 1e-10, identical
// everywhere). A label >= k marks a sample to ignore: its gradient row is
// 0 and py is 2^30 (loss 0). Every E_j <= 2^24 (the largest is exp(0)), so
// k <= 255 keeps S below 2^32.
//
// Bindings: @binding(0) params, outputs grad (I32 [n, k]) and py (I32 [n]),
// inputs logits (I32 [n, k]) and labels (U32 [n]). One invocation per
// sample. Grid: 1-D, spilling into y.

override wg_size: u32 = 64u;

const LI_LOG2E: i32 = 1549082005; // round(log2(e)·2^30)
const LI_LN2: i32 = 744261118;    // round(ln(2)·2^30)

struct XentIntParams {
    n: u32,      // samples
    k: u32,      // classes, 1..255
    exp: i32,    // exponent of the logit codes
    shift: u32,  // s = ceil(log2 n): the gradient has exponent -30 - s
}
@group(0) @binding(0) var<uniform> li_p: XentIntParams;
@group(0) @binding(1) var<storage, read_write> li_grad: array<i32>;
@group(0) @binding(2) var<storage, read_write> li_py: array<i32>;
@group(0) @binding(3) var<storage, read> li_logits: array<i32>;
@group(0) @binding(4) var<storage, read> li_labels: array<u32>;

// li_exp24 returns E = round(exp(d·2^exp)·2^24) for a logit difference
// d <= 0 (given wide), by the steps in the header.
fn li_exp24(d: vec2<u32>) -> u32 {
    let sh = li_p.exp + 24;
    var v: i32;
    let lim = vec2<u32>(0xC0000000u, 0xFFFFFFFFu); // -2^30
    if (sh >= 0) {
        // d·2^sh >= -2^30 iff d >= -(2^30 >> sh) (d <= 0); for sh >= 31
        // only d = 0 is in range.
        if (sh >= 31) {
            v = select(-0x40000000, 0, d.x == 0u && d.y == 0u);
        } else if (wide_lt(d, wide_from_i32(-(0x40000000 >> u32(sh))))) {
            v = -0x40000000;
        } else {
            v = bitcast<i32>(wide_shl(d, u32(sh)).x);
        }
    } else {
        let q = wide_round_shr(d, u32(min(-sh, 63)));
        v = select(bitcast<i32>(q.x), -0x40000000, wide_lt(q, lim));
    }
    let u = wide_mul_i32(v, LI_LOG2E);        // Q.54, <= 0
    let n = bitcast<i32>(wide_sar(u, 54u).x); // floor, in -94..0
    let f30 = wide_sar(wide_low_bits(u, 54u), 24u).x; // frac in Q.30
    let a = bitcast<i32>(wide_round_shr(wide_mul_i32(bitcast<i32>(f30), LI_LN2), 30u).x);
    var term = 0x40000000;
    var sum = 0x40000000;
    for (var i = 1; i <= 12; i++) {
        term = bitcast<i32>(wide_round_shr(wide_mul_i32(term, a), 30u).x) / i;
        sum = sum + term;
    }
    // E = round(sum·2^n / 2^6): sum in [2^30, 2^31).
    let s = 6 - n;
    if (s >= 32) {
        return 0u;
    }
    return bitcast<u32>(round_shr_i32(sum, s));
}

// softmax_xent_i32: one sample per invocation. Twin: cpu.SoftmaxXentI32.
@compute @workgroup_size(wg_size)
fn softmax_xent_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let s = linear_index(gid, nwg, wg_size);
    let k = li_p.k;
    if (s >= li_p.n) { return; }
    let base = s * k;
    let y = li_labels[s];
    if (y >= k) {
        for (var j = 0u; j < k; j++) {
            li_grad[base + j] = 0;
        }
        li_py[s] = 0x40000000;
        return;
    }
    var mx = li_logits[base];
    for (var j = 1u; j < k; j++) {
        mx = max(mx, li_logits[base + j]);
    }
    let wmx = wide_from_i32(mx);
    var total = 0u;
    for (var j = 0u; j < k; j++) {
        total = total + li_exp24(wide_sub(wide_from_i32(li_logits[base + j]), wmx));
    }
    for (var j = 0u; j < k; j++) {
        let e = li_exp24(wide_sub(wide_from_i32(li_logits[base + j]), wmx));
        let p = bitcast<i32>(wide_round_div_u32(wide_shl(wide_from_u32(e), 30u), total).x);
        if (j == y) {
            li_py[s] = p;
        }
        let g = wide_shl(wide_from_i32(p - select(0, 0x40000000, j == y)), li_p.shift);
        li_grad[base + j] = bitcast<i32>(wide_round_div_u32(g, li_p.n).x);
    }
}
