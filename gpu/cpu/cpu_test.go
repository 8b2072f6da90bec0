package cpu

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestWGSLSemantics checks the helpers against the WGSL spec's integer
// rules: shift counts mod 32, x/0 = x, x%0 = 0, two's complement wrap.
func TestWGSLSemantics(t *testing.T) {
	if got := Shl(1, 33); got != 2 { // 33 mod 32 = 1
		t.Errorf("Shl(1, 33) = %d, want 2", got)
	}
	if got := Shl(0x40000000, 1); got != math.MinInt32 { // wraps into the sign bit
		t.Errorf("Shl(2^30, 1) = %d, want MinInt32", got)
	}
	if got := Shr(-8, 34); got != -2 { // arithmetic, 34 mod 32 = 2
		t.Errorf("Shr(-8, 34) = %d, want -2", got)
	}
	for _, c := range []struct{ x, y, div, rem int32 }{
		{7, 0, 7, 0}, {-7, 2, -3, -1}, {7, -2, -3, 1}, {math.MinInt32, -1, math.MinInt32, 0},
	} {
		if d, r := DivI32(c.x, c.y), RemI32(c.x, c.y); d != c.div || r != c.rem {
			t.Errorf("%d / %d = %d rem %d, want %d rem %d", c.x, c.y, d, r, c.div, c.rem)
		}
	}
	if AbsU32(math.MinInt32) != 1<<31 || AbsU32(-5) != 5 || AbsU32(math.MaxInt32) != math.MaxInt32 {
		t.Error("AbsU32 wrong at the extremes")
	}
	if ClampI8(-129) != -128 || ClampI8(128) != 127 || ByteI8(-1) != 0xFF || ByteI8(200) != 0x7F {
		t.Error("ClampI8/ByteI8 wrong at the edges")
	}
}

// TestDot4I8Packed checks dot4I8Packed on words worked out by hand.
func TestDot4I8Packed(t *testing.T) {
	for _, c := range []struct {
		a, b uint32
		want int32
	}{
		{0x04030201, 0x01010101, 10},             // 1+2+3+4
		{0x80808080, 0x80808080, 4 * 16384},      // four (-128)^2
		{0x7F7F7F7F, 0x80808080, -4 * 127 * 128}, // 127·(-128) four times
		{0x000000FF, 0x00000002, -2},             // lane 0: -1·2
	} {
		if got := Dot4I8Packed(c.a, c.b); got != c.want {
			t.Errorf("Dot4I8Packed(%#x, %#x) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	for l, want := range []int32{1, -1, 127, -128} {
		if got := SignExtendI8(0x807FFF01, uint32(l)); got != want {
			t.Errorf("SignExtendI8(0x807FFF01, %d) = %d, want %d", l, got, want)
		}
	}
}

// TestPackI8 checks packing and the transpose on words worked out by hand.
func TestPackI8(t *testing.T) {
	// in [2, 5]: row 0 = 1 -1 127 -128 5, row 1 = 300 0 0 0 -300 (saturate)
	in := []int32{1, -1, 127, -128, 5, 300, 0, 0, 0, -300}
	words := make([]uint32, len(in))
	for i, v := range in {
		words[i] = uint32(v)
	}
	out := make([]uint32, 4)
	PackI8(PackParams{Rows: 2, K: 5, KW: 2}, out, words)
	if want := []uint32{0x807FFF01, 0x05, 0x7F, 0x80}; !reflect.DeepEqual(out, want) {
		t.Errorf("PackI8 = %#x, want %#x", out, want)
	}
	// The same matrix transposed ([5, 2]) packs to the same words.
	tw := make([]uint32, len(in))
	for r := range 2 {
		for k := range 5 {
			tw[k*2+r] = words[r*5+k]
		}
	}
	outT := make([]uint32, 4)
	PackI8T(PackParams{Rows: 2, K: 5, KW: 2}, outT, tw)
	if !reflect.DeepEqual(outT, out) {
		t.Errorf("PackI8T = %#x, want %#x", outT, out)
	}
}

// TestGemmI8NTNaive compares the blocked twin with a textbook int64 loop
// over sizes that are not multiples of the 4x4 block.
func TestGemmI8NTNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 4, 4}, {9, 6, 33}, {17, 13, 100}, {64, 65, 127}, {5, 3, 70001}} { // 70001 > one SWAR chunk
		m, n, k := s[0], s[1], s[2]
		kw := (k + 3) / 4
		a8, b8 := make([]int8, m*k), make([]int8, n*k)
		for i := range a8 {
			a8[i] = int8(rng.IntN(256) - 128)
		}
		for i := range b8 {
			b8[i] = int8(rng.IntN(256) - 128)
		}
		pack := func(v []int8, rows int) []uint32 {
			w := make([]uint32, rows*kw)
			for r := range rows {
				for j := range k {
					w[r*kw+j/4] |= uint32(uint8(v[r*k+j])) << (8 * (j % 4))
				}
			}
			return w
		}
		c := make([]uint32, m*n)
		GemmI8NT(GemmParams{M: uint32(m), N: uint32(n), KW: uint32(kw)}, c, pack(a8, m), pack(b8, n))
		for i := range m {
			for j := range n {
				var want int64
				for l := range k {
					want += int64(a8[i*k+l]) * int64(b8[j*k+l])
				}
				if int32(c[i*n+j]) != int32(want) {
					t.Fatalf("m=%d n=%d k=%d: C[%d,%d] = %d, want %d", m, n, k, i, j, int32(c[i*n+j]), want)
				}
			}
		}
	}
}

// TestAddI32 checks the residual add with alignment and WGSL wrap-around.
func TestAddI32(t *testing.T) {
	a := []uint32{1, uint32(math.MaxInt32 - 0), 5}
	b := []uint32{1, 1, uint32(0xFFFFFFFF)} // 1, 1, -1
	out, errWord := make([]uint32, 3), []uint32{0}
	AddI32(AddParams{N: 3, ShiftA: 0, ShiftB: 2}, out, a, b, errWord)
	want := []int32{1 + 4, math.MinInt32 + 3, 5 - 4} // MaxInt32 + 4 wraps
	for i := range want {
		if int32(out[i]) != want[i] {
			t.Errorf("AddI32[%d] = %d, want %d", i, int32(out[i]), want[i])
		}
	}
	if errWord[0] != ErrOverflow {
		t.Errorf("error word %#x after MaxInt32 + 4, want ErrOverflow", errWord[0])
	}
	// Without the wrapping element no flag is raised; a lossy shift raises it.
	errWord[0] = 0
	AddI32(AddParams{N: 1, ShiftA: 0, ShiftB: 2}, out, a, b, errWord)
	if errWord[0] != 0 {
		t.Errorf("error word %#x after 1 + 4, want 0", errWord[0])
	}
	AddI32(AddParams{N: 1, ShiftA: 31, ShiftB: 0}, out, a, b, errWord) // 1 << 31 changes sign
	if errWord[0] != ErrOverflow {
		t.Errorf("error word %#x after 1 << 31, want ErrOverflow", errWord[0])
	}
}

// TestMaxAbsI32 checks the accumulating max and |MinInt32| = 2^31.
func TestMaxAbsI32(t *testing.T) {
	out := []uint32{3}
	MaxAbsI32(MaxAbsParams{N: 2}, out, []uint32{uint32(0xFFFFFFFE), 1, uint32(math.MaxUint32)}) // -2, 1 (third element ignored)
	if out[0] != 3 {
		t.Errorf("max(3, |-2|, |1|) = %d, want 3", out[0])
	}
	MaxAbsI32(MaxAbsParams{N: 1}, out, []uint32{1 << 31})
	if out[0] != 1<<31 {
		t.Errorf("|MinInt32| = %d, want 2^31", out[0])
	}
}
