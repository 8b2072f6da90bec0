// reduce.wgsl: reductions over a whole tensor.
// Go twins: gpu/cpu/reduce.go — keep in sync.
//
// Bindings: @binding(0) params, @binding(1) output, @binding(2) input.

override wg_size: u32 = 64u;

// max_abs_chunk is the number of consecutive elements one invocation scans.
const max_abs_chunk: u32 = 64u;

// max_abs_i32: out[0] = max(out[0], max_{i<n} |in[i]|), |x| taken as u32 so
// that |-2^31| = 2^31 is exact. The output accumulates: clear it first
// (fill_u32) to get max|x| alone, which is what R(x) of method.md needs.
// Grid: 1-D over ceil(n / max_abs_chunk) invocations, spilling into y.
// Twin: cpu.MaxAbsI32.
struct MaxAbsParams {
    n: u32,  // elements
}
@group(0) @binding(0) var<uniform> max_abs_p: MaxAbsParams;
@group(0) @binding(1) var<storage, read_write> max_abs_out: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> max_abs_in: array<i32>;

@compute @workgroup_size(wg_size)
fn max_abs_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = linear_index(gid, nwg, wg_size);
    let n = max_abs_p.n;
    if (c >= (n + max_abs_chunk - 1u) / max_abs_chunk) { return; }
    let lo = c * max_abs_chunk;
    let hi = min(lo + max_abs_chunk, n);
    var m = 0u;
    for (var i = lo; i < hi; i++) {
        m = max(m, abs_u32(max_abs_in[i]));
    }
    atomicMax(&max_abs_out[0], m);
}
