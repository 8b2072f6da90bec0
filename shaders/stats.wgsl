// stats.wgsl: exact reductions for calibration and metrics: wide sums and
// histograms of int32 codes. Go twins: gpu/cpu/stats.go — keep in sync.
//
// Both outputs accumulate through atomics (integer sums and counts commute,
// so the result is exact and independent of the order): clear them first.
// Bindings: @binding(0) params, @binding(1) the output, @binding(2) the
// input. Grid: 1-D, spilling into y.

override wg_size: u32 = 64u;

// SUM_CHUNK is the number of consecutive elements of a row one invocation
// of sum_i32_wide adds before its atomic update (a partial sum of at most
// 256·2^31 = 2^39 in magnitude).
const SUM_CHUNK: u32 = 256u;

// SumParams is the uniform of sum_i32_wide.
struct SumParams {
    rows: u32,    // rows summed separately (1: the whole tensor)
    cols: u32,    // elements per row
    chunks: u32,  // ceil(cols / SUM_CHUNK)
}
@group(0) @binding(0) var<uniform> sum_p: SumParams;
@group(0) @binding(1) var<storage, read_write> sum_out: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> sum_in: array<i32>;

// sum_i32_wide: out[r] += Σ_j in[r·cols + j] for every row r, exactly, as
// I64 (lo, hi) words. Each invocation adds one chunk of a row in 64 bits
// and adds it to the row's (lo, hi) with two atomics: atomicAdd on lo
// returns the old lo, from which the carry out of bit 31 is known, and
// hi gets the chunk's hi plus that carry. Every chunk's carry is counted
// once, so the final words are the exact sum mod 2^64 (exact: |sum| <=
// 2^31·rows·cols < 2^63). Twin: cpu.SumI32Wide.
@compute @workgroup_size(wg_size)
fn sum_i32_wide(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = linear_index(gid, nwg, wg_size);
    if (c >= sum_p.rows * sum_p.chunks) { return; }
    let r = c / sum_p.chunks;
    let lo = (c % sum_p.chunks) * SUM_CHUNK;
    let hi = min(lo + SUM_CHUNK, sum_p.cols);
    var s = WIDE_ZERO;
    for (var j = lo; j < hi; j++) {
        s = wide_add(s, wide_from_i32(sum_in[r * sum_p.cols + j]));
    }
    let old = atomicAdd(&sum_out[2u * r], s.x);
    let carry = select(0u, 1u, old + s.x < old);
    atomicAdd(&sum_out[2u * r + 1u], s.y + carry);
}

// HistParams is the uniform of histogram_i32.
struct HistParams {
    n: u32,      // elements
    lo: i32,     // lowest code counted
    width: u32,  // hi - lo + 1 codes counted, >= 1
    bins: u32,   // bins, >= 1
}
@group(0) @binding(0) var<uniform> hist_p: HistParams;
@group(0) @binding(1) var<storage, read_write> hist_out: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> hist_in: array<i32>;

// histogram_i32: out[b] += #{i : lo <= x_i <= hi, floor((x_i - lo)·bins /
// width) = b}: bins of equal width over the codes [lo, hi], hi = lo +
// width - 1 (codes outside are not counted). The bin is exact: u = x - lo
// (as u32, < width exactly when x is in range) times bins is a 64-bit
// product divided by width, in 32 bits when the product fits. Twin:
// cpu.HistogramI32.
@compute @workgroup_size(wg_size)
fn histogram_i32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = linear_index(gid, nwg, wg_size);
    if (i >= hist_p.n) { return; }
    let u = bitcast<u32>(hist_in[i]) - bitcast<u32>(hist_p.lo);
    if (u >= hist_p.width) { return; }
    let prod = mul_u32_wide(u, hist_p.bins);
    var b: u32;
    if (prod.y == 0u) {
        b = prod.x / hist_p.width;
    } else {
        b = wide_divmod_u32(prod, hist_p.width).x;
    }
    atomicAdd(&hist_out[b], 1u);
}

// SumSqParams is the uniform of sumsq_i32_wide (the layout of SumParams).
struct SumSqParams {
    rows: u32,    // rows summed separately (1: the whole tensor)
    cols: u32,    // elements per row
    chunks: u32,  // ceil(cols / SUM_CHUNK)
}
@group(0) @binding(0) var<uniform> sq_p: SumSqParams;
@group(0) @binding(1) var<storage, read_write> sq_out: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> sq_in: array<i32>;
@group(0) @binding(3) var<storage, read_write> sq_err: array<atomic<u32>>;

// sumsq_i32_wide: out[r] += Σ_j in[r·cols + j]² for every row r, as an
// unsigned 64-bit (lo, hi) pair, exactly while the row's total stays below
// 2^64. Every addend is non-negative, so the total reaches 2^64 exactly
// when one of the additions (within a chunk or into the row's words)
// carries out of bit 63: that sets ERR_OVERFLOW, and the words hold the
// total mod 2^64 on every backend. Twin: cpu.SumSqI32Wide.
@compute @workgroup_size(wg_size)
fn sumsq_i32_wide(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = linear_index(gid, nwg, wg_size);
    if (c >= sq_p.rows * sq_p.chunks) { return; }
    let r = c / sq_p.chunks;
    let lo = (c % sq_p.chunks) * SUM_CHUNK;
    let hi = min(lo + SUM_CHUNK, sq_p.cols);
    var s = WIDE_ZERO;
    var ovf = false;
    for (var j = lo; j < hi; j++) {
        let v = sq_in[r * sq_p.cols + j];
        let t = wide_add(s, wide_mul_i32(v, v)); // v² >= 0 fits: |v| <= 2^31
        ovf = ovf || wide_lt_u(t, s);
        s = t;
    }
    let old = atomicAdd(&sq_out[2u * r], s.x);
    let carry = select(0u, 1u, old + s.x < old);
    let add = s.y + carry;
    let old_hi = atomicAdd(&sq_out[2u * r + 1u], add);
    if (ovf || add < s.y || old_hi + add < old_hi) {
        atomicOr(&sq_err[0], ERR_OVERFLOW);
    }
}
