package gpu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu/cpu"
	"github.com/wageubn/wageubn/quant"
)

// Wrapper-level tests of the quant family: every device result against
// package quant's scalar functions (integer forms) on the same values, and
// the worked examples of method.md.

// codesAsFloats returns q·2^exp as float32, exact for |q| < 2^24.
func codesAsFloats(q []int64, exp int) []float32 {
	f := make([]float32, len(q))
	for i, v := range q {
		f[i] = float32(math.Ldexp(float64(v), exp))
	}
	return f
}

// upload uploads int64 codes as I32 or I64.
func uploadCodes(t *testing.T, d *Device, dt DType, shape []int, exp int, q []int64) *Tensor {
	t.Helper()
	var x *Tensor
	var err error
	if dt == I64 {
		x, err = d.UploadI64(shape, exp, q)
	} else {
		x, err = d.UploadI32(shape, exp, convert(q, func(v int64) int32 { return int32(v) }))
	}
	check(t, err)
	return x
}

// maxOf records the max|x| tensor for a quantizer input.
func maxOf(r *Recorder, x *Tensor) *Tensor {
	switch x.DType() {
	case I64:
		return r.MaxAbsI64(x)
	case F32:
		return r.MaxAbsF32(x)
	}
	return r.MaxAbs(x)
}

// scaleOf downloads Scale[0] of a quantizer output.
func scaleOf(t *testing.T, y *Tensor) int {
	t.Helper()
	s, err := y.Scale.DownloadI32()
	check(t, err)
	return int(s[0])
}

// randCodes returns n codes |q| < 2^bits with a few ties and extremes.
func randCodes(rng *rand.Rand, n, bits int) []int64 {
	q := make([]int64, n)
	for i := range q {
		switch i % 7 {
		case 0:
			q[i] = int64(2*rng.IntN(64)+1) << (bits - 8) // ties of shifts near bits - 7
		case 1:
			q[i] = 0
		default:
			q[i] = rng.Int64N(1<<(bits+1)) - 1<<bits
		}
		q[i] = min(max(q[i], -(1<<bits-1)), 1<<bits-1)
	}
	return q
}

func TestRngMatchesQuant(t *testing.T) {
	key := quant.RNGKey{Seed: 0xa4093822_299f31d0, Step: 7, Tensor: 3}
	for _, d := range devices(t) {
		r := d.Record()
		y := r.Rng(4097, key)
		check(t, r.Submit())
		got, err := y.DownloadU32()
		check(t, err)
		for i, v := range got {
			if want := key.Uint32(uint32(i)); v != want {
				t.Fatalf("%v: draw %d = %#x, want quant.RNGKey.Uint32 = %#x", d.Backend(), i, v, want)
			}
		}
		// The Random123 known-answer vectors through the shader.
		var in []uint32
		for _, v := range philoxKAT {
			in = append(in, v[:6]...)
		}
		it, err := d.UploadU32([]int{len(in)}, 0, in)
		check(t, err)
		out, err := d.Empty(U32, []int{4 * len(philoxKAT)}, 0)
		check(t, err)
		r = d.Record()
		check(t, r.Run("rng_philox4x32", cpu.PhiloxParams{N: uint32(len(philoxKAT))}, out, it))
		check(t, r.Submit())
		w, err := out.DownloadU32()
		check(t, err)
		for i, v := range philoxKAT {
			for j := range 4 {
				if w[4*i+j] != v[6+j] {
					t.Errorf("%v: KAT %d word %d = %#x, want %#x", d.Backend(), i, j, w[4*i+j], v[6+j])
				}
			}
		}
	}
}

func TestQuantWeightMatchesQuant(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 11))
	shape := []int{5, 13}
	q := randCodes(rng, 65, 23) // masters within float32's exact range
	want, err := quant.Weight(codesAsFloats(q, -23), 8)
	check(t, err)
	for _, d := range devices(t) {
		r := d.Record()
		y := r.QuantWeight(uploadCodes(t, d, I32, shape, -23, q))
		check(t, r.Submit())
		got, err := y.DownloadI8()
		check(t, err)
		if y.Exp != want.Exp {
			t.Errorf("%v: Exp %d, want %d", d.Backend(), y.Exp, want.Exp)
		}
		for i := range got {
			if int32(got[i]) != want.Q[i] {
				t.Fatalf("%v: code %d of master %d = %d, want quant.Weight %d", d.Backend(), i, q[i], got[i], want.Q[i])
			}
		}
	}
}

func TestQuantRegridMatchesQuant(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 12))
	q := randCodes(rng, 1000, 23)
	x := codesAsFloats(q, -23)
	gbn, err := quant.GradBN(x, 15) // G_BN = Q(g, 15): exponent -14
	check(t, err)
	q8, err := quant.Direct(x, 8) // BN γ, β: Q(·, 8) without clip
	check(t, err)
	for _, d := range devices(t) {
		xt := uploadCodes(t, d, I32, []int{1000}, -23, q)
		r := d.Record()
		a := r.QuantRegrid(xt, -14, math.MinInt32, math.MaxInt32)
		b := r.QuantRegrid(xt, -7, math.MinInt32, math.MaxInt32)
		c := r.QuantRegrid(xt, -7, -127, 127)
		check(t, r.Submit())
		ga, err := a.DownloadI32()
		check(t, err)
		gb, err := b.DownloadI32()
		check(t, err)
		gc, err := c.DownloadI32()
		check(t, err)
		for i := range q {
			if ga[i] != gbn.Q[i] || gb[i] != q8.Q[i] || gc[i] != min(max(q8.Q[i], -127), 127) {
				t.Fatalf("%v: element %d (%d): regrid -14 %d (GradBN %d), -7 %d (Direct %d), clipped %d",
					d.Backend(), i, q[i], ga[i], gbn.Q[i], gb[i], q8.Q[i], gc[i])
			}
		}
		if w, err := d.ErrorWord(); w != 0 || err != nil {
			t.Errorf("%v: error word %#x (%v) after right shifts", d.Backend(), w, err)
		}
		// A left shift past int32 saturates and flags the error word.
		big, err := d.UploadI32([]int{2}, 0, []int32{1 << 30, -3})
		check(t, err)
		r = d.Record()
		y := r.QuantRegrid(big, -2, math.MinInt32, math.MaxInt32)
		check(t, r.Submit())
		gy, err := y.DownloadI32()
		check(t, err)
		if gy[0] != math.MaxInt32 || gy[1] != -12 {
			t.Errorf("%v: 2^30·4, -3·4 = %d, %d; want MaxInt32 (saturated), -12", d.Backend(), gy[0], gy[1])
		}
		if w, err := d.ErrorWord(); !errors.Is(err, ErrOverflow) {
			t.Errorf("%v: error word %#x (%v) after 2^30·4, want ErrOverflow", d.Backend(), w, err)
		}
	}
}

// quantCase is one input of the E1/E2 comparisons: codes q at exponent exp,
// with an optional input Scale.
type quantCase struct {
	name  string
	dt    DType
	q     []int64
	exp   int
	scale int32 // 0: none
}

func quantCases(rng *rand.Rand) []quantCase {
	return []quantCase{
		{"i32", I32, randCodes(rng, 1001, 23), -20, 0},
		{"i32-small", I32, randCodes(rng, 77, 9), 3, 0},
		{"i32-scale", I32, randCodes(rng, 300, 16), -10, -6},
		{"i64", I64, randCodes(rng, 999, 23), -30, 0},
		{"i64-scale", I64, randCodes(rng, 64, 12), -12, 9},
		{"zeros", I32, make([]int64, 10), -5, 0},
	}
}

// upScaled uploads a case with its Scale.
func upScaled(t *testing.T, d *Device, c quantCase) *Tensor {
	t.Helper()
	x := uploadCodes(t, d, c.dt, []int{len(c.q)}, c.exp, c.q)
	if c.scale != 0 {
		s, err := d.UploadI32([]int{1}, 0, []int32{c.scale})
		check(t, err)
		x.Scale = s
	}
	return x
}

func TestQuantShiftMatchesQuant(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 13))
	for _, c := range quantCases(rng) {
		want, err := quant.Shift(codesAsFloats(c.q, c.exp+int(c.scale)), 8)
		check(t, err)
		for _, d := range devices(t) {
			x := upScaled(t, d, c)
			r := d.Record()
			y := r.QuantShift(x, maxOf(r, x))
			check(t, r.Submit())
			got, err := y.DownloadI8()
			check(t, err)
			// A zero tensor has R = 1 code (r = 0), quant R = 1: the
			// exponents differ by c.exp, the values (zero) do not.
			if e := y.Exp + scaleOf(t, y); e != want.Exp && c.name != "zeros" {
				t.Errorf("%s %v: exponent %d, want quant.Shift's %d", c.name, d.Backend(), e, want.Exp)
			}
			for i := range got {
				if int32(got[i]) != want.Q[i] {
					t.Fatalf("%s %v: code %d of %d = %d, want %d", c.name, d.Backend(), i, c.q[i], got[i], want.Q[i])
				}
			}
		}
	}
}

// TestQuantShiftExample is method.md B§2.5's E1 example: e = [0.003,
// -0.0007, 0.0001] gives R = 2^-8 and E1 = [0.00299072265625,
// -0.000701904296875, 9.1552734375e-05]. The float32 inputs are exact
// codes at exponent -40 (the ulp of 0.0001), up to 3.3e9: I64.
func TestQuantShiftExample(t *testing.T) {
	x := []float32{0.003, -0.0007, 0.0001}
	q := make([]int64, len(x))
	for i, v := range x {
		q[i] = int64(math.Ldexp(float64(v), 40))
	}
	want := []float64{0.00299072265625, -0.000701904296875, 9.1552734375e-05}
	for _, d := range devices(t) {
		xt := uploadCodes(t, d, I64, []int{3}, -40, q)
		r := d.Record()
		y := r.QuantShift(xt, r.MaxAbsI64(xt))
		check(t, r.Submit())
		got, err := y.DownloadI8()
		check(t, err)
		e := y.Exp + scaleOf(t, y)
		for i := range got {
			if v := math.Ldexp(float64(got[i]), e); v != want[i] {
				t.Errorf("%v: E1[%d] = %v, want %v", d.Backend(), i, v, want[i])
			}
		}
	}
}

// downloadFlag returns the codes of a QuantFlag output (I16 or I32).
func downloadFlag(t *testing.T, y *Tensor) []int32 {
	t.Helper()
	if y.DType() == I16 {
		v, err := y.DownloadI16()
		check(t, err)
		return convert(v, func(x int16) int32 { return int32(x) })
	}
	v, err := y.DownloadI32()
	check(t, err)
	return v
}

func TestQuantFlagMatchesQuant(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 14))
	for _, c := range quantCases(rng) {
		for _, bits := range []int{8, 16, 4} {
			want, err := quant.Flag(codesAsFloats(c.q, c.exp+int(c.scale)), bits)
			check(t, err)
			for _, d := range devices(t) {
				x := upScaled(t, d, c)
				r := d.Record()
				y := r.QuantFlag(x, maxOf(r, x), bits)
				check(t, r.Submit())
				got := downloadFlag(t, y)
				if e := y.Exp + scaleOf(t, y); e != want.Exp && c.name != "zeros" { // see TestQuantShiftMatchesQuant
					t.Errorf("%s bits=%d %v: exponent %d, want quant.Flag's %d", c.name, bits, d.Backend(), e, want.Exp)
				}
				for i := range got {
					if got[i] != want.Q[i] {
						t.Fatalf("%s bits=%d %v: code %d of %d = %d, want %d", c.name, bits, d.Backend(), i, c.q[i], got[i], want.Q[i])
					}
				}
			}
		}
	}
}

// TestQuantFlagF32 runs E2 on float inputs (the loss gradient) against
// quant.Flag, including method.md B§2.5's example: e = [0.5, 0.01,
// -0.0001, 0.3] gives s = 2^-8 and E2 = [0.49609375, 0.01171875,
// -9.1552734375e-05, 0.30078125] (k = 8), [0.4999847412109375,
// 0.0099945068359375, -0.0001068115234375, 0.3000030517578125] (k = 16).
func TestQuantFlagF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 15))
	example := []float32{0.5, 0.01, -0.0001, 0.3}
	examples := map[int][]float64{
		8:  {0.49609375, 0.01171875, -9.1552734375e-05, 0.30078125},
		16: {0.4999847412109375, 0.0099945068359375, -0.0001068115234375, 0.3000030517578125},
	}
	inputs := [][]float32{example, make([]float32, 5)}
	for _, vs := range f32QuantSets(rng, 1003) {
		inputs = append(inputs, vs.v)
	}
	for ii, x := range inputs {
		for _, bits := range []int{8, 16, 3} {
			want, err := quant.Flag(x, bits)
			check(t, err)
			for _, d := range devices(t) {
				xt, err := d.UploadF32([]int{len(x)}, 0, x)
				check(t, err)
				r := d.Record()
				y := r.QuantFlag(xt, r.MaxAbsF32(xt), bits)
				check(t, r.Submit())
				got := downloadFlag(t, y)
				e := y.Exp + scaleOf(t, y)
				if e != want.Exp {
					t.Errorf("input %d bits=%d %v: exponent %d, want quant.Flag's %d", ii, bits, d.Backend(), e, want.Exp)
				}
				for i := range got {
					if got[i] != want.Q[i] {
						t.Fatalf("input %d bits=%d %v: code %d of %v = %d, want %d", ii, bits, d.Backend(), i, x[i], got[i], want.Q[i])
					}
				}
				if ii == 0 && examples[bits] != nil {
					for i, v := range examples[bits] {
						if g := math.Ldexp(float64(got[i]), e); g != v {
							t.Errorf("%v: E2 example k=%d [%d] = %v, want %v", d.Backend(), bits, i, g, v)
						}
					}
				}
			}
		}
	}
}

func TestQuantConstMatchesQuant(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 16))
	key := quant.RNGKey{Seed: 99, Step: 12345, Tensor: 17}
	for _, c := range quantCases(rng) {
		x := codesAsFloats(c.q, c.exp+int(c.scale))
		for _, g := range []int{7, 5, 1} {
			want, err := quant.GradWeight(x, 15, g+1, key)
			check(t, err)
			for _, d := range devices(t) {
				xt := upScaled(t, d, c)
				r := d.Record()
				y := r.QuantConst(xt, maxOf(r, xt), g, key)
				check(t, r.Submit())
				got, err := y.DownloadI8()
				check(t, err)
				if y.Exp != want.Exp || y.Scale != nil {
					t.Errorf("%s g=%d %v: Exp %d (Scale %v), want %d", c.name, g, d.Backend(), y.Exp, y.Scale != nil, want.Exp)
				}
				for i := range got {
					if int32(got[i]) != want.Q[i] {
						t.Fatalf("%s g=%d %v: code %d of %d = %d, want quant.GradWeight %d", c.name, g, d.Backend(), i, c.q[i], got[i], want.Q[i])
					}
				}
			}
		}
		want, err := quant.ConstMag(x, 8, key)
		check(t, err)
		for _, d := range devices(t) {
			xt := upScaled(t, d, c)
			r := d.Record()
			y := r.QuantConstMag(xt, maxOf(r, xt), key)
			check(t, r.Submit())
			got, err := y.DownloadI8()
			check(t, err)
			if e := y.Exp + scaleOf(t, y); e != want.Exp && c.name != "zeros" { // see TestQuantShiftMatchesQuant
				t.Errorf("%s %v: ConstMag exponent %d, want %d", c.name, d.Backend(), e, want.Exp)
			}
			for i := range got {
				if int32(got[i]) != want.Q[i] {
					t.Fatalf("%s %v: ConstMag code %d of %d = %d, want %d", c.name, d.Backend(), i, c.q[i], got[i], want.Q[i])
				}
			}
		}
	}
}

// TestQuantConstStatistics checks E[n] of the stochastic rounding through
// the device with method.md B§2.6's example: g = [0.02, -0.005, 0.0001]
// gives R = 2^-6 and 128·g/R = [163.84, -40.96, 0.8192], so n = 127
// (clipped), -41 w.p. 0.96 and -40 w.p. 0.04, 1 w.p. 0.8192 and 0 w.p.
// 0.1808. The float32 values are exact codes at exponent -37 (the ulp of
// 0.0001), up to 2.7e9: I64. The frequencies must lie within 6 standard
// errors over 3·20000 elements.
func TestQuantConstStatistics(t *testing.T) {
	const reps = 20000
	ex := []float32{0.02, -0.005, 0.0001}
	q := make([]int64, 3*reps)
	for i := range q {
		q[i] = int64(math.Ldexp(float64(ex[i%3]), 37))
	}
	key := quant.RNGKey{Seed: 2026, Step: 1, Tensor: 4}
	for _, d := range devices(t) {
		xt := uploadCodes(t, d, I64, []int{reps, 3}, -37, q)
		r := d.Record()
		y := r.QuantConst(xt, r.MaxAbsI64(xt), 7, key)
		check(t, r.Submit())
		got, err := y.DownloadI8()
		check(t, err)
		var n41, n1 int
		for i := range reps {
			a, b, c := got[3*i], got[3*i+1], got[3*i+2]
			if a != 127 || (b != -41 && b != -40) || (c != 0 && c != 1) {
				t.Fatalf("%v: row %d = %d %d %d, want 127, -41 or -40, 0 or 1", d.Backend(), i, a, b, c)
			}
			if b == -41 {
				n41++
			}
			if c == 1 {
				n1++
			}
		}
		for _, s := range []struct {
			name  string
			count int
			p     float64
		}{{"P(-41)", n41, 0.96}, {"P(1)", n1, 0.8192}} {
			f := float64(s.count) / reps
			if se := math.Sqrt(s.p * (1 - s.p) / reps); math.Abs(f-s.p) > 6*se {
				t.Errorf("%v: %s = %v, want %v ± %v", d.Backend(), s.name, f, s.p, 6*se)
			}
		}
		// E[n] = -40.96 and 0.8192 (the mean code matches the scaled value).
		var sum float64
		for i := range reps {
			sum += float64(got[3*i+1]) + float64(got[3*i+2])
		}
		if m, want := sum/reps, -40.96+0.8192; math.Abs(m-want) > 6*math.Sqrt((0.96*0.04+0.8192*0.1808)/reps) {
			t.Errorf("%v: E[n] = %v, want %v", d.Backend(), m, want)
		}
	}
}

// TestQuantWrapperErrors checks the validation of the quant wrappers.
func TestQuantWrapperErrors(t *testing.T) {
	d := openCPUDevice(t)
	i32, err := d.UploadI32([]int{4}, -23, []int32{1, 2, 3, 4})
	check(t, err)
	i64, err := d.UploadI64([]int{2}, 0, []int64{1, 2})
	check(t, err)
	m1, err := d.UploadU32([]int{1}, 0, []uint32{4})
	check(t, err)
	key := quant.RNGKey{}
	for name, f := range map[string]func(r *Recorder) *Tensor{
		"weight dtype": func(r *Recorder) *Tensor { return r.QuantWeight(i64) },
		"weight exp": func(r *Recorder) *Tensor {
			return r.QuantWeight(&Tensor{Exp: 0, dev: d, buf: i32.buf, dtype: I32, shape: []int{4}, words: 4})
		},
		"regrid shift":   func(r *Recorder) *Tensor { return r.QuantRegrid(i32, 20, 0, 1) },
		"regrid bounds":  func(r *Recorder) *Tensor { return r.QuantRegrid(i32, -20, 1, 0) },
		"shift max size": func(r *Recorder) *Tensor { return r.QuantShift(i64, m1) },
		"shift nil max":  func(r *Recorder) *Tensor { return r.QuantShift(i32, nil) },
		"flag bits":      func(r *Recorder) *Tensor { return r.QuantFlag(i32, m1, 17) },
		"const g":        func(r *Recorder) *Tensor { return r.QuantConst(i32, m1, 8, key) },
		"const dtype":    func(r *Recorder) *Tensor { return r.QuantConstMag(m1, m1, key) },
		"regrid wide":    func(r *Recorder) *Tensor { return r.QuantRegridWide(i32, -14, 0, 1) },
		"decay shapes":   func(r *Recorder) *Tensor { return r.QuantDecay(i64, i32, WeightDecay1e4) },
		"tqt log2t":      func(r *Recorder) *Tensor { return r.QSigned(i32, m1, 8) },
		"sum dtype":      func(r *Recorder) *Tensor { return r.SumF32(i32) },
	} {
		r := d.Record()
		if y := f(r); y != nil || !errors.Is(r.Err(), ErrShape) {
			t.Errorf("%s: got %v, error %v; want nil and ErrShape", name, y, r.Err())
		}
	}
}

// TestQuantDecay checks t = dW + 1e-4·W on dW's grid against float64
// (within half a code plus the fixed-point error of wd) and exactly against
// the formula RoundShr(wd·W, e_t + 23 + 40), for I32 and I64 gradients with
// and without a Scale, and the int64 overflow flag.
func TestQuantDecay(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 17))
	const n = 1000
	w := make([]int32, n)
	for i := range w {
		w[i] = rng.Int32N(1<<25) - 1<<24 // masters in ±2 at exponent -23
	}
	for _, c := range []struct {
		dt    DType
		exp   int
		scale int32
	}{{I32, -30, 0}, {I32, -20, -8}, {I64, -40, 0}, {I64, -10, -45}} {
		dw := randCodes(rng, n, 20)
		et := c.exp + int(c.scale)
		for _, d := range devices(t) {
			dwt := upScaled(t, d, quantCase{dt: c.dt, q: dw, exp: c.exp, scale: c.scale})
			wt, err := d.UploadI32([]int{n}, -23, w)
			check(t, err)
			r := d.Record()
			y := r.QuantDecay(dwt, wt, WeightDecay1e4)
			check(t, r.Submit())
			got, err := y.DownloadI64()
			check(t, err)
			if y.Exp != c.exp || scaleOf(t, y) != int(c.scale) {
				t.Errorf("%v %v: exponent %d + %d, want %d + %d", d.Backend(), c.dt, y.Exp, scaleOf(t, y), c.exp, c.scale)
			}
			for i := range got {
				exact := dw[i] + quant.RoundShr(int64(WeightDecay1e4)*int64(w[i]), uint(et+23+WeightDecayFrac))
				approx := float64(dw[i]) + 1e-4*math.Ldexp(float64(w[i]), -23-et)
				if got[i] != exact || math.Abs(float64(got[i])-approx) > 0.5+1e-8*math.Abs(approx) {
					t.Fatalf("%v %v: t[%d] = %d, want %d (float64 %v)", d.Backend(), c.dt, i, got[i], exact, approx)
				}
			}
			if wv, err := d.ErrorWord(); wv != 0 {
				t.Errorf("%v: error word %#x (%v)", d.Backend(), wv, err)
			}
		}
	}
	// A gradient grid far finer than the masters' shifts wd·W left past
	// int64: flagged.
	for _, d := range devices(t) {
		dwt, err := d.UploadI64([]int{1}, -200, []int64{1})
		check(t, err)
		wt, err := d.UploadI32([]int{1}, -23, []int32{1 << 24})
		check(t, err)
		r := d.Record()
		r.QuantDecay(dwt, wt, WeightDecay1e4)
		check(t, r.Submit())
		if wv, err := d.ErrorWord(); !errors.Is(err, ErrOverflow) {
			t.Errorf("%v: error word %#x (%v), want ErrOverflow", d.Backend(), wv, err)
		}
	}
}

// TestTQTMatchesQuant compares the TQT kernels with quant.QSigned,
// QUnsigned and their backward passes: the forward values and gradIn
// exactly (tolerance 1e-30 for flush-to-zero), dlog2t, a float32 sum here
// and a float64 sum in quant, within 1e-5 of the sum of magnitudes. It
// also checks method.md B§7.1's examples (b = 8, t = 0.9): qSigned(0.3) =
// 0.296875 with ∂/∂log2_t = -0.0021661, qSigned(1.5) = 127/128 with
// 0.68773, and qUnsigned(0.3) = 0.30078125.
func TestTQTMatchesQuant(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 18))
	inputs := [][]float32{{0.3}, {1.5}}
	for _, vs := range f32QuantSets(rng, 999) {
		if vs.name != "subnormal" { // flushed to zero on some devices
			inputs = append(inputs, vs.v)
		}
	}
	l2 := float32(math.Log2(0.9))
	for ii, x := range inputs {
		g := make([]float32, len(x))
		for i := range g {
			g[i] = float32(rng.NormFloat64())
		}
		if ii < 2 {
			g[0] = 1
		}
		for _, l := range []float32{l2, 3.5, -12} {
			for _, bits := range []int{8, 16, 3} {
				for _, signed := range []bool{true, false} {
					var fwd quant.Codes
					var gin []float32
					var gl float64
					var err error
					if signed {
						fwd, err = quant.QSigned(x, float64(l), bits)
						check(t, err)
						gin, gl, err = quant.QSignedBackward(x, g, float64(l), bits)
					} else {
						fwd, err = quant.QUnsigned(x, float64(l), bits)
						check(t, err)
						gin, gl, err = quant.QUnsignedBackward(x, g, float64(l), bits)
					}
					check(t, err)
					want := fwd.Float()
					var mag float64
					for i := range x {
						mag += math.Abs(float64(g[i]) * math.Ldexp(math.Ln2*float64(int64(1)<<bits), fwd.Exp))
					}
					for _, d := range devices(t) {
						xt, err := d.UploadF32([]int{len(x)}, 0, x)
						check(t, err)
						gt, err := d.UploadF32([]int{len(x)}, 0, g)
						check(t, err)
						lt, err := d.UploadF32([]int{1}, 0, []float32{l})
						check(t, err)
						r := d.Record()
						var y, gi, dl *Tensor
						if signed {
							y = r.QSigned(xt, lt, bits)
							gi, dl = r.QSignedBackward(xt, gt, lt, bits)
						} else {
							y = r.QUnsigned(xt, lt, bits)
							gi, dl = r.QUnsignedBackward(xt, gt, lt, bits)
						}
						sum := r.SumF32(dl)
						check(t, r.Submit())
						gy, err := y.DownloadF32()
						check(t, err)
						ggi, err := gi.DownloadF32()
						check(t, err)
						gs, err := sum.DownloadF32()
						check(t, err)
						for i := range x {
							if math.Abs(float64(gy[i]-want[i])) > 1e-30 || math.Abs(float64(ggi[i]-gin[i])) > 1e-30 {
								t.Fatalf("input %d log2t=%v bits=%d signed=%v %v: x[%d] = %v: q %v, want %v; gradIn %v, want %v",
									ii, l, bits, signed, d.Backend(), i, x[i], gy[i], want[i], ggi[i], gin[i])
							}
						}
						if math.Abs(float64(gs[0])-gl) > 1e-5*mag+1e-30 {
							t.Errorf("input %d log2t=%v bits=%d signed=%v %v: dlog2t = %v, want %v (±%v)", ii, l, bits, signed, d.Backend(), gs[0], gl, 1e-5*mag)
						}
						if ii < 2 && l == l2 && bits == 8 {
							var q, dlw float64 // method.md B§7.1, given to 5 digits
							switch {
							case ii == 0 && signed:
								q, dlw = 0.296875, -0.0021661
							case ii == 1 && signed:
								q, dlw = 127.0/128, 0.68773
							case ii == 0:
								q, dlw = 0.30078125, math.NaN() // no gradient stated
							default:
								q, dlw = math.NaN(), math.NaN() // qUnsigned(1.5): not stated, not checked
							}
							if (ii == 0 || signed) && (float64(gy[0]) != q || (!math.IsNaN(dlw) && math.Abs(float64(gs[0])-dlw) > 1e-4*math.Abs(dlw))) {
								t.Errorf("%v: example x = %v signed=%v: q %v, dlog2t %v; want %v, %v", d.Backend(), x[0], signed, gy[0], gs[0], q, dlw)
							}
						}
					}
				}
			}
		}
	}
}

// TestQuantRegridWide takes wide codes with a Scale to G_BN's exponent -14
// and compares with quant.GradBN on the same values (exact float32 inputs:
// |codes| < 2^24).
func TestQuantRegridWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 19))
	q := randCodes(rng, 1000, 23)
	for _, c := range []struct {
		exp   int
		scale int32
	}{{-30, 0}, {-20, -13}, {-40, 25}, {-12, 0}} {
		want, err := quant.GradBN(codesAsFloats(q, c.exp+int(c.scale)), 15)
		check(t, err)
		for _, d := range devices(t) {
			x := upScaled(t, d, quantCase{dt: I64, q: q, exp: c.exp, scale: c.scale})
			r := d.Record()
			y := r.QuantRegridWide(x, -14, math.MinInt32, math.MaxInt32)
			check(t, r.Submit())
			got, err := y.DownloadI32()
			check(t, err)
			for i := range got {
				if got[i] != want.Q[i] {
					t.Fatalf("%v exp %d scale %d: code %d of %d = %d, want quant.GradBN %d", d.Backend(), c.exp, c.scale, i, q[i], got[i], want.Q[i])
				}
			}
			if w, err := d.ErrorWord(); w != 0 {
				t.Errorf("%v: error word %#x (%v)", d.Backend(), w, err)
			}
		}
	}
}

// ExampleRecorder_QuantShift quantizes method.md B§2.5's E1 example on the
// CPU backend: e = [0.003, -0.0007, 0.0001] as int64 codes at exponent -40
// (float32's values, exactly) gives R = 2^-8 and the int8 codes
// [98 -23 3] at exponent -40 + 25 = -15: E1 = [0.00299072265625,
// -0.000701904296875, 9.1552734375e-05].
func ExampleRecorder_QuantShift() {
	dev, err := Open(Options{Backend: CPU})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dev.Close()
	var q []int64
	for _, v := range []float32{0.003, -0.0007, 0.0001} {
		q = append(q, int64(math.Ldexp(float64(v), 40)))
	}
	x, _ := dev.UploadI64([]int{3}, -40, q)
	r := dev.Record()
	e1 := r.QuantShift(x, r.MaxAbsI64(x))
	if err := r.Submit(); err != nil {
		fmt.Println(err)
		return
	}
	codes, _ := e1.DownloadI8()
	scale, _ := e1.Scale.DownloadI32()
	fmt.Println("codes", codes, "exponent", e1.Exp+int(scale[0]))
	// Output: codes [98 -23 3] exponent -15
}
