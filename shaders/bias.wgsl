// bias.wgsl: the bias of conv2d and linear layers, per output channel, in
// integer arithmetic (docs/dataflow.md "Forward 2.": the bias master
// shifted onto the output grid and added; the bias gradient, the sum of
// the E2 codes over all but the channel axis) and their float32 versions.
// Go twins: gpu/cpu/bias.go — keep in sync.
//
// Layout: a tensor [N, C, S] (S = OH·OW for a convolution, 1 for a linear
// layer's [N, C]); element i sits in channel (i / S) mod C.
//
// Bindings: @binding(0) the params uniform, then the outputs, then the
// inputs, then (integer bias_add) the error word.

// bias_group: the workgroup size of the per-channel reductions, one
// workgroup per channel. Thread t sums the elements k ≡ t (mod bias_group)
// of the channel in increasing k; the partial sums are added in a binary
// tree (strides 32, 16, ..., 1). Twin: cpu.BiasGroup.
const bias_group: u32 = 64u;

// bias_index returns the flat index of element k < N·S of channel c.
fn bias_index(k: u32, c: u32, cc: u32, s: u32) -> u32 {
    return ((k / s) * cc + c) * s + k % s;
}

struct BiasParams {
    n: u32,      // N
    c: u32,      // channels C
    s: u32,      // S, values per channel and image
    shift: i32,  // bias grid - output grid: RoundShr(b, shift), -31..31
    wide: u32,   // 1: z and y are int64 (two words each), 0: int32
}

// bias_add: y[i] = z[i] + RoundShr(b[c], shift) for i < N·C·S, c the
// channel of i: the bias master (int32 codes) rounded half to even onto
// the output grid (a left shift when shift < 0), added exactly. int32: a
// left shift or sum that wraps ORs ERR_OVERFLOW; int64: a sum that leaves
// int64 wraps and flags (|b·2^31| < 2^62, so the shift cannot).
@group(0) @binding(0) var<uniform> bias_add_p: BiasParams;
@group(0) @binding(1) var<storage, read_write> bias_add_y: array<u32>;
@group(0) @binding(2) var<storage, read> bias_add_z: array<u32>;
@group(0) @binding(3) var<storage, read> bias_add_b: array<i32>;
@group(0) @binding(4) var<storage, read_write> bias_add_err: array<atomic<u32>>;

@compute @workgroup_size(64)
fn bias_add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    let p = bias_add_p;
    if (i >= p.n * p.c * p.s) {
        return;
    }
    let b = bias_add_b[(i / p.s) % p.c];
    var flag = false;
    if (p.wide == 0u) {
        let z = bitcast<i32>(bias_add_z[i]);
        var bq: i32;
        if (p.shift >= 0) {
            bq = round_shr_i32(b, p.shift);
        } else {
            let s = u32(-p.shift);
            flag = shl_overflows(b, s);
            bq = b << s;
        }
        flag = flag || add_overflows(z, bq);
        bias_add_y[i] = bitcast<u32>(z + bq);
    } else {
        let z = vec2<u32>(bias_add_z[2u * i], bias_add_z[2u * i + 1u]);
        var bw = wide_from_i32(b);
        if (p.shift >= 0) {
            bw = wide_round_shr(bw, u32(p.shift));
        } else {
            bw = wide_shl(bw, u32(-p.shift));
        }
        let y = wide_add(z, bw);
        flag = wide_is_neg(z) == wide_is_neg(bw) && wide_is_neg(y) != wide_is_neg(z);
        bias_add_y[2u * i] = y.x;
        bias_add_y[2u * i + 1u] = y.y;
    }
    if (flag) {
        atomicOr(&bias_add_err[0], ERR_OVERFLOW);
    }
}

struct BiasGradParams {
    n: u32,    // N
    c: u32,    // channels C
    s: u32,    // S
    i16: u32,  // 1: g is int16 codes, two per word along rows of cols values, 0: int32
    cols: u32, // the last dimension (int16 rows start a new word)
}

// bias_grad: db[c] = Σ g over the N·S elements of channel c, exactly, as
// int64 (|g| < 2^31 and N·S < 2^32 terms: |db| < 2^63).
@group(0) @binding(0) var<uniform> bias_grad_p: BiasGradParams;
@group(0) @binding(1) var<storage, read_write> bias_grad_db: array<u32>;
@group(0) @binding(2) var<storage, read> bias_grad_g: array<u32>;

var<workgroup> bias_part: array<vec2<u32>, 64>;

fn bias_grad_load(i: u32, i16: bool, cols: u32) -> i32 {
    if (i16) {
        let j = i % cols;
        let w = bias_grad_g[(i / cols) * ((cols + 1u) / 2u) + j / 2u];
        return bitcast<i32>(w << (16u - 16u * (j % 2u))) >> 16u;
    }
    return bitcast<i32>(bias_grad_g[i]);
}

@compute @workgroup_size(64)
fn bias_grad(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = wid.x + wid.y * nwg.x;
    let p = bias_grad_p;
    if (c >= p.c) {
        return;
    }
    let t = lid.x;
    let n = p.n * p.s;
    let i16 = p.i16 != 0u;
    var acc = vec2<u32>(0u, 0u);
    for (var k = t; k < n; k += bias_group) {
        acc = wide_add(acc, wide_from_i32(bias_grad_load(bias_index(k, c, p.c, p.s), i16, p.cols)));
    }
    bias_part[t] = acc;
    workgroupBarrier();
    for (var stride = bias_group / 2u; stride > 0u; stride = stride >> 1u) {
        if (t < stride) {
            bias_part[t] = wide_add(bias_part[t], bias_part[t + stride]);
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        bias_grad_db[2u * c] = bias_part[0].x;
        bias_grad_db[2u * c + 1u] = bias_part[0].y;
    }
}

struct BiasF32Params {
    n: u32,  // N
    c: u32,  // channels C
    s: u32,  // S
}

// bias_add_f32: y[i] = z[i] + b[c] in float32.
@group(0) @binding(0) var<uniform> bias_add_f32_p: BiasF32Params;
@group(0) @binding(1) var<storage, read_write> bias_add_f32_y: array<f32>;
@group(0) @binding(2) var<storage, read> bias_add_f32_z: array<f32>;
@group(0) @binding(3) var<storage, read> bias_add_f32_b: array<f32>;

@compute @workgroup_size(64)
fn bias_add_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    let p = bias_add_f32_p;
    if (i >= p.n * p.c * p.s) {
        return;
    }
    bias_add_f32_y[i] = bias_add_f32_z[i] + bias_add_f32_b[(i / p.s) % p.c];
}

// bias_grad_f32: db[c] = Σ g over the N·S elements of channel c in
// float32, in bias_grad's fixed order (strided partial sums, then the
// tree), so both backends add the same numbers in the same order.
@group(0) @binding(0) var<uniform> bias_grad_f32_p: BiasF32Params;
@group(0) @binding(1) var<storage, read_write> bias_grad_f32_db: array<f32>;
@group(0) @binding(2) var<storage, read> bias_grad_f32_g: array<f32>;

var<workgroup> bias_part_f32: array<f32, 64>;

@compute @workgroup_size(64)
fn bias_grad_f32(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = wid.x + wid.y * nwg.x;
    let p = bias_grad_f32_p;
    if (c >= p.c) {
        return;
    }
    let t = lid.x;
    let n = p.n * p.s;
    var acc = 0.0;
    for (var k = t; k < n; k += bias_group) {
        acc = acc + bias_grad_f32_g[bias_index(k, c, p.c, p.s)];
    }
    bias_part_f32[t] = acc;
    workgroupBarrier();
    for (var stride = bias_group / 2u; stride > 0u; stride = stride >> 1u) {
        if (t < stride) {
            bias_part_f32[t] = bias_part_f32[t] + bias_part_f32[t + stride];
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        bias_grad_f32_db[c] = bias_part_f32[0];
    }
}
