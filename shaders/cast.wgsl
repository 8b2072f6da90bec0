// cast.wgsl: conversions between integer codes and float32, for networks
// that mix integer and float layers (recipe wageubn's float first and last
// layers, MakeQuantOrNot with excluded kinds). Go twins: gpu/cpu/cast.go —
// keep in sync.
//
// Grid: 1-D over the elements, spilling into y (linear_index).

override wg_size: u32 = 64u;

// cast_f32_i32: codes[i] = round(x[i]·2^shift), half to even, computed
// exactly from the float's bits (no float arithmetic). Results outside
// int32 saturate and NaN/Inf give 0; both set ERR_OVERFLOW in the error
// word (binding 3). Twin: cpu.CastF32I32.
struct CastF32I32Params {
    n: u32,      // elements
    shift: i32,  // codes have exponent -shift
}
@group(0) @binding(0) var<uniform> cfi_p: CastF32I32Params;
@group(0) @binding(1) var<storage, read_write> cfi_out: array<i32>;
@group(0) @binding(2) var<storage, read> cfi_in: array<u32>;
@group(0) @binding(3) var<storage, read_write> cfi_err: array<atomic<u32>>;

@compute @workgroup_size(wg_size)
fn cast_f32_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= cfi_p.n) { return; }
    let b = cfi_in[i];
    let ef = i32((b >> 23u) & 0xFFu);
    let f = i32(b & 0x7FFFFFu);
    if (ef == 255) { // NaN or infinity
        cfi_out[i] = 0;
        atomicOr(&cfi_err[0], ERR_OVERFLOW);
        return;
    }
    var m = f | 0x800000;
    var e = ef - 150;
    if (ef == 0) {
        m = f;
        e = -149;
    }
    let neg = (b >> 31u) != 0u;
    let s = e + cfi_p.shift; // value = m·2^s
    var q = 0;
    if (m == 0) {
        q = 0;
    } else if (s >= 0) {
        // |m| < 2^24: m << s fits int32 iff m <= (2^31-1) >> s.
        if (s >= 31 || m > (0x7FFFFFFF >> u32(s))) {
            cfi_out[i] = select(0x7FFFFFFF, -0x7FFFFFFF - 1, neg);
            atomicOr(&cfi_err[0], ERR_OVERFLOW);
            return;
        }
        q = m << u32(s);
    } else if (s >= -31) {
        q = round_shr_i32(select(m, -m, neg), -s);
        cfi_out[i] = q;
        return;
    } else {
        q = 0; // |m|·2^s < 2^24·2^-32 < 1/2
    }
    cfi_out[i] = select(q, -q, neg);
}

// cast_i32_f32: x[i] = float32(codes[i])·2^(exp + scale[0]), with scale the
// tensor's data-dependent exponent (a one-word buffer holding 0 when the
// tensor has none). Twin: cpu.CastI32F32.
struct CastI32F32Params {
    n: u32,     // elements
    exp: i32,   // the codes' static exponent
}
@group(0) @binding(0) var<uniform> cif_p: CastI32F32Params;
@group(0) @binding(1) var<storage, read_write> cif_out: array<f32>;
@group(0) @binding(2) var<storage, read> cif_in: array<i32>;
@group(0) @binding(3) var<storage, read> cif_scale: array<i32>;

@compute @workgroup_size(wg_size)
fn cast_i32_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= cif_p.n) { return; }
    cif_out[i] = ldexp(f32(cif_in[i]), clamp(cif_p.exp + cif_scale[0], -300, 300));
}

// widen_i32: out[i] = element i of a narrow packed tensor (8-bit or 16-bit
// lanes, rows of `last` elements starting new words), sign- or
// zero-extended to i32. Twin: cpu.WidenI32.
struct WidenParams {
    n: u32,       // elements
    last: u32,    // elements per row
    bits: u32,    // 8 or 16
    signed: u32,  // 1: sign-extend
}
@group(0) @binding(0) var<uniform> wid_p: WidenParams;
@group(0) @binding(1) var<storage, read_write> wid_out: array<i32>;
@group(0) @binding(2) var<storage, read> wid_in: array<u32>;

@compute @workgroup_size(wg_size)
fn widen_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= wid_p.n) { return; }
    let per = 32u / wid_p.bits;
    let row_words = (wid_p.last + per - 1u) / per;
    let row = i / wid_p.last;
    let col = i % wid_p.last;
    let w = wid_in[row * row_words + col / per];
    let up = 32u - wid_p.bits; // move the lane to the top, then shift back down
    let top = w << (up - wid_p.bits * (col % per));
    wid_out[i] = select(bitcast<i32>(top >> up), bitcast<i32>(top) >> up, wid_p.signed != 0u);
}
