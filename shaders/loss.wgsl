// loss.wgsl: softmax cross-entropy on the logits, in float32 (method.md A2:
// the loss is one of the places float32 appears; docs/dataflow.md Forward
// 6, Backward 1), and the exact count of correct predictions.
// Go twins: gpu/cpu/loss.go — keep in sync.
//
// The logits are [n, k] (n samples, k classes), I32 codes with exponent exp
// (value = code·2^exp) or F32 (is_i32 = 0); labels are U32 [n]. A label >=
// k marks a sample to ignore: loss 0, gradient row 0, never correct.
// Bindings: @binding(0) params, outputs, then logits and labels. One
// invocation per sample. Grid: 1-D, spilling into y.

override wg_size: u32 = 64u;

// XentParams is the uniform of softmax_xent_f32 and xent_correct.
struct XentParams {
    n: u32,       // samples (the batch size N of the mean)
    k: u32,       // classes
    is_i32: u32,  // 1: logits are I32 codes with exponent exp; 0: F32
    exp: i32,     // exponent of I32 logits
}
@group(0) @binding(0) var<uniform> xent_p: XentParams;

@group(0) @binding(1) var<storage, read_write> xent_loss: array<f32>;
@group(0) @binding(2) var<storage, read_write> xent_grad: array<f32>;
@group(0) @binding(3) var<storage, read> xent_logits: array<u32>;
@group(0) @binding(4) var<storage, read> xent_labels: array<u32>;

// xent_value returns logit i as f32: ldexp(f32(code), exp) or the F32 bits.
fn xent_value(i: u32) -> f32 {
    let w = xent_logits[i];
    if (xent_p.is_i32 != 0u) {
        return ldexp(f32(bitcast<i32>(w)), xent_p.exp);
    }
    return bitcast<f32>(w);
}

// softmax_xent_f32: for every sample s with x = its logits and label y,
//
//	loss[s]    = log Σ_j exp(x_j - max x) - (x_y - max x)
//	grad[s, j] = (exp(x_j - max x)/Σ - [j == y]) / n
//
// in float32 (the gradient of the mean loss over the n samples). Compare
// with a tolerance (exp and log differ in the last bits between
// backends). Twin: cpu.SoftmaxXentF32.
@compute @workgroup_size(wg_size)
fn softmax_xent_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let s = linear_index(gid, nwg, wg_size);
    let k = xent_p.k;
    if (s >= xent_p.n || k == 0u) { return; }
    let base = s * k;
    let y = xent_labels[s];
    if (y >= k) {
        xent_loss[s] = 0.0;
        for (var j = 0u; j < k; j++) {
            xent_grad[base + j] = 0.0;
        }
        return;
    }
    var mx = xent_value(base);
    for (var j = 1u; j < k; j++) {
        mx = max(mx, xent_value(base + j));
    }
    var sum = 0.0;
    for (var j = 0u; j < k; j++) {
        sum = sum + exp(xent_value(base + j) - mx);
    }
    xent_loss[s] = log(sum) - (xent_value(base + y) - mx);
    let inv_n = 1.0 / f32(xent_p.n);
    for (var j = 0u; j < k; j++) {
        let sm = exp(xent_value(base + j) - mx) / sum;
        xent_grad[base + j] = (sm - select(0.0, 1.0, j == y)) * inv_n;
    }
}

@group(0) @binding(1) var<storage, read_write> xc_pred: array<i32>;
@group(0) @binding(2) var<storage, read_write> xc_correct: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> xc_logits: array<u32>;
@group(0) @binding(4) var<storage, read> xc_labels: array<u32>;

// xc_greater reports logit a > logit b: on the I32 codes (exact), or on the
// F32 values (comparisons are exact too; NaN is never greater).
fn xc_greater(a: u32, b: u32) -> bool {
    if (xent_p.is_i32 != 0u) {
        return bitcast<i32>(a) > bitcast<i32>(b);
    }
    return bitcast<f32>(a) > bitcast<f32>(b);
}

// xent_correct: pred[s] = argmax_j x_j (ties to the lowest index), and
// correct[0] += the number of samples with pred == label (atomic, so the
// count accumulates: clear it first). Exact. Twin: cpu.XentCorrect.
@compute @workgroup_size(wg_size)
fn xent_correct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let s = linear_index(gid, nwg, wg_size);
    let k = xent_p.k;
    if (s >= xent_p.n || k == 0u) { return; }
    let base = s * k;
    var best = xc_logits[base];
    var arg = 0u;
    for (var j = 1u; j < k; j++) {
        let v = xc_logits[base + j];
        if (xc_greater(v, best)) {
            best = v;
            arg = j;
        }
    }
    xc_pred[s] = i32(arg);
    if (arg == xc_labels[s]) {
        atomicAdd(&xc_correct[0], 1u);
    }
}
