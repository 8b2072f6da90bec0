package quant_test

import (
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// TestPhilox4x32KAT checks the Random123 known-answer vectors of
// Philox4x32-10 (Random123 tests/kat_vectors, "philox4x32 10" lines).
func TestPhilox4x32KAT(t *testing.T) {
	tests := []struct {
		name string
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{"zero", [4]uint32{0, 0, 0, 0}, [2]uint32{0, 0},
			[4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{"ones", [4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{"pi", [4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	}
	for _, tt := range tests {
		if got := quant.Philox4x32(tt.ctr, tt.key); got != tt.want {
			t.Errorf("%s: Philox4x32(%#x, %#x) = %#x, want %#x", tt.name, tt.ctr, tt.key, got, tt.want)
		}
	}
}

// TestRNGKeyUint32 checks the documented counter/key layout and that a draw
// depends on its key and index only, whatever the order of the calls.
func TestRNGKeyUint32(t *testing.T) {
	k := quant.RNGKey{Seed: 0xa4093822_299f31d0, Step: 0x85a308d3, Tensor: 0x13198a2e}
	ctr := [4]uint32{0x243f6a88, k.Step, k.Tensor, 0}
	want := quant.Philox4x32(ctr, [2]uint32{0x299f31d0, 0xa4093822})[0]
	if got := k.Uint32(0x243f6a88); got != want {
		t.Errorf("Uint32 = %#x, want Philox4x32 word 0 = %#x", got, want)
	}

	const n = 1000
	forward := make([]uint32, n)
	for i := range forward {
		forward[i] = k.Uint32(uint32(i))
	}
	other := quant.RNGKey{Seed: 1, Step: 2, Tensor: 3}
	r := rand.New(rand.NewPCG(1, 2))
	for _, i := range r.Perm(n) {
		other.Uint32(uint32(i)) // interleave draws of another stream
		if got := k.Uint32(uint32(i)); got != forward[i] {
			t.Fatalf("draw %d: %#x in shuffled order, %#x in order", i, got, forward[i])
		}
	}
	// Neighbouring keys give different streams.
	for _, k2 := range []quant.RNGKey{{Seed: k.Seed + 1, Step: k.Step, Tensor: k.Tensor},
		{Seed: k.Seed + 1<<32, Step: k.Step, Tensor: k.Tensor},
		{Seed: k.Seed, Step: k.Step + 1, Tensor: k.Tensor},
		{Seed: k.Seed, Step: k.Step, Tensor: k.Tensor + 1}} {
		same := 0
		for i := range n {
			if k2.Uint32(uint32(i)) == forward[i] {
				same++
			}
		}
		if same > 1 {
			t.Errorf("key %+v repeats %d of %d draws of %+v", k2, same, n, k)
		}
	}
}

// TestRNGUniform checks that the draws look uniform: the mean of u/2^32
// over 2^16 draws is 1/2 within 6 standard errors, and each of the 16
// top-nibble buckets holds 1/16 of them within 6 standard deviations.
func TestRNGUniform(t *testing.T) {
	const n = 1 << 16
	k := quant.RNGKey{Seed: 42}
	var sum float64
	var buckets [16]int
	for i := range n {
		u := k.Uint32(uint32(i))
		sum += float64(u) / (1 << 32)
		buckets[u>>28]++
	}
	if m := sum / n; m < 0.5-6*0.2887/256 || m > 0.5+6*0.2887/256 {
		t.Errorf("mean %g, want 0.5 ± %g", m, 6*0.2887/256)
	}
	for b, c := range buckets {
		if c < n/16-6*62 || c > n/16+6*62 { // sd = sqrt(n·(1/16)·(15/16)) ≈ 62
			t.Errorf("bucket %d holds %d draws, want %d ± %d", b, c, n/16, 6*62)
		}
	}
}
