// nnshift.wgsl: E1 (the shift quantizer, quant_shift) on float32 values, for
// an integer layer that receives a float gradient (a float layer after it).
// Exact from the float bits, no float arithmetic, as quant.Shift at k = 8.
// Twin: gpu/cpu/nnshift.go — keep in sync.

struct ShiftParams {
    rows: u32,       // rows
    k: u32,          // elements per row
    kw: u32,         // output words per row, ceil(k/4)
    has_scale: u32,  // 1: add in_scale[0] to the output scale
}

// NN2_SQRT2_U32 = floor(sqrt(2)·2^31) + 1: a u32 y with its top bit set is
// at least sqrt(2)·2^31 iff y >= NN2_SQRT2_U32 (there are no ties).
const NN2_SQRT2_U32: u32 = 3037000500u;

// nn2_log2_round_u32 returns round(log2 m) for m > 0, exactly.
fn nn2_log2_round_u32(m: u32) -> i32 {
    let j = firstLeadingBit(m);
    let y = m << (31u - j);
    return i32(j) + select(0, 1, y >= NN2_SQRT2_U32);
}

// nn2_f32_split returns the exact decomposition x = m·2^e of a finite
// float32 from its bits (|m| < 2^24; zero and subnormals have e = -149).
fn nn2_f32_split(b: u32) -> vec2<i32> {
    let ef = i32((b >> 23u) & 0xFFu);
    let f = i32(b & 0x7FFFFFu);
    var m = f | 0x800000;
    var e = ef - 150;
    if (ef == 0) {
        m = f;
        e = -149;
    }
    return vec2<i32>(select(m, -m, (b >> 31u) != 0u), e);
}

// nn2_shift_code returns clamp(round(m·2^n), ±127) for |m| < 2^24, rounded
// half to even.
fn nn2_shift_code(m: i32, n: i32) -> i32 {
    if (n < -31) {
        return 0;
    }
    if (n < 0) {
        return clamp(round_shr_i32(m, -n), -127, 127);
    }
    if (n >= 8) {
        return clamp(m, -1, 1) * 127;
    }
    return clamp(m << u32(n), -127, 127);
}

// shift_f32_i8: with (mM, eM) the split of max[0] (the bits of max|x|,
// max_abs_f32), r = round(log2 mM) + eM and Exp = r - 7, each x = m·2^e
// gets code clamp(round(m·2^(e - Exp)), ±127), int8 lanes packed along rows
// of k; scale_out[0] = Exp (+ in_scale[0]). max = 0: zero codes, scale -7.
// Bindings: out, scale_out, in (f32 bits), max, in_scale. Grid: 1-D over
// rows·kw. Twin: cpu.ShiftF32I8.
@group(0) @binding(0) var<uniform> sf_p: ShiftParams;
@group(0) @binding(1) var<storage, read_write> sf_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> sf_scale: array<i32>;
@group(0) @binding(3) var<storage, read> sf_in: array<u32>;
@group(0) @binding(4) var<storage, read> sf_max: array<u32>;
@group(0) @binding(5) var<storage, read> sf_in_scale: array<i32>;

@compute @workgroup_size(64)
fn shift_f32_i8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, 64u);
    if (i >= sf_p.rows * sf_p.kw) { return; }
    let mb = sf_max[0] & 0x7FFFFFFFu;
    var exp = -7;
    if (mb != 0u) {
        let me = nn2_f32_split(mb);
        exp = nn2_log2_round_u32(u32(me.x)) + me.y - 7;
    }
    if (i == 0u) {
        sf_scale[0] = exp + select(0, sf_in_scale[0], sf_p.has_scale != 0u);
    }
    let row = i / sf_p.kw;
    let w = i % sf_p.kw;
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
        let c = 4u * w + j;
        if (c < sf_p.k && mb != 0u) {
            let me = nn2_f32_split(sf_in[row * sf_p.k + c]);
            word = word | (byte_i8(nn2_shift_code(me.x, me.y - exp)) << (8u * j));
        }
    }
    sf_out[i] = word;
}
