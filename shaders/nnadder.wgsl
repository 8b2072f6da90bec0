// nnadder.wgsl: integer AdderNet (method.md B§7.2) on codes, for nn.Adder2d
// in integer mode. x, w and dy are int32 codes, one word each; x and w go
// onto their common grid by the left shifts sx and sw; the zero padding
// takes part as x = 0. The typed wrappers (gpu/ops_nn2.go) prove every
// bound: no int32 sum wraps and no wide sum leaves int64.
// Twins: gpu/cpu/nnadder.go — keep in sync.

struct AdderI32Params {
    n: u32, c: u32, h: u32, w: u32, k: u32, kh: u32, kw: u32, oh: u32, ow: u32,
    stride: u32, pad: u32, cg: u32, kg: u32,
    sx: u32, sw: u32,
    lim: i32,
}

@group(0) @binding(0) var<uniform> ada_p: AdderI32Params;

// ada_pad reports whether (ih, iw) of the padded input lies in the padding.
fn ada_pad(ih: u32, iw: u32) -> bool {
    let p = ada_p;
    return ih < p.pad || ih - p.pad >= p.h || iw < p.pad || iw - p.pad >= p.w;
}

// ada_xi returns the flat index of x[n, c, ih - pad, iw - pad].
fn ada_xi(n: u32, c: u32, ih: u32, iw: u32) -> u32 {
    let p = ada_p;
    return ((n * p.c + c) * p.h + ih - p.pad) * p.w + iw - p.pad;
}

// adder2d_i32: y[n, k, oy, ox] = -Σ_{c', i, j} |x·2^sx - w[k, c', i, j]·2^sw|,
// x = x[n, g·cg + c', oy·stride + i - pad, ox·stride + j - pad], g = k / kg.
// Bindings: y, x, w. Grid: 1-D over n·k·oh·ow.
// Twin: cpu.Adder2dI32.
@group(0) @binding(1) var<storage, read_write> ada_y: array<i32>;
@group(0) @binding(2) var<storage, read> ada_xf: array<i32>;
@group(0) @binding(3) var<storage, read> ada_wf: array<i32>;

@compute @workgroup_size(64)
fn adder2d_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, 64u);
    let p = ada_p;
    if (idx >= p.n * p.k * p.oh * p.ow) { return; }
    let ox = idx % p.ow;
    var t = idx / p.ow;
    let oy = t % p.oh;
    t = t / p.oh;
    let k = t % p.k;
    let n = t / p.k;
    let g = k / p.kg;
    var sum = 0i;
    for (var c = 0u; c < p.cg; c++) {
        for (var i = 0u; i < p.kh; i++) {
            for (var j = 0u; j < p.kw; j++) {
                let ih = oy * p.stride + i;
                let iw = ox * p.stride + j;
                var xv = 0i;
                if (!ada_pad(ih, iw)) {
                    xv = ada_xf[ada_xi(n, g * p.cg + c, ih, iw)] << p.sx;
                }
                let d = xv - (ada_wf[((k * p.cg + c) * p.kh + i) * p.kw + j] << p.sw);
                sum += abs(d);
            }
        }
    }
    ada_y[idx] = -sum;
}

// adder2d_bwd_data_i32: dx[n, c, y, x] = Σ_{k', i, j} clamp(w·2^sw - x·2^sx,
// -lim, lim)·dy[n, g·kg + k', oy, ox] in int64, w = w[g·kg + k', c mod cg,
// i, j], g = c / cg, over the (i, j) with oy = (y + pad - i)/stride and ox
// likewise whole and in range. Bindings: dx (wide), dy, x, w. Grid: 1-D
// over n·c·h·w. Twin: cpu.Adder2dBwdDataI32.
@group(0) @binding(1) var<storage, read_write> adad_dx: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> adad_dy: array<i32>;
@group(0) @binding(3) var<storage, read> adad_x: array<i32>;
@group(0) @binding(4) var<storage, read> adad_w: array<i32>;

@compute @workgroup_size(64)
fn adder2d_bwd_data_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, 64u);
    let p = ada_p;
    if (idx >= p.n * p.c * p.h * p.w) { return; }
    let ix = idx % p.w;
    var t = idx / p.w;
    let iy = t % p.h;
    t = t / p.h;
    let c = t % p.c;
    let n = t / p.c;
    let g = c / p.cg;
    let cl = c % p.cg;
    let xv = adad_x[idx] << p.sx;
    var sum = WIDE_ZERO;
    for (var kl = 0u; kl < p.kg; kl++) {
        let k = g * p.kg + kl;
        for (var i = 0u; i < p.kh; i++) {
            if (iy + p.pad < i) { continue; }
            let ty = iy + p.pad - i;
            if (ty % p.stride != 0u || ty / p.stride >= p.oh) { continue; }
            for (var j = 0u; j < p.kw; j++) {
                if (ix + p.pad < j) { continue; }
                let tx = ix + p.pad - j;
                if (tx % p.stride != 0u || tx / p.stride >= p.ow) { continue; }
                let d = clamp((adad_w[((k * p.cg + cl) * p.kh + i) * p.kw + j] << p.sw) - xv, -p.lim, p.lim);
                let dyv = adad_dy[((n * p.k + k) * p.oh + ty / p.stride) * p.ow + tx / p.stride];
                sum = wide_add(sum, wide_mul_i32(d, dyv));
            }
        }
    }
    adad_dx[idx] = sum;
}

// adder2d_bwd_weight_i32: dw[k, c', i, j] = Σ_{n, oy, ox} (x·2^sx -
// w[k, c', i, j]·2^sw)·dy[n, k, oy, ox] in int64, x as in adder2d_i32.
// Bindings: dw (wide), dy, x, w. Grid: 1-D over k·cg·kh·kw.
// Twin: cpu.Adder2dBwdWeightI32.
@group(0) @binding(1) var<storage, read_write> adaw_dw: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> adaw_dy: array<i32>;
@group(0) @binding(3) var<storage, read> adaw_x: array<i32>;
@group(0) @binding(4) var<storage, read> adaw_w: array<i32>;

@compute @workgroup_size(64)
fn adder2d_bwd_weight_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let idx = linear_index(gid, nwg, 64u);
    let p = ada_p;
    if (idx >= p.k * p.cg * p.kh * p.kw) { return; }
    let j = idx % p.kw;
    var t = idx / p.kw;
    let i = t % p.kh;
    t = t / p.kh;
    let c = t % p.cg;
    let k = t / p.cg;
    let g = k / p.kg;
    let wv = adaw_w[idx] << p.sw;
    var sum = WIDE_ZERO;
    for (var n = 0u; n < p.n; n++) {
        for (var oy = 0u; oy < p.oh; oy++) {
            for (var ox = 0u; ox < p.ow; ox++) {
                let ih = oy * p.stride + i;
                let iw = ox * p.stride + j;
                var xv = 0i;
                if (!ada_pad(ih, iw)) {
                    xv = adaw_x[ada_xi(n, g * p.cg + c, ih, iw)] << p.sx;
                }
                let d = xv - wv;
                sum = wide_add(sum, wide_mul_i32(d, adaw_dy[((n * p.k + k) * p.oh + oy) * p.ow + ox]));
            }
        }
    }
    adaw_dw[idx] = sum;
}
