// act.wgsl: the activation quantizer Q_A after ReLU (or ReLU6) and its
// straight-through backward with the in-range mask (method.md A5,
// docs/dataflow.md Forward 4 and Backward 5).
// Go twins: gpu/cpu/act.go — keep in sync.
//
// Bindings: @binding(0) params, @binding(1..) outputs, then inputs.
// Narrow tensors (U8, I8) are packed 4 per word along the last dimension,
// each row starting a new word (docs of package gpu, "Number format").
// Grid: 1-D, spilling into y (linear_index).

override wg_size: u32 = 64u;

// ActQParams is the uniform of act_relu_q and act_relu6_q.
struct ActQParams {
    rows: u32,   // product of the leading dimensions
    cols: u32,   // last dimension
    cw: u32,     // words per row of the U8 outputs, ceil(cols / 4)
    shift: i32,  // e_a - e_y: a = RoundShr(y, shift); negative shifts left
    six: i32,    // ReLU6 clip in y codes, 6·2^-e_y (act_relu6_q only)
}
@group(0) @binding(0) var<uniform> actq_p: ActQParams;
@group(0) @binding(1) var<storage, read_write> actq_a: array<u32>;
@group(0) @binding(2) var<storage, read_write> actq_mask: array<u32>;
@group(0) @binding(3) var<storage, read> actq_y: array<i32>;

// act_code returns Q_A of one y code as (code, mask): code =
// clamp(RoundShr(y, shift), 0, 255), mask = 1 iff y > 0 and the unclamped
// code is at most 255 (the forward did not saturate). shift in -31..31 (the
// wrapper keeps it there); a left shift is taken only when it cannot
// overflow, i.e. when y <= 255 >> -shift, else the code saturates.
fn act_code(y: i32, shift: i32) -> vec2<u32> {
    if (y <= 0) {
        return vec2<u32>(0u, 0u);
    }
    var c: i32;
    if (shift > 0) {
        c = round_shr_i32(y, shift);
    } else {
        let u = u32(-shift);
        if (y > (255 >> u)) {
            return vec2<u32>(255u, 0u);
        }
        c = y << u;
    }
    if (c > 255) {
        return vec2<u32>(255u, 0u);
    }
    return vec2<u32>(u32(c), 1u);
}

// actq_word writes output word w (4 codes of one row) of a and mask, with
// y clipped at six first (six = 0x7FFFFFFF: plain ReLU).
fn actq_word(w: u32, six: i32) {
    let r = w / actq_p.cw;
    let j0 = (w % actq_p.cw) * 4u;
    var a = 0u;
    var m = 0u;
    for (var l = 0u; l < 4u; l++) {
        let j = j0 + l;
        if (j < actq_p.cols) {
            let y = actq_y[r * actq_p.cols + j];
            var cm = act_code(min(y, six), actq_p.shift);
            if (y > six) {
                cm.y = 0u; // the clip at 6 zeroes the gradient beyond 6
            }
            a = a | (cm.x << (8u * l));
            m = m | (cm.y << (8u * l));
        }
    }
    actq_a[w] = a;
    actq_mask[w] = m;
}

// act_relu_q: ReLU and Q_A. For every element of y (I32 [rows, cols],
// exponent e_y): a = clamp(RoundShr(y, e_a - e_y), 0, 255) (U8, exponent
// e_a) and mask = 1 where y > 0 and that code did not saturate, else 0 (U8).
// One invocation per output word. Twin: cpu.ActReluQ.
@compute @workgroup_size(wg_size)
fn act_relu_q(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let w = linear_index(gid, nwg, wg_size);
    if (w >= actq_p.rows * actq_p.cw) { return; }
    actq_word(w, 0x7FFFFFFF);
}

// act_relu6_q: act_relu_q of min(y, six), six = 6·2^-e_y codes; the mask is
// also 0 where y > six. Twin: cpu.ActRelu6Q.
@compute @workgroup_size(wg_size)
fn act_relu6_q(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let w = linear_index(gid, nwg, wg_size);
    if (w >= actq_p.rows * actq_p.cw) { return; }
    actq_word(w, actq_p.six);
}

// ActBwdParams is the uniform of act_bwd.
struct ActBwdParams {
    rows: u32,  // product of the leading dimensions
    cols: u32,  // last dimension
    cw: u32,    // words per row of the U8 mask (and of an I8 δ), ceil(cols / 4)
    i8: u32,    // 1: δ and the output are I8 (packed like the mask); 0: I32
}
@group(0) @binding(0) var<uniform> actb_p: ActBwdParams;
@group(0) @binding(1) var<storage, read_write> actb_out: array<u32>;
@group(0) @binding(2) var<storage, read> actb_d: array<u32>;
@group(0) @binding(3) var<storage, read> actb_mask: array<u32>;

// act_bwd: the straight-through backward of Q_A: out = δ·mask elementwise,
// same dtype and exponent as δ. I8: one invocation per word, out = δ AND
// (mask·0xFF) (mask bytes are 0 or 1, so the product has no carries). I32:
// one invocation per element, out = select(0, δ, mask lane). Twin:
// cpu.ActBwd.
@compute @workgroup_size(wg_size)
fn act_bwd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (actb_p.i8 != 0u) {
        if (i >= actb_p.rows * actb_p.cw) { return; }
        actb_out[i] = actb_d[i] & (actb_mask[i] * 0xFFu);
        return;
    }
    if (i >= actb_p.rows * actb_p.cols) { return; }
    let r = i / actb_p.cols;
    let j = i % actb_p.cols;
    let m = (actb_mask[r * actb_p.cw + j / 4u] >> (8u * (j % 4u))) & 0xFFu;
    actb_out[i] = select(0u, actb_d[i], m != 0u);
}
