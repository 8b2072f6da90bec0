// lib_philox.wgsl: the counter-based random number generator of stochastic
// rounding (method.md A3), Philox4x32-10 of Random123 (Salmon et al., SC'11).
// Spliced ahead of every family file (see package shaders): functions and
// constants only. Twins: quant.Philox4x32 and quant.RNGKey.Uint32, which are
// written line for line like this file — keep in sync. 32-bit integer
// operations only.

const PHILOX_M0: u32 = 0xD2511F53u;  // round multipliers
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;  // Weyl key increments (golden ratio)
const PHILOX_W1: u32 = 0xBB67AE85u;  // sqrt(3) - 1

// philox_mulhilo returns (hi, lo) of the 64-bit product a·b, the high word
// built from 16-bit halves (a·b = a1b1·2^32 + (a0b1 + a1b0)·2^16 + a0b0) so
// that no intermediate exceeds 32 bits: quant's mulhilo32.
fn philox_mulhilo(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xFFFFu;
    let a1 = a >> 16u;
    let b0 = b & 0xFFFFu;
    let b1 = b >> 16u;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let mid = ((a0 * b0) >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu); // < 3·2^16
    return vec2<u32>(a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u), a * b);
}

// philox4x32_10 is Philox4x32-10: ten rounds of
//   (hi0, lo0) = mulhilo(M0, c0); (hi1, lo1) = mulhilo(M1, c2)
//   c = {hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0}
// with the key bumped by (W0, W1) after each round. Twin: quant.Philox4x32.
fn philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = ctr;
    var k = key;
    for (var rnd = 0u; rnd < 10u; rnd++) {
        let p0 = philox_mulhilo(PHILOX_M0, c.x);
        let p1 = philox_mulhilo(PHILOX_M1, c.z);
        c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
        k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
    }
    return c;
}

// philox_rng_u32 returns draw `index` of the stream (seed, step, tensor): word 0 of
// Philox4x32-10({index, step, tensor, 0}, {seed_lo, seed_hi}). Twin:
// quant.RNGKey{Seed: seed_lo | seed_hi<<32, Step: step, Tensor: tensor}.Uint32(index).
fn philox_rng_u32(seed_lo: u32, seed_hi: u32, step: u32, tensor: u32, index: u32) -> u32 {
    return philox4x32_10(vec4<u32>(index, step, tensor, 0u), vec2<u32>(seed_lo, seed_hi)).x;
}
