// reshape.wgsl: copies a tensor into a new shape with the same elements in
// the same row-major order. Narrow dtypes pack along the last dimension with
// each row starting a new word, so a reshape that changes the last
// dimension moves lanes between words. One output word per invocation.
// Go twins: gpu/cpu/reshape.go — keep in sync.
//
// Bindings: @binding(0) the params uniform, @binding(1) the output words,
// @binding(2) the input words. Grid: 1-D over the output words, spilling
// into y (linear_index).

override wg_size: u32 = 64u;

struct ReshapeParams {
    n: u32,         // elements
    old_last: u32,  // last dimension of the input (elements per row)
    new_last: u32,  // last dimension of the output
    out_words: u32, // words of the output
}

@group(0) @binding(0) var<uniform> rs_p: ReshapeParams;
@group(0) @binding(1) var<storage, read_write> rs_out: array<u32>;
@group(0) @binding(2) var<storage, read> rs_in: array<u32>;

// rs_lane returns element e of the input (lanes of `bits` bits, `per` per
// word), zero-extended.
fn rs_lane(e: u32, bits: u32, per: u32) -> u32 {
    let row_words = (rs_p.old_last + per - 1u) / per;
    let row = e / rs_p.old_last;
    let col = e % rs_p.old_last;
    let w = rs_in[row * row_words + col / per];
    let mask = (1u << bits) - 1u;
    return (w >> (bits * (col % per))) & mask;
}

// rs_word assembles output word w from lanes of `bits` bits, `per` per word;
// lanes past the row or past n are zero.
fn rs_word(w: u32, bits: u32, per: u32) -> u32 {
    let row_words = (rs_p.new_last + per - 1u) / per;
    let row = w / row_words;
    let first = (w % row_words) * per;
    var out = 0u;
    for (var l = 0u; l < per; l = l + 1u) {
        let col = first + l;
        let e = row * rs_p.new_last + col;
        if (col < rs_p.new_last && e < rs_p.n) {
            out = out | (rs_lane(e, bits, per) << (bits * l));
        }
    }
    return out;
}

// reshape_b8: 8-bit lanes (I8, U8). Twin: cpu.ReshapeB8.
@compute @workgroup_size(wg_size)
fn reshape_b8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let w = linear_index(gid, nwg, wg_size);
    if (w >= rs_p.out_words) { return; }
    rs_out[w] = rs_word(w, 8u, 4u);
}

// reshape_b16: 16-bit lanes (I16). Twin: cpu.ReshapeB16.
@compute @workgroup_size(wg_size)
fn reshape_b16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let w = linear_index(gid, nwg, wg_size);
    if (w >= rs_p.out_words) { return; }
    rs_out[w] = rs_word(w, 16u, 2u);
}

// reshape_b32: whole words (I32, U32, F32; I64 as two words per element
// with n, old_last and new_last counted in words). Twin: cpu.ReshapeB32.
@compute @workgroup_size(wg_size)
fn reshape_b32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let w = linear_index(gid, nwg, wg_size);
    if (w >= rs_p.out_words) { return; }
    rs_out[w] = rs_in[w];
}
