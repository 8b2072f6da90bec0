// pack.wgsl: int32 codes -> int8 packed 4 per u32 (little-endian lanes),
// the operand layout of gemm_i8_nt. Go twins: gpu/cpu/pack.go — keep in sync.
//
// Each output row holds kw = ceil(k/4) words; lanes past k are zero, and
// codes outside [-128, 127] saturate (clamp_i8).
// Bindings: @binding(0) params, @binding(1) output (rows*kw words),
// @binding(2) input (rows*k int32).
// Grid: 1-D over rows*kw output words, spilling into y.

override wg_size: u32 = 64u;

struct PackParams {
    rows: u32,  // output rows
    k: u32,     // int8 values per output row
    kw: u32,    // words per output row, ceil(k/4)
}
@group(0) @binding(0) var<uniform> pack_p: PackParams;
@group(0) @binding(1) var<storage, read_write> pack_out: array<u32>;
@group(0) @binding(2) var<storage, read> pack_in: array<i32>;

// pack_i8: in is [rows, k]; out[r, w] lane j = clamp_i8(in[r, 4w+j]).
// Twin: cpu.PackI8.
@compute @workgroup_size(wg_size)
fn pack_i8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= pack_p.rows * pack_p.kw) { return; }
    let r = i / pack_p.kw;
    let w = i % pack_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let kk = 4u * w + j;
        if (kk < pack_p.k) {
            word |= byte_i8(pack_in[r * pack_p.k + kk]) << (8u * j);
        }
    }
    pack_out[i] = word;
}

// pack_i8_t: in is [k, rows] (the transpose); out[r, w] lane j =
// clamp_i8(in[4w+j, r]). With it the forward, input-gradient and
// weight-gradient GEMMs all become gemm_i8_nt. Twin: cpu.PackI8T.
@compute @workgroup_size(wg_size)
fn pack_i8_t(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= pack_p.rows * pack_p.kw) { return; }
    let r = i / pack_p.kw;
    let w = i % pack_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let kk = 4u * w + j;
        if (kk < pack_p.k) {
            word |= byte_i8(pack_in[kk * pack_p.rows + r]) << (8u * j);
        }
    }
    pack_out[i] = word;
}
