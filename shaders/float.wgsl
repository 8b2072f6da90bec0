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
