package gpu

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// Wrapper-level tests of the layer family, on every backend, with expected
// values worked out from method.md and docs/dataflow.md, and cross-checks
// against the quant package and plain reference loops.

// layerSubmit submits r and fails the test on error.
func layerSubmit(t *testing.T, r *Recorder) {
	t.Helper()
	if err := r.Submit(); err != nil {
		t.Fatal(err)
	}
}

func layerDL[E any](t *testing.T, f func() ([]E, error)) []E {
	t.Helper()
	v, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestActReluQTable: Q_A of y codes at exponent -14 into a (exponent -7)
// by a 7-bit RoundShr (docs/dataflow.md Forward 4). Rows name their source.
func TestActReluQTable(t *testing.T) {
	ys := []int32{
		4928,         // 0.30078125: 38.5 rounds half to even to 38 (method.md B§2.3)
		64, 192, 320, // 0.5 -> 0, 1.5 -> 2, 2.5 -> 2 (ties to even), all in range: mask 1
		1,             // tiny positive: code 0, but y > 0 and in range: mask 1
		0, -1, -40000, // ReLU: code 0, mask 0
		255*128 + 63,  // 255.49 -> 255: the last code in range (255/128), mask 1
		255*128 + 64,  // 255.5 -> 256 (half to even): saturates at 255, mask 0 (A5)
		300 * 128,     // saturates, mask 0
		math.MaxInt32, // saturates, mask 0
	}
	wantA := []uint8{38, 0, 2, 2, 0, 0, 0, 0, 255, 255, 255, 255}
	wantM := []uint8{1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0}
	for _, d := range devices(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			y, err := d.UploadI32([]int{3, 4}, -14, ys)
			check(t, err)
			r := d.Record()
			a, m := r.ActReluQ(y, -7)
			layerSubmit(t, r)
			if a.Exp != -7 || a.DType() != U8 || m.DType() != U8 {
				t.Fatalf("a %v, mask %v: want u8 with exponent -7", a, m)
			}
			if got := layerDL(t, a.DownloadU8); !slices.Equal(got, wantA) {
				t.Errorf("codes %v, want %v", got, wantA)
			}
			if got := layerDL(t, m.DownloadU8); !slices.Equal(got, wantM) {
				t.Errorf("mask %v, want %v", got, wantM)
			}
		})
	}
}

// TestActReluQMatchesQuant: on random codes, the device Q_A equals quant's
// TQT qUnsigned with log2t = 1 and 8 bits (s = 2^1/2^8 = 2^-7, range [0,
// 255/128]) on max(y, 0)·2^-14, and the mask is y > 0 times its in-range
// gradient (QUnsignedBackward with upstream ones).
func TestActReluQMatchesQuant(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 1))
	const n = 4099
	ys := make([]int32, n)
	xs := make([]float32, n)
	for i := range ys {
		ys[i] = int32(rng.IntN(1<<16) - 1<<14) // |y| < 2^24: exact in float32
		xs[i] = float32(math.Ldexp(float64(max(ys[i], 0)), -14))
	}
	q, err := quant.QUnsigned(xs, 1, 8)
	check(t, err)
	ones := make([]float32, n)
	for i := range ones {
		ones[i] = 1
	}
	gin, _, err := quant.QUnsignedBackward(xs, ones, 1, 8)
	check(t, err)
	for _, d := range devices(t) {
		y, err := d.UploadI32([]int{n}, -14, ys)
		check(t, err)
		r := d.Record()
		a, m := r.ActReluQ(y, q.Exp)
		layerSubmit(t, r)
		ga, gm := layerDL(t, a.DownloadU8), layerDL(t, m.DownloadU8)
		for i := range ys {
			wantM := uint8(0)
			if ys[i] > 0 && gin[i] != 0 {
				wantM = 1
			}
			if int32(ga[i]) != q.Q[i] || gm[i] != wantM {
				t.Fatalf("%v: y=%d: code %d mask %d, want %d %d", d.Backend(), ys[i], ga[i], gm[i], q.Q[i], wantM)
			}
		}
	}
}

// TestActRelu6Q: ReLU6 clips at 6 first and zeroes the gradient beyond 6
// (A5). With e_a = -5 the range is [0, 255/32] and 6 is code 192.
func TestActRelu6Q(t *testing.T) {
	six := int32(6 << 14)
	ys := []int32{six, six + 1, 7 << 14, 11 << 13, -3, 1 << 9}
	wantA := []uint8{192, 192, 192, 176, 0, 1} // 5.5·32 = 176; 2^9·2^-14 = 1/32: code 1
	wantM := []uint8{1, 0, 0, 1, 0, 1}
	for _, d := range devices(t) {
		y, err := d.UploadI32([]int{6}, -14, ys)
		check(t, err)
		r := d.Record()
		a, m := r.ActRelu6Q(y, -5)
		layerSubmit(t, r)
		if got := layerDL(t, a.DownloadU8); !slices.Equal(got, wantA) {
			t.Errorf("%v: codes %v, want %v", d.Backend(), got, wantA)
		}
		if got := layerDL(t, m.DownloadU8); !slices.Equal(got, wantM) {
			t.Errorf("%v: mask %v, want %v", d.Backend(), got, wantM)
		}
	}
}

// TestActBwd: δ·mask for I8 and I32 δ, keeping exponent and Scale.
func TestActBwd(t *testing.T) {
	mask := []uint8{1, 0, 1, 1, 0, 1, 0}
	d8 := []int8{-128, 127, 5, -7, 9, 0, -1}
	d32 := []int32{math.MinInt32, 3, -4, 1 << 30, 8, 0, 1}
	for _, d := range devices(t) {
		mt, err := d.UploadU8([]int{7}, 0, mask)
		check(t, err)
		x8, err := d.UploadI8([]int{7}, -9, d8)
		check(t, err)
		x32, err := d.UploadI32([]int{7}, -20, d32)
		check(t, err)
		sc, err := d.UploadI32([]int{1}, 0, []int32{3})
		check(t, err)
		x8.Scale = sc
		r := d.Record()
		o8, o32 := r.ActBwd(x8, mt), r.ActBwd(x32, mt)
		layerSubmit(t, r)
		if o8.Exp != -9 || o8.Scale != sc || o32.Exp != -20 {
			t.Errorf("%v: exponents %v %v, want δ's", d.Backend(), o8, o32)
		}
		if got, want := layerDL(t, o8.DownloadI8), []int8{-128, 0, 5, -7, 0, 0, 0}; !slices.Equal(got, want) {
			t.Errorf("%v: i8 %v, want %v", d.Backend(), got, want)
		}
		if got, want := layerDL(t, o32.DownloadI32), []int32{math.MinInt32, 0, -4, 1 << 30, 0, 0, 0}; !slices.Equal(got, want) {
			t.Errorf("%v: i32 %v, want %v", d.Backend(), got, want)
		}
	}
}

// TestMaxpool2d: a 2x2/2 pool on a 4x5 plane (the last column dropped by
// the floor), ties going to the first index in row-major window order.
func TestMaxpool2d(t *testing.T) {
	x := []uint8{
		1, 9, 3, 3, 7,
		9, 2, 3, 3, 0,
		0, 0, 5, 6, 1,
		0, 0, 6, 5, 2,
	}
	for _, d := range devices(t) {
		xt, err := d.UploadU8([]int{1, 1, 4, 5}, -7, x)
		check(t, err)
		r := d.Record()
		y, arg := r.Maxpool2d(xt, Pool2d{KH: 2, KW: 2, SH: 2, SW: 2})
		layerSubmit(t, r)
		if got, want := layerDL(t, y.DownloadU8), []uint8{9, 3, 0, 6}; !slices.Equal(got, want) || y.Exp != -7 {
			t.Errorf("%v: y %v e%d, want %v e-7", d.Backend(), got, y.Exp, want)
		}
		// 9 at (0,1) before 9 at (1,0); 3 at (0,2); all zeros: (2,0); 6 at (2,3) before (3,2).
		if got, want := layerDL(t, arg.DownloadI32), []int32{1, 2, 10, 13}; !slices.Equal(got, want) {
			t.Errorf("%v: argmax %v, want %v", d.Backend(), got, want)
		}
	}
}

// TestMaxpool2dBwdScatter: the gather backward equals a plain scatter-add
// of δ to the argmax, for overlapping windows (3x3 stride 1 pad 1, where an
// input is the argmax of up to nine windows) and I8 and I32 δ.
func TestMaxpool2dBwdScatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 2))
	const n, c, h, w = 2, 3, 7, 9
	x := make([]uint8, n*c*h*w)
	for i := range x {
		x[i] = uint8(rng.IntN(4)) // many ties
	}
	g := Pool2d{KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}
	for _, d := range devices(t) {
		xt, err := d.UploadU8([]int{n, c, h, w}, -7, x)
		check(t, err)
		r := d.Record()
		_, arg := r.Maxpool2d(xt, g)
		layerSubmit(t, r)
		args := layerDL(t, arg.DownloadI32)
		d8 := make([]int8, len(args))
		d32 := make([]int32, len(args))
		want := make([]int32, len(x))
		for i := range d8 {
			d8[i] = int8(rng.IntN(256) - 128)
			d32[i] = int32(d8[i])
			plane := i / (h * w) // OH = h, OW = w here
			want[plane*h*w+int(args[i])] += int32(d8[i])
		}
		t8, err := d.UploadI8([]int{n, c, h, w}, -3, d8)
		check(t, err)
		t32, err := d.UploadI32([]int{n, c, h, w}, -3, d32)
		check(t, err)
		r = d.Record()
		g8, g32 := r.Maxpool2dBwd(t8, arg, g, xt.Shape()), r.Maxpool2dBwd(t32, arg, g, xt.Shape())
		layerSubmit(t, r)
		if got := layerDL(t, g8.DownloadI32); !slices.Equal(got, want) || g8.Exp != -3 {
			t.Errorf("%v: i8 δ: gather %v, scatter %v", d.Backend(), got, want)
		}
		if got := layerDL(t, g32.DownloadI32); !slices.Equal(got, want) {
			t.Errorf("%v: i32 δ: gather %v, scatter %v", d.Backend(), got, want)
		}
	}
}

// TestAvgpool2d: RoundDiv by the window size, half to even: 2x2 windows
// summing to 7, 6, 10, 2 (7/4 = 1.75 -> 2, 6/4 = 1.5 -> 2, 10/4 = 2.5 -> 2,
// 2/4 = 0.5 -> 0), and the global pool of a 3x3 plane (sum 13, 13/9 -> 1).
func TestAvgpool2d(t *testing.T) {
	x := []uint8{
		1, 2, 1, 1, 4, 3, 1, 0,
		2, 2, 2, 2, 1, 2, 1, 0,
	}
	x3 := []uint8{1, 2, 3, 0, 0, 0, 1, 2, 4}
	for _, d := range devices(t) {
		xt, err := d.UploadU8([]int{1, 1, 2, 8}, -7, x)
		check(t, err)
		x3t, err := d.UploadU8([]int{1, 1, 3, 3}, -7, x3)
		check(t, err)
		r := d.Record()
		y := r.Avgpool2d(xt, Pool2d{KH: 2, KW: 2, SH: 2, SW: 2})
		gy := r.Avgpool2d(x3t, GlobalPool(x3t.Shape()))
		layerSubmit(t, r)
		if got, want := layerDL(t, y.DownloadU8), []uint8{2, 2, 2, 0}; !slices.Equal(got, want) {
			t.Errorf("%v: avgpool %v, want %v", d.Backend(), got, want)
		}
		if got := layerDL(t, gy.DownloadU8); !slices.Equal(got, []uint8{1}) || !slices.Equal(gy.Shape(), []int{1, 1, 1, 1}) {
			t.Errorf("%v: global pool %v %v, want [1] of shape [1 1 1 1]", d.Backend(), got, gy.Shape())
		}
	}
}

// TestAvgpool2dBwd: the 1/window factor goes into the exponent. A 2x2/2
// window (4 = 2^2) passes δ through exactly with exponent e - 2; the 3x3
// global pool (9, t = 4) gives RoundDiv(δ·16, 9) with exponent e - 4, so
// δ = 9 gives 16·2^(e-4) = 2^e = 9·2^e/9 exactly, and δ = 10 gives
// 160/9 = 17.78 -> 18.
func TestAvgpool2dBwd(t *testing.T) {
	for _, d := range devices(t) {
		dt, err := d.UploadI8([]int{1, 1, 1, 2}, -5, []int8{3, -7})
		check(t, err)
		g9, err := d.UploadI32([]int{2, 1, 1, 1}, -5, []int32{9, 10})
		check(t, err)
		r := d.Record()
		dx := r.Avgpool2dBwd(dt, Pool2d{KH: 2, KW: 2, SH: 2, SW: 2}, []int{1, 1, 2, 4})
		dx9 := r.Avgpool2dBwd(g9, GlobalPool([]int{2, 1, 3, 3}), []int{2, 1, 3, 3})
		layerSubmit(t, r)
		if got, want := layerDL(t, dx.DownloadI32), []int32{3, 3, -7, -7, 3, 3, -7, -7}; !slices.Equal(got, want) || dx.Exp != -7 {
			t.Errorf("%v: 2x2 bwd %v e%d, want %v e-7", d.Backend(), got, dx.Exp, want)
		}
		want9 := append(slices.Repeat([]int32{16}, 9), slices.Repeat([]int32{18}, 9)...)
		if got := layerDL(t, dx9.DownloadI32); !slices.Equal(got, want9) || dx9.Exp != -9 {
			t.Errorf("%v: global bwd %v e%d, want %v e-9", d.Backend(), got, dx9.Exp, want9)
		}
	}
}

// TestOptimWageubnTable: the full8 update of A8 worked by hand (codes; W
// at 2^-23, M at 2^-12, G at 2^-14, lr at 2^-9):
//
//	W        M    G     lr   M'=M+G  W-lr·M'            RoundShr(M',2)
//	2^23     100  50    26   150     8388608-3900       37.5 -> 38
//	-5       -3   -127  511  -130    -5+66430 = 66425   -32.5 -> -32
//	7        2    0     1    2       5                  0.5 -> 0
//	7        6    0     1    6       1                  1.5 -> 2
//
// Row 1 in values: M/4 = 25/4096 = 100/16384, plus G = 50/16384 gives
// M' = 150/16384; lr·M' = (26/512)(150/16384) = 3900·2^-23 (B§2.8).
// Rows 3-4 use one lr for the tensor, so they run as separate calls.
func TestOptimWageubnTable(t *testing.T) {
	rows := []struct {
		w, m    int32
		g       int8
		lr      int
		wW, wM  int32
		i32Grad bool
	}{
		{1 << 23, 100, 50, 26, 8388608 - 3900, 38, false},
		{-5, -3, -127, 511, 66425, -32, true},
		{7, 2, 0, 1, 5, 0, false},
		{7, 6, 0, 1, 1, 2, true},
	}
	for _, d := range devices(t) {
		for _, row := range rows {
			w, err := d.UploadI32([]int{1}, ExpMaster, []int32{row.w})
			check(t, err)
			m, err := d.UploadI32([]int{1}, ExpMomentum, []int32{row.m})
			check(t, err)
			var g *Tensor
			if row.i32Grad {
				g, err = d.UploadI32([]int{1}, ExpGrad, []int32{int32(row.g)})
			} else {
				g, err = d.UploadI8([]int{1}, ExpGrad, []int8{row.g})
			}
			check(t, err)
			r := d.Record()
			r.OptimWageubn(w, m, g, row.lr)
			layerSubmit(t, r)
			if gw, gm := layerDL(t, w.DownloadI32), layerDL(t, m.DownloadI32); gw[0] != row.wW || gm[0] != row.wM {
				t.Errorf("%v: row %+v: W %d M %d", d.Backend(), row, gw[0], gm[0])
			}
		}
	}
}

// TestOptimWageubnOverflow: a master that leaves int32 is flagged.
func TestOptimWageubnOverflow(t *testing.T) {
	for _, d := range devices(t) {
		w, err := d.UploadI32([]int{1}, ExpMaster, []int32{math.MaxInt32})
		check(t, err)
		m, err := d.UploadI32([]int{1}, ExpMomentum, []int32{0})
		check(t, err)
		g, err := d.UploadI8([]int{1}, ExpGrad, []int8{-1})
		check(t, err)
		r := d.Record()
		r.OptimWageubn(w, m, g, 1)
		layerSubmit(t, r)
		if _, err := d.ErrorWord(); !errors.Is(err, ErrOverflow) {
			t.Errorf("%v: error word: %v, want ErrOverflow", d.Backend(), err)
		}
	}
}

// plusRef is the exact A15 update in rationals: M_t = 7/8·M·2^-12 +
// G·2^eg, W = Q(W·2^-23 - lr·2^-9·M_t, 24), M = Q(M_t, 13), rounding half
// to even.
func plusRef(w, m int32, g int8, lr, eg int) (int32, int32) {
	pow := func(e int) *big.Rat {
		if e >= 0 {
			return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e)))
		}
		return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(-e)))
	}
	mt := new(big.Rat).Mul(big.NewRat(7*int64(m), 8), pow(-12))
	mt.Add(mt, new(big.Rat).Mul(big.NewRat(int64(g), 1), pow(eg)))
	wt := new(big.Rat).Mul(big.NewRat(int64(w), 1), pow(-23))
	wt.Sub(wt, new(big.Rat).Mul(new(big.Rat).Mul(big.NewRat(int64(lr), 1), pow(-9)), mt))
	round := func(x *big.Rat, e int) int32 { // round(x / 2^e), half to even
		q := new(big.Rat).Mul(x, pow(-e))
		fl := new(big.Int).Div(q.Num(), q.Denom()) // floor (Euclidean, denominator > 0)
		frac := new(big.Rat).Sub(q, new(big.Rat).SetInt(fl))
		switch frac.Cmp(big.NewRat(1, 2)) {
		case 1:
			fl.Add(fl, big.NewInt(1))
		case 0:
			if fl.Bit(0) == 1 {
				fl.Add(fl, big.NewInt(1))
			}
		}
		return int32(fl.Int64())
	}
	return round(wt, -23), round(mt, -12)
}

// TestOptimWageubnPlus: the full8plus update of A15. By hand, with e_g =
// -10 (grid e_c = -15): M = 8, G = 3: 7·8 = 56 and 3·2^5 = 96 on 2^-15,
// M' = 152 (= 7/8·8/4096 + 3/1024 = 19/4096); lr = 26, W = 1000: W =
// (2·1000 - 26·152)/2 = -976 exactly, M = 152/8 = 19. With e_g = -20 (e_c =
// -20): M' = 56·32 + 3 = 1795, W = RoundShr(64000 - 46670, 6) = 270.78 ->
// 271, M = RoundShr(1795, 8) = 7. Then random states against the exact
// rational update, e_g from -69 to 0 through the Scale tensor.
func TestOptimWageubnPlus(t *testing.T) {
	for _, d := range devices(t) {
		run := func(w0, m0 int32, g0 int8, lr, gexp int, scale *int32) (int32, int32) {
			t.Helper()
			w, err := d.UploadI32([]int{1}, ExpMaster, []int32{w0})
			check(t, err)
			m, err := d.UploadI32([]int{1}, ExpMomentum, []int32{m0})
			check(t, err)
			g, err := d.UploadI8([]int{1}, gexp, []int8{g0})
			check(t, err)
			if scale != nil {
				g.Scale, err = d.UploadI32([]int{1}, 0, []int32{*scale})
				check(t, err)
			}
			r := d.Record()
			r.OptimWageubnPlus(w, m, g, lr)
			layerSubmit(t, r)
			return layerDL(t, w.DownloadI32)[0], layerDL(t, m.DownloadI32)[0]
		}
		s3, s13 := int32(-3), int32(-13)
		for _, c := range []struct {
			gexp      int
			scale     *int32
			wantW, wM int32
		}{{-10, nil, -976, 19}, {-7, &s3, -976, 19}, {-20, nil, 271, 7}, {-7, &s13, 271, 7}} {
			if gw, gm := run(1000, 8, 3, 26, c.gexp, c.scale); gw != c.wantW || gm != c.wM {
				t.Errorf("%v: e_g %d (scale %v): W %d M %d, want %d %d", d.Backend(), c.gexp, c.scale, gw, gm, c.wantW, c.wM)
			}
		}
		rng := rand.New(rand.NewPCG(seed, 3))
		for range 300 {
			w0, m0 := int32(rng.IntN(1<<25)-1<<24), int32(rng.IntN(8191)-4095)
			g0, lr, eg := int8(rng.IntN(256)-128), rng.IntN(1023)-511, -rng.IntN(70)
			sc := int32(eg + 7)
			gw, gm := run(w0, m0, g0, lr, -7, &sc)
			ww, wm := plusRef(w0, m0, g0, lr, eg)
			if gw != ww || gm != wm {
				t.Fatalf("%v: W=%d M=%d G=%d lr=%d e_g=%d: got W %d M %d, exact %d %d", d.Backend(), w0, m0, g0, lr, eg, gw, gm, ww, wm)
			}
		}
	}
}

// TestOptimFloat: SGD and Adam against float64 references of PyTorch's
// formulas (tolerance 1e-6 relative to 1).
func TestOptimFloat(t *testing.T) {
	w0, v0, g0 := []float32{1, -2, 0.5}, []float32{0.1, 0, -0.3}, []float32{0.2, -0.4, 1}
	for _, d := range devices(t) {
		up := func(x []float32) *Tensor {
			tt, err := d.UploadF32([]int{3}, 0, x)
			check(t, err)
			return tt
		}
		w, v, g := up(w0), up(v0), up(g0)
		wa, ma, va, ga := up(w0), up(v0), up([]float32{0.01, 0, 0.2}), up(g0)
		r := d.Record()
		r.OptimSGD(w, v, g, 0.1, 0.9, 0.01)
		r.OptimAdam(wa, ma, va, ga, Adam{LR: 0.01, WeightDecay: 0.01}, 3)
		layerSubmit(t, r)
		gw, gv := layerDL(t, w.DownloadF32), layerDL(t, v.DownloadF32)
		gwa := layerDL(t, wa.DownloadF32)
		for i := range w0 {
			gg := float64(g0[i]) + 0.01*float64(w0[i])
			vv := 0.9*float64(v0[i]) + gg
			ww := float64(w0[i]) - 0.1*vv
			mm := 0.9*float64(v0[i]) + 0.1*gg
			v2 := 0.999*[]float64{0.01, 0, 0.2}[i] + 0.001*gg*gg
			wa := float64(w0[i]) - 0.01*(mm/(1-math.Pow(0.9, 3)))/(math.Sqrt(v2/(1-math.Pow(0.999, 3)))+1e-8)
			if math.Abs(float64(gv[i])-vv) > 1e-6 || math.Abs(float64(gw[i])-ww) > 1e-6 || math.Abs(float64(gwa[i])-wa) > 1e-6 {
				t.Errorf("%v: [%d] sgd w %g v %g (want %g %g), adam w %g (want %g)", d.Backend(), i, gw[i], gv[i], ww, vv, gwa[i], wa)
			}
		}
	}
}

// TestSoftmaxXent: loss and gradient against float64 within 1e-5, the
// argmax (ties to the lowest index) and the correct count exactly, and an
// ignored label (>= K).
func TestSoftmaxXent(t *testing.T) {
	// Logits as I32 codes with exponent -2: sample 0 ties classes 1 and 2.
	codes := []int32{0, 8, 8, -4, 1, 2, 3, 4, 5, 5, 5, 5}
	labels := []uint32{1, 3, 4}
	for _, d := range devices(t) {
		lt, err := d.UploadI32([]int{3, 4}, -2, codes)
		check(t, err)
		lb, err := d.UploadU32([]int{3}, 0, labels)
		check(t, err)
		r := d.Record()
		x := r.SoftmaxXent(lt, lb)
		layerSubmit(t, r)
		if got := layerDL(t, x.Pred.DownloadI32); !slices.Equal(got, []int32{1, 3, 0}) {
			t.Errorf("%v: pred %v, want [1 3 0]", d.Backend(), got)
		}
		if got := layerDL(t, x.Correct.DownloadU32); got[0] != 2 {
			t.Errorf("%v: correct %d, want 2", d.Backend(), got[0])
		}
		loss, grad := layerDL(t, x.Loss.DownloadF32), layerDL(t, x.Grad.DownloadF32)
		for s := range 3 {
			row := codes[4*s : 4*s+4]
			mx := math.Inf(-1)
			for _, c := range row {
				mx = max(mx, float64(c)/4)
			}
			sum := 0.0
			for _, c := range row {
				sum += math.Exp(float64(c)/4 - mx)
			}
			wantLoss := 0.0
			if labels[s] < 4 {
				wantLoss = math.Log(sum) - (float64(row[labels[s]])/4 - mx)
			}
			if math.Abs(float64(loss[s])-wantLoss) > 1e-5 {
				t.Errorf("%v: loss[%d] = %g, want %g", d.Backend(), s, loss[s], wantLoss)
			}
			for j, c := range row {
				want := 0.0
				if labels[s] < 4 {
					want = math.Exp(float64(c)/4-mx) / sum
					if uint32(j) == labels[s] {
						want--
					}
					want /= 3
				}
				if math.Abs(float64(grad[4*s+j])-want) > 1e-6 {
					t.Errorf("%v: grad[%d,%d] = %g, want %g", d.Backend(), s, j, grad[4*s+j], want)
				}
			}
		}
		x.Release()
	}
}

// TestSumWideHistogram: the wide sums and the histogram against plain
// loops, on codes whose sums pass int32.
func TestSumWideHistogram(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 4))
	const rows, cols = 5, 1001
	x := make([]int32, rows*cols)
	for i := range x {
		x[i] = int32(rng.Uint32())
	}
	for _, d := range devices(t) {
		xt, err := d.UploadI32([]int{rows, cols}, -3, x)
		check(t, err)
		r := d.Record()
		all, per := r.SumWide(xt, false), r.SumWide(xt, true)
		h := r.Histogram(xt, -1<<30, 1<<30-1, 10)
		layerSubmit(t, r)
		var total int64
		wantRows := make([]int64, rows)
		wantH := make([]uint32, 10)
		for i, v := range x {
			total += int64(v)
			wantRows[i/cols] += int64(v)
			if v >= -1<<30 && v < 1<<30 {
				wantH[(int64(v)+1<<30)*10>>31]++
			}
		}
		if got := layerDL(t, all.DownloadI64); got[0] != total || all.Exp != -3 {
			t.Errorf("%v: sum %d, want %d", d.Backend(), got[0], total)
		}
		if got := layerDL(t, per.DownloadI64); !slices.Equal(got, wantRows) {
			t.Errorf("%v: row sums %v, want %v", d.Backend(), got, wantRows)
		}
		if got := layerDL(t, h.DownloadU32); !slices.Equal(got, wantH) {
			t.Errorf("%v: histogram %v, want %v", d.Backend(), got, wantH)
		}
	}
}

// TestLayerWrapperErrors: bad dtypes, shapes and settings fail with
// ErrShape and stick.
func TestLayerWrapperErrors(t *testing.T) {
	d := openCPUDevice(t)
	i8, err := d.UploadI8([]int{1, 1, 2, 2}, -7, []int8{1, 2, 3, 4})
	check(t, err)
	i32, err := d.UploadI32([]int{4}, -14, []int32{1, 2, 3, 4})
	check(t, err)
	m, err := d.UploadI32([]int{4}, ExpMomentum, []int32{1, 2, 3, 4})
	check(t, err)
	for name, f := range map[string]func(r *Recorder) bool{
		"relu_q shift":  func(r *Recorder) bool { a, _ := r.ActReluQ(i32, 40); return a == nil },
		"relu_q dtype":  func(r *Recorder) bool { a, _ := r.ActReluQ(i8, -7); return a == nil },
		"maxpool dtype": func(r *Recorder) bool { y, _ := r.Maxpool2d(i8, Pool2d{KH: 2, KW: 2, SH: 2, SW: 2}); return y == nil },
		"avgpool pad": func(r *Recorder) bool {
			return r.Avgpool2dBwd(i32, Pool2d{KH: 2, KW: 2, SH: 1, SW: 1, PH: 2}, []int{1, 1, 2, 2}) == nil
		},
		"optim exponent": func(r *Recorder) bool { return r.OptimWageubn(i32, m, i32, 1) == nil },
		"optim lr":       func(r *Recorder) bool { return r.OptimWageubn(m, m, m, 5000) == nil },
		"xent rank":      func(r *Recorder) bool { return r.SoftmaxXent(i32, i32).Loss == nil },
		"histogram":      func(r *Recorder) bool { return r.Histogram(i32, 5, 4, 3) == nil },
	} {
		r := d.Record()
		if !f(r) || !errors.Is(r.Submit(), ErrShape) {
			t.Errorf("%s: want nil and ErrShape, got %v", name, r.Err())
		}
	}
}
