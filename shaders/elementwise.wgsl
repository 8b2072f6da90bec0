// elementwise.wgsl: one output element per invocation.
// Go twins: gpu/cpu/elementwise.go — keep in sync.
//
// Bindings (every kernel): @binding(0) the params uniform, @binding(1) the
// output, @binding(2..) the inputs; all storage is 32-bit words.
// Grid: 1-D over n, spilling into y (linear_index).

override wg_size: u32 = 64u;

// fill_u32: out[i] = p.value for i < p.n. Twin: cpu.FillU32.
struct FillParams {
    n: u32,      // words to write
    value: u32,  // the word written
}
@group(0) @binding(0) var<uniform> fill_p: FillParams;
@group(0) @binding(1) var<storage, read_write> fill_out: array<u32>;

@compute @workgroup_size(wg_size)
fn fill_u32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= fill_p.n) { return; }
    fill_out[i] = fill_p.value;
}

// relu_i32: out[i] = max(in[i], 0) for i < p.n; the exponent is unchanged.
// Twin: cpu.ReluI32.
struct ReluParams {
    n: u32,  // elements
}
@group(0) @binding(0) var<uniform> relu_p: ReluParams;
@group(0) @binding(1) var<storage, read_write> relu_out: array<i32>;
@group(0) @binding(2) var<storage, read> relu_in: array<i32>;

@compute @workgroup_size(wg_size)
fn relu_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= relu_p.n) { return; }
    relu_out[i] = max(relu_in[i], 0);
}

// add_i32: out[i] = (a[i] << p.shift_a) + (b[i] << p.shift_b) for i < p.n.
// The residual add of two tensors with exponents ea, eb: the output exponent
// is min(ea, eb) and the operand with the larger exponent is shifted left by
// the difference (the other by 0), which is exact while no bits are lost.
// i32 arithmetic wraps as in WGSL, and a shift or sum that wraps sets
// ERR_OVERFLOW in the error word (binding 4). Twin: cpu.AddI32.
struct AddParams {
    n: u32,        // elements
    shift_a: u32,  // left shift of a (bits)
    shift_b: u32,  // left shift of b (bits)
}
@group(0) @binding(0) var<uniform> add_p: AddParams;
@group(0) @binding(1) var<storage, read_write> add_out: array<i32>;
@group(0) @binding(2) var<storage, read> add_a: array<i32>;
@group(0) @binding(3) var<storage, read> add_b: array<i32>;
@group(0) @binding(4) var<storage, read_write> add_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn add_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= add_p.n) { return; }
    let a = add_a[i];
    let b = add_b[i];
    let sa = a << add_p.shift_a;
    let sb = b << add_p.shift_b;
    add_out[i] = sa + sb;
    if (shl_overflows(a, add_p.shift_a) || shl_overflows(b, add_p.shift_b) || add_overflows(sa, sb)) {
        atomicOr(&add_err[0], ERR_OVERFLOW);
    }
}
