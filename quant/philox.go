package quant

// Philox4x32-10 constants of Random123 (Salmon et al., SC'11): the round
// multipliers and the Weyl key increments.
const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9 // golden ratio
	philoxW1 = 0xBB67AE85 // sqrt(3) - 1
)

// Philox4x32 is Philox4x32-10 of Random123: ten rounds of
//
//	(hi0, lo0) = mulhilo32(M0, c0); (hi1, lo1) = mulhilo32(M1, c2)
//	c = {hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0}
//
// with the key bumped by (W0, W1) after each round. It uses 32-bit integer
// operations only (the high word of the 32x32 product is built from 16-bit
// halves), so the WGSL twin is a line-for-line copy.
func Philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	c0, c1, c2, c3 := ctr[0], ctr[1], ctr[2], ctr[3]
	k0, k1 := key[0], key[1]
	for range 10 {
		hi0, lo0 := mulhilo32(philoxM0, c0)
		hi1, lo1 := mulhilo32(philoxM1, c2)
		c0, c1, c2, c3 = hi1^c1^k0, lo1, hi0^c3^k1, lo0
		k0 += philoxW0 // the bump after the last round is unused
		k1 += philoxW1
	}
	return [4]uint32{c0, c1, c2, c3}
}

// mulhilo32 returns the high and low words of the 64-bit product a·b. The
// low word is the wrapping 32-bit product; the high word is built from
// 16-bit halves so that no intermediate exceeds 32 bits (WGSL has no
// 64-bit integers):
//
//	a·b = a1b1·2^32 + (a0b1 + a1b0)·2^16 + a0b0
func mulhilo32(a, b uint32) (hi, lo uint32) {
	a0, a1 := a&0xffff, a>>16
	b0, b1 := b&0xffff, b>>16
	p01, p10 := a0*b1, a1*b0
	mid := (a0*b0)>>16 + p01&0xffff + p10&0xffff // < 3·2^16
	return a1*b1 + p01>>16 + p10>>16 + mid>>16, a * b
}

// RNGKey identifies one stream of draws: value i of tensor Tensor at step
// Step under seed Seed (design.md "Randomness", method.md A3).
type RNGKey struct {
	Seed   uint64
	Step   uint32
	Tensor uint32
}

// Uint32 returns draw i: Philox4x32({i, Step, Tensor, 0}, {uint32(Seed),
// uint32(Seed>>32)})[0]. A draw depends on its key and index only, never on
// the order in which draws are taken.
func (k RNGKey) Uint32(i uint32) uint32 {
	return Philox4x32([4]uint32{i, k.Step, k.Tensor, 0}, [2]uint32{uint32(k.Seed), uint32(k.Seed >> 32)})[0]
}
