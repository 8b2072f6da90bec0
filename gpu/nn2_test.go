package gpu

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// Wrapper-level tests of the integer AdderNet kernels against plain int64
// loops (AdderNet's rules, adder.py, on codes), on every backend.

// adderIntRef returns y, dx and dw of AdderNet on codes x, w, dy with
// shifts sx, sw and the HardTanh bound lim.
func adderIntRef(s convShape, x, w, dy []int64, sx, sw uint, lim int64) (y, dx, dw []int64) {
	oh, ow := s.out()
	cg, kg := s.C/s.Groups, s.K/s.Groups
	y = make([]int64, s.N*s.K*oh*ow)
	dx = make([]int64, len(x))
	dw = make([]int64, len(w))
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			g := k / kg
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					yi := ((n*s.K+k)*oh+oy)*ow + ox
					for c := 0; c < cg; c++ {
						ch := g*cg + c
						for i := 0; i < s.KH; i++ {
							for j := 0; j < s.KW; j++ {
								iy, ix := oy*s.Stride-s.Pad+i, ox*s.Stride-s.Pad+j
								wi := ((k*cg+c)*s.KH+i)*s.KW + j
								wv := w[wi] << sw
								xv, in := int64(0), iy >= 0 && iy < s.H && ix >= 0 && ix < s.W
								xi := ((n*s.C+ch)*s.H+iy)*s.W + ix
								if in {
									xv = x[xi] << sx
									dx[xi] += min(max(wv-xv, -lim), lim) * dy[yi]
								}
								d := xv - wv
								y[yi] -= max(d, -d)
								dw[wi] += d * dy[yi]
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw
}

// TestAdderInt: Adder2dInt, Adder2dBwdDataInt and Adder2dBwdWeightInt equal
// the int64 reference for U8 activations (exponent -7) against I8 weights
// (-7, and -8 for a shift), with I16 E2-like codes carrying a Scale.
func TestAdderInt(t *testing.T) {
	for _, d := range devices(t) {
		for si, s := range convShapes {
			for _, we := range []int{-7, -8} {
				rng := rand.New(rand.NewPCG(seed, uint64(si)))
				oh, ow := s.out()
				x8 := make([]uint8, s.N*s.C*s.H*s.W)
				w8 := make([]int8, s.K*(s.C/s.Groups)*s.KH*s.KW)
				dy16 := make([]int16, s.N*s.K*oh*ow)
				x, w, dy := make([]int64, len(x8)), make([]int64, len(w8)), make([]int64, len(dy16))
				for i := range x8 {
					x8[i] = uint8(rng.IntN(256))
					x[i] = int64(x8[i])
				}
				for i := range w8 {
					w8[i] = int8(rng.IntN(255) - 127)
					w[i] = int64(w8[i])
				}
				for i := range dy16 {
					dy16[i] = int16(rng.IntN(255)-127) * 128
					dy[i] = int64(dy16[i])
				}
				sx, e := uint(0), -7
				if we == -8 {
					sx, e = 1, -8
				}
				wantY, wantDX, wantDW := adderIntRef(s, x, w, dy, sx, 0, int64(1)<<-e)
				xt, err := d.UploadU8(s.xShape(), -7, x8)
				check(t, err)
				wt, err := d.UploadI8(s.wShape(), we, w8)
				check(t, err)
				dyt, err := d.UploadI16(s.yShape(), -20, dy16)
				check(t, err)
				sc, err := d.UploadI32([]int{1}, 0, []int32{5})
				check(t, err)
				dyt.Scale = sc
				r := d.Record()
				y := r.Adder2dInt(xt, wt, s.geom())
				dx := r.Adder2dBwdDataInt(dyt, xt, wt, s.geom())
				dw := r.Adder2dBwdWeightInt(dyt, xt, wt, s.geom())
				if err := r.Submit(); err != nil {
					t.Fatal(err)
				}
				if y.Exp != e || dx.Exp != e-20 || dw.Exp != e-20 || dx.Scale != sc || dw.Scale != sc || dx.DType() != I64 {
					t.Fatalf("%v: exponents y %v dx %v dw %v, want %d and %d with dy's Scale", s, y, dx, dw, e, e-20)
				}
				gy, err := y.DownloadI32()
				check(t, err)
				for i, v := range gy {
					if int64(v) != wantY[i] {
						t.Fatalf("%v %v w.Exp %d: y[%d] = %d, want %d", d.Backend(), s, we, i, v, wantY[i])
					}
				}
				gdx, err := dx.DownloadI64()
				check(t, err)
				if !slices.Equal(gdx, wantDX) {
					t.Fatalf("%v %v w.Exp %d: dx differs", d.Backend(), s, we)
				}
				gdw, err := dw.DownloadI64()
				check(t, err)
				if !slices.Equal(gdw, wantDW) {
					t.Fatalf("%v %v w.Exp %d: dw differs", d.Backend(), s, we)
				}
				for _, tt := range []*Tensor{xt, wt, dyt, sc, y, dx, dw} {
					tt.Release()
				}
			}
		}
	}
}

// TestAdderIntValidation: bad dtypes, shapes, exponents and bounds are
// refused before anything is recorded.
func TestAdderIntValidation(t *testing.T) {
	d := openCPUDevice(t)
	s := convShapes[2]
	x, _ := d.UploadU8(s.xShape(), -7, make([]uint8, s.N*s.C*s.H*s.W))
	w, _ := d.UploadI8(s.wShape(), -7, make([]int8, s.K*s.C*s.KH*s.KW))
	w20, _ := d.UploadI8(s.wShape(), -20, make([]int8, s.K*s.C*s.KH*s.KW))
	xi, _ := d.UploadI32(s.xShape(), -7, make([]int32, s.N*s.C*s.H*s.W))
	dyBad, _ := d.UploadI16([]int{1, 1, 1, 1}, 0, []int16{1})
	// A 2400x2400 window: 5,760,000·383 terms can exceed 2^31.
	big, _ := d.UploadU8([]int{1, 1, 2400, 2400}, -7, make([]uint8, 2400*2400))
	wBig, _ := d.UploadI8([]int{1, 1, 2400, 2400}, -7, make([]int8, 2400*2400))
	bigDy, _ := d.UploadI32([]int{1, 1, 1, 1}, 0, []int32{1})
	for name, f := range map[string]func(r *Recorder) *Tensor{
		"x I32":     func(r *Recorder) *Tensor { return r.Adder2dInt(xi, w, s.geom()) },
		"exp gap":   func(r *Recorder) *Tensor { return r.Adder2dInt(x, w20, s.geom()) },
		"dy shape":  func(r *Recorder) *Tensor { return r.Adder2dBwdDataInt(dyBad, x, w, s.geom()) },
		"nil dy":    func(r *Recorder) *Tensor { return r.Adder2dBwdWeightInt(nil, x, w, s.geom()) },
		"geometry":  func(r *Recorder) *Tensor { return r.Adder2dInt(x, w, ConvGeom{Stride: 1, Groups: 2}) },
		"int32 sum": func(r *Recorder) *Tensor { return r.Adder2dInt(big, wBig, ConvGeom{Stride: 1, Groups: 1}) },
	} {
		r := d.Record()
		if f(r) != nil || !(errors.Is(r.Err(), ErrShape) || errors.Is(r.Err(), ErrTooLarge)) {
			t.Errorf("%s: err %v", name, r.Err())
		}
	}
	// The weight gradient of the same window is one int64 term per weight.
	r := d.Record()
	if r.Adder2dBwdWeightInt(bigDy, big, wBig, ConvGeom{Stride: 1, Groups: 1}) == nil {
		t.Errorf("I32 dy, one term: %v", r.Err())
	}
}

// TestQuantShiftF32: on float32 values of many scales, with ties of the
// code grid and subnormals, the device E1 equals quant.Shift(x, 8): the
// same codes and exponent; a zero tensor gives zeros.
func TestQuantShiftF32(t *testing.T) {
	for _, d := range devices(t) {
		rng := rand.New(rand.NewPCG(seed, 77))
		for trial := range 6 {
			shape := []int{3, 5, 1 + trial*37}
			n := numElems(shape)
			x := make([]float32, n)
			for i := range x {
				switch trial {
				case 0:
					x[i] = float32(rng.NormFloat64() * 1e-3)
				case 1: // ties at the code grid of R = 2^-2
					x[i] = float32((float64(rng.IntN(200)-100) + 0.5) * math.Ldexp(1, -9))
				case 2:
					x[i] = math.Float32frombits(uint32(rng.IntN(1<<23)) | uint32(rng.IntN(2))<<31)
				case 3:
					x[i] = float32(rng.NormFloat64() * 1e30)
				case 4:
					x[i] = float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(40)-20)))
				}
			}
			want, err := quant.Shift(x, 8)
			check(t, err)
			xt, err := d.UploadF32(shape, 0, x)
			check(t, err)
			r := d.Record()
			m := r.MaxAbsF32(xt)
			e := r.QuantShiftF32(xt, m)
			if err := r.Submit(); err != nil {
				t.Fatal(err)
			}
			codes, err := e.DownloadI8()
			check(t, err)
			sc, err := e.Scale.DownloadI32()
			check(t, err)
			for i, c := range codes {
				if int32(c) != want.Q[i] {
					t.Fatalf("%v trial %d: code[%d] = %d for %g, want %d", d.Backend(), trial, i, c, x[i], want.Q[i])
				}
			}
			if trial != 5 && int(sc[0]) != want.Exp {
				t.Fatalf("%v trial %d: scale %d, want %d", d.Backend(), trial, sc[0], want.Exp)
			}
			if trial == 5 && sc[0] != -7 {
				t.Fatalf("zero tensor: scale %d, want -7", sc[0])
			}
			for _, tt := range []*Tensor{xt, m, e, e.Scale} {
				tt.Release()
			}
		}
	}
}

// TestAddGrad: the sum of E1-like I8 codes with a Scale and I64 codes with
// another equals the exact sum of the values (int64 reference), on every
// backend; a shift past int64 is flagged.
func TestAddGrad(t *testing.T) {
	for _, d := range devices(t) {
		rng := rand.New(rand.NewPCG(seed, 91))
		shape := []int{3, 5, 7}
		n := numElems(shape)
		a8 := make([]int8, n)
		b64 := make([]int64, n)
		for i := range a8 {
			a8[i] = int8(rng.IntN(255) - 127)
			b64[i] = int64(rng.IntN(1<<40)) - 1<<39
		}
		for _, sc := range [][2]int32{{-3, 11}, {20, -4}, {0, 0}} {
			at, err := d.UploadI8(shape, -9, a8)
			check(t, err)
			bt, err := d.UploadI64(shape, -30, b64)
			check(t, err)
			as, err := d.UploadI32([]int{1}, 0, []int32{sc[0]})
			check(t, err)
			bs, err := d.UploadI32([]int{1}, 0, []int32{sc[1]})
			check(t, err)
			at.Scale, bt.Scale = as, bs
			r := d.Record()
			y := r.AddGrad(at, bt)
			if err := r.Submit(); err != nil {
				t.Fatal(err)
			}
			if y.DType() != I64 || y.Exp != -30 || y.Scale == nil {
				t.Fatalf("y = %v, want i64 exponent -30 with a Scale", y)
			}
			got, err := y.DownloadI64()
			check(t, err)
			ys, err := y.Scale.DownloadI32()
			check(t, err)
			ea, eb := -9+int(sc[0]), -30+int(sc[1])
			e := min(ea, eb)
			if int(ys[0]) != e+30 {
				t.Fatalf("scale %d, want %d", ys[0], e+30)
			}
			for i := range got {
				want := int64(a8[i])<<(ea-e) + b64[i]<<(eb-e)
				if got[i] != want {
					t.Fatalf("%v scales %v: y[%d] = %d, want %d", d.Backend(), sc, i, got[i], want)
				}
			}
			for _, tt := range []*Tensor{at, bt, as, bs, y, y.Scale} {
				tt.Release()
			}
		}
	}
	// Overflow: a shift of 60 bits on codes of 2^20 is flagged (Debug).
	dd, err := Open(Options{Backend: CPU, Debug: true})
	check(t, err)
	defer dd.Close()
	a, _ := dd.UploadI32([]int{2}, 40, []int32{1 << 20, 0})
	b, _ := dd.UploadI32([]int{2}, -20, []int32{1, 2})
	r := dd.Record()
	r.AddGrad(a, b)
	if err := r.Submit(); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflowing shift: %v, want ErrOverflow", err)
	}
}
