// conv.wgsl: conv2d (dilation 1) as im2col + GEMM + col2im, and direct
// float32 kernels. Go twins: gpu/cpu/conv.go — keep in sync.
//
// Shapes: input x [n, c, h, w] (NCHW), weights [k, cg, kh, kw], output
// [n, k, oh, ow] with oh = (h + 2·pad - kh)/stride + 1 (likewise ow), in
// groups of cg = c/G input and kg = k/G output channels. Narrow codes (I8,
// U8: 4 per word; I16: 2 per word) pack along the last dimension, every row
// starting a new word. np = n·oh·ow output pixels, ckk = cg·kh·kw values per
// receptive field.
//
// Integer convolution (WAGEUBN):
//   forward       cols = im2col(x, group g)       [np, ckk] packed along ckk
//                 C_g  = gemm_i8_nt(cols, W_g)    [np, kg] i32
//                 y    = nhwc_to_nchw_i32(C_g)    channels g·kg.. of [n, k, oh, ow]
//   input grad    dyr  = im2col(dy, 1x1, group g) [np, kg] packed along kg
//                 W_gᵀ = im2col(w as [1, k, cg·kh, kw], 1x1, group g) [ckk, kg]
//                 G    = gemm_i8_nt(dyr, W_gᵀ)    [np, ckk] i32
//                 dx   = col2im_i32(G)            channels g·cg.. of [n, c, h, w]
//   weight grad   dyᵀ   = im2col_t(dy, 1x1, g)    [kg, np] packed along np
//                 colsᵀ = im2col_t(x, group g)    [ckk, np]
//                 dW_g  = gemm_i8_nt(dyᵀ, colsᵀ)  [kg, ckk] i32
//                 dW    = nhwc_to_nchw_i32(dW_g) as one pixel of k·ckk
//                         channels in groups of kg·ckk (a copy of rows)
// The gpu package pads every GEMM operand row to 16 values (row_words).
// With mixed-width GEMMs the same kernels serve U8 activations
// (im2col_u8) and I16 error codes (im2col_i16), and wide I64 outputs go
// through nhwc_to_nchw_i64 / col2im_i64.
// Besides the float kernels, only data moves here; the sums are in the
// GEMMs and col2im (bounds in gpu/ops_conv.go). Kernels index with u32:
// every index is below the element count of a buffer the registry sized
// (Kernel.Words), and the registry's Check keeps the group's channels
// inside c and k.
//
// Bindings: @binding(0) the ConvParams uniform, @binding(1) the output,
// @binding(2..) the inputs (col2im_i32: then the error word).
// Grid: 1-D over output words (im2col) or elements, spilling into y.

override wg_size: u32 = 64u;

struct ConvParams {
    n: u32,       // input batch
    c: u32,       // input channels
    h: u32,       // input height
    w: u32,       // input width
    k: u32,       // output channels (all groups)
    kh: u32,      // kernel height
    kw: u32,      // kernel width
    oh: u32,      // output height
    ow: u32,      // output width
    stride: u32,  // stride (both dimensions)
    pad: u32,     // zero padding (both dimensions, both sides)
    cg: u32,      // input channels per group
    kg: u32,      // output channels per group
    group: u32,   // the group a per-group kernel works on
    row_words: u32,  // im2col*: words per output row (>= ceil(values/per); lanes past the values are 0)
}
@group(0) @binding(0) var<uniform> conv_p: ConvParams;

// ---- im2col: packed codes -> packed GEMM operand ----

@group(0) @binding(1) var<storage, read_write> conv_cols: array<u32>;
@group(0) @binding(2) var<storage, read> conv_x: array<u32>;

// conv_load returns the code (its per-lane bits, not sign-extended) of x
// [n, c, ih - pad, iw - pad], or 0 in the padding: ih and iw are
// coordinates in the padded input. per is the codes per word (4 or 2).
// Twin: cpu.convLoad.
fn conv_load(per: u32, n: u32, c: u32, ih: u32, iw: u32) -> u32 {
    let p = conv_p;
    if (ih < p.pad || iw < p.pad) { return 0u; }
    let y = ih - p.pad;
    let x = iw - p.pad;
    if (y >= p.h || x >= p.w) { return 0u; }
    let bits = 32u / per;
    let xw = (p.w + per - 1u) / per;
    let word = conv_x[((n * p.c + c) * p.h + y) * xw + x / per];
    return (word >> (bits * (x % per))) & ((1u << bits) - 1u);
}

// conv_im2col writes word i of group conv_p.group's [np, ckk] matrix,
// packed per codes to a word along ckk, row_words words a row (padding
// lanes 0): lane j of word w of row n·oh·ow + y·ow + x holds column
// kk = per·w + j = c'·kh·kw + a·kw + b, i.e. x[n, group·cg + c',
// y·stride + a - pad, x·stride + b - pad]. The row is split once, the
// column once for lane 0 and then stepped. Twin: cpu.im2col.
fn conv_im2col(i: u32, per: u32) {
    let p = conv_p;
    let ckk = p.cg * p.kh * p.kw;
    let kwords = p.row_words;
    if (i >= p.n * p.oh * p.ow * kwords) { return; }
    let r = i / kwords;
    let w = i % kwords;
    let ohw = p.oh * p.ow;
    let n = r / ohw;
    let pix = r % ohw;
    let ih0 = (pix / p.ow) * p.stride;
    let iw0 = (pix % p.ow) * p.stride;
    let khw = p.kh * p.kw;
    let kk0 = per * w;
    var c = kk0 / khw;
    var a = (kk0 % khw) / p.kw;
    var b = (kk0 % khw) % p.kw;
    let bits = 32u / per;
    var word = 0u;
    for (var j = 0u; j < per; j++) {
        if (kk0 + j < ckk) {
            word |= conv_load(per, n, p.group * p.cg + c, ih0 + a, iw0 + b) << (bits * j);
        }
        b += 1u;
        if (b == p.kw) {
            b = 0u;
            a += 1u;
            if (a == p.kh) {
                a = 0u;
                c += 1u;
            }
        }
    }
    conv_cols[i] = word;
}

// conv_im2col_t writes word i of the transpose, [ckk, np] packed along np,
// row_words words a row: lane j of word w of row kk holds the entry of
// pixel per·w + j. Twin: cpu.im2colT.
fn conv_im2col_t(i: u32, per: u32) {
    let p = conv_p;
    let ckk = p.cg * p.kh * p.kw;
    let np = p.n * p.oh * p.ow;
    let nwords = p.row_words;
    if (i >= ckk * nwords) { return; }
    let kk = i / nwords;
    let w = i % nwords;
    let khw = p.kh * p.kw;
    let c = p.group * p.cg + kk / khw;
    let a = (kk % khw) / p.kw;
    let b = (kk % khw) % p.kw;
    let ohw = p.oh * p.ow;
    let r0 = per * w;
    var n = r0 / ohw;
    var y = (r0 % ohw) / p.ow;
    var x = (r0 % ohw) % p.ow;
    let bits = 32u / per;
    var word = 0u;
    for (var j = 0u; j < per; j++) {
        if (r0 + j < np) {
            word |= conv_load(per, n, c, y * p.stride + a, x * p.stride + b) << (bits * j);
        }
        x += 1u;
        if (x == p.ow) {
            x = 0u;
            y += 1u;
            if (y == p.oh) {
                y = 0u;
                n += 1u;
            }
        }
    }
    conv_cols[i] = word;
}

// im2col_i8: x [n, c, h, w] I8 -> group g's GEMM operand [np, ckk] I8,
// cols[n·oh·ow + y·ow + x, c'·kh·kw + i·kw + j] =
// x[n, g·cg + c', y·stride + i - pad, x·stride + j - pad] (0 outside).
// Twin: cpu.Im2col8.
@compute @workgroup_size(wg_size)
fn im2col_i8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    conv_im2col(linear_index(gid, nwg, wg_size), 4u);
}

// im2col_u8: im2col_i8 for U8 codes (the same bytes; padding is code 0).
// Twin: cpu.Im2col8.
@compute @workgroup_size(wg_size)
fn im2col_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    conv_im2col(linear_index(gid, nwg, wg_size), 4u);
}

// im2col_i16: im2col_i8 for I16 codes (2 per word). Twin: cpu.Im2col16.
@compute @workgroup_size(wg_size)
fn im2col_i16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    conv_im2col(linear_index(gid, nwg, wg_size), 2u);
}

// im2col_t_i8: the transpose of im2col_i8, [ckk, np] I8 packed along np.
// Twin: cpu.Im2colT8.
@compute @workgroup_size(wg_size)
fn im2col_t_i8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    conv_im2col_t(linear_index(gid, nwg, wg_size), 4u);
}

// im2col_t_u8: im2col_t_i8 for U8 codes. Twin: cpu.Im2colT8.
@compute @workgroup_size(wg_size)
fn im2col_t_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    conv_im2col_t(linear_index(gid, nwg, wg_size), 4u);
}

// im2col_t_i16: im2col_t_i8 for I16 codes. Twin: cpu.Im2colT16.
@compute @workgroup_size(wg_size)
fn im2col_t_i16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    conv_im2col_t(linear_index(gid, nwg, wg_size), 2u);
}

// ---- layout: GEMM rows -> NCHW ----

@group(0) @binding(1) var<storage, read_write> conv_nchw_out: array<u32>;
@group(0) @binding(2) var<storage, read> conv_nhwc_in: array<u32>;

// nhwc_to_nchw_i32: in is group g's GEMM output [n·P, kg] (P = oh·ow);
// out[n, g·kg + k', pix] = in[n·P + pix, k'] of out [n, k, oh, ow]. Words
// are copied (any 32-bit dtype). Twin: cpu.NhwcToNchwI32.
@compute @workgroup_size(wg_size)
fn nhwc_to_nchw_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    let p = conv_p;
    let ohw = p.oh * p.ow;
    if (i >= p.n * p.kg * ohw) { return; }
    let pix = i % ohw;
    let t = i / ohw;
    let k = t % p.kg;
    let n = t / p.kg;
    conv_nchw_out[(n * p.k + p.group * p.kg + k) * ohw + pix] = conv_nhwc_in[(n * ohw + pix) * p.kg + k];
}

// nhwc_to_nchw_i64: nhwc_to_nchw_i32 for I64 elements (word pairs), the
// wide GEMM outputs. Twin: cpu.NhwcToNchwI64.
@compute @workgroup_size(wg_size)
fn nhwc_to_nchw_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    let p = conv_p;
    let ohw = p.oh * p.ow;
    if (i >= p.n * p.kg * ohw) { return; }
    let pix = i % ohw;
    let t = i / ohw;
    let k = t % p.kg;
    let n = t / p.kg;
    let o = (n * p.k + p.group * p.kg + k) * ohw + pix;
    let s = (n * ohw + pix) * p.kg + k;
    conv_nchw_out[2u * o] = conv_nhwc_in[2u * s];
    conv_nchw_out[2u * o + 1u] = conv_nhwc_in[2u * s + 1u];
}

// ---- col2im: column gradient -> NCHW input gradient (gather) ----

@group(0) @binding(1) var<storage, read_write> conv_dx: array<u32>;
@group(0) @binding(2) var<storage, read> conv_dcols: array<u32>;
@group(0) @binding(3) var<storage, read_write> conv_err: array<atomic<u32>>;

// conv_col2im_src returns the element index into group g's [np, ckk]
// column matrix of the entry (kh = i, kw = j) that im2col took from input
// element (n, c', y, x), or 0xFFFFFFFF when no such entry exists (y + pad -
// i not a whole multiple of the stride, or out of range). Twin: the loop
// of cpu.col2imSrc.
fn conv_col2im_src(n: u32, c: u32, y: u32, x: u32, i: u32, j: u32) -> u32 {
    let p = conv_p;
    let yp = y + p.pad;
    let xp = x + p.pad;
    if (yp < i || (yp - i) % p.stride != 0u || (yp - i) / p.stride >= p.oh) { return 0xFFFFFFFFu; }
    if (xp < j || (xp - j) % p.stride != 0u || (xp - j) / p.stride >= p.ow) { return 0xFFFFFFFFu; }
    let oh = (yp - i) / p.stride;
    let ow = (xp - j) / p.stride;
    let khw = p.kh * p.kw;
    return (n * p.oh * p.ow + oh * p.ow + ow) * (p.cg * khw) + c * khw + i * p.kw + j;
}

// col2im_i32: dx[n, g·cg + c', y, x] = Σ_{i, j} dcols[n·oh·ow + oy·ow + ox,
// c'·kh·kw + i·kw + j] over the kernel positions (i outer, j inner) with
// oy = (y + pad - i)/stride and ox likewise whole and in range: the gather
// form of col2im, one invocation per input element, no atomics. int32 sum
// with wrap-around; a partial sum that wraps sets ERR_OVERFLOW. Grid: 1-D
// over n·cg·h·w. Twin: cpu.Col2imI32.
@compute @workgroup_size(wg_size)
fn col2im_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, wg_size);
    let p = conv_p;
    if (idx >= p.n * p.cg * p.h * p.w) { return; }
    let x = idx % p.w;
    var t = idx / p.w;
    let y = t % p.h;
    t = t / p.h;
    let c = t % p.cg;
    let n = t / p.cg;
    var sum = 0;
    var bad = false;
    for (var i = 0u; i < p.kh; i++) {
        for (var j = 0u; j < p.kw; j++) {
            let s = conv_col2im_src(n, c, y, x, i, j);
            if (s != 0xFFFFFFFFu) {
                let v = bitcast<i32>(conv_dcols[s]);
                bad = bad || add_overflows(sum, v);
                sum += v;
            }
        }
    }
    if (bad) {
        atomicOr(&conv_err[0], ERR_OVERFLOW);
    }
    conv_dx[((n * p.c + p.group * p.cg + c) * p.h + y) * p.w + x] = bitcast<u32>(sum);
}

// col2im_i64: col2im_i32 on I64 elements (word pairs (lo, hi)), summed with
// wide_add (mod 2^64; exact while the kh·kw terms sum within int64).
// Twin: cpu.Col2imI64.
@compute @workgroup_size(wg_size)
fn col2im_i64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, wg_size);
    let p = conv_p;
    if (idx >= p.n * p.cg * p.h * p.w) { return; }
    let x = idx % p.w;
    var t = idx / p.w;
    let y = t % p.h;
    t = t / p.h;
    let c = t % p.cg;
    let n = t / p.cg;
    var sum = WIDE_ZERO;
    for (var i = 0u; i < p.kh; i++) {
        for (var j = 0u; j < p.kw; j++) {
            let s = conv_col2im_src(n, c, y, x, i, j);
            if (s != 0xFFFFFFFFu) {
                sum = wide_add(sum, vec2<u32>(conv_dcols[2u * s], conv_dcols[2u * s + 1u]));
            }
        }
    }
    let o = ((n * p.c + p.group * p.cg + c) * p.h + y) * p.w + x;
    conv_dx[2u * o] = sum.x;
    conv_dx[2u * o + 1u] = sum.y;
}

// ---- direct float32 convolution (all groups in one dispatch) ----
// Products are summed in the twins' order; the shader may fuse them into
// multiply-adds, so the backends agree within rounding, not bit for bit.

@group(0) @binding(1) var<storage, read_write> convf_out: array<f32>;
@group(0) @binding(2) var<storage, read> convf_a: array<f32>;
@group(0) @binding(3) var<storage, read> convf_b: array<f32>;

// conv2d_f32: y[n, k, oy, ox] = Σ_{c', i, j} x[n, g·cg + c', oy·stride + i
// - pad, ox·stride + j - pad]·w[k, c', i, j], g = k / kg. Bindings: y, x, w.
// Grid: 1-D over n·k·oh·ow. Twin: cpu.Conv2dF32.
@compute @workgroup_size(wg_size)
fn conv2d_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, wg_size);
    let p = conv_p;
    if (idx >= p.n * p.k * p.oh * p.ow) { return; }
    let ox = idx % p.ow;
    var t = idx / p.ow;
    let oy = t % p.oh;
    t = t / p.oh;
    let k = t % p.k;
    let n = t / p.k;
    let g = k / p.kg;
    var sum = 0.0f;
    for (var c = 0u; c < p.cg; c++) {
        for (var i = 0u; i < p.kh; i++) {
            let ih = oy * p.stride + i;
            if (ih < p.pad || ih - p.pad >= p.h) { continue; }
            for (var j = 0u; j < p.kw; j++) {
                let iw = ox * p.stride + j;
                if (iw < p.pad || iw - p.pad >= p.w) { continue; }
                sum += convf_a[((n * p.c + g * p.cg + c) * p.h + ih - p.pad) * p.w + iw - p.pad] *
                    convf_b[((k * p.cg + c) * p.kh + i) * p.kw + j];
            }
        }
    }
    convf_out[idx] = sum;
}

// conv2d_bwd_data_f32: dx[n, c, y, x] = Σ_{k', i, j} dy[n, g·kg + k', oy,
// ox]·w[g·kg + k', c', i, j], g = c / cg, c' = c mod cg, over the (i, j)
// with oy = (y + pad - i)/stride and ox likewise whole and in range.
// Bindings: dx, dy, w. Grid: 1-D over n·c·h·w. Twin: cpu.Conv2dBwdDataF32.
@compute @workgroup_size(wg_size)
fn conv2d_bwd_data_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, wg_size);
    let p = conv_p;
    if (idx >= p.n * p.c * p.h * p.w) { return; }
    let x = idx % p.w;
    var t = idx / p.w;
    let y = t % p.h;
    t = t / p.h;
    let c = t % p.c;
    let n = t / p.c;
    let g = c / p.cg;
    let cl = c % p.cg;
    var sum = 0.0f;
    for (var kl = 0u; kl < p.kg; kl++) {
        let k = g * p.kg + kl;
        for (var i = 0u; i < p.kh; i++) {
            let yp = y + p.pad;
            if (yp < i || (yp - i) % p.stride != 0u || (yp - i) / p.stride >= p.oh) { continue; }
            let oy = (yp - i) / p.stride;
            for (var j = 0u; j < p.kw; j++) {
                let xp = x + p.pad;
                if (xp < j || (xp - j) % p.stride != 0u || (xp - j) / p.stride >= p.ow) { continue; }
                let ox = (xp - j) / p.stride;
                sum += convf_a[((n * p.k + k) * p.oh + oy) * p.ow + ox] *
                    convf_b[((k * p.cg + cl) * p.kh + i) * p.kw + j];
            }
        }
    }
    convf_out[idx] = sum;
}

// conv2d_bwd_weight_f32: dw[k, c', i, j] = Σ_{n, oy, ox} dy[n, k, oy,
// ox]·x[n, g·cg + c', oy·stride + i - pad, ox·stride + j - pad], g = k / kg.
// Bindings: dw, dy, x. Grid: 1-D over k·cg·kh·kw.
// Twin: cpu.Conv2dBwdWeightF32.
@compute @workgroup_size(wg_size)
fn conv2d_bwd_weight_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, wg_size);
    let p = conv_p;
    if (idx >= p.k * p.cg * p.kh * p.kw) { return; }
    let j = idx % p.kw;
    var t = idx / p.kw;
    let i = t % p.kh;
    t = t / p.kh;
    let c = t % p.cg;
    let k = t / p.cg;
    let g = k / p.kg;
    var sum = 0.0f;
    for (var n = 0u; n < p.n; n++) {
        for (var oy = 0u; oy < p.oh; oy++) {
            let ih = oy * p.stride + i;
            if (ih < p.pad || ih - p.pad >= p.h) { continue; }
            for (var ox = 0u; ox < p.ow; ox++) {
                let iw = ox * p.stride + j;
                if (iw < p.pad || iw - p.pad >= p.w) { continue; }
                sum += convf_a[((n * p.k + k) * p.oh + oy) * p.ow + ox] *
                    convf_b[((n * p.c + g * p.cg + c) * p.h + ih - p.pad) * p.w + iw - p.pad];
            }
        }
    }
    convf_out[idx] = sum;
}
