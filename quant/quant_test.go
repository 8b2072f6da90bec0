package quant_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

var key0 = quant.RNGKey{Seed: 1, Step: 2, Tensor: 3}

// quantizer is one integer form under a common signature, for the
// table-driven property and validation tests.
type quantizer struct {
	name string
	run  func(x []float32) (quant.Codes, error)
	view func(x []float32) ([]float32, error)
	lim  int64 // largest |code|; 0: unbounded (Direct)
	zero bool  // has the zero guard (divides by R)
}

func quantizers() []quantizer {
	return []quantizer{
		{"Direct/k=8", func(x []float32) (quant.Codes, error) { return quant.Direct(x, 8) },
			func(x []float32) ([]float32, error) { return quant.DirectFloat(x, 8) }, 0, false},
		{"GradBN/k=15", func(x []float32) (quant.Codes, error) { return quant.GradBN(x, 15) },
			func(x []float32) ([]float32, error) { return quant.GradBNFloat(x, 15) }, 0, false},
		{"AllDirect/kdec=8/kall=12", func(x []float32) (quant.Codes, error) { return quant.AllDirect(x, 8, 12) },
			func(x []float32) ([]float32, error) { return quant.AllDirectFloat(x, 8, 12) }, 2047, false},
		{"Weight/k=8", func(x []float32) (quant.Codes, error) { return quant.Weight(x, 8) },
			func(x []float32) ([]float32, error) { return quant.WeightFloat(x, 8) }, 127, false},
		{"Shift/k=8", func(x []float32) (quant.Codes, error) { return quant.Shift(x, 8) },
			func(x []float32) ([]float32, error) { return quant.ShiftFloat(x, 8) }, 127, true},
		{"Flag/k=8", func(x []float32) (quant.Codes, error) { return quant.Flag(x, 8) },
			func(x []float32) ([]float32, error) { return quant.FlagFloat(x, 8) }, 127 * 128, true},
		{"Flag/k=16", func(x []float32) (quant.Codes, error) { return quant.Flag(x, 16) },
			func(x []float32) ([]float32, error) { return quant.FlagFloat(x, 16) }, 32767 * 32768, true},
		{"Const/kdr=8/k=8", func(x []float32) (quant.Codes, error) { return quant.Const(x, 8, 8, key0) },
			func(x []float32) ([]float32, error) { return quant.ConstFloat(x, 8, 8, key0) }, 127, true},
		{"GradWeight/kgw=15/kdr=8", func(x []float32) (quant.Codes, error) { return quant.GradWeight(x, 15, 8, key0) },
			func(x []float32) ([]float32, error) { return quant.GradWeightFloat(x, 15, 8, key0) }, 127, true},
		{"ConstMag/k=8", func(x []float32) (quant.Codes, error) { return quant.ConstMag(x, 8, key0) },
			func(x []float32) ([]float32, error) { return quant.ConstMagFloat(x, 8, key0) }, 127, true},
		{"QSigned/bits=8", func(x []float32) (quant.Codes, error) { return quant.QSigned(x, 0.3, 8) },
			func(x []float32) ([]float32, error) { return quant.QSignedFloat(x, 0.3, 8) }, 128, false},
		{"QUnsigned/bits=8", func(x []float32) (quant.Codes, error) { return quant.QUnsigned(x, 0.3, 8) },
			func(x []float32) ([]float32, error) { return quant.QUnsignedFloat(x, 0.3, 8) }, 255, false},
	}
}

// randomInput returns n values with random signs and magnitudes over a
// wide range of exponents, plus exact ties and zeros.
func randomInput(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch r.IntN(8) {
		case 0:
			x[i] = 0
		case 1:
			x[i] = float32(r.IntN(4001)-2000) / 256 // exact ties at several widths
		default:
			x[i] = float32(math.Ldexp(r.NormFloat64(), r.IntN(24)-16))
		}
	}
	return x
}

// TestFloatViewIsCodes checks, for every quantizer, that the float view is
// code·2^Exp exactly and that codes stay within the clip range.
func TestFloatViewIsCodes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, q := range quantizers() {
		t.Run(q.name, func(t *testing.T) {
			for range 50 {
				x := randomInput(r, 1+r.IntN(200))
				codes, err := q.run(x)
				if err != nil {
					t.Fatal(err)
				}
				view, err := q.view(x)
				if err != nil {
					t.Fatal(err)
				}
				for i, c := range codes.Q {
					if want := math.Ldexp(float64(c), codes.Exp); float64(view[i]) != want {
						t.Fatalf("x[%d] = %g: view %g, code %d·2^%d = %g", i, x[i], view[i], c, codes.Exp, want)
					}
					if q.lim != 0 && (int64(c) > q.lim || int64(c) < -q.lim) {
						t.Fatalf("x[%d] = %g: code %d beyond ±%d", i, x[i], c, q.lim)
					}
				}
			}
		})
	}
}

// TestZeroGuard checks method.md A4: an all-zero (or empty) input gives
// zeros, never NaN, for every quantizer.
func TestZeroGuard(t *testing.T) {
	for _, q := range quantizers() {
		for _, x := range [][]float32{{0, float32(math.Copysign(0, -1)), 0}, {}} {
			got, err := q.view(x)
			if err != nil {
				t.Fatalf("%s(%v): %v", q.name, x, err)
			}
			if len(got) != len(x) {
				t.Fatalf("%s(%v): %d values", q.name, x, len(got))
			}
			for i, v := range got {
				if v != 0 || math.IsNaN(float64(v)) {
					t.Errorf("%s(%v)[%d] = %g, want 0", q.name, x, i, v)
				}
			}
		}
	}
	if _, ok, err := quant.Scale([]float32{0, 0}); ok || err != nil {
		t.Errorf("Scale(zeros): ok %v err %v, want false <nil>", ok, err)
	}
}

// TestNonFinite checks that NaN and ±Inf are rejected by the integer form
// and the float view alike, with ErrNonFinite.
func TestNonFinite(t *testing.T) {
	for _, q := range quantizers() {
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			x := []float32{1, bad, 0.5}
			if _, err := q.run(x); !errors.Is(err, quant.ErrNonFinite) {
				t.Errorf("%s(%v): err %v, want ErrNonFinite", q.name, x, err)
			}
			if v, err := q.view(x); !errors.Is(err, quant.ErrNonFinite) || v != nil {
				t.Errorf("%s float view (%v): %v, %v, want nil, ErrNonFinite", q.name, x, v, err)
			}
		}
	}
	if _, _, err := quant.QSignedBackward([]float32{1}, []float32{float32(math.NaN())}, 0, 8); !errors.Is(err, quant.ErrNonFinite) {
		t.Errorf("QSignedBackward(NaN grad): %v, want ErrNonFinite", err)
	}
	if _, err := quant.QSigned([]float32{1}, math.NaN(), 8); !errors.Is(err, quant.ErrNonFinite) {
		t.Errorf("QSigned(log2t NaN): %v, want ErrNonFinite", err)
	}
}

func TestValidation(t *testing.T) {
	x := []float32{0.25, -0.5}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"Direct k=0", second(quant.Direct(x, 0)), quant.ErrBitWidth},
		{"Direct k=32", second(quant.Direct(x, 32)), quant.ErrBitWidth},
		{"Direct code beyond int32", second(quant.Direct([]float32{2}, 31)), quant.ErrRange},
		{"Direct code -2^31 fits int32", second(quant.Direct([]float32{-2, 1.9999999}, 31)), nil},
		{"GradBN k=-1", second(quant.GradBN(x, -1)), quant.ErrBitWidth},
		{"AllDirect kdec=0", second(quant.AllDirect(x, 0, 8)), quant.ErrBitWidth},
		{"AllDirect kall=32", second(quant.AllDirect(x, 8, 32)), quant.ErrBitWidth},
		{"AllDirect kdec=31 kall=31", second(quant.AllDirect(x, 31, 31)), nil},
		{"Weight k=40", second(quant.Weight(x, 40)), quant.ErrBitWidth},
		{"Shift k=0", second(quant.Shift(x, 0)), quant.ErrBitWidth},
		{"Shift k=31", second(quant.Shift(x, 31)), nil},
		{"Flag k=16", second(quant.Flag(x, 16)), nil},
		{"Flag k=1 (empty integer mode)", second(quant.Flag(x, 1)), quant.ErrBitWidth},
		{"Flag k=17 (int32 container)", second(quant.Flag(x, 17)), quant.ErrBitWidth},
		{"Const kdr=0", second(quant.Const(x, 0, 8, key0)), quant.ErrBitWidth},
		{"Const k=32", second(quant.Const(x, 8, 32, key0)), quant.ErrBitWidth},
		{"GradWeight kgw=0", second(quant.GradWeight(x, 0, 8, key0)), quant.ErrBitWidth},
		{"ConstMag k=32", second(quant.ConstMag(x, 32, key0)), quant.ErrBitWidth},
		{"QSigned bits=0", second(quant.QSigned(x, 0, 0)), quant.ErrBitWidth},
		{"QUnsigned bits=32", second(quant.QUnsigned(x, 0, 32)), quant.ErrBitWidth},
		{"QSigned log2t=Inf", second(quant.QSigned(x, math.Inf(1), 8)), quant.ErrNonFinite},
		{"QSigned log2t=1e9", second(quant.QSigned(x, 1e9, 8)), quant.ErrRange},
		{"QSignedBackward lengths", third(quant.QSignedBackward(x, []float32{1}, 0, 8)), quant.ErrShape},
		{"QUnsignedBackward lengths", third(quant.QUnsignedBackward(x, nil, 0, 8)), quant.ErrShape},
	}
	for _, tt := range tests {
		if tt.want == nil {
			if tt.err != nil {
				t.Errorf("%s: %v, want nil", tt.name, tt.err)
			}
			continue
		}
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }

// TestMethodExamples checks the worked examples of method.md B§2 and B§7.1.
func TestMethodExamples(t *testing.T) {
	check := func(name string, got []float32, err error, want []float64) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range want {
			if float64(got[i]) != want[i] {
				t.Errorf("%s[%d] = %.17g, want %.17g", name, i, got[i], want[i])
			}
		}
	}
	got, err := quant.WeightFloat([]float32{0.9999, -1.3}, 8) // B§2.2
	check("Q_W", got, err, []float64{0.9921875, -0.9921875})
	got, err = quant.DirectFloat([]float32{0.30078125}, 8) // B§2.3: 38.5 -> 38
	check("Q_A", got, err, []float64{0.296875})
	got, err = quant.ShiftFloat([]float32{0.003, -0.0007, 0.0001}, 8) // B§2.5 E1
	check("E1", got, err, []float64{0.00299072265625, -0.000701904296875, 9.1552734375e-05})
	e := []float32{0.5, 0.01, -0.0001, 0.3} // B§2.5 E2
	got, err = quant.FlagFloat(e, 8)
	check("E2 k=8", got, err, []float64{0.49609375, 0.01171875, -9.1552734375e-05, 0.30078125})
	got, err = quant.FlagFloat(e, 16)
	check("E2 k=16", got, err, []float64{0.4999847412109375, 0.0099945068359375, -0.0001068115234375, 0.3000030517578125})
	log2t := math.Log2(0.9) // B§7.1: t = 0.9, s = 1/128
	got, err = quant.QSignedFloat([]float32{0.3, 1.5}, log2t, 8)
	check("qSigned", got, err, []float64{0.296875, 127.0 / 128})
	got, err = quant.QUnsignedFloat([]float32{0.3}, log2t, 8)
	check("qUnsigned", got, err, []float64{0.30078125})
	for _, tt := range []struct {
		x, want float64
	}{{0.3, -0.0021661}, {1.5, 0.68773}} {
		_, g, err := quant.QSignedBackward([]float32{float32(tt.x)}, []float32{1}, log2t, 8)
		if err != nil || math.Abs(g-tt.want) > 1e-4*math.Abs(tt.want) { // method.md gives 5 digits
			t.Errorf("dq/dlog2t at %g = %g (%v), want %g", tt.x, g, err, tt.want)
		}
	}
}

// TestGradWeightExample checks method.md B§2.6: g = [0.02, -0.005, 0.0001]
// has R = 2^-6 and 128·g/R = [163.84, -40.96, 0.8192], so the codes are
// 127 always, -41 with probability 0.96 (else -40), 1 with probability
// 0.8192 (else 0), at exponent -14 for kgw = 15.
func TestGradWeightExample(t *testing.T) {
	g := []float32{0.02, -0.005, 0.0001}
	const n = 20000
	var c41, c1 int
	for step := range n {
		codes, err := quant.GradWeight(g, 15, 8, quant.RNGKey{Seed: 9, Step: uint32(step)})
		if err != nil {
			t.Fatal(err)
		}
		if codes.Exp != -14 || codes.Q[0] != 127 {
			t.Fatalf("step %d: codes %v exp %d, want 127 first at exp -14", step, codes.Q, codes.Exp)
		}
		switch codes.Q[1] {
		case -41:
			c41++
		case -40:
		default:
			t.Fatalf("code %d, want -41 or -40", codes.Q[1])
		}
		switch codes.Q[2] {
		case 1:
			c1++
		case 0:
		default:
			t.Fatalf("code %d, want 1 or 0", codes.Q[2])
		}
	}
	// The float32 inputs are not exactly 0.005 and 0.0001; p is their frac.
	p41 := 40.96 - 40 // P(-41) = frac(40.96)
	p1 := 0.8192
	for _, tt := range []struct {
		name string
		hits int
		p    float64
	}{{"-41", c41, float64(float32(p41))}, {"1", c1, p1}} {
		sd := math.Sqrt(n * tt.p * (1 - tt.p))
		if d := math.Abs(float64(tt.hits) - n*tt.p); d > 6*sd {
			t.Errorf("code %s: %d of %d, want %g ± %g", tt.name, tt.hits, n, n*tt.p, 6*sd)
		}
	}
}

// TestConstMag checks the full8plus G of method.md A15: the codes are those
// of Const with k_dr = k, and the exponent is log2R - (k-1), so the value
// keeps the magnitude of g.
func TestConstMag(t *testing.T) {
	g := []float32{0.02, -0.005, 0.0001, 3e-5}
	for step := range 100 {
		key := quant.RNGKey{Seed: 11, Step: uint32(step)}
		mag, err := quant.ConstMag(g, 8, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := quant.Const(g, 8, 8, key)
		if err != nil {
			t.Fatal(err)
		}
		if mag.Exp != -6-7 { // R(g) = 2^-6
			t.Fatalf("Exp = %d, want -13", mag.Exp)
		}
		for i := range g {
			if mag.Q[i] != c.Q[i] {
				t.Fatalf("step %d: ConstMag code %d, Const code %d", step, mag.Q[i], c.Q[i])
			}
		}
		if mag.Q[0] != 127 {
			t.Errorf("code of 0.02 = %d, want 127 (163.84 clipped)", mag.Q[0])
		}
	}
}

// TestStochasticReproducible checks that the same key gives the same codes
// and another step gives other codes.
func TestStochasticReproducible(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	x := randomInput(r, 512)
	a, _ := quant.Const(x, 8, 8, key0)
	b, _ := quant.Const(x, 8, 8, key0)
	c, _ := quant.Const(x, 8, 8, quant.RNGKey{Seed: key0.Seed, Step: key0.Step + 1, Tensor: key0.Tensor})
	diff := 0
	for i := range x {
		if a.Q[i] != b.Q[i] {
			t.Fatalf("element %d: %d then %d with the same key", i, a.Q[i], b.Q[i])
		}
		if a.Q[i] != c.Q[i] {
			diff++
		}
	}
	if diff == 0 {
		t.Error("a new step changed no code of 512")
	}
}

// TestScale checks R(x) = 2^round(log2 max|x|) around the sqrt(2) boundary
// and for a maximum taken from a negative element.
func TestScale(t *testing.T) {
	tests := []struct {
		x    []float32
		want int
	}{
		{[]float32{0.003, -0.0007}, -8}, // log2 0.003 = -8.38
		{[]float32{0.1, -0.75}, 0},      // log2 0.75 = -0.415
		{[]float32{1.4142135}, 0},       // just below sqrt(2)
		{[]float32{1.4142137}, 1},       // just above
		{[]float32{-1024}, 10},          // exact power of two
		{[]float32{math.SmallestNonzeroFloat32}, -149},
		{[]float32{math.MaxFloat32}, 128},
	}
	for _, tt := range tests {
		got, ok, err := quant.Scale(tt.x)
		if err != nil || !ok || got != tt.want {
			t.Errorf("Scale(%v) = %d, %v, %v; want %d", tt.x, got, ok, err, tt.want)
		}
	}
}
