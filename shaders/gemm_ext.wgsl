// gemm_ext.wgsl: GEMM variants beyond gemm.wgsl's int8 x int8 -> int32:
// uint8 activations, exact wide (int64) accumulation, int16 x int8/uint8
// through an int8 split, float32, and a workgroup-memory tiled int8 kernel
// for real GPUs. C = A·Bᵀ throughout, both operands packed along K.
// Go twins: gpu/cpu/gemm_ext.go — keep in sync. See docs/dataflow.md for
// where each product occurs (forward z = a·w with uint8 a; weight gradient
// dW = E2ᵀ·a and input gradient dx = E2·w with int16 E2 codes).
//
// Entry points (registry rows in gpu/registry_gemm.go):
//   gemm_u8i8_nt(_k16)            uint8 x int8 -> int32, k <= 65793
//   gemm_i8_nt_wide(_k16)         int8 x int8 -> int64, any k
//   gemm_u8i8_nt_wide(_k16)       uint8 x int8 -> int64, any k
//   gemm_i16i8_nt(_k16)           int16 (split planes) x int8 -> int64
//   gemm_i16u8_nt(_k16)           int16 (split planes) x uint8 -> int64
//   pack_i16_split                int16 -> two int8 planes, x = 256·h + l + 128
//   gemm_f32_nt(_k4)              float32
//   gemm_i8_nt_tiled              int8 x int8 -> int32, workgroup-memory tiles
// A _k16 variant reads vec4<u32> (16 values of k) per load and needs kw a
// positive multiple of 4 (its row's Check refuses other params); the
// wrappers pick it when they can.
//
// The register-blocked kernels follow gemm.wgsl v2/v3 (8x8 outputs per
// invocation, 8x8 workgroups, loads straight from storage buffers, loops
// unrolled into named accumulators: a version holding the block in arrays
// returned truncated sums on lavapipe). The unrolled bodies were generated
// by a script from one template per kernel kind, so every variant of a kind
// has the same shape: edit them alike.
//
// Exactness of the i32 kernels: every operation below is i32 arithmetic
// mod 2^32, a ring homomorphism, so the stored word equals the true sum mod
// 2^32 whatever the order of the terms or the size of intermediate values;
// it is the exact sum whenever the TRUE sum fits i32. The bounds below are
// about true sums only.
//
// Wide kernels (I64 output, words (lo, hi)) sum K in chunks of GX_CHUNK
// words (4·GX_CHUNK = 32768 values of k), where every i32 partial sum is
// exact (bounds at each kernel), and add each chunk into the output with
// lib_wide.wgsl's wide_add: the output is the accumulator (the first chunk
// stores, later chunks read-modify-write; each invocation owns its block).

struct GemmParams {
    m: u32,   // rows of A and C
    n: u32,   // rows of B, columns of C
    kw: u32,  // words per row of A and B: ceil(k/4) for int8 planes, k for f32
}

// SplitParams is the uniform of pack_i16_split.
struct SplitParams {
    rows: u32,  // rows of the int16 input
    k: u32,     // values per row
    kw: u32,    // words per row of each int8 plane, ceil(k/4)
}

// Several views of the same bindings; WGSL allows them as long as no entry
// point uses two variables of one binding.
@group(0) @binding(0) var<uniform> gx_p: GemmParams;
@group(0) @binding(0) var<uniform> gx_sp: SplitParams;
@group(0) @binding(1) var<storage, read_write> gx_c: array<i32>;   // I32 output
@group(0) @binding(1) var<storage, read_write> gx_cw: array<u32>;  // I64 output (lo, hi) / split planes
@group(0) @binding(1) var<storage, read_write> gx_cf: array<f32>;  // F32 output
@group(0) @binding(2) var<storage, read> gx_a: array<u32>;
@group(0) @binding(2) var<storage, read> gx_a4: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> gx_af: array<f32>;
@group(0) @binding(2) var<storage, read> gx_af4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> gx_b: array<u32>;
@group(0) @binding(3) var<storage, read> gx_b4: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> gx_bf: array<f32>;
@group(0) @binding(3) var<storage, read> gx_bf4: array<vec4<f32>>;

// GX_CHUNK is the number of words of k a wide kernel sums in i32 before it
// adds the partial sums into its int64 output: 8192 words = 32768 values.
// Twin: cpu.GemmChunkWords.
const GX_CHUNK: u32 = 8192u;

const GX_ONES: u32 = 0x01010101u;     // four int8 ones: dot4I8Packed(x, GX_ONES) sums the lanes
const GX_FLIP: u32 = 0x80808080u;     // x ^ GX_FLIP maps uint8 lanes u to int8 lanes u - 128

// gx_dot16 returns the dot product of 16 int8 values packed in two vec4<u32>.
fn gx_dot16(a: vec4<u32>, b: vec4<u32>) -> i32 {
    return dot4I8Packed(a.x, b.x) + dot4I8Packed(a.y, b.y) + dot4I8Packed(a.z, b.z) + dot4I8Packed(a.w, b.w);
}

// gx_sum16 returns the sum of 16 int8 values packed in a vec4<u32>.
fn gx_sum16(b: vec4<u32>) -> i32 {
    return dot4I8Packed(b.x, GX_ONES) + dot4I8Packed(b.y, GX_ONES) + dot4I8Packed(b.z, GX_ONES) + dot4I8Packed(b.w, GX_ONES);
}

// gx_usum16 returns the sum of 16 uint8 values packed in a vec4<u32>.
fn gx_usum16(b: vec4<u32>) -> i32 {
    return i32(dot4U8Packed(b.x, GX_ONES) + dot4U8Packed(b.y, GX_ONES) + dot4U8Packed(b.z, GX_ONES) + dot4U8Packed(b.w, GX_ONES));
}

// gx_store writes the in-range part of C[row, col0 .. col0 + 7] (i32).
fn gx_store(row: u32, col0: u32, lo: vec4<i32>, hi: vec4<i32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    if (row >= m) { return; }
    for (var j = 0u; j < 8u; j++) {
        if (col0 + j >= n) { return; }
        var v = lo;
        if (j >= 4u) { v = hi; }
        gx_c[row * n + col0 + j] = v[j % 4u];
    }
}

// gx_store_f32 writes the in-range part of C[row, col0 .. col0 + 7] (f32).
fn gx_store_f32(row: u32, col0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    if (row >= m) { return; }
    for (var j = 0u; j < 8u; j++) {
        if (col0 + j >= n) { return; }
        var v = lo;
        if (j >= 4u) { v = hi; }
        gx_cf[row * n + col0 + j] = v[j % 4u];
    }
}

// gx_wide_acc adds 2^8·h + l (both exact i32 chunk sums, widened before the
// shift) into the int64 outputs C[row, col0 .. col0 + 7], lanes 0-3 from
// h0/l0 and 4-7 from h1/l1; first stores instead of adding (the output's
// old words are not read).
fn gx_wide_acc(row: u32, col0: u32, h0: vec4<i32>, h1: vec4<i32>, l0: vec4<i32>, l1: vec4<i32>, first: bool) {
    let m = gx_p.m;
    let n = gx_p.n;
    if (row >= m) { return; }
    for (var j = 0u; j < 8u; j++) {
        if (col0 + j >= n) { return; }
        var h = h0;
        var l = l0;
        if (j >= 4u) {
            h = h1;
            l = l1;
        }
        let i = 2u * (row * n + col0 + j);
        var acc = WIDE_ZERO;
        if (!first) {
            acc = vec2<u32>(gx_cw[i], gx_cw[i + 1u]);
        }
        acc = wide_add(acc, wide_add(wide_shl(wide_from_i32(h[j % 4u]), 8u), wide_from_i32(l[j % 4u])));
        gx_cw[i] = acc.x;
        gx_cw[i + 1u] = acc.y;
    }
}

// gemm_u8i8_nt: C[m, n] = sum_k A[m, k]·B[n, k] in i32, with A uint8 (activation
// codes 0..255) and B int8 (weights), both packed 4 per u32 along k.
// dot4I8Packed is signed, so a = (a - 128) + 128: a ^ 0x80808080 holds the int8
// lanes a - 128, and C = sum dot4I8Packed(a ^ GX_FLIP, b) + 128·sum_k b, the
// column sums s of B coming from dot4I8Packed(GX_ONES, b). Padding lanes: a
// pads to 0 (flipped to -128) but b pads to 0, so they add nothing.
// Exactness: |a·b| <= 255·128 = 32640, so the true sum fits i32 for
// k <= 65793 (65793·32640 = 2^31 - 128); the gpu package refuses larger k
// (GemmU8I8NTWide takes them).
// Grid and blocks as gemm_i8_nt (8x8 per invocation). Twin: cpu.GemmU8I8NT.
@compute @workgroup_size(8, 8)
fn gemm_u8i8_nt(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kw = gx_p.kw;
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kw;
    let ar1 = min(m0 + 1u, m - 1u) * kw;
    let ar2 = min(m0 + 2u, m - 1u) * kw;
    let ar3 = min(m0 + 3u, m - 1u) * kw;
    let ar4 = min(m0 + 4u, m - 1u) * kw;
    let ar5 = min(m0 + 5u, m - 1u) * kw;
    let ar6 = min(m0 + 6u, m - 1u) * kw;
    let ar7 = min(m0 + 7u, m - 1u) * kw;
    let br0 = min(n0 + 0u, n - 1u) * kw;
    let br1 = min(n0 + 1u, n - 1u) * kw;
    let br2 = min(n0 + 2u, n - 1u) * kw;
    let br3 = min(n0 + 3u, n - 1u) * kw;
    let br4 = min(n0 + 4u, n - 1u) * kw;
    let br5 = min(n0 + 5u, n - 1u) * kw;
    let br6 = min(n0 + 6u, n - 1u) * kw;
    let br7 = min(n0 + 7u, n - 1u) * kw;
    var c00 = vec4<i32>(0);
    var c01 = vec4<i32>(0);
    var c10 = vec4<i32>(0);
    var c11 = vec4<i32>(0);
    var c20 = vec4<i32>(0);
    var c21 = vec4<i32>(0);
    var c30 = vec4<i32>(0);
    var c31 = vec4<i32>(0);
    var c40 = vec4<i32>(0);
    var c41 = vec4<i32>(0);
    var c50 = vec4<i32>(0);
    var c51 = vec4<i32>(0);
    var c60 = vec4<i32>(0);
    var c61 = vec4<i32>(0);
    var c70 = vec4<i32>(0);
    var c71 = vec4<i32>(0);
    var s0 = vec4<i32>(0);
    var s1 = vec4<i32>(0);
    for (var w = 0u; w < kw; w++) {
        let b0 = vec4<u32>(gx_b[br0 + w], gx_b[br1 + w], gx_b[br2 + w], gx_b[br3 + w]);
        let b1 = vec4<u32>(gx_b[br4 + w], gx_b[br5 + w], gx_b[br6 + w], gx_b[br7 + w]);
        s0 += vec4<i32>(dot4I8Packed(GX_ONES, b0.x), dot4I8Packed(GX_ONES, b0.y), dot4I8Packed(GX_ONES, b0.z), dot4I8Packed(GX_ONES, b0.w));
        s1 += vec4<i32>(dot4I8Packed(GX_ONES, b1.x), dot4I8Packed(GX_ONES, b1.y), dot4I8Packed(GX_ONES, b1.z), dot4I8Packed(GX_ONES, b1.w));
        let a0 = gx_a[ar0 + w] ^ GX_FLIP;
        c00 += vec4<i32>(dot4I8Packed(a0, b0.x), dot4I8Packed(a0, b0.y), dot4I8Packed(a0, b0.z), dot4I8Packed(a0, b0.w));
        c01 += vec4<i32>(dot4I8Packed(a0, b1.x), dot4I8Packed(a0, b1.y), dot4I8Packed(a0, b1.z), dot4I8Packed(a0, b1.w));
        let a1 = gx_a[ar1 + w] ^ GX_FLIP;
        c10 += vec4<i32>(dot4I8Packed(a1, b0.x), dot4I8Packed(a1, b0.y), dot4I8Packed(a1, b0.z), dot4I8Packed(a1, b0.w));
        c11 += vec4<i32>(dot4I8Packed(a1, b1.x), dot4I8Packed(a1, b1.y), dot4I8Packed(a1, b1.z), dot4I8Packed(a1, b1.w));
        let a2 = gx_a[ar2 + w] ^ GX_FLIP;
        c20 += vec4<i32>(dot4I8Packed(a2, b0.x), dot4I8Packed(a2, b0.y), dot4I8Packed(a2, b0.z), dot4I8Packed(a2, b0.w));
        c21 += vec4<i32>(dot4I8Packed(a2, b1.x), dot4I8Packed(a2, b1.y), dot4I8Packed(a2, b1.z), dot4I8Packed(a2, b1.w));
        let a3 = gx_a[ar3 + w] ^ GX_FLIP;
        c30 += vec4<i32>(dot4I8Packed(a3, b0.x), dot4I8Packed(a3, b0.y), dot4I8Packed(a3, b0.z), dot4I8Packed(a3, b0.w));
        c31 += vec4<i32>(dot4I8Packed(a3, b1.x), dot4I8Packed(a3, b1.y), dot4I8Packed(a3, b1.z), dot4I8Packed(a3, b1.w));
        let a4 = gx_a[ar4 + w] ^ GX_FLIP;
        c40 += vec4<i32>(dot4I8Packed(a4, b0.x), dot4I8Packed(a4, b0.y), dot4I8Packed(a4, b0.z), dot4I8Packed(a4, b0.w));
        c41 += vec4<i32>(dot4I8Packed(a4, b1.x), dot4I8Packed(a4, b1.y), dot4I8Packed(a4, b1.z), dot4I8Packed(a4, b1.w));
        let a5 = gx_a[ar5 + w] ^ GX_FLIP;
        c50 += vec4<i32>(dot4I8Packed(a5, b0.x), dot4I8Packed(a5, b0.y), dot4I8Packed(a5, b0.z), dot4I8Packed(a5, b0.w));
        c51 += vec4<i32>(dot4I8Packed(a5, b1.x), dot4I8Packed(a5, b1.y), dot4I8Packed(a5, b1.z), dot4I8Packed(a5, b1.w));
        let a6 = gx_a[ar6 + w] ^ GX_FLIP;
        c60 += vec4<i32>(dot4I8Packed(a6, b0.x), dot4I8Packed(a6, b0.y), dot4I8Packed(a6, b0.z), dot4I8Packed(a6, b0.w));
        c61 += vec4<i32>(dot4I8Packed(a6, b1.x), dot4I8Packed(a6, b1.y), dot4I8Packed(a6, b1.z), dot4I8Packed(a6, b1.w));
        let a7 = gx_a[ar7 + w] ^ GX_FLIP;
        c70 += vec4<i32>(dot4I8Packed(a7, b0.x), dot4I8Packed(a7, b0.y), dot4I8Packed(a7, b0.z), dot4I8Packed(a7, b0.w));
        c71 += vec4<i32>(dot4I8Packed(a7, b1.x), dot4I8Packed(a7, b1.y), dot4I8Packed(a7, b1.z), dot4I8Packed(a7, b1.w));
    }
    gx_store(m0 + 0u, n0, c00 + 128 * s0, c01 + 128 * s1);
    gx_store(m0 + 1u, n0, c10 + 128 * s0, c11 + 128 * s1);
    gx_store(m0 + 2u, n0, c20 + 128 * s0, c21 + 128 * s1);
    gx_store(m0 + 3u, n0, c30 + 128 * s0, c31 + 128 * s1);
    gx_store(m0 + 4u, n0, c40 + 128 * s0, c41 + 128 * s1);
    gx_store(m0 + 5u, n0, c50 + 128 * s0, c51 + 128 * s1);
    gx_store(m0 + 6u, n0, c60 + 128 * s0, c61 + 128 * s1);
    gx_store(m0 + 7u, n0, c70 + 128 * s0, c71 + 128 * s1);
}

// gemm_u8i8_nt_k16: gemm_u8i8_nt for kw a positive multiple of 4, reading
// vec4<u32> (16 values of k) per load as gemm_i8_nt_k16 does.
// Twin: cpu.GemmU8I8NT (the registry row's Check refuses other params).
@compute @workgroup_size(8, 8)
fn gemm_u8i8_nt_k16(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kq = gx_p.kw / 4u;  // vec4 words per row
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kq;
    let ar1 = min(m0 + 1u, m - 1u) * kq;
    let ar2 = min(m0 + 2u, m - 1u) * kq;
    let ar3 = min(m0 + 3u, m - 1u) * kq;
    let ar4 = min(m0 + 4u, m - 1u) * kq;
    let ar5 = min(m0 + 5u, m - 1u) * kq;
    let ar6 = min(m0 + 6u, m - 1u) * kq;
    let ar7 = min(m0 + 7u, m - 1u) * kq;
    let br0 = min(n0 + 0u, n - 1u) * kq;
    let br1 = min(n0 + 1u, n - 1u) * kq;
    let br2 = min(n0 + 2u, n - 1u) * kq;
    let br3 = min(n0 + 3u, n - 1u) * kq;
    let br4 = min(n0 + 4u, n - 1u) * kq;
    let br5 = min(n0 + 5u, n - 1u) * kq;
    let br6 = min(n0 + 6u, n - 1u) * kq;
    let br7 = min(n0 + 7u, n - 1u) * kq;
    var c00 = vec4<i32>(0);
    var c01 = vec4<i32>(0);
    var c10 = vec4<i32>(0);
    var c11 = vec4<i32>(0);
    var c20 = vec4<i32>(0);
    var c21 = vec4<i32>(0);
    var c30 = vec4<i32>(0);
    var c31 = vec4<i32>(0);
    var c40 = vec4<i32>(0);
    var c41 = vec4<i32>(0);
    var c50 = vec4<i32>(0);
    var c51 = vec4<i32>(0);
    var c60 = vec4<i32>(0);
    var c61 = vec4<i32>(0);
    var c70 = vec4<i32>(0);
    var c71 = vec4<i32>(0);
    var s0 = vec4<i32>(0);
    var s1 = vec4<i32>(0);
    for (var w = 0u; w < kq; w++) {
        let b0 = gx_b4[br0 + w];
        let b1 = gx_b4[br1 + w];
        let b2 = gx_b4[br2 + w];
        let b3 = gx_b4[br3 + w];
        let b4 = gx_b4[br4 + w];
        let b5 = gx_b4[br5 + w];
        let b6 = gx_b4[br6 + w];
        let b7 = gx_b4[br7 + w];
        s0 += vec4<i32>(gx_sum16(b0), gx_sum16(b1), gx_sum16(b2), gx_sum16(b3));
        s1 += vec4<i32>(gx_sum16(b4), gx_sum16(b5), gx_sum16(b6), gx_sum16(b7));
        let a0 = gx_a4[ar0 + w] ^ vec4<u32>(GX_FLIP);
        c00 += vec4<i32>(gx_dot16(a0, b0), gx_dot16(a0, b1), gx_dot16(a0, b2), gx_dot16(a0, b3));
        c01 += vec4<i32>(gx_dot16(a0, b4), gx_dot16(a0, b5), gx_dot16(a0, b6), gx_dot16(a0, b7));
        let a1 = gx_a4[ar1 + w] ^ vec4<u32>(GX_FLIP);
        c10 += vec4<i32>(gx_dot16(a1, b0), gx_dot16(a1, b1), gx_dot16(a1, b2), gx_dot16(a1, b3));
        c11 += vec4<i32>(gx_dot16(a1, b4), gx_dot16(a1, b5), gx_dot16(a1, b6), gx_dot16(a1, b7));
        let a2 = gx_a4[ar2 + w] ^ vec4<u32>(GX_FLIP);
        c20 += vec4<i32>(gx_dot16(a2, b0), gx_dot16(a2, b1), gx_dot16(a2, b2), gx_dot16(a2, b3));
        c21 += vec4<i32>(gx_dot16(a2, b4), gx_dot16(a2, b5), gx_dot16(a2, b6), gx_dot16(a2, b7));
        let a3 = gx_a4[ar3 + w] ^ vec4<u32>(GX_FLIP);
        c30 += vec4<i32>(gx_dot16(a3, b0), gx_dot16(a3, b1), gx_dot16(a3, b2), gx_dot16(a3, b3));
        c31 += vec4<i32>(gx_dot16(a3, b4), gx_dot16(a3, b5), gx_dot16(a3, b6), gx_dot16(a3, b7));
        let a4 = gx_a4[ar4 + w] ^ vec4<u32>(GX_FLIP);
        c40 += vec4<i32>(gx_dot16(a4, b0), gx_dot16(a4, b1), gx_dot16(a4, b2), gx_dot16(a4, b3));
        c41 += vec4<i32>(gx_dot16(a4, b4), gx_dot16(a4, b5), gx_dot16(a4, b6), gx_dot16(a4, b7));
        let a5 = gx_a4[ar5 + w] ^ vec4<u32>(GX_FLIP);
        c50 += vec4<i32>(gx_dot16(a5, b0), gx_dot16(a5, b1), gx_dot16(a5, b2), gx_dot16(a5, b3));
        c51 += vec4<i32>(gx_dot16(a5, b4), gx_dot16(a5, b5), gx_dot16(a5, b6), gx_dot16(a5, b7));
        let a6 = gx_a4[ar6 + w] ^ vec4<u32>(GX_FLIP);
        c60 += vec4<i32>(gx_dot16(a6, b0), gx_dot16(a6, b1), gx_dot16(a6, b2), gx_dot16(a6, b3));
        c61 += vec4<i32>(gx_dot16(a6, b4), gx_dot16(a6, b5), gx_dot16(a6, b6), gx_dot16(a6, b7));
        let a7 = gx_a4[ar7 + w] ^ vec4<u32>(GX_FLIP);
        c70 += vec4<i32>(gx_dot16(a7, b0), gx_dot16(a7, b1), gx_dot16(a7, b2), gx_dot16(a7, b3));
        c71 += vec4<i32>(gx_dot16(a7, b4), gx_dot16(a7, b5), gx_dot16(a7, b6), gx_dot16(a7, b7));
    }
    gx_store(m0 + 0u, n0, c00 + 128 * s0, c01 + 128 * s1);
    gx_store(m0 + 1u, n0, c10 + 128 * s0, c11 + 128 * s1);
    gx_store(m0 + 2u, n0, c20 + 128 * s0, c21 + 128 * s1);
    gx_store(m0 + 3u, n0, c30 + 128 * s0, c31 + 128 * s1);
    gx_store(m0 + 4u, n0, c40 + 128 * s0, c41 + 128 * s1);
    gx_store(m0 + 5u, n0, c50 + 128 * s0, c51 + 128 * s1);
    gx_store(m0 + 6u, n0, c60 + 128 * s0, c61 + 128 * s1);
    gx_store(m0 + 7u, n0, c70 + 128 * s0, c71 + 128 * s1);
}

// gemm_i8_nt_wide: gemm_i8_nt with an exact int64 output for any k (weight
// gradients sum over k = N·H·W). Each chunk of GX_CHUNK words sums at most
// 32768 products of magnitude <= 2^14, at most 2^29: exact in i32; the chunk
// sums are added into the I64 output [m, n] (words lo, hi) with wide_add.
// Grid and blocks as gemm_i8_nt. Twin: cpu.GemmI8NTWide.
@compute @workgroup_size(8, 8)
fn gemm_i8_nt_wide(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kw = gx_p.kw;
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kw;
    let ar1 = min(m0 + 1u, m - 1u) * kw;
    let ar2 = min(m0 + 2u, m - 1u) * kw;
    let ar3 = min(m0 + 3u, m - 1u) * kw;
    let ar4 = min(m0 + 4u, m - 1u) * kw;
    let ar5 = min(m0 + 5u, m - 1u) * kw;
    let ar6 = min(m0 + 6u, m - 1u) * kw;
    let ar7 = min(m0 + 7u, m - 1u) * kw;
    let br0 = min(n0 + 0u, n - 1u) * kw;
    let br1 = min(n0 + 1u, n - 1u) * kw;
    let br2 = min(n0 + 2u, n - 1u) * kw;
    let br3 = min(n0 + 3u, n - 1u) * kw;
    let br4 = min(n0 + 4u, n - 1u) * kw;
    let br5 = min(n0 + 5u, n - 1u) * kw;
    let br6 = min(n0 + 6u, n - 1u) * kw;
    let br7 = min(n0 + 7u, n - 1u) * kw;
    var c00 = vec4<i32>(0);
    var c01 = vec4<i32>(0);
    var c10 = vec4<i32>(0);
    var c11 = vec4<i32>(0);
    var c20 = vec4<i32>(0);
    var c21 = vec4<i32>(0);
    var c30 = vec4<i32>(0);
    var c31 = vec4<i32>(0);
    var c40 = vec4<i32>(0);
    var c41 = vec4<i32>(0);
    var c50 = vec4<i32>(0);
    var c51 = vec4<i32>(0);
    var c60 = vec4<i32>(0);
    var c61 = vec4<i32>(0);
    var c70 = vec4<i32>(0);
    var c71 = vec4<i32>(0);
    var w0 = 0u;
    loop {
        let w1 = w0 + min(kw - w0, GX_CHUNK);  // w0 <= kw always
        for (var w = w0; w < w1; w++) {
            let b0 = vec4<u32>(gx_b[br0 + w], gx_b[br1 + w], gx_b[br2 + w], gx_b[br3 + w]);
            let b1 = vec4<u32>(gx_b[br4 + w], gx_b[br5 + w], gx_b[br6 + w], gx_b[br7 + w]);
            let a0 = gx_a[ar0 + w];
            c00 += vec4<i32>(dot4I8Packed(a0, b0.x), dot4I8Packed(a0, b0.y), dot4I8Packed(a0, b0.z), dot4I8Packed(a0, b0.w));
            c01 += vec4<i32>(dot4I8Packed(a0, b1.x), dot4I8Packed(a0, b1.y), dot4I8Packed(a0, b1.z), dot4I8Packed(a0, b1.w));
            let a1 = gx_a[ar1 + w];
            c10 += vec4<i32>(dot4I8Packed(a1, b0.x), dot4I8Packed(a1, b0.y), dot4I8Packed(a1, b0.z), dot4I8Packed(a1, b0.w));
            c11 += vec4<i32>(dot4I8Packed(a1, b1.x), dot4I8Packed(a1, b1.y), dot4I8Packed(a1, b1.z), dot4I8Packed(a1, b1.w));
            let a2 = gx_a[ar2 + w];
            c20 += vec4<i32>(dot4I8Packed(a2, b0.x), dot4I8Packed(a2, b0.y), dot4I8Packed(a2, b0.z), dot4I8Packed(a2, b0.w));
            c21 += vec4<i32>(dot4I8Packed(a2, b1.x), dot4I8Packed(a2, b1.y), dot4I8Packed(a2, b1.z), dot4I8Packed(a2, b1.w));
            let a3 = gx_a[ar3 + w];
            c30 += vec4<i32>(dot4I8Packed(a3, b0.x), dot4I8Packed(a3, b0.y), dot4I8Packed(a3, b0.z), dot4I8Packed(a3, b0.w));
            c31 += vec4<i32>(dot4I8Packed(a3, b1.x), dot4I8Packed(a3, b1.y), dot4I8Packed(a3, b1.z), dot4I8Packed(a3, b1.w));
            let a4 = gx_a[ar4 + w];
            c40 += vec4<i32>(dot4I8Packed(a4, b0.x), dot4I8Packed(a4, b0.y), dot4I8Packed(a4, b0.z), dot4I8Packed(a4, b0.w));
            c41 += vec4<i32>(dot4I8Packed(a4, b1.x), dot4I8Packed(a4, b1.y), dot4I8Packed(a4, b1.z), dot4I8Packed(a4, b1.w));
            let a5 = gx_a[ar5 + w];
            c50 += vec4<i32>(dot4I8Packed(a5, b0.x), dot4I8Packed(a5, b0.y), dot4I8Packed(a5, b0.z), dot4I8Packed(a5, b0.w));
            c51 += vec4<i32>(dot4I8Packed(a5, b1.x), dot4I8Packed(a5, b1.y), dot4I8Packed(a5, b1.z), dot4I8Packed(a5, b1.w));
            let a6 = gx_a[ar6 + w];
            c60 += vec4<i32>(dot4I8Packed(a6, b0.x), dot4I8Packed(a6, b0.y), dot4I8Packed(a6, b0.z), dot4I8Packed(a6, b0.w));
            c61 += vec4<i32>(dot4I8Packed(a6, b1.x), dot4I8Packed(a6, b1.y), dot4I8Packed(a6, b1.z), dot4I8Packed(a6, b1.w));
            let a7 = gx_a[ar7 + w];
            c70 += vec4<i32>(dot4I8Packed(a7, b0.x), dot4I8Packed(a7, b0.y), dot4I8Packed(a7, b0.z), dot4I8Packed(a7, b0.w));
            c71 += vec4<i32>(dot4I8Packed(a7, b1.x), dot4I8Packed(a7, b1.y), dot4I8Packed(a7, b1.z), dot4I8Packed(a7, b1.w));
        }
        gx_wide_acc(m0 + 0u, n0, vec4<i32>(0), vec4<i32>(0), c00, c01, w0 == 0u);
        gx_wide_acc(m0 + 1u, n0, vec4<i32>(0), vec4<i32>(0), c10, c11, w0 == 0u);
        gx_wide_acc(m0 + 2u, n0, vec4<i32>(0), vec4<i32>(0), c20, c21, w0 == 0u);
        gx_wide_acc(m0 + 3u, n0, vec4<i32>(0), vec4<i32>(0), c30, c31, w0 == 0u);
        gx_wide_acc(m0 + 4u, n0, vec4<i32>(0), vec4<i32>(0), c40, c41, w0 == 0u);
        gx_wide_acc(m0 + 5u, n0, vec4<i32>(0), vec4<i32>(0), c50, c51, w0 == 0u);
        gx_wide_acc(m0 + 6u, n0, vec4<i32>(0), vec4<i32>(0), c60, c61, w0 == 0u);
        gx_wide_acc(m0 + 7u, n0, vec4<i32>(0), vec4<i32>(0), c70, c71, w0 == 0u);
        c00 = vec4<i32>(0);
        c01 = vec4<i32>(0);
        c10 = vec4<i32>(0);
        c11 = vec4<i32>(0);
        c20 = vec4<i32>(0);
        c21 = vec4<i32>(0);
        c30 = vec4<i32>(0);
        c31 = vec4<i32>(0);
        c40 = vec4<i32>(0);
        c41 = vec4<i32>(0);
        c50 = vec4<i32>(0);
        c51 = vec4<i32>(0);
        c60 = vec4<i32>(0);
        c61 = vec4<i32>(0);
        c70 = vec4<i32>(0);
        c71 = vec4<i32>(0);
        w0 = w1;
        if (w0 >= kw) { break; }
    }
}

// gemm_u8i8_nt_wide: gemm_u8i8_nt with an exact int64 output for any k. A
// chunk's true sum is at most 32768·32640 < 2^30 in magnitude, exact in i32.
// Twin: cpu.GemmU8I8NTWide.
@compute @workgroup_size(8, 8)
fn gemm_u8i8_nt_wide(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kw = gx_p.kw;
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kw;
    let ar1 = min(m0 + 1u, m - 1u) * kw;
    let ar2 = min(m0 + 2u, m - 1u) * kw;
    let ar3 = min(m0 + 3u, m - 1u) * kw;
    let ar4 = min(m0 + 4u, m - 1u) * kw;
    let ar5 = min(m0 + 5u, m - 1u) * kw;
    let ar6 = min(m0 + 6u, m - 1u) * kw;
    let ar7 = min(m0 + 7u, m - 1u) * kw;
    let br0 = min(n0 + 0u, n - 1u) * kw;
    let br1 = min(n0 + 1u, n - 1u) * kw;
    let br2 = min(n0 + 2u, n - 1u) * kw;
    let br3 = min(n0 + 3u, n - 1u) * kw;
    let br4 = min(n0 + 4u, n - 1u) * kw;
    let br5 = min(n0 + 5u, n - 1u) * kw;
    let br6 = min(n0 + 6u, n - 1u) * kw;
    let br7 = min(n0 + 7u, n - 1u) * kw;
    var c00 = vec4<i32>(0);
    var c01 = vec4<i32>(0);
    var c10 = vec4<i32>(0);
    var c11 = vec4<i32>(0);
    var c20 = vec4<i32>(0);
    var c21 = vec4<i32>(0);
    var c30 = vec4<i32>(0);
    var c31 = vec4<i32>(0);
    var c40 = vec4<i32>(0);
    var c41 = vec4<i32>(0);
    var c50 = vec4<i32>(0);
    var c51 = vec4<i32>(0);
    var c60 = vec4<i32>(0);
    var c61 = vec4<i32>(0);
    var c70 = vec4<i32>(0);
    var c71 = vec4<i32>(0);
    var s0 = vec4<i32>(0);
    var s1 = vec4<i32>(0);
    var w0 = 0u;
    loop {
        let w1 = w0 + min(kw - w0, GX_CHUNK);  // w0 <= kw always
        for (var w = w0; w < w1; w++) {
            let b0 = vec4<u32>(gx_b[br0 + w], gx_b[br1 + w], gx_b[br2 + w], gx_b[br3 + w]);
            let b1 = vec4<u32>(gx_b[br4 + w], gx_b[br5 + w], gx_b[br6 + w], gx_b[br7 + w]);
            s0 += vec4<i32>(dot4I8Packed(GX_ONES, b0.x), dot4I8Packed(GX_ONES, b0.y), dot4I8Packed(GX_ONES, b0.z), dot4I8Packed(GX_ONES, b0.w));
            s1 += vec4<i32>(dot4I8Packed(GX_ONES, b1.x), dot4I8Packed(GX_ONES, b1.y), dot4I8Packed(GX_ONES, b1.z), dot4I8Packed(GX_ONES, b1.w));
            let a0 = gx_a[ar0 + w] ^ GX_FLIP;
            c00 += vec4<i32>(dot4I8Packed(a0, b0.x), dot4I8Packed(a0, b0.y), dot4I8Packed(a0, b0.z), dot4I8Packed(a0, b0.w));
            c01 += vec4<i32>(dot4I8Packed(a0, b1.x), dot4I8Packed(a0, b1.y), dot4I8Packed(a0, b1.z), dot4I8Packed(a0, b1.w));
            let a1 = gx_a[ar1 + w] ^ GX_FLIP;
            c10 += vec4<i32>(dot4I8Packed(a1, b0.x), dot4I8Packed(a1, b0.y), dot4I8Packed(a1, b0.z), dot4I8Packed(a1, b0.w));
            c11 += vec4<i32>(dot4I8Packed(a1, b1.x), dot4I8Packed(a1, b1.y), dot4I8Packed(a1, b1.z), dot4I8Packed(a1, b1.w));
            let a2 = gx_a[ar2 + w] ^ GX_FLIP;
            c20 += vec4<i32>(dot4I8Packed(a2, b0.x), dot4I8Packed(a2, b0.y), dot4I8Packed(a2, b0.z), dot4I8Packed(a2, b0.w));
            c21 += vec4<i32>(dot4I8Packed(a2, b1.x), dot4I8Packed(a2, b1.y), dot4I8Packed(a2, b1.z), dot4I8Packed(a2, b1.w));
            let a3 = gx_a[ar3 + w] ^ GX_FLIP;
            c30 += vec4<i32>(dot4I8Packed(a3, b0.x), dot4I8Packed(a3, b0.y), dot4I8Packed(a3, b0.z), dot4I8Packed(a3, b0.w));
            c31 += vec4<i32>(dot4I8Packed(a3, b1.x), dot4I8Packed(a3, b1.y), dot4I8Packed(a3, b1.z), dot4I8Packed(a3, b1.w));
            let a4 = gx_a[ar4 + w] ^ GX_FLIP;
            c40 += vec4<i32>(dot4I8Packed(a4, b0.x), dot4I8Packed(a4, b0.y), dot4I8Packed(a4, b0.z), dot4I8Packed(a4, b0.w));
            c41 += vec4<i32>(dot4I8Packed(a4, b1.x), dot4I8Packed(a4, b1.y), dot4I8Packed(a4, b1.z), dot4I8Packed(a4, b1.w));
            let a5 = gx_a[ar5 + w] ^ GX_FLIP;
            c50 += vec4<i32>(dot4I8Packed(a5, b0.x), dot4I8Packed(a5, b0.y), dot4I8Packed(a5, b0.z), dot4I8Packed(a5, b0.w));
            c51 += vec4<i32>(dot4I8Packed(a5, b1.x), dot4I8Packed(a5, b1.y), dot4I8Packed(a5, b1.z), dot4I8Packed(a5, b1.w));
            let a6 = gx_a[ar6 + w] ^ GX_FLIP;
            c60 += vec4<i32>(dot4I8Packed(a6, b0.x), dot4I8Packed(a6, b0.y), dot4I8Packed(a6, b0.z), dot4I8Packed(a6, b0.w));
            c61 += vec4<i32>(dot4I8Packed(a6, b1.x), dot4I8Packed(a6, b1.y), dot4I8Packed(a6, b1.z), dot4I8Packed(a6, b1.w));
            let a7 = gx_a[ar7 + w] ^ GX_FLIP;
            c70 += vec4<i32>(dot4I8Packed(a7, b0.x), dot4I8Packed(a7, b0.y), dot4I8Packed(a7, b0.z), dot4I8Packed(a7, b0.w));
            c71 += vec4<i32>(dot4I8Packed(a7, b1.x), dot4I8Packed(a7, b1.y), dot4I8Packed(a7, b1.z), dot4I8Packed(a7, b1.w));
        }
        gx_wide_acc(m0 + 0u, n0, vec4<i32>(0), vec4<i32>(0), c00 + 128 * s0, c01 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 1u, n0, vec4<i32>(0), vec4<i32>(0), c10 + 128 * s0, c11 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 2u, n0, vec4<i32>(0), vec4<i32>(0), c20 + 128 * s0, c21 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 3u, n0, vec4<i32>(0), vec4<i32>(0), c30 + 128 * s0, c31 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 4u, n0, vec4<i32>(0), vec4<i32>(0), c40 + 128 * s0, c41 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 5u, n0, vec4<i32>(0), vec4<i32>(0), c50 + 128 * s0, c51 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 6u, n0, vec4<i32>(0), vec4<i32>(0), c60 + 128 * s0, c61 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 7u, n0, vec4<i32>(0), vec4<i32>(0), c70 + 128 * s0, c71 + 128 * s1, w0 == 0u);
        c00 = vec4<i32>(0);
        c01 = vec4<i32>(0);
        c10 = vec4<i32>(0);
        c11 = vec4<i32>(0);
        c20 = vec4<i32>(0);
        c21 = vec4<i32>(0);
        c30 = vec4<i32>(0);
        c31 = vec4<i32>(0);
        c40 = vec4<i32>(0);
        c41 = vec4<i32>(0);
        c50 = vec4<i32>(0);
        c51 = vec4<i32>(0);
        c60 = vec4<i32>(0);
        c61 = vec4<i32>(0);
        c70 = vec4<i32>(0);
        c71 = vec4<i32>(0);
        s0 = vec4<i32>(0);
        s1 = vec4<i32>(0);
        w0 = w1;
        if (w0 >= kw) { break; }
    }
}

// gemm_i8_nt_wide_k16: gemm_i8_nt_wide for kw a positive multiple of 4,
// reading vec4<u32> (16 values of k) per load. Twin: cpu.GemmI8NTWide (the
// registry row's Check refuses other params).
@compute @workgroup_size(8, 8)
fn gemm_i8_nt_wide_k16(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kq = gx_p.kw / 4u;  // vec4 words per row
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kq;
    let ar1 = min(m0 + 1u, m - 1u) * kq;
    let ar2 = min(m0 + 2u, m - 1u) * kq;
    let ar3 = min(m0 + 3u, m - 1u) * kq;
    let ar4 = min(m0 + 4u, m - 1u) * kq;
    let ar5 = min(m0 + 5u, m - 1u) * kq;
    let ar6 = min(m0 + 6u, m - 1u) * kq;
    let ar7 = min(m0 + 7u, m - 1u) * kq;
    let br0 = min(n0 + 0u, n - 1u) * kq;
    let br1 = min(n0 + 1u, n - 1u) * kq;
    let br2 = min(n0 + 2u, n - 1u) * kq;
    let br3 = min(n0 + 3u, n - 1u) * kq;
    let br4 = min(n0 + 4u, n - 1u) * kq;
    let br5 = min(n0 + 5u, n - 1u) * kq;
    let br6 = min(n0 + 6u, n - 1u) * kq;
    let br7 = min(n0 + 7u, n - 1u) * kq;
    var c00 = vec4<i32>(0);
    var c01 = vec4<i32>(0);
    var c10 = vec4<i32>(0);
    var c11 = vec4<i32>(0);
    var c20 = vec4<i32>(0);
    var c21 = vec4<i32>(0);
    var c30 = vec4<i32>(0);
    var c31 = vec4<i32>(0);
    var c40 = vec4<i32>(0);
    var c41 = vec4<i32>(0);
    var c50 = vec4<i32>(0);
    var c51 = vec4<i32>(0);
    var c60 = vec4<i32>(0);
    var c61 = vec4<i32>(0);
    var c70 = vec4<i32>(0);
    var c71 = vec4<i32>(0);
    var w0 = 0u;
    loop {
        let w1 = w0 + min(kq - w0, GX_CHUNK / 4u);  // w0 <= kq always
        for (var w = w0; w < w1; w++) {
            let b0 = gx_b4[br0 + w];
            let b1 = gx_b4[br1 + w];
            let b2 = gx_b4[br2 + w];
            let b3 = gx_b4[br3 + w];
            let b4 = gx_b4[br4 + w];
            let b5 = gx_b4[br5 + w];
            let b6 = gx_b4[br6 + w];
            let b7 = gx_b4[br7 + w];
            let a0 = gx_a4[ar0 + w];
            c00 += vec4<i32>(gx_dot16(a0, b0), gx_dot16(a0, b1), gx_dot16(a0, b2), gx_dot16(a0, b3));
            c01 += vec4<i32>(gx_dot16(a0, b4), gx_dot16(a0, b5), gx_dot16(a0, b6), gx_dot16(a0, b7));
            let a1 = gx_a4[ar1 + w];
            c10 += vec4<i32>(gx_dot16(a1, b0), gx_dot16(a1, b1), gx_dot16(a1, b2), gx_dot16(a1, b3));
            c11 += vec4<i32>(gx_dot16(a1, b4), gx_dot16(a1, b5), gx_dot16(a1, b6), gx_dot16(a1, b7));
            let a2 = gx_a4[ar2 + w];
            c20 += vec4<i32>(gx_dot16(a2, b0), gx_dot16(a2, b1), gx_dot16(a2, b2), gx_dot16(a2, b3));
            c21 += vec4<i32>(gx_dot16(a2, b4), gx_dot16(a2, b5), gx_dot16(a2, b6), gx_dot16(a2, b7));
            let a3 = gx_a4[ar3 + w];
            c30 += vec4<i32>(gx_dot16(a3, b0), gx_dot16(a3, b1), gx_dot16(a3, b2), gx_dot16(a3, b3));
            c31 += vec4<i32>(gx_dot16(a3, b4), gx_dot16(a3, b5), gx_dot16(a3, b6), gx_dot16(a3, b7));
            let a4 = gx_a4[ar4 + w];
            c40 += vec4<i32>(gx_dot16(a4, b0), gx_dot16(a4, b1), gx_dot16(a4, b2), gx_dot16(a4, b3));
            c41 += vec4<i32>(gx_dot16(a4, b4), gx_dot16(a4, b5), gx_dot16(a4, b6), gx_dot16(a4, b7));
            let a5 = gx_a4[ar5 + w];
            c50 += vec4<i32>(gx_dot16(a5, b0), gx_dot16(a5, b1), gx_dot16(a5, b2), gx_dot16(a5, b3));
            c51 += vec4<i32>(gx_dot16(a5, b4), gx_dot16(a5, b5), gx_dot16(a5, b6), gx_dot16(a5, b7));
            let a6 = gx_a4[ar6 + w];
            c60 += vec4<i32>(gx_dot16(a6, b0), gx_dot16(a6, b1), gx_dot16(a6, b2), gx_dot16(a6, b3));
            c61 += vec4<i32>(gx_dot16(a6, b4), gx_dot16(a6, b5), gx_dot16(a6, b6), gx_dot16(a6, b7));
            let a7 = gx_a4[ar7 + w];
            c70 += vec4<i32>(gx_dot16(a7, b0), gx_dot16(a7, b1), gx_dot16(a7, b2), gx_dot16(a7, b3));
            c71 += vec4<i32>(gx_dot16(a7, b4), gx_dot16(a7, b5), gx_dot16(a7, b6), gx_dot16(a7, b7));
        }
        gx_wide_acc(m0 + 0u, n0, vec4<i32>(0), vec4<i32>(0), c00, c01, w0 == 0u);
        gx_wide_acc(m0 + 1u, n0, vec4<i32>(0), vec4<i32>(0), c10, c11, w0 == 0u);
        gx_wide_acc(m0 + 2u, n0, vec4<i32>(0), vec4<i32>(0), c20, c21, w0 == 0u);
        gx_wide_acc(m0 + 3u, n0, vec4<i32>(0), vec4<i32>(0), c30, c31, w0 == 0u);
        gx_wide_acc(m0 + 4u, n0, vec4<i32>(0), vec4<i32>(0), c40, c41, w0 == 0u);
        gx_wide_acc(m0 + 5u, n0, vec4<i32>(0), vec4<i32>(0), c50, c51, w0 == 0u);
        gx_wide_acc(m0 + 6u, n0, vec4<i32>(0), vec4<i32>(0), c60, c61, w0 == 0u);
        gx_wide_acc(m0 + 7u, n0, vec4<i32>(0), vec4<i32>(0), c70, c71, w0 == 0u);
        c00 = vec4<i32>(0);
        c01 = vec4<i32>(0);
        c10 = vec4<i32>(0);
        c11 = vec4<i32>(0);
        c20 = vec4<i32>(0);
        c21 = vec4<i32>(0);
        c30 = vec4<i32>(0);
        c31 = vec4<i32>(0);
        c40 = vec4<i32>(0);
        c41 = vec4<i32>(0);
        c50 = vec4<i32>(0);
        c51 = vec4<i32>(0);
        c60 = vec4<i32>(0);
        c61 = vec4<i32>(0);
        c70 = vec4<i32>(0);
        c71 = vec4<i32>(0);
        w0 = w1;
        if (w0 >= kq) { break; }
    }
}

// gemm_u8i8_nt_wide_k16: gemm_u8i8_nt_wide for kw a positive multiple of 4,
// reading vec4<u32> per load. Twin: cpu.GemmU8I8NTWide (Check as above).
@compute @workgroup_size(8, 8)
fn gemm_u8i8_nt_wide_k16(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kq = gx_p.kw / 4u;  // vec4 words per row
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kq;
    let ar1 = min(m0 + 1u, m - 1u) * kq;
    let ar2 = min(m0 + 2u, m - 1u) * kq;
    let ar3 = min(m0 + 3u, m - 1u) * kq;
    let ar4 = min(m0 + 4u, m - 1u) * kq;
    let ar5 = min(m0 + 5u, m - 1u) * kq;
    let ar6 = min(m0 + 6u, m - 1u) * kq;
    let ar7 = min(m0 + 7u, m - 1u) * kq;
    let br0 = min(n0 + 0u, n - 1u) * kq;
    let br1 = min(n0 + 1u, n - 1u) * kq;
    let br2 = min(n0 + 2u, n - 1u) * kq;
    let br3 = min(n0 + 3u, n - 1u) * kq;
    let br4 = min(n0 + 4u, n - 1u) * kq;
    let br5 = min(n0 + 5u, n - 1u) * kq;
    let br6 = min(n0 + 6u, n - 1u) * kq;
    let br7 = min(n0 + 7u, n - 1u) * kq;
    var c00 = vec4<i32>(0);
    var c01 = vec4<i32>(0);
    var c10 = vec4<i32>(0);
    var c11 = vec4<i32>(0);
    var c20 = vec4<i32>(0);
    var c21 = vec4<i32>(0);
    var c30 = vec4<i32>(0);
    var c31 = vec4<i32>(0);
    var c40 = vec4<i32>(0);
    var c41 = vec4<i32>(0);
    var c50 = vec4<i32>(0);
    var c51 = vec4<i32>(0);
    var c60 = vec4<i32>(0);
    var c61 = vec4<i32>(0);
    var c70 = vec4<i32>(0);
    var c71 = vec4<i32>(0);
    var s0 = vec4<i32>(0);
    var s1 = vec4<i32>(0);
    var w0 = 0u;
    loop {
        let w1 = w0 + min(kq - w0, GX_CHUNK / 4u);  // w0 <= kq always
        for (var w = w0; w < w1; w++) {
            let b0 = gx_b4[br0 + w];
            let b1 = gx_b4[br1 + w];
            let b2 = gx_b4[br2 + w];
            let b3 = gx_b4[br3 + w];
            let b4 = gx_b4[br4 + w];
            let b5 = gx_b4[br5 + w];
            let b6 = gx_b4[br6 + w];
            let b7 = gx_b4[br7 + w];
            s0 += vec4<i32>(gx_sum16(b0), gx_sum16(b1), gx_sum16(b2), gx_sum16(b3));
            s1 += vec4<i32>(gx_sum16(b4), gx_sum16(b5), gx_sum16(b6), gx_sum16(b7));
            let a0 = gx_a4[ar0 + w] ^ vec4<u32>(GX_FLIP);
            c00 += vec4<i32>(gx_dot16(a0, b0), gx_dot16(a0, b1), gx_dot16(a0, b2), gx_dot16(a0, b3));
            c01 += vec4<i32>(gx_dot16(a0, b4), gx_dot16(a0, b5), gx_dot16(a0, b6), gx_dot16(a0, b7));
            let a1 = gx_a4[ar1 + w] ^ vec4<u32>(GX_FLIP);
            c10 += vec4<i32>(gx_dot16(a1, b0), gx_dot16(a1, b1), gx_dot16(a1, b2), gx_dot16(a1, b3));
            c11 += vec4<i32>(gx_dot16(a1, b4), gx_dot16(a1, b5), gx_dot16(a1, b6), gx_dot16(a1, b7));
            let a2 = gx_a4[ar2 + w] ^ vec4<u32>(GX_FLIP);
            c20 += vec4<i32>(gx_dot16(a2, b0), gx_dot16(a2, b1), gx_dot16(a2, b2), gx_dot16(a2, b3));
            c21 += vec4<i32>(gx_dot16(a2, b4), gx_dot16(a2, b5), gx_dot16(a2, b6), gx_dot16(a2, b7));
            let a3 = gx_a4[ar3 + w] ^ vec4<u32>(GX_FLIP);
            c30 += vec4<i32>(gx_dot16(a3, b0), gx_dot16(a3, b1), gx_dot16(a3, b2), gx_dot16(a3, b3));
            c31 += vec4<i32>(gx_dot16(a3, b4), gx_dot16(a3, b5), gx_dot16(a3, b6), gx_dot16(a3, b7));
            let a4 = gx_a4[ar4 + w] ^ vec4<u32>(GX_FLIP);
            c40 += vec4<i32>(gx_dot16(a4, b0), gx_dot16(a4, b1), gx_dot16(a4, b2), gx_dot16(a4, b3));
            c41 += vec4<i32>(gx_dot16(a4, b4), gx_dot16(a4, b5), gx_dot16(a4, b6), gx_dot16(a4, b7));
            let a5 = gx_a4[ar5 + w] ^ vec4<u32>(GX_FLIP);
            c50 += vec4<i32>(gx_dot16(a5, b0), gx_dot16(a5, b1), gx_dot16(a5, b2), gx_dot16(a5, b3));
            c51 += vec4<i32>(gx_dot16(a5, b4), gx_dot16(a5, b5), gx_dot16(a5, b6), gx_dot16(a5, b7));
            let a6 = gx_a4[ar6 + w] ^ vec4<u32>(GX_FLIP);
            c60 += vec4<i32>(gx_dot16(a6, b0), gx_dot16(a6, b1), gx_dot16(a6, b2), gx_dot16(a6, b3));
            c61 += vec4<i32>(gx_dot16(a6, b4), gx_dot16(a6, b5), gx_dot16(a6, b6), gx_dot16(a6, b7));
            let a7 = gx_a4[ar7 + w] ^ vec4<u32>(GX_FLIP);
            c70 += vec4<i32>(gx_dot16(a7, b0), gx_dot16(a7, b1), gx_dot16(a7, b2), gx_dot16(a7, b3));
            c71 += vec4<i32>(gx_dot16(a7, b4), gx_dot16(a7, b5), gx_dot16(a7, b6), gx_dot16(a7, b7));
        }
        gx_wide_acc(m0 + 0u, n0, vec4<i32>(0), vec4<i32>(0), c00 + 128 * s0, c01 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 1u, n0, vec4<i32>(0), vec4<i32>(0), c10 + 128 * s0, c11 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 2u, n0, vec4<i32>(0), vec4<i32>(0), c20 + 128 * s0, c21 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 3u, n0, vec4<i32>(0), vec4<i32>(0), c30 + 128 * s0, c31 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 4u, n0, vec4<i32>(0), vec4<i32>(0), c40 + 128 * s0, c41 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 5u, n0, vec4<i32>(0), vec4<i32>(0), c50 + 128 * s0, c51 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 6u, n0, vec4<i32>(0), vec4<i32>(0), c60 + 128 * s0, c61 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 7u, n0, vec4<i32>(0), vec4<i32>(0), c70 + 128 * s0, c71 + 128 * s1, w0 == 0u);
        c00 = vec4<i32>(0);
        c01 = vec4<i32>(0);
        c10 = vec4<i32>(0);
        c11 = vec4<i32>(0);
        c20 = vec4<i32>(0);
        c21 = vec4<i32>(0);
        c30 = vec4<i32>(0);
        c31 = vec4<i32>(0);
        c40 = vec4<i32>(0);
        c41 = vec4<i32>(0);
        c50 = vec4<i32>(0);
        c51 = vec4<i32>(0);
        c60 = vec4<i32>(0);
        c61 = vec4<i32>(0);
        c70 = vec4<i32>(0);
        c71 = vec4<i32>(0);
        s0 = vec4<i32>(0);
        s1 = vec4<i32>(0);
        w0 = w1;
        if (w0 >= kq) { break; }
    }
}

// gemm_i16i8_nt: C[m, n] = sum_k A[m, k]·B[n, k] exactly in int64, with A int16
// (E2 error codes) given as the two int8 planes of pack_i16_split, and B int8
// (weights): the input gradient dx = E2·W. With A = 256·H + L + 128 lane by
// lane (pack_i16_split),
//   C = 256·sum H·B + (sum L·B + 128·sum B).
// The a binding holds both planes, H [m, kw] words then L [m, kw]. Per chunk
// of 32768 values |sum H·B| <= 2^29 and |sum L·B + 128·sum B| <= 2^30: exact
// in i32; the chunk adds (H-sum widened, shifted by 8) + the rest into the
// I64 output. Each invocation computes an 8x8 block with 32 vec4<i32>
// accumulators (h<r><h>, l<r><h>), so both planes share every B load (at
// n = 1024 on lavapipe 8x8 blocks ran about 1.5x faster than 4x8).
// Grid as gemm_i8_nt. Twin: cpu.GemmI16I8NT.
@compute @workgroup_size(8, 8)
fn gemm_i16i8_nt(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kw = gx_p.kw;
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kw;
    let ar1 = min(m0 + 1u, m - 1u) * kw;
    let ar2 = min(m0 + 2u, m - 1u) * kw;
    let ar3 = min(m0 + 3u, m - 1u) * kw;
    let ar4 = min(m0 + 4u, m - 1u) * kw;
    let ar5 = min(m0 + 5u, m - 1u) * kw;
    let ar6 = min(m0 + 6u, m - 1u) * kw;
    let ar7 = min(m0 + 7u, m - 1u) * kw;
    let lo_plane = m * kw;  // the lo plane follows the hi plane
    let br0 = min(n0 + 0u, n - 1u) * kw;
    let br1 = min(n0 + 1u, n - 1u) * kw;
    let br2 = min(n0 + 2u, n - 1u) * kw;
    let br3 = min(n0 + 3u, n - 1u) * kw;
    let br4 = min(n0 + 4u, n - 1u) * kw;
    let br5 = min(n0 + 5u, n - 1u) * kw;
    let br6 = min(n0 + 6u, n - 1u) * kw;
    let br7 = min(n0 + 7u, n - 1u) * kw;
    var h00 = vec4<i32>(0);
    var h01 = vec4<i32>(0);
    var l00 = vec4<i32>(0);
    var l01 = vec4<i32>(0);
    var h10 = vec4<i32>(0);
    var h11 = vec4<i32>(0);
    var l10 = vec4<i32>(0);
    var l11 = vec4<i32>(0);
    var h20 = vec4<i32>(0);
    var h21 = vec4<i32>(0);
    var l20 = vec4<i32>(0);
    var l21 = vec4<i32>(0);
    var h30 = vec4<i32>(0);
    var h31 = vec4<i32>(0);
    var l30 = vec4<i32>(0);
    var l31 = vec4<i32>(0);
    var h40 = vec4<i32>(0);
    var h41 = vec4<i32>(0);
    var l40 = vec4<i32>(0);
    var l41 = vec4<i32>(0);
    var h50 = vec4<i32>(0);
    var h51 = vec4<i32>(0);
    var l50 = vec4<i32>(0);
    var l51 = vec4<i32>(0);
    var h60 = vec4<i32>(0);
    var h61 = vec4<i32>(0);
    var l60 = vec4<i32>(0);
    var l61 = vec4<i32>(0);
    var h70 = vec4<i32>(0);
    var h71 = vec4<i32>(0);
    var l70 = vec4<i32>(0);
    var l71 = vec4<i32>(0);
    var s0 = vec4<i32>(0);
    var s1 = vec4<i32>(0);
    var w0 = 0u;
    loop {
        let w1 = w0 + min(kw - w0, GX_CHUNK);  // w0 <= kw always
        for (var w = w0; w < w1; w++) {
            let b0 = vec4<u32>(gx_b[br0 + w], gx_b[br1 + w], gx_b[br2 + w], gx_b[br3 + w]);
            let b1 = vec4<u32>(gx_b[br4 + w], gx_b[br5 + w], gx_b[br6 + w], gx_b[br7 + w]);
            s0 += vec4<i32>(dot4I8Packed(GX_ONES, b0.x), dot4I8Packed(GX_ONES, b0.y), dot4I8Packed(GX_ONES, b0.z), dot4I8Packed(GX_ONES, b0.w));
            s1 += vec4<i32>(dot4I8Packed(GX_ONES, b1.x), dot4I8Packed(GX_ONES, b1.y), dot4I8Packed(GX_ONES, b1.z), dot4I8Packed(GX_ONES, b1.w));
            let x0 = gx_a[ar0 + w];
            h00 += vec4<i32>(dot4I8Packed(x0, b0.x), dot4I8Packed(x0, b0.y), dot4I8Packed(x0, b0.z), dot4I8Packed(x0, b0.w));
            h01 += vec4<i32>(dot4I8Packed(x0, b1.x), dot4I8Packed(x0, b1.y), dot4I8Packed(x0, b1.z), dot4I8Packed(x0, b1.w));
            let y0 = gx_a[lo_plane + ar0 + w];
            l00 += vec4<i32>(dot4I8Packed(y0, b0.x), dot4I8Packed(y0, b0.y), dot4I8Packed(y0, b0.z), dot4I8Packed(y0, b0.w));
            l01 += vec4<i32>(dot4I8Packed(y0, b1.x), dot4I8Packed(y0, b1.y), dot4I8Packed(y0, b1.z), dot4I8Packed(y0, b1.w));
            let x1 = gx_a[ar1 + w];
            h10 += vec4<i32>(dot4I8Packed(x1, b0.x), dot4I8Packed(x1, b0.y), dot4I8Packed(x1, b0.z), dot4I8Packed(x1, b0.w));
            h11 += vec4<i32>(dot4I8Packed(x1, b1.x), dot4I8Packed(x1, b1.y), dot4I8Packed(x1, b1.z), dot4I8Packed(x1, b1.w));
            let y1 = gx_a[lo_plane + ar1 + w];
            l10 += vec4<i32>(dot4I8Packed(y1, b0.x), dot4I8Packed(y1, b0.y), dot4I8Packed(y1, b0.z), dot4I8Packed(y1, b0.w));
            l11 += vec4<i32>(dot4I8Packed(y1, b1.x), dot4I8Packed(y1, b1.y), dot4I8Packed(y1, b1.z), dot4I8Packed(y1, b1.w));
            let x2 = gx_a[ar2 + w];
            h20 += vec4<i32>(dot4I8Packed(x2, b0.x), dot4I8Packed(x2, b0.y), dot4I8Packed(x2, b0.z), dot4I8Packed(x2, b0.w));
            h21 += vec4<i32>(dot4I8Packed(x2, b1.x), dot4I8Packed(x2, b1.y), dot4I8Packed(x2, b1.z), dot4I8Packed(x2, b1.w));
            let y2 = gx_a[lo_plane + ar2 + w];
            l20 += vec4<i32>(dot4I8Packed(y2, b0.x), dot4I8Packed(y2, b0.y), dot4I8Packed(y2, b0.z), dot4I8Packed(y2, b0.w));
            l21 += vec4<i32>(dot4I8Packed(y2, b1.x), dot4I8Packed(y2, b1.y), dot4I8Packed(y2, b1.z), dot4I8Packed(y2, b1.w));
            let x3 = gx_a[ar3 + w];
            h30 += vec4<i32>(dot4I8Packed(x3, b0.x), dot4I8Packed(x3, b0.y), dot4I8Packed(x3, b0.z), dot4I8Packed(x3, b0.w));
            h31 += vec4<i32>(dot4I8Packed(x3, b1.x), dot4I8Packed(x3, b1.y), dot4I8Packed(x3, b1.z), dot4I8Packed(x3, b1.w));
            let y3 = gx_a[lo_plane + ar3 + w];
            l30 += vec4<i32>(dot4I8Packed(y3, b0.x), dot4I8Packed(y3, b0.y), dot4I8Packed(y3, b0.z), dot4I8Packed(y3, b0.w));
            l31 += vec4<i32>(dot4I8Packed(y3, b1.x), dot4I8Packed(y3, b1.y), dot4I8Packed(y3, b1.z), dot4I8Packed(y3, b1.w));
            let x4 = gx_a[ar4 + w];
            h40 += vec4<i32>(dot4I8Packed(x4, b0.x), dot4I8Packed(x4, b0.y), dot4I8Packed(x4, b0.z), dot4I8Packed(x4, b0.w));
            h41 += vec4<i32>(dot4I8Packed(x4, b1.x), dot4I8Packed(x4, b1.y), dot4I8Packed(x4, b1.z), dot4I8Packed(x4, b1.w));
            let y4 = gx_a[lo_plane + ar4 + w];
            l40 += vec4<i32>(dot4I8Packed(y4, b0.x), dot4I8Packed(y4, b0.y), dot4I8Packed(y4, b0.z), dot4I8Packed(y4, b0.w));
            l41 += vec4<i32>(dot4I8Packed(y4, b1.x), dot4I8Packed(y4, b1.y), dot4I8Packed(y4, b1.z), dot4I8Packed(y4, b1.w));
            let x5 = gx_a[ar5 + w];
            h50 += vec4<i32>(dot4I8Packed(x5, b0.x), dot4I8Packed(x5, b0.y), dot4I8Packed(x5, b0.z), dot4I8Packed(x5, b0.w));
            h51 += vec4<i32>(dot4I8Packed(x5, b1.x), dot4I8Packed(x5, b1.y), dot4I8Packed(x5, b1.z), dot4I8Packed(x5, b1.w));
            let y5 = gx_a[lo_plane + ar5 + w];
            l50 += vec4<i32>(dot4I8Packed(y5, b0.x), dot4I8Packed(y5, b0.y), dot4I8Packed(y5, b0.z), dot4I8Packed(y5, b0.w));
            l51 += vec4<i32>(dot4I8Packed(y5, b1.x), dot4I8Packed(y5, b1.y), dot4I8Packed(y5, b1.z), dot4I8Packed(y5, b1.w));
            let x6 = gx_a[ar6 + w];
            h60 += vec4<i32>(dot4I8Packed(x6, b0.x), dot4I8Packed(x6, b0.y), dot4I8Packed(x6, b0.z), dot4I8Packed(x6, b0.w));
            h61 += vec4<i32>(dot4I8Packed(x6, b1.x), dot4I8Packed(x6, b1.y), dot4I8Packed(x6, b1.z), dot4I8Packed(x6, b1.w));
            let y6 = gx_a[lo_plane + ar6 + w];
            l60 += vec4<i32>(dot4I8Packed(y6, b0.x), dot4I8Packed(y6, b0.y), dot4I8Packed(y6, b0.z), dot4I8Packed(y6, b0.w));
            l61 += vec4<i32>(dot4I8Packed(y6, b1.x), dot4I8Packed(y6, b1.y), dot4I8Packed(y6, b1.z), dot4I8Packed(y6, b1.w));
            let x7 = gx_a[ar7 + w];
            h70 += vec4<i32>(dot4I8Packed(x7, b0.x), dot4I8Packed(x7, b0.y), dot4I8Packed(x7, b0.z), dot4I8Packed(x7, b0.w));
            h71 += vec4<i32>(dot4I8Packed(x7, b1.x), dot4I8Packed(x7, b1.y), dot4I8Packed(x7, b1.z), dot4I8Packed(x7, b1.w));
            let y7 = gx_a[lo_plane + ar7 + w];
            l70 += vec4<i32>(dot4I8Packed(y7, b0.x), dot4I8Packed(y7, b0.y), dot4I8Packed(y7, b0.z), dot4I8Packed(y7, b0.w));
            l71 += vec4<i32>(dot4I8Packed(y7, b1.x), dot4I8Packed(y7, b1.y), dot4I8Packed(y7, b1.z), dot4I8Packed(y7, b1.w));
        }
        gx_wide_acc(m0 + 0u, n0, h00, h01, l00 + 128 * s0, l01 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 1u, n0, h10, h11, l10 + 128 * s0, l11 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 2u, n0, h20, h21, l20 + 128 * s0, l21 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 3u, n0, h30, h31, l30 + 128 * s0, l31 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 4u, n0, h40, h41, l40 + 128 * s0, l41 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 5u, n0, h50, h51, l50 + 128 * s0, l51 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 6u, n0, h60, h61, l60 + 128 * s0, l61 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 7u, n0, h70, h71, l70 + 128 * s0, l71 + 128 * s1, w0 == 0u);
        h00 = vec4<i32>(0);
        h01 = vec4<i32>(0);
        l00 = vec4<i32>(0);
        l01 = vec4<i32>(0);
        h10 = vec4<i32>(0);
        h11 = vec4<i32>(0);
        l10 = vec4<i32>(0);
        l11 = vec4<i32>(0);
        h20 = vec4<i32>(0);
        h21 = vec4<i32>(0);
        l20 = vec4<i32>(0);
        l21 = vec4<i32>(0);
        h30 = vec4<i32>(0);
        h31 = vec4<i32>(0);
        l30 = vec4<i32>(0);
        l31 = vec4<i32>(0);
        h40 = vec4<i32>(0);
        h41 = vec4<i32>(0);
        l40 = vec4<i32>(0);
        l41 = vec4<i32>(0);
        h50 = vec4<i32>(0);
        h51 = vec4<i32>(0);
        l50 = vec4<i32>(0);
        l51 = vec4<i32>(0);
        h60 = vec4<i32>(0);
        h61 = vec4<i32>(0);
        l60 = vec4<i32>(0);
        l61 = vec4<i32>(0);
        h70 = vec4<i32>(0);
        h71 = vec4<i32>(0);
        l70 = vec4<i32>(0);
        l71 = vec4<i32>(0);
        s0 = vec4<i32>(0);
        s1 = vec4<i32>(0);
        w0 = w1;
        if (w0 >= kw) { break; }
    }
}

// gemm_i16i8_nt_k16: gemm_i16i8_nt for kw a positive multiple of 4, reading
// vec4<u32> per load (both planes start on a vec4: m·kw is a multiple of 4).
// Twin: cpu.GemmI16I8NT (Check as above).
@compute @workgroup_size(8, 8)
fn gemm_i16i8_nt_k16(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kq = gx_p.kw / 4u;  // vec4 words per row
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kq;
    let ar1 = min(m0 + 1u, m - 1u) * kq;
    let ar2 = min(m0 + 2u, m - 1u) * kq;
    let ar3 = min(m0 + 3u, m - 1u) * kq;
    let ar4 = min(m0 + 4u, m - 1u) * kq;
    let ar5 = min(m0 + 5u, m - 1u) * kq;
    let ar6 = min(m0 + 6u, m - 1u) * kq;
    let ar7 = min(m0 + 7u, m - 1u) * kq;
    let lo_plane = m * kq;  // the lo plane follows the hi plane
    let br0 = min(n0 + 0u, n - 1u) * kq;
    let br1 = min(n0 + 1u, n - 1u) * kq;
    let br2 = min(n0 + 2u, n - 1u) * kq;
    let br3 = min(n0 + 3u, n - 1u) * kq;
    let br4 = min(n0 + 4u, n - 1u) * kq;
    let br5 = min(n0 + 5u, n - 1u) * kq;
    let br6 = min(n0 + 6u, n - 1u) * kq;
    let br7 = min(n0 + 7u, n - 1u) * kq;
    var h00 = vec4<i32>(0);
    var h01 = vec4<i32>(0);
    var l00 = vec4<i32>(0);
    var l01 = vec4<i32>(0);
    var h10 = vec4<i32>(0);
    var h11 = vec4<i32>(0);
    var l10 = vec4<i32>(0);
    var l11 = vec4<i32>(0);
    var h20 = vec4<i32>(0);
    var h21 = vec4<i32>(0);
    var l20 = vec4<i32>(0);
    var l21 = vec4<i32>(0);
    var h30 = vec4<i32>(0);
    var h31 = vec4<i32>(0);
    var l30 = vec4<i32>(0);
    var l31 = vec4<i32>(0);
    var h40 = vec4<i32>(0);
    var h41 = vec4<i32>(0);
    var l40 = vec4<i32>(0);
    var l41 = vec4<i32>(0);
    var h50 = vec4<i32>(0);
    var h51 = vec4<i32>(0);
    var l50 = vec4<i32>(0);
    var l51 = vec4<i32>(0);
    var h60 = vec4<i32>(0);
    var h61 = vec4<i32>(0);
    var l60 = vec4<i32>(0);
    var l61 = vec4<i32>(0);
    var h70 = vec4<i32>(0);
    var h71 = vec4<i32>(0);
    var l70 = vec4<i32>(0);
    var l71 = vec4<i32>(0);
    var s0 = vec4<i32>(0);
    var s1 = vec4<i32>(0);
    var w0 = 0u;
    loop {
        let w1 = w0 + min(kq - w0, GX_CHUNK / 4u);  // w0 <= kq always
        for (var w = w0; w < w1; w++) {
            let b0 = gx_b4[br0 + w];
            let b1 = gx_b4[br1 + w];
            let b2 = gx_b4[br2 + w];
            let b3 = gx_b4[br3 + w];
            let b4 = gx_b4[br4 + w];
            let b5 = gx_b4[br5 + w];
            let b6 = gx_b4[br6 + w];
            let b7 = gx_b4[br7 + w];
            s0 += vec4<i32>(gx_sum16(b0), gx_sum16(b1), gx_sum16(b2), gx_sum16(b3));
            s1 += vec4<i32>(gx_sum16(b4), gx_sum16(b5), gx_sum16(b6), gx_sum16(b7));
            let x0 = gx_a4[ar0 + w];
            h00 += vec4<i32>(gx_dot16(x0, b0), gx_dot16(x0, b1), gx_dot16(x0, b2), gx_dot16(x0, b3));
            h01 += vec4<i32>(gx_dot16(x0, b4), gx_dot16(x0, b5), gx_dot16(x0, b6), gx_dot16(x0, b7));
            let y0 = gx_a4[lo_plane + ar0 + w];
            l00 += vec4<i32>(gx_dot16(y0, b0), gx_dot16(y0, b1), gx_dot16(y0, b2), gx_dot16(y0, b3));
            l01 += vec4<i32>(gx_dot16(y0, b4), gx_dot16(y0, b5), gx_dot16(y0, b6), gx_dot16(y0, b7));
            let x1 = gx_a4[ar1 + w];
            h10 += vec4<i32>(gx_dot16(x1, b0), gx_dot16(x1, b1), gx_dot16(x1, b2), gx_dot16(x1, b3));
            h11 += vec4<i32>(gx_dot16(x1, b4), gx_dot16(x1, b5), gx_dot16(x1, b6), gx_dot16(x1, b7));
            let y1 = gx_a4[lo_plane + ar1 + w];
            l10 += vec4<i32>(gx_dot16(y1, b0), gx_dot16(y1, b1), gx_dot16(y1, b2), gx_dot16(y1, b3));
            l11 += vec4<i32>(gx_dot16(y1, b4), gx_dot16(y1, b5), gx_dot16(y1, b6), gx_dot16(y1, b7));
            let x2 = gx_a4[ar2 + w];
            h20 += vec4<i32>(gx_dot16(x2, b0), gx_dot16(x2, b1), gx_dot16(x2, b2), gx_dot16(x2, b3));
            h21 += vec4<i32>(gx_dot16(x2, b4), gx_dot16(x2, b5), gx_dot16(x2, b6), gx_dot16(x2, b7));
            let y2 = gx_a4[lo_plane + ar2 + w];
            l20 += vec4<i32>(gx_dot16(y2, b0), gx_dot16(y2, b1), gx_dot16(y2, b2), gx_dot16(y2, b3));
            l21 += vec4<i32>(gx_dot16(y2, b4), gx_dot16(y2, b5), gx_dot16(y2, b6), gx_dot16(y2, b7));
            let x3 = gx_a4[ar3 + w];
            h30 += vec4<i32>(gx_dot16(x3, b0), gx_dot16(x3, b1), gx_dot16(x3, b2), gx_dot16(x3, b3));
            h31 += vec4<i32>(gx_dot16(x3, b4), gx_dot16(x3, b5), gx_dot16(x3, b6), gx_dot16(x3, b7));
            let y3 = gx_a4[lo_plane + ar3 + w];
            l30 += vec4<i32>(gx_dot16(y3, b0), gx_dot16(y3, b1), gx_dot16(y3, b2), gx_dot16(y3, b3));
            l31 += vec4<i32>(gx_dot16(y3, b4), gx_dot16(y3, b5), gx_dot16(y3, b6), gx_dot16(y3, b7));
            let x4 = gx_a4[ar4 + w];
            h40 += vec4<i32>(gx_dot16(x4, b0), gx_dot16(x4, b1), gx_dot16(x4, b2), gx_dot16(x4, b3));
            h41 += vec4<i32>(gx_dot16(x4, b4), gx_dot16(x4, b5), gx_dot16(x4, b6), gx_dot16(x4, b7));
            let y4 = gx_a4[lo_plane + ar4 + w];
            l40 += vec4<i32>(gx_dot16(y4, b0), gx_dot16(y4, b1), gx_dot16(y4, b2), gx_dot16(y4, b3));
            l41 += vec4<i32>(gx_dot16(y4, b4), gx_dot16(y4, b5), gx_dot16(y4, b6), gx_dot16(y4, b7));
            let x5 = gx_a4[ar5 + w];
            h50 += vec4<i32>(gx_dot16(x5, b0), gx_dot16(x5, b1), gx_dot16(x5, b2), gx_dot16(x5, b3));
            h51 += vec4<i32>(gx_dot16(x5, b4), gx_dot16(x5, b5), gx_dot16(x5, b6), gx_dot16(x5, b7));
            let y5 = gx_a4[lo_plane + ar5 + w];
            l50 += vec4<i32>(gx_dot16(y5, b0), gx_dot16(y5, b1), gx_dot16(y5, b2), gx_dot16(y5, b3));
            l51 += vec4<i32>(gx_dot16(y5, b4), gx_dot16(y5, b5), gx_dot16(y5, b6), gx_dot16(y5, b7));
            let x6 = gx_a4[ar6 + w];
            h60 += vec4<i32>(gx_dot16(x6, b0), gx_dot16(x6, b1), gx_dot16(x6, b2), gx_dot16(x6, b3));
            h61 += vec4<i32>(gx_dot16(x6, b4), gx_dot16(x6, b5), gx_dot16(x6, b6), gx_dot16(x6, b7));
            let y6 = gx_a4[lo_plane + ar6 + w];
            l60 += vec4<i32>(gx_dot16(y6, b0), gx_dot16(y6, b1), gx_dot16(y6, b2), gx_dot16(y6, b3));
            l61 += vec4<i32>(gx_dot16(y6, b4), gx_dot16(y6, b5), gx_dot16(y6, b6), gx_dot16(y6, b7));
            let x7 = gx_a4[ar7 + w];
            h70 += vec4<i32>(gx_dot16(x7, b0), gx_dot16(x7, b1), gx_dot16(x7, b2), gx_dot16(x7, b3));
            h71 += vec4<i32>(gx_dot16(x7, b4), gx_dot16(x7, b5), gx_dot16(x7, b6), gx_dot16(x7, b7));
            let y7 = gx_a4[lo_plane + ar7 + w];
            l70 += vec4<i32>(gx_dot16(y7, b0), gx_dot16(y7, b1), gx_dot16(y7, b2), gx_dot16(y7, b3));
            l71 += vec4<i32>(gx_dot16(y7, b4), gx_dot16(y7, b5), gx_dot16(y7, b6), gx_dot16(y7, b7));
        }
        gx_wide_acc(m0 + 0u, n0, h00, h01, l00 + 128 * s0, l01 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 1u, n0, h10, h11, l10 + 128 * s0, l11 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 2u, n0, h20, h21, l20 + 128 * s0, l21 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 3u, n0, h30, h31, l30 + 128 * s0, l31 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 4u, n0, h40, h41, l40 + 128 * s0, l41 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 5u, n0, h50, h51, l50 + 128 * s0, l51 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 6u, n0, h60, h61, l60 + 128 * s0, l61 + 128 * s1, w0 == 0u);
        gx_wide_acc(m0 + 7u, n0, h70, h71, l70 + 128 * s0, l71 + 128 * s1, w0 == 0u);
        h00 = vec4<i32>(0);
        h01 = vec4<i32>(0);
        l00 = vec4<i32>(0);
        l01 = vec4<i32>(0);
        h10 = vec4<i32>(0);
        h11 = vec4<i32>(0);
        l10 = vec4<i32>(0);
        l11 = vec4<i32>(0);
        h20 = vec4<i32>(0);
        h21 = vec4<i32>(0);
        l20 = vec4<i32>(0);
        l21 = vec4<i32>(0);
        h30 = vec4<i32>(0);
        h31 = vec4<i32>(0);
        l30 = vec4<i32>(0);
        l31 = vec4<i32>(0);
        h40 = vec4<i32>(0);
        h41 = vec4<i32>(0);
        l40 = vec4<i32>(0);
        l41 = vec4<i32>(0);
        h50 = vec4<i32>(0);
        h51 = vec4<i32>(0);
        l50 = vec4<i32>(0);
        l51 = vec4<i32>(0);
        h60 = vec4<i32>(0);
        h61 = vec4<i32>(0);
        l60 = vec4<i32>(0);
        l61 = vec4<i32>(0);
        h70 = vec4<i32>(0);
        h71 = vec4<i32>(0);
        l70 = vec4<i32>(0);
        l71 = vec4<i32>(0);
        s0 = vec4<i32>(0);
        s1 = vec4<i32>(0);
        w0 = w1;
        if (w0 >= kq) { break; }
    }
}

// gemm_i16u8_nt: as gemm_i16i8_nt with B uint8 (activation codes 0..255): the
// weight gradient dW = E2ᵀ·a. B' = B ^ GX_FLIP holds the int8 lanes B - 128,
// so per lane H·B = H·B' + 128·H and L·B = L·B' + 128·L (including padding
// lanes, where B = 0), and with the row sums rh = sum H, rl = sum L and the
// column sums s = sum B (dot4U8Packed):
//   C = 256·(sum H·B' + 128·rh) + (sum L·B' + 128·(rl + s)).
// Per chunk of 32768 values: |H·B| <= 128·255 = 32640, so the first sum is at
// most 2^30; |L·B| + 128·B <= 2·32640, so the second is at most
// 32768·65280 < 2^31 - 1: both exact in i32. Twin: cpu.GemmI16U8NT.
@compute @workgroup_size(8, 8)
fn gemm_i16u8_nt(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kw = gx_p.kw;
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kw;
    let ar1 = min(m0 + 1u, m - 1u) * kw;
    let ar2 = min(m0 + 2u, m - 1u) * kw;
    let ar3 = min(m0 + 3u, m - 1u) * kw;
    let ar4 = min(m0 + 4u, m - 1u) * kw;
    let ar5 = min(m0 + 5u, m - 1u) * kw;
    let ar6 = min(m0 + 6u, m - 1u) * kw;
    let ar7 = min(m0 + 7u, m - 1u) * kw;
    let lo_plane = m * kw;  // the lo plane follows the hi plane
    let br0 = min(n0 + 0u, n - 1u) * kw;
    let br1 = min(n0 + 1u, n - 1u) * kw;
    let br2 = min(n0 + 2u, n - 1u) * kw;
    let br3 = min(n0 + 3u, n - 1u) * kw;
    let br4 = min(n0 + 4u, n - 1u) * kw;
    let br5 = min(n0 + 5u, n - 1u) * kw;
    let br6 = min(n0 + 6u, n - 1u) * kw;
    let br7 = min(n0 + 7u, n - 1u) * kw;
    var h00 = vec4<i32>(0);
    var h01 = vec4<i32>(0);
    var l00 = vec4<i32>(0);
    var l01 = vec4<i32>(0);
    var h10 = vec4<i32>(0);
    var h11 = vec4<i32>(0);
    var l10 = vec4<i32>(0);
    var l11 = vec4<i32>(0);
    var h20 = vec4<i32>(0);
    var h21 = vec4<i32>(0);
    var l20 = vec4<i32>(0);
    var l21 = vec4<i32>(0);
    var h30 = vec4<i32>(0);
    var h31 = vec4<i32>(0);
    var l30 = vec4<i32>(0);
    var l31 = vec4<i32>(0);
    var h40 = vec4<i32>(0);
    var h41 = vec4<i32>(0);
    var l40 = vec4<i32>(0);
    var l41 = vec4<i32>(0);
    var h50 = vec4<i32>(0);
    var h51 = vec4<i32>(0);
    var l50 = vec4<i32>(0);
    var l51 = vec4<i32>(0);
    var h60 = vec4<i32>(0);
    var h61 = vec4<i32>(0);
    var l60 = vec4<i32>(0);
    var l61 = vec4<i32>(0);
    var h70 = vec4<i32>(0);
    var h71 = vec4<i32>(0);
    var l70 = vec4<i32>(0);
    var l71 = vec4<i32>(0);
    var s0 = vec4<i32>(0);
    var s1 = vec4<i32>(0);
    var rh0 = 0i;
    var rl0 = 0i;
    var rh1 = 0i;
    var rl1 = 0i;
    var rh2 = 0i;
    var rl2 = 0i;
    var rh3 = 0i;
    var rl3 = 0i;
    var rh4 = 0i;
    var rl4 = 0i;
    var rh5 = 0i;
    var rl5 = 0i;
    var rh6 = 0i;
    var rl6 = 0i;
    var rh7 = 0i;
    var rl7 = 0i;
    var w0 = 0u;
    loop {
        let w1 = w0 + min(kw - w0, GX_CHUNK);  // w0 <= kw always
        for (var w = w0; w < w1; w++) {
            let u0 = vec4<u32>(gx_b[br0 + w], gx_b[br1 + w], gx_b[br2 + w], gx_b[br3 + w]);
            let u1 = vec4<u32>(gx_b[br4 + w], gx_b[br5 + w], gx_b[br6 + w], gx_b[br7 + w]);
            s0 += bitcast<vec4<i32>>(vec4<u32>(dot4U8Packed(u0.x, GX_ONES), dot4U8Packed(u0.y, GX_ONES), dot4U8Packed(u0.z, GX_ONES), dot4U8Packed(u0.w, GX_ONES)));
            s1 += bitcast<vec4<i32>>(vec4<u32>(dot4U8Packed(u1.x, GX_ONES), dot4U8Packed(u1.y, GX_ONES), dot4U8Packed(u1.z, GX_ONES), dot4U8Packed(u1.w, GX_ONES)));
            let b0 = u0 ^ vec4<u32>(GX_FLIP);
            let b1 = u1 ^ vec4<u32>(GX_FLIP);
            let x0 = gx_a[ar0 + w];
            h00 += vec4<i32>(dot4I8Packed(x0, b0.x), dot4I8Packed(x0, b0.y), dot4I8Packed(x0, b0.z), dot4I8Packed(x0, b0.w));
            h01 += vec4<i32>(dot4I8Packed(x0, b1.x), dot4I8Packed(x0, b1.y), dot4I8Packed(x0, b1.z), dot4I8Packed(x0, b1.w));
            let y0 = gx_a[lo_plane + ar0 + w];
            l00 += vec4<i32>(dot4I8Packed(y0, b0.x), dot4I8Packed(y0, b0.y), dot4I8Packed(y0, b0.z), dot4I8Packed(y0, b0.w));
            l01 += vec4<i32>(dot4I8Packed(y0, b1.x), dot4I8Packed(y0, b1.y), dot4I8Packed(y0, b1.z), dot4I8Packed(y0, b1.w));
            rh0 += dot4I8Packed(x0, GX_ONES);
            rl0 += dot4I8Packed(y0, GX_ONES);
            let x1 = gx_a[ar1 + w];
            h10 += vec4<i32>(dot4I8Packed(x1, b0.x), dot4I8Packed(x1, b0.y), dot4I8Packed(x1, b0.z), dot4I8Packed(x1, b0.w));
            h11 += vec4<i32>(dot4I8Packed(x1, b1.x), dot4I8Packed(x1, b1.y), dot4I8Packed(x1, b1.z), dot4I8Packed(x1, b1.w));
            let y1 = gx_a[lo_plane + ar1 + w];
            l10 += vec4<i32>(dot4I8Packed(y1, b0.x), dot4I8Packed(y1, b0.y), dot4I8Packed(y1, b0.z), dot4I8Packed(y1, b0.w));
            l11 += vec4<i32>(dot4I8Packed(y1, b1.x), dot4I8Packed(y1, b1.y), dot4I8Packed(y1, b1.z), dot4I8Packed(y1, b1.w));
            rh1 += dot4I8Packed(x1, GX_ONES);
            rl1 += dot4I8Packed(y1, GX_ONES);
            let x2 = gx_a[ar2 + w];
            h20 += vec4<i32>(dot4I8Packed(x2, b0.x), dot4I8Packed(x2, b0.y), dot4I8Packed(x2, b0.z), dot4I8Packed(x2, b0.w));
            h21 += vec4<i32>(dot4I8Packed(x2, b1.x), dot4I8Packed(x2, b1.y), dot4I8Packed(x2, b1.z), dot4I8Packed(x2, b1.w));
            let y2 = gx_a[lo_plane + ar2 + w];
            l20 += vec4<i32>(dot4I8Packed(y2, b0.x), dot4I8Packed(y2, b0.y), dot4I8Packed(y2, b0.z), dot4I8Packed(y2, b0.w));
            l21 += vec4<i32>(dot4I8Packed(y2, b1.x), dot4I8Packed(y2, b1.y), dot4I8Packed(y2, b1.z), dot4I8Packed(y2, b1.w));
            rh2 += dot4I8Packed(x2, GX_ONES);
            rl2 += dot4I8Packed(y2, GX_ONES);
            let x3 = gx_a[ar3 + w];
            h30 += vec4<i32>(dot4I8Packed(x3, b0.x), dot4I8Packed(x3, b0.y), dot4I8Packed(x3, b0.z), dot4I8Packed(x3, b0.w));
            h31 += vec4<i32>(dot4I8Packed(x3, b1.x), dot4I8Packed(x3, b1.y), dot4I8Packed(x3, b1.z), dot4I8Packed(x3, b1.w));
            let y3 = gx_a[lo_plane + ar3 + w];
            l30 += vec4<i32>(dot4I8Packed(y3, b0.x), dot4I8Packed(y3, b0.y), dot4I8Packed(y3, b0.z), dot4I8Packed(y3, b0.w));
            l31 += vec4<i32>(dot4I8Packed(y3, b1.x), dot4I8Packed(y3, b1.y), dot4I8Packed(y3, b1.z), dot4I8Packed(y3, b1.w));
            rh3 += dot4I8Packed(x3, GX_ONES);
            rl3 += dot4I8Packed(y3, GX_ONES);
            let x4 = gx_a[ar4 + w];
            h40 += vec4<i32>(dot4I8Packed(x4, b0.x), dot4I8Packed(x4, b0.y), dot4I8Packed(x4, b0.z), dot4I8Packed(x4, b0.w));
            h41 += vec4<i32>(dot4I8Packed(x4, b1.x), dot4I8Packed(x4, b1.y), dot4I8Packed(x4, b1.z), dot4I8Packed(x4, b1.w));
            let y4 = gx_a[lo_plane + ar4 + w];
            l40 += vec4<i32>(dot4I8Packed(y4, b0.x), dot4I8Packed(y4, b0.y), dot4I8Packed(y4, b0.z), dot4I8Packed(y4, b0.w));
            l41 += vec4<i32>(dot4I8Packed(y4, b1.x), dot4I8Packed(y4, b1.y), dot4I8Packed(y4, b1.z), dot4I8Packed(y4, b1.w));
            rh4 += dot4I8Packed(x4, GX_ONES);
            rl4 += dot4I8Packed(y4, GX_ONES);
            let x5 = gx_a[ar5 + w];
            h50 += vec4<i32>(dot4I8Packed(x5, b0.x), dot4I8Packed(x5, b0.y), dot4I8Packed(x5, b0.z), dot4I8Packed(x5, b0.w));
            h51 += vec4<i32>(dot4I8Packed(x5, b1.x), dot4I8Packed(x5, b1.y), dot4I8Packed(x5, b1.z), dot4I8Packed(x5, b1.w));
            let y5 = gx_a[lo_plane + ar5 + w];
            l50 += vec4<i32>(dot4I8Packed(y5, b0.x), dot4I8Packed(y5, b0.y), dot4I8Packed(y5, b0.z), dot4I8Packed(y5, b0.w));
            l51 += vec4<i32>(dot4I8Packed(y5, b1.x), dot4I8Packed(y5, b1.y), dot4I8Packed(y5, b1.z), dot4I8Packed(y5, b1.w));
            rh5 += dot4I8Packed(x5, GX_ONES);
            rl5 += dot4I8Packed(y5, GX_ONES);
            let x6 = gx_a[ar6 + w];
            h60 += vec4<i32>(dot4I8Packed(x6, b0.x), dot4I8Packed(x6, b0.y), dot4I8Packed(x6, b0.z), dot4I8Packed(x6, b0.w));
            h61 += vec4<i32>(dot4I8Packed(x6, b1.x), dot4I8Packed(x6, b1.y), dot4I8Packed(x6, b1.z), dot4I8Packed(x6, b1.w));
            let y6 = gx_a[lo_plane + ar6 + w];
            l60 += vec4<i32>(dot4I8Packed(y6, b0.x), dot4I8Packed(y6, b0.y), dot4I8Packed(y6, b0.z), dot4I8Packed(y6, b0.w));
            l61 += vec4<i32>(dot4I8Packed(y6, b1.x), dot4I8Packed(y6, b1.y), dot4I8Packed(y6, b1.z), dot4I8Packed(y6, b1.w));
            rh6 += dot4I8Packed(x6, GX_ONES);
            rl6 += dot4I8Packed(y6, GX_ONES);
            let x7 = gx_a[ar7 + w];
            h70 += vec4<i32>(dot4I8Packed(x7, b0.x), dot4I8Packed(x7, b0.y), dot4I8Packed(x7, b0.z), dot4I8Packed(x7, b0.w));
            h71 += vec4<i32>(dot4I8Packed(x7, b1.x), dot4I8Packed(x7, b1.y), dot4I8Packed(x7, b1.z), dot4I8Packed(x7, b1.w));
            let y7 = gx_a[lo_plane + ar7 + w];
            l70 += vec4<i32>(dot4I8Packed(y7, b0.x), dot4I8Packed(y7, b0.y), dot4I8Packed(y7, b0.z), dot4I8Packed(y7, b0.w));
            l71 += vec4<i32>(dot4I8Packed(y7, b1.x), dot4I8Packed(y7, b1.y), dot4I8Packed(y7, b1.z), dot4I8Packed(y7, b1.w));
            rh7 += dot4I8Packed(x7, GX_ONES);
            rl7 += dot4I8Packed(y7, GX_ONES);
        }
        gx_wide_acc(m0 + 0u, n0, h00 + 128 * rh0, h01 + 128 * rh0, l00 + 128 * (rl0 + s0), l01 + 128 * (rl0 + s1), w0 == 0u);
        gx_wide_acc(m0 + 1u, n0, h10 + 128 * rh1, h11 + 128 * rh1, l10 + 128 * (rl1 + s0), l11 + 128 * (rl1 + s1), w0 == 0u);
        gx_wide_acc(m0 + 2u, n0, h20 + 128 * rh2, h21 + 128 * rh2, l20 + 128 * (rl2 + s0), l21 + 128 * (rl2 + s1), w0 == 0u);
        gx_wide_acc(m0 + 3u, n0, h30 + 128 * rh3, h31 + 128 * rh3, l30 + 128 * (rl3 + s0), l31 + 128 * (rl3 + s1), w0 == 0u);
        gx_wide_acc(m0 + 4u, n0, h40 + 128 * rh4, h41 + 128 * rh4, l40 + 128 * (rl4 + s0), l41 + 128 * (rl4 + s1), w0 == 0u);
        gx_wide_acc(m0 + 5u, n0, h50 + 128 * rh5, h51 + 128 * rh5, l50 + 128 * (rl5 + s0), l51 + 128 * (rl5 + s1), w0 == 0u);
        gx_wide_acc(m0 + 6u, n0, h60 + 128 * rh6, h61 + 128 * rh6, l60 + 128 * (rl6 + s0), l61 + 128 * (rl6 + s1), w0 == 0u);
        gx_wide_acc(m0 + 7u, n0, h70 + 128 * rh7, h71 + 128 * rh7, l70 + 128 * (rl7 + s0), l71 + 128 * (rl7 + s1), w0 == 0u);
        h00 = vec4<i32>(0);
        h01 = vec4<i32>(0);
        l00 = vec4<i32>(0);
        l01 = vec4<i32>(0);
        h10 = vec4<i32>(0);
        h11 = vec4<i32>(0);
        l10 = vec4<i32>(0);
        l11 = vec4<i32>(0);
        h20 = vec4<i32>(0);
        h21 = vec4<i32>(0);
        l20 = vec4<i32>(0);
        l21 = vec4<i32>(0);
        h30 = vec4<i32>(0);
        h31 = vec4<i32>(0);
        l30 = vec4<i32>(0);
        l31 = vec4<i32>(0);
        h40 = vec4<i32>(0);
        h41 = vec4<i32>(0);
        l40 = vec4<i32>(0);
        l41 = vec4<i32>(0);
        h50 = vec4<i32>(0);
        h51 = vec4<i32>(0);
        l50 = vec4<i32>(0);
        l51 = vec4<i32>(0);
        h60 = vec4<i32>(0);
        h61 = vec4<i32>(0);
        l60 = vec4<i32>(0);
        l61 = vec4<i32>(0);
        h70 = vec4<i32>(0);
        h71 = vec4<i32>(0);
        l70 = vec4<i32>(0);
        l71 = vec4<i32>(0);
        s0 = vec4<i32>(0);
        s1 = vec4<i32>(0);
        rh0 = 0i;
        rl0 = 0i;
        rh1 = 0i;
        rl1 = 0i;
        rh2 = 0i;
        rl2 = 0i;
        rh3 = 0i;
        rl3 = 0i;
        rh4 = 0i;
        rl4 = 0i;
        rh5 = 0i;
        rl5 = 0i;
        rh6 = 0i;
        rl6 = 0i;
        rh7 = 0i;
        rl7 = 0i;
        w0 = w1;
        if (w0 >= kw) { break; }
    }
}

// gemm_i16u8_nt_k16: gemm_i16u8_nt for kw a positive multiple of 4, reading
// vec4<u32> per load. Twin: cpu.GemmI16U8NT (Check as above).
@compute @workgroup_size(8, 8)
fn gemm_i16u8_nt_k16(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kq = gx_p.kw / 4u;  // vec4 words per row
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kq;
    let ar1 = min(m0 + 1u, m - 1u) * kq;
    let ar2 = min(m0 + 2u, m - 1u) * kq;
    let ar3 = min(m0 + 3u, m - 1u) * kq;
    let ar4 = min(m0 + 4u, m - 1u) * kq;
    let ar5 = min(m0 + 5u, m - 1u) * kq;
    let ar6 = min(m0 + 6u, m - 1u) * kq;
    let ar7 = min(m0 + 7u, m - 1u) * kq;
    let lo_plane = m * kq;  // the lo plane follows the hi plane
    let br0 = min(n0 + 0u, n - 1u) * kq;
    let br1 = min(n0 + 1u, n - 1u) * kq;
    let br2 = min(n0 + 2u, n - 1u) * kq;
    let br3 = min(n0 + 3u, n - 1u) * kq;
    let br4 = min(n0 + 4u, n - 1u) * kq;
    let br5 = min(n0 + 5u, n - 1u) * kq;
    let br6 = min(n0 + 6u, n - 1u) * kq;
    let br7 = min(n0 + 7u, n - 1u) * kq;
    var h00 = vec4<i32>(0);
    var h01 = vec4<i32>(0);
    var l00 = vec4<i32>(0);
    var l01 = vec4<i32>(0);
    var h10 = vec4<i32>(0);
    var h11 = vec4<i32>(0);
    var l10 = vec4<i32>(0);
    var l11 = vec4<i32>(0);
    var h20 = vec4<i32>(0);
    var h21 = vec4<i32>(0);
    var l20 = vec4<i32>(0);
    var l21 = vec4<i32>(0);
    var h30 = vec4<i32>(0);
    var h31 = vec4<i32>(0);
    var l30 = vec4<i32>(0);
    var l31 = vec4<i32>(0);
    var h40 = vec4<i32>(0);
    var h41 = vec4<i32>(0);
    var l40 = vec4<i32>(0);
    var l41 = vec4<i32>(0);
    var h50 = vec4<i32>(0);
    var h51 = vec4<i32>(0);
    var l50 = vec4<i32>(0);
    var l51 = vec4<i32>(0);
    var h60 = vec4<i32>(0);
    var h61 = vec4<i32>(0);
    var l60 = vec4<i32>(0);
    var l61 = vec4<i32>(0);
    var h70 = vec4<i32>(0);
    var h71 = vec4<i32>(0);
    var l70 = vec4<i32>(0);
    var l71 = vec4<i32>(0);
    var s0 = vec4<i32>(0);
    var s1 = vec4<i32>(0);
    var rh0 = 0i;
    var rl0 = 0i;
    var rh1 = 0i;
    var rl1 = 0i;
    var rh2 = 0i;
    var rl2 = 0i;
    var rh3 = 0i;
    var rl3 = 0i;
    var rh4 = 0i;
    var rl4 = 0i;
    var rh5 = 0i;
    var rl5 = 0i;
    var rh6 = 0i;
    var rl6 = 0i;
    var rh7 = 0i;
    var rl7 = 0i;
    var w0 = 0u;
    loop {
        let w1 = w0 + min(kq - w0, GX_CHUNK / 4u);  // w0 <= kq always
        for (var w = w0; w < w1; w++) {
            let u0 = gx_b4[br0 + w];
            let u1 = gx_b4[br1 + w];
            let u2 = gx_b4[br2 + w];
            let u3 = gx_b4[br3 + w];
            let u4 = gx_b4[br4 + w];
            let u5 = gx_b4[br5 + w];
            let u6 = gx_b4[br6 + w];
            let u7 = gx_b4[br7 + w];
            s0 += vec4<i32>(gx_usum16(u0), gx_usum16(u1), gx_usum16(u2), gx_usum16(u3));
            s1 += vec4<i32>(gx_usum16(u4), gx_usum16(u5), gx_usum16(u6), gx_usum16(u7));
            let b0 = u0 ^ vec4<u32>(GX_FLIP);
            let b1 = u1 ^ vec4<u32>(GX_FLIP);
            let b2 = u2 ^ vec4<u32>(GX_FLIP);
            let b3 = u3 ^ vec4<u32>(GX_FLIP);
            let b4 = u4 ^ vec4<u32>(GX_FLIP);
            let b5 = u5 ^ vec4<u32>(GX_FLIP);
            let b6 = u6 ^ vec4<u32>(GX_FLIP);
            let b7 = u7 ^ vec4<u32>(GX_FLIP);
            let x0 = gx_a4[ar0 + w];
            h00 += vec4<i32>(gx_dot16(x0, b0), gx_dot16(x0, b1), gx_dot16(x0, b2), gx_dot16(x0, b3));
            h01 += vec4<i32>(gx_dot16(x0, b4), gx_dot16(x0, b5), gx_dot16(x0, b6), gx_dot16(x0, b7));
            let y0 = gx_a4[lo_plane + ar0 + w];
            l00 += vec4<i32>(gx_dot16(y0, b0), gx_dot16(y0, b1), gx_dot16(y0, b2), gx_dot16(y0, b3));
            l01 += vec4<i32>(gx_dot16(y0, b4), gx_dot16(y0, b5), gx_dot16(y0, b6), gx_dot16(y0, b7));
            rh0 += gx_sum16(x0);
            rl0 += gx_sum16(y0);
            let x1 = gx_a4[ar1 + w];
            h10 += vec4<i32>(gx_dot16(x1, b0), gx_dot16(x1, b1), gx_dot16(x1, b2), gx_dot16(x1, b3));
            h11 += vec4<i32>(gx_dot16(x1, b4), gx_dot16(x1, b5), gx_dot16(x1, b6), gx_dot16(x1, b7));
            let y1 = gx_a4[lo_plane + ar1 + w];
            l10 += vec4<i32>(gx_dot16(y1, b0), gx_dot16(y1, b1), gx_dot16(y1, b2), gx_dot16(y1, b3));
            l11 += vec4<i32>(gx_dot16(y1, b4), gx_dot16(y1, b5), gx_dot16(y1, b6), gx_dot16(y1, b7));
            rh1 += gx_sum16(x1);
            rl1 += gx_sum16(y1);
            let x2 = gx_a4[ar2 + w];
            h20 += vec4<i32>(gx_dot16(x2, b0), gx_dot16(x2, b1), gx_dot16(x2, b2), gx_dot16(x2, b3));
            h21 += vec4<i32>(gx_dot16(x2, b4), gx_dot16(x2, b5), gx_dot16(x2, b6), gx_dot16(x2, b7));
            let y2 = gx_a4[lo_plane + ar2 + w];
            l20 += vec4<i32>(gx_dot16(y2, b0), gx_dot16(y2, b1), gx_dot16(y2, b2), gx_dot16(y2, b3));
            l21 += vec4<i32>(gx_dot16(y2, b4), gx_dot16(y2, b5), gx_dot16(y2, b6), gx_dot16(y2, b7));
            rh2 += gx_sum16(x2);
            rl2 += gx_sum16(y2);
            let x3 = gx_a4[ar3 + w];
            h30 += vec4<i32>(gx_dot16(x3, b0), gx_dot16(x3, b1), gx_dot16(x3, b2), gx_dot16(x3, b3));
            h31 += vec4<i32>(gx_dot16(x3, b4), gx_dot16(x3, b5), gx_dot16(x3, b6), gx_dot16(x3, b7));
            let y3 = gx_a4[lo_plane + ar3 + w];
            l30 += vec4<i32>(gx_dot16(y3, b0), gx_dot16(y3, b1), gx_dot16(y3, b2), gx_dot16(y3, b3));
            l31 += vec4<i32>(gx_dot16(y3, b4), gx_dot16(y3, b5), gx_dot16(y3, b6), gx_dot16(y3, b7));
            rh3 += gx_sum16(x3);
            rl3 += gx_sum16(y3);
            let x4 = gx_a4[ar4 + w];
            h40 += vec4<i32>(gx_dot16(x4, b0), gx_dot16(x4, b1), gx_dot16(x4, b2), gx_dot16(x4, b3));
            h41 += vec4<i32>(gx_dot16(x4, b4), gx_dot16(x4, b5), gx_dot16(x4, b6), gx_dot16(x4, b7));
            let y4 = gx_a4[lo_plane + ar4 + w];
            l40 += vec4<i32>(gx_dot16(y4, b0), gx_dot16(y4, b1), gx_dot16(y4, b2), gx_dot16(y4, b3));
            l41 += vec4<i32>(gx_dot16(y4, b4), gx_dot16(y4, b5), gx_dot16(y4, b6), gx_dot16(y4, b7));
            rh4 += gx_sum16(x4);
            rl4 += gx_sum16(y4);
            let x5 = gx_a4[ar5 + w];
            h50 += vec4<i32>(gx_dot16(x5, b0), gx_dot16(x5, b1), gx_dot16(x5, b2), gx_dot16(x5, b3));
            h51 += vec4<i32>(gx_dot16(x5, b4), gx_dot16(x5, b5), gx_dot16(x5, b6), gx_dot16(x5, b7));
            let y5 = gx_a4[lo_plane + ar5 + w];
            l50 += vec4<i32>(gx_dot16(y5, b0), gx_dot16(y5, b1), gx_dot16(y5, b2), gx_dot16(y5, b3));
            l51 += vec4<i32>(gx_dot16(y5, b4), gx_dot16(y5, b5), gx_dot16(y5, b6), gx_dot16(y5, b7));
            rh5 += gx_sum16(x5);
            rl5 += gx_sum16(y5);
            let x6 = gx_a4[ar6 + w];
            h60 += vec4<i32>(gx_dot16(x6, b0), gx_dot16(x6, b1), gx_dot16(x6, b2), gx_dot16(x6, b3));
            h61 += vec4<i32>(gx_dot16(x6, b4), gx_dot16(x6, b5), gx_dot16(x6, b6), gx_dot16(x6, b7));
            let y6 = gx_a4[lo_plane + ar6 + w];
            l60 += vec4<i32>(gx_dot16(y6, b0), gx_dot16(y6, b1), gx_dot16(y6, b2), gx_dot16(y6, b3));
            l61 += vec4<i32>(gx_dot16(y6, b4), gx_dot16(y6, b5), gx_dot16(y6, b6), gx_dot16(y6, b7));
            rh6 += gx_sum16(x6);
            rl6 += gx_sum16(y6);
            let x7 = gx_a4[ar7 + w];
            h70 += vec4<i32>(gx_dot16(x7, b0), gx_dot16(x7, b1), gx_dot16(x7, b2), gx_dot16(x7, b3));
            h71 += vec4<i32>(gx_dot16(x7, b4), gx_dot16(x7, b5), gx_dot16(x7, b6), gx_dot16(x7, b7));
            let y7 = gx_a4[lo_plane + ar7 + w];
            l70 += vec4<i32>(gx_dot16(y7, b0), gx_dot16(y7, b1), gx_dot16(y7, b2), gx_dot16(y7, b3));
            l71 += vec4<i32>(gx_dot16(y7, b4), gx_dot16(y7, b5), gx_dot16(y7, b6), gx_dot16(y7, b7));
            rh7 += gx_sum16(x7);
            rl7 += gx_sum16(y7);
        }
        gx_wide_acc(m0 + 0u, n0, h00 + 128 * rh0, h01 + 128 * rh0, l00 + 128 * (rl0 + s0), l01 + 128 * (rl0 + s1), w0 == 0u);
        gx_wide_acc(m0 + 1u, n0, h10 + 128 * rh1, h11 + 128 * rh1, l10 + 128 * (rl1 + s0), l11 + 128 * (rl1 + s1), w0 == 0u);
        gx_wide_acc(m0 + 2u, n0, h20 + 128 * rh2, h21 + 128 * rh2, l20 + 128 * (rl2 + s0), l21 + 128 * (rl2 + s1), w0 == 0u);
        gx_wide_acc(m0 + 3u, n0, h30 + 128 * rh3, h31 + 128 * rh3, l30 + 128 * (rl3 + s0), l31 + 128 * (rl3 + s1), w0 == 0u);
        gx_wide_acc(m0 + 4u, n0, h40 + 128 * rh4, h41 + 128 * rh4, l40 + 128 * (rl4 + s0), l41 + 128 * (rl4 + s1), w0 == 0u);
        gx_wide_acc(m0 + 5u, n0, h50 + 128 * rh5, h51 + 128 * rh5, l50 + 128 * (rl5 + s0), l51 + 128 * (rl5 + s1), w0 == 0u);
        gx_wide_acc(m0 + 6u, n0, h60 + 128 * rh6, h61 + 128 * rh6, l60 + 128 * (rl6 + s0), l61 + 128 * (rl6 + s1), w0 == 0u);
        gx_wide_acc(m0 + 7u, n0, h70 + 128 * rh7, h71 + 128 * rh7, l70 + 128 * (rl7 + s0), l71 + 128 * (rl7 + s1), w0 == 0u);
        h00 = vec4<i32>(0);
        h01 = vec4<i32>(0);
        l00 = vec4<i32>(0);
        l01 = vec4<i32>(0);
        h10 = vec4<i32>(0);
        h11 = vec4<i32>(0);
        l10 = vec4<i32>(0);
        l11 = vec4<i32>(0);
        h20 = vec4<i32>(0);
        h21 = vec4<i32>(0);
        l20 = vec4<i32>(0);
        l21 = vec4<i32>(0);
        h30 = vec4<i32>(0);
        h31 = vec4<i32>(0);
        l30 = vec4<i32>(0);
        l31 = vec4<i32>(0);
        h40 = vec4<i32>(0);
        h41 = vec4<i32>(0);
        l40 = vec4<i32>(0);
        l41 = vec4<i32>(0);
        h50 = vec4<i32>(0);
        h51 = vec4<i32>(0);
        l50 = vec4<i32>(0);
        l51 = vec4<i32>(0);
        h60 = vec4<i32>(0);
        h61 = vec4<i32>(0);
        l60 = vec4<i32>(0);
        l61 = vec4<i32>(0);
        h70 = vec4<i32>(0);
        h71 = vec4<i32>(0);
        l70 = vec4<i32>(0);
        l71 = vec4<i32>(0);
        s0 = vec4<i32>(0);
        s1 = vec4<i32>(0);
        rh0 = 0i;
        rl0 = 0i;
        rh1 = 0i;
        rl1 = 0i;
        rh2 = 0i;
        rl2 = 0i;
        rh3 = 0i;
        rl3 = 0i;
        rh4 = 0i;
        rl4 = 0i;
        rh5 = 0i;
        rl5 = 0i;
        rh6 = 0i;
        rl6 = 0i;
        rh7 = 0i;
        rl7 = 0i;
        w0 = w1;
        if (w0 >= kq) { break; }
    }
}

// pack_i16_split: splits int16 codes X [rows, k] (packed 2 per u32 along k)
// into two int8 planes packed 4 per u32 along k, written one after the other
// in one output: H [rows, kw] words, then L [rows, kw] words, with
//   h = x >> 8 (arithmetic) in [-128, 127],
//   l = (x & 255) - 128 in [-128, 127],   so x = 256·h + l + 128 exactly
// for every int16 x, -32768 and 32767 included. (The split l = sign-extended
// low byte, h = (x - l)/256 gives h = 128, outside int8, for x >= 32640; the
// offset form has no such edge, and the GEMMs add the 128·sum B it costs.)
// Padding lanes (k..4·kw-1) are 0 in both planes. One invocation per output
// word of H (it writes the matching word of L too). Twin: cpu.PackI16Split.
@compute @workgroup_size(64)
fn pack_i16_split(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    let rows = gx_sp.rows;
    let k = gx_sp.k;
    let kw = gx_sp.kw;
    if (i >= rows * kw) { return; }
    let r = i / kw;
    let w = i % kw;
    let k2 = (k + 1u) / 2u;  // words per int16 input row
    var h = 0u;
    var l = 0u;
    for (var j = 0u; j < 4u; j++) {
        let kk = 4u * w + j;
        if (kk < k) {
            let word = gx_a[r * k2 + kk / 2u];
            let x = bitcast<i32>(word << (16u - 16u * (kk % 2u))) >> 16u;
            h |= (bitcast<u32>(x >> 8u) & 0xFFu) << (8u * j);
            l |= ((bitcast<u32>(x) & 0xFFu) ^ 0x80u) << (8u * j);
        }
    }
    gx_cw[i] = h;
    gx_cw[rows * kw + i] = l;
}

// gemm_f32_nt: C[m, n] = sum_k A[m, k]·B[n, k] in float32 (A [m, k], B [n, k],
// C [m, n], kw = k), for the layers a recipe keeps in float. Register-blocked
// like gemm_i8_nt (8x8 per invocation, 16 vec4<f32> accumulators). Float sums
// are not bit-exact across backends (order, FMA contraction): the cross-check
// compares within 1e-5·k·max|a|·max|b|. Twin: cpu.GemmF32NT.
@compute @workgroup_size(8, 8)
fn gemm_f32_nt(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kw = gx_p.kw;
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kw;
    let ar1 = min(m0 + 1u, m - 1u) * kw;
    let ar2 = min(m0 + 2u, m - 1u) * kw;
    let ar3 = min(m0 + 3u, m - 1u) * kw;
    let ar4 = min(m0 + 4u, m - 1u) * kw;
    let ar5 = min(m0 + 5u, m - 1u) * kw;
    let ar6 = min(m0 + 6u, m - 1u) * kw;
    let ar7 = min(m0 + 7u, m - 1u) * kw;
    let br0 = min(n0 + 0u, n - 1u) * kw;
    let br1 = min(n0 + 1u, n - 1u) * kw;
    let br2 = min(n0 + 2u, n - 1u) * kw;
    let br3 = min(n0 + 3u, n - 1u) * kw;
    let br4 = min(n0 + 4u, n - 1u) * kw;
    let br5 = min(n0 + 5u, n - 1u) * kw;
    let br6 = min(n0 + 6u, n - 1u) * kw;
    let br7 = min(n0 + 7u, n - 1u) * kw;
    var c00 = vec4<f32>(0);
    var c01 = vec4<f32>(0);
    var c10 = vec4<f32>(0);
    var c11 = vec4<f32>(0);
    var c20 = vec4<f32>(0);
    var c21 = vec4<f32>(0);
    var c30 = vec4<f32>(0);
    var c31 = vec4<f32>(0);
    var c40 = vec4<f32>(0);
    var c41 = vec4<f32>(0);
    var c50 = vec4<f32>(0);
    var c51 = vec4<f32>(0);
    var c60 = vec4<f32>(0);
    var c61 = vec4<f32>(0);
    var c70 = vec4<f32>(0);
    var c71 = vec4<f32>(0);
    for (var w = 0u; w < kw; w++) {
        let b0 = vec4<f32>(gx_bf[br0 + w], gx_bf[br1 + w], gx_bf[br2 + w], gx_bf[br3 + w]);
        let b1 = vec4<f32>(gx_bf[br4 + w], gx_bf[br5 + w], gx_bf[br6 + w], gx_bf[br7 + w]);
        let a0 = gx_af[ar0 + w];
        c00 += a0 * b0;
        c01 += a0 * b1;
        let a1 = gx_af[ar1 + w];
        c10 += a1 * b0;
        c11 += a1 * b1;
        let a2 = gx_af[ar2 + w];
        c20 += a2 * b0;
        c21 += a2 * b1;
        let a3 = gx_af[ar3 + w];
        c30 += a3 * b0;
        c31 += a3 * b1;
        let a4 = gx_af[ar4 + w];
        c40 += a4 * b0;
        c41 += a4 * b1;
        let a5 = gx_af[ar5 + w];
        c50 += a5 * b0;
        c51 += a5 * b1;
        let a6 = gx_af[ar6 + w];
        c60 += a6 * b0;
        c61 += a6 * b1;
        let a7 = gx_af[ar7 + w];
        c70 += a7 * b0;
        c71 += a7 * b1;
    }
    gx_store_f32(m0 + 0u, n0, c00, c01);
    gx_store_f32(m0 + 1u, n0, c10, c11);
    gx_store_f32(m0 + 2u, n0, c20, c21);
    gx_store_f32(m0 + 3u, n0, c30, c31);
    gx_store_f32(m0 + 4u, n0, c40, c41);
    gx_store_f32(m0 + 5u, n0, c50, c51);
    gx_store_f32(m0 + 6u, n0, c60, c61);
    gx_store_f32(m0 + 7u, n0, c70, c71);
}

// gemm_f32_nt_k4: gemm_f32_nt for k a positive multiple of 4, reading
// vec4<f32> (4 values of k) per load. Twin: cpu.GemmF32NT (the registry row's
// Check refuses other params).
@compute @workgroup_size(8, 8)
fn gemm_f32_nt_k4(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kq = gx_p.kw / 4u;  // vec4 words per row
    let n0 = gid.x * 8u;
    let m0 = gid.y * 8u;
    if (n0 >= n || m0 >= m) { return; }
    let ar0 = min(m0 + 0u, m - 1u) * kq;
    let ar1 = min(m0 + 1u, m - 1u) * kq;
    let ar2 = min(m0 + 2u, m - 1u) * kq;
    let ar3 = min(m0 + 3u, m - 1u) * kq;
    let ar4 = min(m0 + 4u, m - 1u) * kq;
    let ar5 = min(m0 + 5u, m - 1u) * kq;
    let ar6 = min(m0 + 6u, m - 1u) * kq;
    let ar7 = min(m0 + 7u, m - 1u) * kq;
    let br0 = min(n0 + 0u, n - 1u) * kq;
    let br1 = min(n0 + 1u, n - 1u) * kq;
    let br2 = min(n0 + 2u, n - 1u) * kq;
    let br3 = min(n0 + 3u, n - 1u) * kq;
    let br4 = min(n0 + 4u, n - 1u) * kq;
    let br5 = min(n0 + 5u, n - 1u) * kq;
    let br6 = min(n0 + 6u, n - 1u) * kq;
    let br7 = min(n0 + 7u, n - 1u) * kq;
    var c00 = vec4<f32>(0);
    var c01 = vec4<f32>(0);
    var c10 = vec4<f32>(0);
    var c11 = vec4<f32>(0);
    var c20 = vec4<f32>(0);
    var c21 = vec4<f32>(0);
    var c30 = vec4<f32>(0);
    var c31 = vec4<f32>(0);
    var c40 = vec4<f32>(0);
    var c41 = vec4<f32>(0);
    var c50 = vec4<f32>(0);
    var c51 = vec4<f32>(0);
    var c60 = vec4<f32>(0);
    var c61 = vec4<f32>(0);
    var c70 = vec4<f32>(0);
    var c71 = vec4<f32>(0);
    for (var w = 0u; w < kq; w++) {
        let b0 = gx_bf4[br0 + w];
        let b1 = gx_bf4[br1 + w];
        let b2 = gx_bf4[br2 + w];
        let b3 = gx_bf4[br3 + w];
        let b4 = gx_bf4[br4 + w];
        let b5 = gx_bf4[br5 + w];
        let b6 = gx_bf4[br6 + w];
        let b7 = gx_bf4[br7 + w];
        let a0 = gx_af4[ar0 + w];
        c00 += vec4<f32>(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
        c01 += vec4<f32>(dot(a0, b4), dot(a0, b5), dot(a0, b6), dot(a0, b7));
        let a1 = gx_af4[ar1 + w];
        c10 += vec4<f32>(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
        c11 += vec4<f32>(dot(a1, b4), dot(a1, b5), dot(a1, b6), dot(a1, b7));
        let a2 = gx_af4[ar2 + w];
        c20 += vec4<f32>(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
        c21 += vec4<f32>(dot(a2, b4), dot(a2, b5), dot(a2, b6), dot(a2, b7));
        let a3 = gx_af4[ar3 + w];
        c30 += vec4<f32>(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
        c31 += vec4<f32>(dot(a3, b4), dot(a3, b5), dot(a3, b6), dot(a3, b7));
        let a4 = gx_af4[ar4 + w];
        c40 += vec4<f32>(dot(a4, b0), dot(a4, b1), dot(a4, b2), dot(a4, b3));
        c41 += vec4<f32>(dot(a4, b4), dot(a4, b5), dot(a4, b6), dot(a4, b7));
        let a5 = gx_af4[ar5 + w];
        c50 += vec4<f32>(dot(a5, b0), dot(a5, b1), dot(a5, b2), dot(a5, b3));
        c51 += vec4<f32>(dot(a5, b4), dot(a5, b5), dot(a5, b6), dot(a5, b7));
        let a6 = gx_af4[ar6 + w];
        c60 += vec4<f32>(dot(a6, b0), dot(a6, b1), dot(a6, b2), dot(a6, b3));
        c61 += vec4<f32>(dot(a6, b4), dot(a6, b5), dot(a6, b6), dot(a6, b7));
        let a7 = gx_af4[ar7 + w];
        c70 += vec4<f32>(dot(a7, b0), dot(a7, b1), dot(a7, b2), dot(a7, b3));
        c71 += vec4<f32>(dot(a7, b4), dot(a7, b5), dot(a7, b6), dot(a7, b7));
    }
    gx_store_f32(m0 + 0u, n0, c00, c01);
    gx_store_f32(m0 + 1u, n0, c10, c11);
    gx_store_f32(m0 + 2u, n0, c20, c21);
    gx_store_f32(m0 + 3u, n0, c30, c31);
    gx_store_f32(m0 + 4u, n0, c40, c41);
    gx_store_f32(m0 + 5u, n0, c50, c51);
    gx_store_f32(m0 + 6u, n0, c60, c61);
    gx_store_f32(m0 + 7u, n0, c70, c71);
}

// gemm_i8_nt_tiled: gemm_i8_nt for real GPUs, with workgroup-memory tiles
// (shared/notes.md): a workgroup of 16x16 invocations computes a 128x128
// tile of C, stepping through k 16 values (GXT_KW = 4 words) at a time:
// all 256 invocations load the A and B tiles (128 rows x 4 words each, 4 KiB
// together) into workgroup memory, then each computes an 8x8 block whose
// rows are ty + 16i and columns tx + 16j (i, j < 8), so that neighbouring
// invocations read neighbouring B words and store neighbouring C words.
// Lavapipe runs it 3-4x slower than gemm_i8_nt; the gpu package picks it
// only for discrete and integrated GPUs. Exactness and the k bound as
// gemm_i8_nt. Grid: x over ceil(n/128)·16, y over ceil(m/128)·16.
// Twin: cpu.GemmI8NT.
const GXT_TILE: u32 = 128u;
const GXT_KW: u32 = 4u;
var<workgroup> gxt_a: array<u32, 512>;  // [kk·128 + row], GXT_KW x GXT_TILE
var<workgroup> gxt_b: array<u32, 512>;

@compute @workgroup_size(16, 16)
fn gemm_i8_nt_tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    let kw = gx_p.kw;
    let m0 = wid.y * GXT_TILE;
    let n0 = wid.x * GXT_TILE;
    let tx = lid.x;
    let ty = lid.y;
    let li = ty * 16u + tx;
    var c00 = vec4<i32>(0);
    var c01 = vec4<i32>(0);
    var c10 = vec4<i32>(0);
    var c11 = vec4<i32>(0);
    var c20 = vec4<i32>(0);
    var c21 = vec4<i32>(0);
    var c30 = vec4<i32>(0);
    var c31 = vec4<i32>(0);
    var c40 = vec4<i32>(0);
    var c41 = vec4<i32>(0);
    var c50 = vec4<i32>(0);
    var c51 = vec4<i32>(0);
    var c60 = vec4<i32>(0);
    var c61 = vec4<i32>(0);
    var c70 = vec4<i32>(0);
    var c71 = vec4<i32>(0);
    for (var w0 = 0u; w0 < kw; w0 += GXT_KW) {
        // Load the A and B tiles: 128 rows x 4 words each, two words per
        // invocation per operand; out-of-range words load as zero.
        for (var t = 0u; t < 2u; t++) {
            let idx = li + 256u * t;
            let row = idx / GXT_KW;
            let kk = idx % GXT_KW;
            var va = 0u;
            if (m0 + row < m && w0 + kk < kw) { va = gx_a[(m0 + row) * kw + w0 + kk]; }
            gxt_a[kk * GXT_TILE + row] = va;
            var vb = 0u;
            if (n0 + row < n && w0 + kk < kw) { vb = gx_b[(n0 + row) * kw + w0 + kk]; }
            gxt_b[kk * GXT_TILE + row] = vb;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < GXT_KW; kk++) {
            let t0 = kk * GXT_TILE + tx;
            let b0 = vec4<u32>(gxt_b[t0], gxt_b[t0 + 16u], gxt_b[t0 + 32u], gxt_b[t0 + 48u]);
            let b1 = vec4<u32>(gxt_b[t0 + 64u], gxt_b[t0 + 80u], gxt_b[t0 + 96u], gxt_b[t0 + 112u]);
            let s0 = kk * GXT_TILE + ty;
            let a0 = gxt_a[s0 + 0u];
            c00 += vec4<i32>(dot4I8Packed(a0, b0.x), dot4I8Packed(a0, b0.y), dot4I8Packed(a0, b0.z), dot4I8Packed(a0, b0.w));
            c01 += vec4<i32>(dot4I8Packed(a0, b1.x), dot4I8Packed(a0, b1.y), dot4I8Packed(a0, b1.z), dot4I8Packed(a0, b1.w));
            let a1 = gxt_a[s0 + 16u];
            c10 += vec4<i32>(dot4I8Packed(a1, b0.x), dot4I8Packed(a1, b0.y), dot4I8Packed(a1, b0.z), dot4I8Packed(a1, b0.w));
            c11 += vec4<i32>(dot4I8Packed(a1, b1.x), dot4I8Packed(a1, b1.y), dot4I8Packed(a1, b1.z), dot4I8Packed(a1, b1.w));
            let a2 = gxt_a[s0 + 32u];
            c20 += vec4<i32>(dot4I8Packed(a2, b0.x), dot4I8Packed(a2, b0.y), dot4I8Packed(a2, b0.z), dot4I8Packed(a2, b0.w));
            c21 += vec4<i32>(dot4I8Packed(a2, b1.x), dot4I8Packed(a2, b1.y), dot4I8Packed(a2, b1.z), dot4I8Packed(a2, b1.w));
            let a3 = gxt_a[s0 + 48u];
            c30 += vec4<i32>(dot4I8Packed(a3, b0.x), dot4I8Packed(a3, b0.y), dot4I8Packed(a3, b0.z), dot4I8Packed(a3, b0.w));
            c31 += vec4<i32>(dot4I8Packed(a3, b1.x), dot4I8Packed(a3, b1.y), dot4I8Packed(a3, b1.z), dot4I8Packed(a3, b1.w));
            let a4 = gxt_a[s0 + 64u];
            c40 += vec4<i32>(dot4I8Packed(a4, b0.x), dot4I8Packed(a4, b0.y), dot4I8Packed(a4, b0.z), dot4I8Packed(a4, b0.w));
            c41 += vec4<i32>(dot4I8Packed(a4, b1.x), dot4I8Packed(a4, b1.y), dot4I8Packed(a4, b1.z), dot4I8Packed(a4, b1.w));
            let a5 = gxt_a[s0 + 80u];
            c50 += vec4<i32>(dot4I8Packed(a5, b0.x), dot4I8Packed(a5, b0.y), dot4I8Packed(a5, b0.z), dot4I8Packed(a5, b0.w));
            c51 += vec4<i32>(dot4I8Packed(a5, b1.x), dot4I8Packed(a5, b1.y), dot4I8Packed(a5, b1.z), dot4I8Packed(a5, b1.w));
            let a6 = gxt_a[s0 + 96u];
            c60 += vec4<i32>(dot4I8Packed(a6, b0.x), dot4I8Packed(a6, b0.y), dot4I8Packed(a6, b0.z), dot4I8Packed(a6, b0.w));
            c61 += vec4<i32>(dot4I8Packed(a6, b1.x), dot4I8Packed(a6, b1.y), dot4I8Packed(a6, b1.z), dot4I8Packed(a6, b1.w));
            let a7 = gxt_a[s0 + 112u];
            c70 += vec4<i32>(dot4I8Packed(a7, b0.x), dot4I8Packed(a7, b0.y), dot4I8Packed(a7, b0.z), dot4I8Packed(a7, b0.w));
            c71 += vec4<i32>(dot4I8Packed(a7, b1.x), dot4I8Packed(a7, b1.y), dot4I8Packed(a7, b1.z), dot4I8Packed(a7, b1.w));
        }
        workgroupBarrier();
    }
    gxt_store(m0 + ty + 0u, n0 + tx, c00, c01);
    gxt_store(m0 + ty + 16u, n0 + tx, c10, c11);
    gxt_store(m0 + ty + 32u, n0 + tx, c20, c21);
    gxt_store(m0 + ty + 48u, n0 + tx, c30, c31);
    gxt_store(m0 + ty + 64u, n0 + tx, c40, c41);
    gxt_store(m0 + ty + 80u, n0 + tx, c50, c51);
    gxt_store(m0 + ty + 96u, n0 + tx, c60, c61);
    gxt_store(m0 + ty + 112u, n0 + tx, c70, c71);
}

// gxt_store writes C[row, col0 + 16j] = v_j for j < 8 where in range (lanes
// 0-3 from lo, 4-7 from hi), the strided columns of one tiled invocation.
fn gxt_store(row: u32, col0: u32, lo: vec4<i32>, hi: vec4<i32>) {
    let m = gx_p.m;
    let n = gx_p.n;
    if (row >= m) { return; }
    for (var j = 0u; j < 8u; j++) {
        let col = col0 + 16u * j;
        if (col >= n) { return; }
        var v = lo;
        if (j >= 4u) { v = hi; }
        gx_c[row * n + col] = v[j % 4u];
    }
}
