package i8gemm

// The portable kernel works on two kinds of SWAR word at once (doc.go, "SWAR"):
//
//   - int64 words with three 21-bit two's-complement lanes at bits 0, 21, 42
//     (the top lane has 22 bits), multiplied by IMULQ;
//   - float64 words with two lanes, b0 + b1·2^26, multiplied by MULSD, which
//     runs on the floating-point units beside the integer multiplier.
//
// Both are exact: see doc.go for the bounds.
const (
	laneBits  = 21 // int64 lane spacing
	laneMask  = 1<<laneBits - 1
	laneLo    = -(1<<(laneBits-1) - 1) // lowest value a lane decodes to: -1048575
	fLaneBits = 26                     // float64 lane spacing
	fLane     = 1 << 26                // 2^fLaneBits as a float64 factor
)

// Micro-tile: mr rows of A times nr int64 words (3·nr columns) plus nf
// float64 words (2·nf columns) of B.
const (
	mr = 4
	nr = 4
	nf = 2
	nc = 3*nr + 2*nf // 16 columns
)

// aStep is one K step of a packed A strip: its mr values, as int64 and as float64.
type aStep struct {
	i [mr]int64
	f [mr]float64
}

// bStep is one K step of a packed B panel: 3·nr columns in int64 words and
// 2·nf columns in float64 words.
type bStep struct {
	i [nr]int64
	f [nf]float64
}

// tile is one mr×nc block of partial sums, held as int64.
type tile [mr][nc]int64

// kernel adds the mr×nc product of a packed A strip and a packed B panel
// (len(ap) >= len(bp) steps, at most kc of them, so that the float64 lanes
// stay within their bound) to t:
//
//	t[r][n] += Σ_k A(k, r) · B(k, n).
//
// It runs dot on at most flush steps at a time and decodes the int64 word
// sums after each run, before any 21-bit lane can leave its range; the
// float64 sums are decoded once at the end.
func kernel(ap []aStep, bp []bStep, t *tile) {
	var f [mr * nf]float64
	for len(bp) > 0 {
		steps := min(flush, len(bp))
		var w [mr * nr]int64
		dot(ap[:steps], bp[:steps], &w, &f)
		ap, bp = ap[steps:], bp[steps:]
		for i, x := range w {
			// x ≡ s0 + s1·2^21 + s2·2^42 (mod 2^64) with s0, s1 in
			// [laneLo, laneLo+2^21): peel the lanes off from the bottom
			// (doc.go, "SWAR").
			s0 := (x-laneLo)&laneMask + laneLo
			x = (x - s0) >> laneBits
			s1 := (x-laneLo)&laneMask + laneLo
			s2 := (x - s1) >> laneBits
			r, j := i/nr, i%nr
			t[r][3*j] += s0
			t[r][3*j+1] += s1
			t[r][3*j+2] += s2
		}
	}
	for i, v := range f {
		// v = s0 + s1·2^26 exactly, an integer below 2^53 in magnitude.
		x := int64(v)
		s0 := x << (64 - fLaneBits) >> (64 - fLaneBits)
		s1 := (x - s0) >> fLaneBits
		r, j := i/nf, i%nf
		t[r][3*nr+2*j] += s0
		t[r][3*nr+2*j+1] += s1
	}
}

// dot does, for k < len(b) <= len(a), in wrapping int64 and exact float64
// arithmetic:
//
//	w[r*nr+j] += a[k].i[r] · b[k].i[j]   (the 4×4 int64 word outer product)
//	f[r*nf+j] += a[k].f[r] · b[k].f[j]   (the 4×2 float64 word outer product)
//
// 48 + 16 = 64 int8 MACs per step. The int64 sums stay in memory on purpose:
// with 16 register accumulators the Go register allocator spills inside the
// loop, while add-to-memory keeps it at 16 IMULQ and 16 ADDQ-to-memory per
// step. The float64 sums live in registers (8 of the 15 free XMM registers).
//
//go:noinline
func dot(a []aStep, b []bStep, w *[mr * nr]int64, f *[mr * nf]float64) {
	a = a[:len(b)]
	f00, f01, f10, f11, f20, f21, f30, f31 := f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]
	for k := range b {
		b0, b1, b2, b3 := b[k].i[0], b[k].i[1], b[k].i[2], b[k].i[3]
		a0 := a[k].i[0]
		w[0] += a0 * b0
		w[1] += a0 * b1
		w[2] += a0 * b2
		w[3] += a0 * b3
		a1 := a[k].i[1]
		w[4] += a1 * b0
		w[5] += a1 * b1
		w[6] += a1 * b2
		w[7] += a1 * b3
		a2 := a[k].i[2]
		w[8] += a2 * b0
		w[9] += a2 * b1
		w[10] += a2 * b2
		w[11] += a2 * b3
		a3 := a[k].i[3]
		w[12] += a3 * b0
		w[13] += a3 * b1
		w[14] += a3 * b2
		w[15] += a3 * b3
		x0, x1 := b[k].f[0], b[k].f[1]
		y0 := a[k].f[0]
		f00 += y0 * x0
		f01 += y0 * x1
		y1 := a[k].f[1]
		f10 += y1 * x0
		f11 += y1 * x1
		y2 := a[k].f[2]
		f20 += y2 * x0
		f21 += y2 * x1
		y3 := a[k].f[3]
		f30 += y3 * x0
		f31 += y3 * x1
	}
	f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7] = f00, f01, f10, f11, f20, f21, f30, f31
}
