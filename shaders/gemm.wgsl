// gemm.wgsl: int8 x int8 -> int32 matrix products.
// Go twins: gpu/cpu/gemm.go — keep in sync.
//
// Versions (history of the speed work lives here):
//   v1 register-blocked, each invocation computes a 4x4 output block
//      straight from storage buffers, no workgroup memory (the variant for
//      CPU adapters such as lavapipe, see shared/notes.md).
//   v2 gemm_i8_nt: the same with 8x8 blocks, twice the dot products per
//      load (16-18 GOP/s at n = 512 on lavapipe, 2 busy Zen 5 cores).
//   v3 gemm_i8_nt_k16: v2 reading vec4<u32> (16 values of k) per load, for
//      kw % 4 == 0 (21-28 GOP/s in the same runs; gonum Sgemm 13-18 GFLOP/s).
// The loops are unrolled by hand into named variables: a version that kept
// the 8x8 block in arrays returned truncated sums for k >= 32768 on lavapipe
// without reporting an error (the cross-check's large-k case caught it).
//
// Layout: A is [m, k] and B is [n, k], both int8 packed 4 per u32 along k
// (row stride kw = ceil(k/4) words, padding lanes zero). C is [m, n] int32.
//
// Exactness: |a|, |b| <= 128, so each product is at most 2^14 in magnitude
// and a sum of k terms fits i32 while k * 2^14 <= 2^31 - 1, i.e. k <= 131071.
// The gpu package refuses larger k; padding lanes add zero.

struct GemmParams {
    m: u32,   // rows of A and C
    n: u32,   // rows of B, columns of C
    kw: u32,  // words per row of A and B, ceil(k/4)
}
@group(0) @binding(0) var<uniform> gemm_p: GemmParams;
@group(0) @binding(1) var<storage, read_write> gemm_c: array<i32>;
@group(0) @binding(2) var<storage, read> gemm_a: array<u32>;
@group(0) @binding(3) var<storage, read> gemm_b: array<u32>;
// The same bindings seen as vec4<u32>, for gemm_i8_nt_k16 (WGSL allows two
// variables on one binding as long as no entry point uses both).
@group(0) @binding(2) var<storage, read> gemm_a4: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> gemm_b4: array<vec4<u32>>;

// gemm_i8_nt: C[m, n] = sum_k A[m, k] * B[n, k].
// Grid: 2-D, x over ceil(n/8) column blocks, y over ceil(m/8) row blocks.
// Each invocation accumulates an 8x8 block in 16 vec4<i32> named c<r><h>
// (row m0 + r, columns n0 + 4h .. n0 + 4h + 3). Edge blocks clamp their load
// rows into range and skip out-of-range stores.
// Twin: cpu.GemmI8NT.
@compute @workgroup_size(8, 8)
fn gemm_i8_nt(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gemm_p.m;
    let n = gemm_p.n;
    let kw = gemm_p.kw;
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
    for (var w = 0u; w < kw; w++) {
        let b0 = vec4<u32>(gemm_b[br0 + w], gemm_b[br1 + w], gemm_b[br2 + w], gemm_b[br3 + w]);
        let b1 = vec4<u32>(gemm_b[br4 + w], gemm_b[br5 + w], gemm_b[br6 + w], gemm_b[br7 + w]);
        let a0 = gemm_a[ar0 + w];
        c00 += vec4<i32>(dot4I8Packed(a0, b0.x), dot4I8Packed(a0, b0.y), dot4I8Packed(a0, b0.z), dot4I8Packed(a0, b0.w));
        c01 += vec4<i32>(dot4I8Packed(a0, b1.x), dot4I8Packed(a0, b1.y), dot4I8Packed(a0, b1.z), dot4I8Packed(a0, b1.w));
        let a1 = gemm_a[ar1 + w];
        c10 += vec4<i32>(dot4I8Packed(a1, b0.x), dot4I8Packed(a1, b0.y), dot4I8Packed(a1, b0.z), dot4I8Packed(a1, b0.w));
        c11 += vec4<i32>(dot4I8Packed(a1, b1.x), dot4I8Packed(a1, b1.y), dot4I8Packed(a1, b1.z), dot4I8Packed(a1, b1.w));
        let a2 = gemm_a[ar2 + w];
        c20 += vec4<i32>(dot4I8Packed(a2, b0.x), dot4I8Packed(a2, b0.y), dot4I8Packed(a2, b0.z), dot4I8Packed(a2, b0.w));
        c21 += vec4<i32>(dot4I8Packed(a2, b1.x), dot4I8Packed(a2, b1.y), dot4I8Packed(a2, b1.z), dot4I8Packed(a2, b1.w));
        let a3 = gemm_a[ar3 + w];
        c30 += vec4<i32>(dot4I8Packed(a3, b0.x), dot4I8Packed(a3, b0.y), dot4I8Packed(a3, b0.z), dot4I8Packed(a3, b0.w));
        c31 += vec4<i32>(dot4I8Packed(a3, b1.x), dot4I8Packed(a3, b1.y), dot4I8Packed(a3, b1.z), dot4I8Packed(a3, b1.w));
        let a4 = gemm_a[ar4 + w];
        c40 += vec4<i32>(dot4I8Packed(a4, b0.x), dot4I8Packed(a4, b0.y), dot4I8Packed(a4, b0.z), dot4I8Packed(a4, b0.w));
        c41 += vec4<i32>(dot4I8Packed(a4, b1.x), dot4I8Packed(a4, b1.y), dot4I8Packed(a4, b1.z), dot4I8Packed(a4, b1.w));
        let a5 = gemm_a[ar5 + w];
        c50 += vec4<i32>(dot4I8Packed(a5, b0.x), dot4I8Packed(a5, b0.y), dot4I8Packed(a5, b0.z), dot4I8Packed(a5, b0.w));
        c51 += vec4<i32>(dot4I8Packed(a5, b1.x), dot4I8Packed(a5, b1.y), dot4I8Packed(a5, b1.z), dot4I8Packed(a5, b1.w));
        let a6 = gemm_a[ar6 + w];
        c60 += vec4<i32>(dot4I8Packed(a6, b0.x), dot4I8Packed(a6, b0.y), dot4I8Packed(a6, b0.z), dot4I8Packed(a6, b0.w));
        c61 += vec4<i32>(dot4I8Packed(a6, b1.x), dot4I8Packed(a6, b1.y), dot4I8Packed(a6, b1.z), dot4I8Packed(a6, b1.w));
        let a7 = gemm_a[ar7 + w];
        c70 += vec4<i32>(dot4I8Packed(a7, b0.x), dot4I8Packed(a7, b0.y), dot4I8Packed(a7, b0.z), dot4I8Packed(a7, b0.w));
        c71 += vec4<i32>(dot4I8Packed(a7, b1.x), dot4I8Packed(a7, b1.y), dot4I8Packed(a7, b1.z), dot4I8Packed(a7, b1.w));
    }
    gemm_store(m0 + 0u, n0, c00, c01);
    gemm_store(m0 + 1u, n0, c10, c11);
    gemm_store(m0 + 2u, n0, c20, c21);
    gemm_store(m0 + 3u, n0, c30, c31);
    gemm_store(m0 + 4u, n0, c40, c41);
    gemm_store(m0 + 5u, n0, c50, c51);
    gemm_store(m0 + 6u, n0, c60, c61);
    gemm_store(m0 + 7u, n0, c70, c71);
}

// gemm_store writes the in-range part of C[row, col0 .. col0 + 7].
fn gemm_store(row: u32, col0: u32, lo: vec4<i32>, hi: vec4<i32>) {
    let m = gemm_p.m;
    let n = gemm_p.n;
    if (row >= m) { return; }
    for (var j = 0u; j < 8u; j++) {
        if (col0 + j >= n) { return; }
        var v = lo;
        if (j >= 4u) { v = hi; }
        gemm_c[row * n + col0 + j] = v[j % 4u];
    }
}

// gemm_i8_nt_k16: gemm_i8_nt for kw a multiple of 4 (k padded to 16 values), so
// that every row starts on a vec4<u32> and one load brings 16 values of k.
// Grid and blocks as gemm_i8_nt (8x8 per invocation, c<r><h> accumulators).
// Twin: cpu.GemmI8NT (the gpu package records this variant only when
// kw % 4 == 0; the registry row's Check refuses other params).
@compute @workgroup_size(8, 8)
fn gemm_i8_nt_k16(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gemm_p.m;
    let n = gemm_p.n;
    let kq = gemm_p.kw / 4u;  // vec4 words per row
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
    for (var w = 0u; w < kq; w++) {
        let b0 = gemm_b4[br0 + w];
        let b1 = gemm_b4[br1 + w];
        let b2 = gemm_b4[br2 + w];
        let b3 = gemm_b4[br3 + w];
        let b4 = gemm_b4[br4 + w];
        let b5 = gemm_b4[br5 + w];
        let b6 = gemm_b4[br6 + w];
        let b7 = gemm_b4[br7 + w];
        let a0 = gemm_a4[ar0 + w];
        c00 += vec4<i32>(dot4(a0, b0), dot4(a0, b1), dot4(a0, b2), dot4(a0, b3));
        c01 += vec4<i32>(dot4(a0, b4), dot4(a0, b5), dot4(a0, b6), dot4(a0, b7));
        let a1 = gemm_a4[ar1 + w];
        c10 += vec4<i32>(dot4(a1, b0), dot4(a1, b1), dot4(a1, b2), dot4(a1, b3));
        c11 += vec4<i32>(dot4(a1, b4), dot4(a1, b5), dot4(a1, b6), dot4(a1, b7));
        let a2 = gemm_a4[ar2 + w];
        c20 += vec4<i32>(dot4(a2, b0), dot4(a2, b1), dot4(a2, b2), dot4(a2, b3));
        c21 += vec4<i32>(dot4(a2, b4), dot4(a2, b5), dot4(a2, b6), dot4(a2, b7));
        let a3 = gemm_a4[ar3 + w];
        c30 += vec4<i32>(dot4(a3, b0), dot4(a3, b1), dot4(a3, b2), dot4(a3, b3));
        c31 += vec4<i32>(dot4(a3, b4), dot4(a3, b5), dot4(a3, b6), dot4(a3, b7));
        let a4 = gemm_a4[ar4 + w];
        c40 += vec4<i32>(dot4(a4, b0), dot4(a4, b1), dot4(a4, b2), dot4(a4, b3));
        c41 += vec4<i32>(dot4(a4, b4), dot4(a4, b5), dot4(a4, b6), dot4(a4, b7));
        let a5 = gemm_a4[ar5 + w];
        c50 += vec4<i32>(dot4(a5, b0), dot4(a5, b1), dot4(a5, b2), dot4(a5, b3));
        c51 += vec4<i32>(dot4(a5, b4), dot4(a5, b5), dot4(a5, b6), dot4(a5, b7));
        let a6 = gemm_a4[ar6 + w];
        c60 += vec4<i32>(dot4(a6, b0), dot4(a6, b1), dot4(a6, b2), dot4(a6, b3));
        c61 += vec4<i32>(dot4(a6, b4), dot4(a6, b5), dot4(a6, b6), dot4(a6, b7));
        let a7 = gemm_a4[ar7 + w];
        c70 += vec4<i32>(dot4(a7, b0), dot4(a7, b1), dot4(a7, b2), dot4(a7, b3));
        c71 += vec4<i32>(dot4(a7, b4), dot4(a7, b5), dot4(a7, b6), dot4(a7, b7));
    }
    gemm_store(m0 + 0u, n0, c00, c01);
    gemm_store(m0 + 1u, n0, c10, c11);
    gemm_store(m0 + 2u, n0, c20, c21);
    gemm_store(m0 + 3u, n0, c30, c31);
    gemm_store(m0 + 4u, n0, c40, c41);
    gemm_store(m0 + 5u, n0, c50, c51);
    gemm_store(m0 + 6u, n0, c60, c61);
    gemm_store(m0 + 7u, n0, c70, c71);
}

// dot4 returns the dot product of 16 int8 values packed in two vec4<u32>.
fn dot4(a: vec4<u32>, b: vec4<u32>) -> i32 {
    return dot4I8Packed(a.x, b.x) + dot4I8Packed(a.y, b.y) + dot4I8Packed(a.z, b.z) + dot4I8Packed(a.w, b.w);
}
