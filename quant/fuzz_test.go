package quant_test

import (
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/wageubn/wageubn/internal/golden"
	"github.com/wageubn/wageubn/quant"
)

// maxFuzzLen bounds the tensors a fuzz input decodes to.
const maxFuzzLen = 256

// decode reads little-endian float32s from data.
func decode(data []byte) []float32 {
	n := min(len(data)/4, maxFuzzLen)
	x := make([]float32, n)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return x
}

// encode is the inverse of decode, for seeds.
func encode(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// extremes are seed values at the edges of float32 and of rounding.
var extremes = []float32{0, float32(math.Copysign(0, -1)), 0.5, -0.5, 1.5, -2.5, 0.75, 1, -1,
	0.99999994, 1.4142135, 1.4142137, math.MaxFloat32, -math.MaxFloat32,
	math.SmallestNonzeroFloat32, 1.1754944e-38, 1e-30, 3e38, 65504, -127.5, 127.5, 255.5}

// addSeeds adds the extremes and the inputs of every golden case of fn
// (when the golden directory is present) for each width in ks.
func addSeeds(f *testing.F, fn string, ks ...int) {
	for _, k := range ks {
		f.Add(encode(extremes), int8(k))
		f.Add(encode([]float32{float32(math.NaN()), 1}), int8(k))
		f.Add(encode([]float32{1, float32(math.Inf(-1))}), int8(k))
	}
	dir, err := golden.Dir()
	if err != nil {
		return
	}
	cases, err := golden.Load(dir)
	if err != nil {
		return
	}
	for _, c := range cases {
		if c.Fn != fn {
			continue
		}
		for _, name := range []string{"k", "kdec", "k_dr", "kdr", "bits"} {
			if k, err := c.Int(name); err == nil {
				x := c.Input
				if c.Fn == "gbn_quant" || c.Fn == "gw_quant" {
					x = c.GradOut
				}
				f.Add(encode(x), int8(k))
				break
			}
		}
	}
}

// checkErr checks that err is nil, or the error the input calls for:
// ErrBitWidth when the width is out of range, else ErrNonFinite when x has
// NaN or Inf. It reports whether the result may be inspected.
func checkErr(t *testing.T, x []float32, widthOK bool, err error) bool {
	t.Helper()
	finite := true
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			finite = false
		}
	}
	switch {
	case !widthOK:
		if !errors.Is(err, quant.ErrBitWidth) {
			t.Fatalf("bad width: err %v, want ErrBitWidth", err)
		}
		return false
	case !finite:
		if !errors.Is(err, quant.ErrNonFinite) {
			t.Fatalf("non-finite input: err %v, want ErrNonFinite", err)
		}
		return false
	case err != nil:
		t.Fatalf("unexpected error %v", err)
	}
	return true
}

// checkCodesView checks that the float view equals code·2^Exp exactly
// wherever that value is zero or a normal float32 with a code of at most 24
// significant bits (Codes.Float rounds elsewhere, as documented), and that
// |code| <= lim when lim > 0.
func checkCodesView(t *testing.T, codes quant.Codes, view []float32, lim int64) {
	t.Helper()
	if len(view) != len(codes.Q) {
		t.Fatalf("view has %d values, codes %d", len(view), len(codes.Q))
	}
	for i, c := range codes.Q {
		if lim > 0 && (int64(c) > lim || int64(c) < -lim) {
			t.Fatalf("code[%d] = %d beyond ±%d", i, c, lim)
		}
		v := math.Ldexp(float64(c), codes.Exp)
		a := math.Abs(v)
		if v == 0 || (a >= 0x1p-126 && a <= math.MaxFloat32 && sig24(c)) {
			if float64(view[i]) != v {
				t.Fatalf("view[%d] = %g, code %d·2^%d = %g", i, view[i], c, codes.Exp, v)
			}
		}
	}
}

// sig24 reports whether c has at most 24 significant bits.
func sig24(c int32) bool {
	a := int64(c)
	if a < 0 {
		a = -a
	}
	for a != 0 && a%2 == 0 {
		a /= 2
	}
	return a < 1<<24
}

// sameView reports whether a and b are equal element-wise (-0 == +0).
func sameView(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func scaleOf(x []float32) int {
	s, ok, _ := quant.Scale(x)
	if !ok {
		return math.MinInt
	}
	return s
}

func FuzzDirect(f *testing.F) {
	addSeeds(f, "direct_quant", 1, 8, 16)
	f.Fuzz(func(t *testing.T, data []byte, k int8) {
		x := decode(data)
		codes, err := quant.Direct(x, int(k))
		view, verr := quant.DirectFloat(x, int(k))
		if (err == nil) != (verr == nil) {
			t.Fatalf("integer form err %v, float view err %v", err, verr)
		}
		if errors.Is(err, quant.ErrRange) {
			return // a code beyond int32: |x|·2^(k-1) >= 2^31
		}
		if !checkErr(t, x, k >= 1 && k <= 31, err) {
			return
		}
		checkCodesView(t, codes, view, 0)
		for i, v := range x { // |code·2^Exp - x| <= 2^Exp/2
			if d := math.Abs(math.Ldexp(float64(codes.Q[i]), codes.Exp) - float64(v)); d > math.Ldexp(0.5, codes.Exp) {
				t.Fatalf("x[%d] = %g: code %d off by %g", i, v, codes.Q[i], d)
			}
		}
		again, err := quant.DirectFloat(view, int(k))
		if err != nil || !sameView(again, view) {
			t.Fatalf("Q(Q(x)) != Q(x): %v (err %v)", again, err)
		}
	})
}

func FuzzAllDirect(f *testing.F) {
	addSeeds(f, "all_direct_quant", 8, 4, 12)
	f.Fuzz(func(t *testing.T, data []byte, k int8) {
		x := decode(data)
		kdec, kall := int(k)&31, int(k)>>3&31+1 // both widths from one byte, kall may be 32 > 31
		codes, err := quant.AllDirect(x, kdec, kall)
		if !checkErr(t, x, kdec >= 1 && kall <= 31, err) {
			return
		}
		view, err := quant.AllDirectFloat(x, kdec, kall)
		if err != nil {
			t.Fatal(err)
		}
		checkCodesView(t, codes, view, int64(1)<<(kall-1)-1)
		again, err := quant.AllDirectFloat(view, kdec, kall)
		if err != nil || !sameView(again, view) {
			t.Fatalf("re-quantizing changed the values: %v (err %v)", again, err)
		}
	})
}

func FuzzWeight(f *testing.F) {
	addSeeds(f, "weight_quant", 2, 8, 16)
	f.Fuzz(func(t *testing.T, data []byte, k int8) {
		x := decode(data)
		codes, err := quant.Weight(x, int(k))
		if !checkErr(t, x, k >= 1 && k <= 31, err) {
			return
		}
		view, err := quant.WeightFloat(x, int(k))
		if err != nil {
			t.Fatal(err)
		}
		checkCodesView(t, codes, view, int64(1)<<(k-1)-1)
		again, err := quant.WeightFloat(view, int(k))
		if err != nil || !sameView(again, view) {
			t.Fatalf("C_k(Q(C_k(Q(x)))) changed the values: %v (err %v)", again, err)
		}
	})
}

func FuzzShift(f *testing.F) {
	addSeeds(f, "shift_quant", 2, 3, 8, 12)
	f.Fuzz(func(t *testing.T, data []byte, k int8) {
		x := decode(data)
		codes, err := quant.Shift(x, int(k))
		if !checkErr(t, x, k >= 1 && k <= 31, err) {
			return
		}
		view, err := quant.ShiftFloat(x, int(k))
		if err != nil {
			t.Fatal(err)
		}
		checkCodesView(t, codes, view, int64(1)<<(k-1)-1)
		if s := scaleOf(x); s != math.MinInt && codes.Exp != s-(int(k)-1) {
			t.Fatalf("Exp = %d, want log2R-(k-1) = %d", codes.Exp, s-(int(k)-1))
		}
		// Idempotent where the scale survives quantization (and the view is exact).
		if scaleOf(view) == scaleOf(x) && codes.Exp+31 < 127 && codes.Exp > -126 {
			again, err := quant.ShiftFloat(view, int(k))
			if err != nil || !sameView(again, view) {
				t.Fatalf("re-quantizing changed the values: %v (err %v)", again, err)
			}
		}
	})
}

func FuzzError(f *testing.F) {
	addSeeds(f, "error_quant", 4, 8, 12, 16)
	f.Fuzz(func(t *testing.T, data []byte, k int8) {
		x := decode(data)
		codes, err := quant.Flag(x, int(k))
		if !checkErr(t, x, k >= 2 && k <= 16, err) {
			return
		}
		view, err := quant.FlagFloat(x, int(k))
		if err != nil {
			t.Fatal(err)
		}
		half := int64(1) << (k - 1)
		checkCodesView(t, codes, view, (half-1)*half)
		for i, c := range codes.Q { // integer-mode codes are multiples of 2^(k-1)
			if int64(c) > half && int64(c)%half != 0 || int64(c) < -half && int64(c)%half != 0 {
				t.Fatalf("code[%d] = %d: integer mode but not a multiple of %d", i, c, half)
			}
		}
		if scaleOf(view) == scaleOf(x) && codes.Exp+31 < 127 && codes.Exp > -126 {
			again, err := quant.FlagFloat(view, int(k))
			if err != nil || !sameView(again, view) {
				t.Fatalf("re-quantizing changed the values: %v (err %v)", again, err)
			}
		}
	})
}

func FuzzGradBN(f *testing.F) {
	addSeeds(f, "gbn_quant", 4, 15)
	f.Fuzz(func(t *testing.T, data []byte, k int8) {
		x := decode(data)
		codes, err := quant.GradBN(x, int(k))
		if errors.Is(err, quant.ErrRange) {
			return
		}
		if !checkErr(t, x, k >= 1 && k <= 31, err) {
			return
		}
		direct, err := quant.Direct(x, int(k))
		if err != nil || direct.Exp != codes.Exp {
			t.Fatalf("Direct: %v, exp %d vs %d", err, direct.Exp, codes.Exp)
		}
		for i := range codes.Q {
			if codes.Q[i] != direct.Q[i] {
				t.Fatalf("GradBN code %d != Direct code %d", codes.Q[i], direct.Q[i])
			}
		}
	})
}

// checkConst checks a constant-quantizer result: every code is floor(y) or
// floor(y)+1 clipped, y = dr·x/R computed exactly in float64.
func checkConst(t *testing.T, x []float32, kdr int, codes quant.Codes) {
	t.Helper()
	s, ok, _ := quant.Scale(x)
	lim := float64(int64(1)<<(kdr-1) - 1)
	for i, c := range codes.Q {
		if !ok {
			if c != 0 {
				t.Fatalf("zero guard: code %d", c)
			}
			continue
		}
		y := math.Ldexp(float64(x[i]), kdr-1-s)
		lo := math.Max(math.Min(math.Floor(y), lim), -lim)
		hi := math.Max(math.Min(math.Ceil(y), lim), -lim)
		if float64(c) != lo && float64(c) != hi {
			t.Fatalf("x[%d] = %g: y = %g, code %d not in {%g, %g}", i, x[i], y, c, lo, hi)
		}
	}
}

func FuzzConst(f *testing.F) {
	addSeeds(f, "const_quant", 8, 4, 6)
	f.Fuzz(func(t *testing.T, data []byte, k int8) {
		x := decode(data)
		kdr := int(k)
		key := quant.RNGKey{Seed: uint64(len(data)), Step: uint32(k)}
		codes, err := quant.Const(x, kdr, 8, key)
		if !checkErr(t, x, kdr >= 1 && kdr <= 31, err) {
			return
		}
		view, err := quant.ConstFloat(x, kdr, 8, key)
		if err != nil {
			t.Fatal(err)
		}
		checkCodesView(t, codes, view, int64(1)<<(kdr-1)-1)
		checkConst(t, x, kdr, codes)
		// ConstMag keeps R: its codes are Const's, and re-quantizing its
		// output (with any key) changes nothing where R survives.
		mag, err := quant.ConstMag(x, kdr, key)
		if err != nil {
			t.Fatal(err)
		}
		for i := range mag.Q {
			if mag.Q[i] != codes.Q[i] {
				t.Fatalf("ConstMag code %d, Const code %d", mag.Q[i], codes.Q[i])
			}
		}
		mview := mag.Float()
		if scaleOf(mview) == scaleOf(x) && mag.Exp+31 < 127 && mag.Exp > -126 {
			again, err := quant.ConstMagFloat(mview, kdr, quant.RNGKey{Seed: 99})
			if err != nil || !sameView(again, mview) {
				t.Fatalf("re-quantizing changed the values: %v (err %v)", again, err)
			}
		}
	})
}

// fuzzTQT checks a TQT quantizer forward and backward pass.
func fuzzTQT(t *testing.T, data []byte, b int8, signed bool) {
	x := decode(data)
	bits := int(b) & 63
	log2t := float64(int(b)>>6) + 0.3 // -1.7 .. 1.3
	if len(x) > 0 && !math.IsNaN(float64(x[0])) && !math.IsInf(float64(x[0]), 0) {
		log2t = float64(x[0]) // the first element doubles as the threshold
	}
	fwd, view, bwd := quant.QSigned, quant.QSignedFloat, quant.QSignedBackward
	if !signed {
		fwd, view, bwd = quant.QUnsigned, quant.QUnsignedFloat, quant.QUnsignedBackward
	}
	codes, err := fwd(x, log2t, bits)
	if errors.Is(err, quant.ErrRange) && math.Abs(log2t) > 256 {
		return
	}
	if !checkErr(t, x, bits >= 1 && bits <= 31, err) {
		return
	}
	n, p := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
	if !signed {
		n, p = 0, int64(1)<<bits-1
	}
	v, err := view(x, log2t, bits)
	if err != nil {
		t.Fatal(err)
	}
	checkCodesView(t, codes, v, 0)
	for i, c := range codes.Q {
		if int64(c) < n || int64(c) > p {
			t.Fatalf("code[%d] = %d outside [%d, %d]", i, c, n, p)
		}
	}
	exact := codes.Exp+31 < 127 && codes.Exp > -126
	if exact {
		again, err := view(v, log2t, bits)
		if err != nil || !sameView(again, v) {
			t.Fatalf("re-quantizing changed the values: %v (err %v)", again, err)
		}
	}
	ones := make([]float32, len(x))
	for i := range ones {
		ones[i] = 1
	}
	gradIn, g, err := bwd(x, ones, log2t, bits)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x { // in range <=> gradient passes
		r := math.RoundToEven(math.Ldexp(float64(x[i]), -codes.Exp))
		in := r >= float64(n) && r <= float64(p)
		if in != (gradIn[i] == 1) || (!in && gradIn[i] != 0) {
			t.Fatalf("x[%d] = %g: r = %g, in range %v, gradIn %g", i, x[i], r, in, gradIn[i])
		}
	}
	if math.IsNaN(g) {
		t.Fatalf("gradLog2t is NaN")
	}
}

func FuzzQSigned(f *testing.F) {
	addSeeds(f, "qsigned", 4, 8)
	f.Fuzz(func(t *testing.T, data []byte, bits int8) { fuzzTQT(t, data, bits, true) })
}

func FuzzQUnsigned(f *testing.F) {
	addSeeds(f, "qunsigned", 4, 8)
	f.Fuzz(func(t *testing.T, data []byte, bits int8) { fuzzTQT(t, data, bits, false) })
}

// FuzzRoundShr compares RoundShr with math/big.
func FuzzRoundShr(f *testing.F) {
	for _, v := range []int64{5, 7, -5, -7, 0, 1, -1, math.MaxInt64, math.MinInt64} {
		for _, s := range []uint8{0, 1, 2, 31, 32, 62, 63, 64, 200} {
			f.Add(v, s)
		}
	}
	f.Fuzz(func(t *testing.T, v int64, s uint8) {
		if got, want := quant.RoundShr(v, uint(s)), roundShrRef(v, uint(s)); got != want {
			t.Fatalf("RoundShr(%d, %d) = %d, want %d", v, s, got, want)
		}
	})
}

// FuzzStochasticShr checks StochasticShr against its definition with
// math/big: floor(v/2^s) + [u < floor(frac·2^32)] (for s <= 32 the floor
// is exact).
func FuzzStochasticShr(f *testing.F) {
	for _, v := range []int64{5, -5, 0, -1, math.MaxInt64, math.MinInt64} {
		for _, s := range []uint8{0, 1, 24, 32, 33, 63, 64, 100} {
			f.Add(v, s, uint32(0x80000000))
		}
	}
	f.Fuzz(func(t *testing.T, v int64, s uint8, u uint32) {
		got := quant.StochasticShr(v, uint(s), u)
		if s == 0 {
			if got != v {
				t.Fatalf("s = 0: got %d, want %d", got, v)
			}
			return
		}
		pow := new(big.Int).Lsh(big.NewInt(1), uint(s))
		fl, rem := new(big.Int).DivMod(big.NewInt(v), pow, new(big.Int)) // Euclidean: rem >= 0
		top := new(big.Int).Rsh(new(big.Int).Lsh(rem, 32), uint(s))      // floor(frac·2^32)
		want := fl.Int64()
		if new(big.Int).SetUint64(uint64(u)).Cmp(top) < 0 {
			want++
		}
		if got != want {
			t.Fatalf("StochasticShr(%d, %d, %#x) = %d, want %d", v, s, u, got, want)
		}
	})
}

// FuzzLog2Round checks Log2Round against math/big: 2^(r-1/2) < m < 2^(r+1/2).
func FuzzLog2Round(f *testing.F) {
	for _, m := range []uint64{1, 2, 3, 181, 182, 1<<63 + 1, math.MaxUint64} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, m uint64) {
		if m == 0 {
			return
		}
		r := quant.Log2Round(m)
		m2 := new(big.Int).Mul(new(big.Int).SetUint64(m), new(big.Int).SetUint64(m))
		lo := new(big.Int).Lsh(big.NewInt(1), uint(max(2*r-1, 0))) // 2^(2r-1)
		hi := new(big.Int).Lsh(big.NewInt(1), uint(2*r+1))
		if (r > 0 && m2.Cmp(lo) <= 0) || m2.Cmp(hi) >= 0 {
			t.Fatalf("Log2Round(%d) = %d: m² outside (2^%d, 2^%d)", m, r, 2*r-1, 2*r+1)
		}
	})
}
