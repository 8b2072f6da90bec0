package gpu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// Wrapper tests of the conv family against a naive direct convolution
// written out plainly (NCHW loops, scattering each product where it goes),
// over the geometries of kernels_conv_test.go, on every backend.

type number interface{ ~int64 | ~float64 }

// naiveConv returns y [N, K, OH, OW] = Σ x·w by the definition.
func naiveConv[T number](s convShape, x, w []T) []T {
	oh, ow := s.out()
	cg, kg := s.C/s.Groups, s.K/s.Groups
	y := make([]T, s.N*s.K*oh*ow)
	for n := range s.N {
		for k := range s.K {
			g := k / kg
			for i := range oh {
				for j := range ow {
					var sum T
					for c := range cg {
						for kh := range s.KH {
							for kw := range s.KW {
								ih, iw := i*s.Stride+kh-s.Pad, j*s.Stride+kw-s.Pad
								if ih < 0 || ih >= s.H || iw < 0 || iw >= s.W {
									continue
								}
								sum += x[((n*s.C+g*cg+c)*s.H+ih)*s.W+iw] * w[((k*cg+c)*s.KH+kh)*s.KW+kw]
							}
						}
					}
					y[((n*s.K+k)*oh+i)*ow+j] = sum
				}
			}
		}
	}
	return y
}

// naiveBwd returns dx [N, C, H, W] and dw [K, C/G, KH, KW] of the
// convolution for output gradient dy, scattering every product dy·w into dx
// and dy·x into dw at the input pixel it came from.
func naiveBwd[T number](s convShape, x, w, dy []T) (dx, dw []T) {
	oh, ow := s.out()
	cg, kg := s.C/s.Groups, s.K/s.Groups
	dx = make([]T, s.N*s.C*s.H*s.W)
	dw = make([]T, s.K*cg*s.KH*s.KW)
	for n := range s.N {
		for k := range s.K {
			g := k / kg
			for i := range oh {
				for j := range ow {
					d := dy[((n*s.K+k)*oh+i)*ow+j]
					for c := range cg {
						for kh := range s.KH {
							for kw := range s.KW {
								ih, iw := i*s.Stride+kh-s.Pad, j*s.Stride+kw-s.Pad
								if ih < 0 || ih >= s.H || iw < 0 || iw >= s.W {
									continue
								}
								xi := ((n*s.C+g*cg+c)*s.H+ih)*s.W + iw
								wi := ((k*cg+c)*s.KH+kh)*s.KW + kw
								dx[xi] += d * w[wi]
								dw[wi] += d * x[xi]
							}
						}
					}
				}
			}
		}
	}
	return dx, dw
}

func randI8(rng *rand.Rand, n int, set string) []int8 {
	v := make([]int8, n)
	for i := range v {
		switch set {
		case "all-128":
			v[i] = -128
		case "all127":
			v[i] = 127
		default:
			v[i] = int8(rng.IntN(256) - 128)
		}
	}
	return v
}

func toI64(v []int8) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func compareI32(t *testing.T, what string, got []int32, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if int64(got[i]) != want[i] {
			if bad < 5 {
				t.Errorf("%s[%d] = %d, want %d", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}

// TestConv2dI8 checks Conv2dI8, Conv2dBwdData and Conv2dBwdWeight against
// the naive convolution, exactly, with the exponents of the products.
func TestConv2dI8(t *testing.T) {
	for _, d := range devices(t) {
		for _, s := range convShapes {
			for _, set := range []string{"random", "all-128", "all127"} {
				t.Run(fmt.Sprintf("%v/%v/%s", d.Backend(), s, set), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(seed, 1))
					xs, ws, ys := s.xShape(), s.wShape(), s.yShape()
					x8, w8 := randI8(rng, numElems(xs), set), randI8(rng, numElems(ws), set)
					dy8 := randI8(rng, numElems(ys), "random")
					x, err := d.UploadI8(xs, -7, x8)
					check(t, err)
					defer x.Release()
					w, err := d.UploadI8(ws, -6, w8)
					check(t, err)
					defer w.Release()
					dy, err := d.UploadI8(ys, -9, dy8)
					check(t, err)
					defer dy.Release()

					r := d.Record()
					y := r.Conv2dI8(x, w, s.geom())
					dx := r.Conv2dBwdData(dy, w, xs, s.geom())
					dw := r.Conv2dBwdWeight(dy, x, ws, s.geom())
					check(t, r.Submit())
					defer y.Release()
					defer dx.Release()
					defer dw.Release()
					if len(r.temps) != 0 {
						t.Errorf("%d temporaries left after Submit", len(r.temps))
					}
					if y.Exp != -13 || dx.Exp != -15 || dw.Exp != -16 {
						t.Errorf("exponents y %d dx %d dw %d, want -13 -15 -16", y.Exp, dx.Exp, dw.Exp)
					}
					if !equalShape(y.shape, ys) || !equalShape(dx.shape, xs) || !equalShape(dw.shape, ws) {
						t.Errorf("shapes y %v dx %v dw %v", y.shape, dx.shape, dw.shape)
					}
					wantY := naiveConv(s, toI64(x8), toI64(w8))
					wantDx, wantDw := naiveBwd(s, toI64(x8), toI64(w8), toI64(dy8))
					got, err := y.DownloadI32()
					check(t, err)
					compareI32(t, "y", got, wantY)
					got, err = dx.DownloadI32()
					check(t, err)
					compareI32(t, "dx", got, wantDx)
					got, err = dw.DownloadI32()
					check(t, err)
					compareI32(t, "dw", got, wantDw)
					ew, err := d.ErrorWord()
					check(t, err)
					if ew != 0 {
						t.Errorf("error word %#x, want 0", ew)
					}
				})
			}
		}
	}
}

// TestConv2dF32 checks the float kernels against the naive convolution in
// float64: |got - want| <= 1e-5·Σ|terms| + 1e-6 (float32 sums of products of
// numbers in [-1, 1], each rounding step at most 2^-24 of a partial sum).
func TestConv2dF32(t *testing.T) {
	for _, d := range devices(t) {
		for _, s := range convShapes {
			t.Run(fmt.Sprintf("%v/%v", d.Backend(), s), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 2))
				xs, ws, ys := s.xShape(), s.wShape(), s.yShape()
				gen := func(n int) ([]float32, []float64, []float64) {
					v, f, a := make([]float32, n), make([]float64, n), make([]float64, n)
					for i := range v {
						v[i] = float32(2*rng.Float64() - 1)
						f[i], a[i] = float64(v[i]), math.Abs(float64(v[i]))
					}
					return v, f, a
				}
				x32, x64, xa := gen(numElems(xs))
				w32, w64, wa := gen(numElems(ws))
				dy32, dy64, dya := gen(numElems(ys))
				x, err := d.UploadF32(xs, 0, x32)
				check(t, err)
				defer x.Release()
				w, err := d.UploadF32(ws, 0, w32)
				check(t, err)
				defer w.Release()
				dy, err := d.UploadF32(ys, 0, dy32)
				check(t, err)
				defer dy.Release()
				r := d.Record()
				y := r.Conv2dF32(x, w, s.geom())
				dx := r.Conv2dBwdDataF32(dy, w, xs, s.geom())
				dw := r.Conv2dBwdWeightF32(dy, x, ws, s.geom())
				check(t, r.Submit())
				defer y.Release()
				defer dx.Release()
				defer dw.Release()
				wantDx, wantDw := naiveBwd(s, x64, w64, dy64)
				absDx, absDw := naiveBwd(s, xa, wa, dya)
				for _, c := range []struct {
					name      string
					t         *Tensor
					want, abs []float64
				}{
					{"y", y, naiveConv(s, x64, w64), naiveConv(s, xa, wa)},
					{"dx", dx, wantDx, absDx},
					{"dw", dw, wantDw, absDw},
				} {
					got, err := c.t.DownloadF32()
					check(t, err)
					for i := range got {
						if diff := math.Abs(float64(got[i]) - c.want[i]); diff > 1e-5*c.abs[i]+1e-6 {
							t.Errorf("%s[%d] = %g, want %g (|terms| %g)", c.name, i, got[i], c.want[i], c.abs[i])
							break
						}
					}
				}
			})
		}
	}
}

// TestConv2dScale checks that the data-dependent Scale of one operand
// carries over and that two are refused.
func TestConv2dScale(t *testing.T) {
	d := openCPUDevice(t)
	s := convShapes[2]
	x, err := d.UploadI8(s.xShape(), 0, make([]int8, numElems(s.xShape())))
	check(t, err)
	w, err := d.UploadI8(s.wShape(), 0, make([]int8, numElems(s.wShape())))
	check(t, err)
	sc, err := d.UploadI32([]int{1}, 0, []int32{3})
	check(t, err)
	x.Scale = sc
	r := d.Record()
	if y := r.Conv2dI8(x, w, s.geom()); y == nil || y.Scale != sc {
		t.Fatalf("y = %v, Scale not carried over (err %v)", y, r.Err())
	}
	check(t, r.Submit())
	w.Scale = sc
	r = d.Record()
	if y := r.Conv2dI8(x, w, s.geom()); y != nil || !errors.Is(r.Err(), ErrShape) {
		t.Errorf("two Scales: y = %v, err %v, want ErrShape", y, r.Err())
	}
	if err := r.Submit(); !errors.Is(err, ErrShape) {
		t.Errorf("Submit: %v", err)
	}
}

// TestConv2dErrors checks the validation of shapes, geometry and bounds.
func TestConv2dErrors(t *testing.T) {
	d := openCPUDevice(t)
	up := func(dt DType, shape ...int) *Tensor {
		tt, err := d.Empty(dt, shape, 0)
		check(t, err)
		t.Cleanup(tt.Release)
		return tt
	}
	x := up(I8, 2, 4, 8, 8)
	w := up(I8, 6, 2, 3, 3)
	dy := up(I8, 2, 6, 8, 8)
	big := up(I8, 1, 14564, 3, 3)    // C·KH·KW = 131076 > MaxGemmK
	bigW := up(I8, 1, 14564, 3, 3)   // w for it
	wide := up(I8, 2, 1, 300, 300)   // N·OH·OW = 180000 > MaxGemmK for dw
	wideDy := up(I8, 2, 1, 300, 300) // its dy (1x1 conv)
	w1 := up(I8, 1, 1, 1, 1)
	for _, c := range []struct {
		name string
		run  func(r *Recorder) *Tensor
		want error
	}{
		{"ok", func(r *Recorder) *Tensor { return r.Conv2dI8(x, w, ConvGeom{1, 1, 2}) }, nil},
		{"groups divide", func(r *Recorder) *Tensor { return r.Conv2dI8(x, w, ConvGeom{1, 1, 3}) }, ErrShape},
		{"w channels", func(r *Recorder) *Tensor { return r.Conv2dI8(x, w, ConvGeom{1, 1, 1}) }, ErrShape},
		{"stride 0", func(r *Recorder) *Tensor { return r.Conv2dI8(x, w, ConvGeom{0, 1, 2}) }, ErrShape},
		{"negative pad", func(r *Recorder) *Tensor { return r.Conv2dI8(x, w, ConvGeom{1, -1, 2}) }, ErrShape},
		{"kernel too large", func(r *Recorder) *Tensor {
			return r.Conv2dI8(up(I8, 1, 4, 2, 2), w, ConvGeom{1, 0, 2})
		}, ErrShape},
		{"dtype", func(r *Recorder) *Tensor { return r.Conv2dI8(up(I32, 2, 4, 8, 8), w, ConvGeom{1, 1, 2}) }, ErrShape},
		{"rank", func(r *Recorder) *Tensor { return r.Conv2dI8(up(I8, 4, 8, 8), w, ConvGeom{1, 1, 2}) }, ErrShape},
		{"CKK past int32: wide", func(r *Recorder) *Tensor { return r.Conv2dI8(big, bigW, ConvGeom{1, 1, 1}) }, nil},
		{"bwd data ok", func(r *Recorder) *Tensor { return r.Conv2dBwdData(dy, w, []int{2, 4, 8, 8}, ConvGeom{1, 1, 2}) }, nil},
		{"bwd data dy shape", func(r *Recorder) *Tensor {
			return r.Conv2dBwdData(dy, w, []int{2, 4, 9, 8}, ConvGeom{1, 1, 2})
		}, ErrShape},
		{"bwd data xShape rank", func(r *Recorder) *Tensor { return r.Conv2dBwdData(dy, w, []int{2, 4, 8}, ConvGeom{1, 1, 2}) }, ErrShape},
		{"bwd weight ok", func(r *Recorder) *Tensor { return r.Conv2dBwdWeight(dy, x, []int{6, 2, 3, 3}, ConvGeom{1, 1, 2}) }, nil},
		{"bwd weight dy shape", func(r *Recorder) *Tensor {
			return r.Conv2dBwdWeight(dy, x, []int{6, 2, 3, 3}, ConvGeom{2, 1, 2})
		}, ErrShape},
		{"bwd weight NP past int32: wide", func(r *Recorder) *Tensor {
			return r.Conv2dBwdWeight(wideDy, wide, []int{1, 1, 1, 1}, ConvGeom{1, 0, 1})
		}, nil},
		{"no GEMM for I16 x I16", func(r *Recorder) *Tensor {
			return r.Conv2dBwdWeight(up(I16, 2, 6, 8, 8), up(I16, 2, 4, 8, 8), []int{6, 2, 3, 3}, ConvGeom{1, 1, 2})
		}, ErrShape},
		{"bwd data 1x1", func(r *Recorder) *Tensor {
			return r.Conv2dBwdData(w1, w1, []int{1, 1, 1, 1}, ConvGeom{1, 0, 1})
		}, nil},
		{"f32 dtype", func(r *Recorder) *Tensor { return r.Conv2dF32(x, w, ConvGeom{1, 1, 2}) }, ErrShape},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := d.Record()
			y := c.run(r)
			err := r.Submit()
			if c.want == nil {
				if y == nil || err != nil {
					t.Errorf("got %v, %v", y, err)
				}
				y.Release()
				return
			}
			if y != nil || !errors.Is(err, c.want) {
				t.Errorf("got %v, %v, want %v", y, err, c.want)
			}
		})
	}
}

// TestCol2imOverflow checks that col2im_i32 flags a sum that wraps: 3x3
// windows of 2^30 overlap nine times in the middle of a 3x3 input.
func TestCol2imOverflow(t *testing.T) {
	for _, d := range devices(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			s := convShape{N: 1, C: 1, H: 3, W: 3, K: 1, KH: 3, KW: 3, Stride: 1, Pad: 1, Groups: 1}
			for _, c := range []struct {
				v    int32
				flag bool
			}{{1 << 26, false}, {1 << 30, true}} {
				cols := make([]int32, 9*9)
				for i := range cols {
					cols[i] = c.v
				}
				ct, err := d.UploadI32([]int{9, 9}, 0, cols)
				check(t, err)
				dx, err := d.Empty(I32, s.xShape(), 0)
				check(t, err)
				r := d.Record()
				check(t, r.Run("col2im_i32", s.params(0), dx, ct))
				check(t, r.Submit())
				got, err := dx.DownloadI32()
				check(t, err)
				ew, err := d.ErrorWord()
				if flagged := ew&cpu.ErrOverflow != 0; flagged != c.flag || (c.flag != errors.Is(err, ErrOverflow)) {
					t.Errorf("v = %d: error word %#x (%v), want flagged %v", c.v, ew, err, c.flag)
				}
				if want := uint32(9 * int64(c.v)); !c.flag && uint32(got[4]) != want {
					t.Errorf("v = %d: centre %d, want %d", c.v, got[4], want)
				}
				ct.Release()
				dx.Release()
			}
		})
	}
}

// TestConv2dBounds runs each pass at its exactness bound with every code
// -128: sums of 131067 (forward: C/G·KH·KW), 131067 (input gradient:
// K/G·KH·KW at the centre pixel) and 131071 = MaxGemmK (weight gradient:
// N·OH·OW) products of 2^14, just below 2^31.
func TestConv2dBounds(t *testing.T) {
	const c = 14563 // 14563·9 = 131067 <= MaxGemmK
	for _, d := range devices(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			full := func(shape ...int) *Tensor {
				tt, err := d.UploadI8(shape, 0, randI8(nil, numElems(shape), "all-128"))
				check(t, err)
				t.Cleanup(tt.Release)
				return tt
			}
			r := d.Record()
			y := r.Conv2dI8(full(1, c, 3, 3), full(2, c, 3, 3), ConvGeom{1, 0, 1})
			dx := r.Conv2dBwdData(full(1, c, 3, 3), full(c, 1, 3, 3), []int{1, 1, 3, 3}, ConvGeom{1, 1, 1})
			dw := r.Conv2dBwdWeight(full(1, 1, 1, MaxGemmK), full(1, 1, 1, MaxGemmK), []int{1, 1, 1, 1}, ConvGeom{1, 0, 1})
			check(t, r.Submit())
			for _, v := range []struct {
				name string
				t    *Tensor
				i    int
				want int32
			}{{"y", y, 0, 131067 << 14}, {"dx centre", dx, 4, 131067 << 14}, {"dw", dw, 0, MaxGemmK << 14}} {
				got, err := v.t.DownloadI32()
				check(t, err)
				if got[v.i] != v.want {
					t.Errorf("%s = %d, want %d", v.name, got[v.i], v.want)
				}
				v.t.Release()
			}
		})
	}
}

// TestCol2imNhwcI64 checks the wide layout kernels against plain loops:
// col2im_i64 sums every column entry into the input pixel it came from
// (scattered here), nhwc_to_nchw_i64 moves [N·OH·OW, KG] into NCHW, on
// values beyond int32 of both signs, one group at a time.
func TestCol2imNhwcI64(t *testing.T) {
	for _, d := range devices(t) {
		for _, s := range convShapes {
			t.Run(fmt.Sprintf("%v/%v", d.Backend(), s), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 4))
				oh, ow := s.out()
				cg, kg, np := s.C/s.Groups, s.K/s.Groups, s.N*oh*ow
				ckk := cg * s.KH * s.KW
				rnd := func(n int) []int64 {
					v := make([]int64, n)
					for i := range v {
						v[i] = rng.Int64N(1<<50) - 1<<49
					}
					return v
				}
				wantDx := make([]int64, s.N*s.C*s.H*s.W)
				wantY := make([]int64, s.N*s.K*oh*ow)
				dx, err := d.Empty(I64, s.xShape(), 0)
				check(t, err)
				defer dx.Release()
				y, err := d.Empty(I64, s.yShape(), 0)
				check(t, err)
				defer y.Release()
				r := d.Record()
				for g := range s.Groups {
					cols, rows := rnd(np*ckk), rnd(np*kg)
					for n := range s.N {
						for i := range oh {
							for j := range ow {
								row := (n*oh+i)*ow + j
								for c := range cg {
									for kh := range s.KH {
										for kw := range s.KW {
											ih, iw := i*s.Stride+kh-s.Pad, j*s.Stride+kw-s.Pad
											if ih >= 0 && ih < s.H && iw >= 0 && iw < s.W {
												wantDx[((n*s.C+g*cg+c)*s.H+ih)*s.W+iw] += cols[row*ckk+(c*s.KH+kh)*s.KW+kw]
											}
										}
									}
								}
								for k := range kg {
									wantY[((n*s.K+g*kg+k)*oh+i)*ow+j] = rows[row*kg+k]
								}
							}
						}
					}
					ct, err := d.UploadI64([]int{np, ckk}, 0, cols)
					check(t, err)
					defer ct.Release()
					rt, err := d.UploadI64([]int{np, kg}, 0, rows)
					check(t, err)
					defer rt.Release()
					check(t, r.Run("col2im_i64", s.params(g), dx, ct))
					check(t, r.Run("nhwc_to_nchw_i64", s.params(g), y, rt))
				}
				check(t, r.Submit())
				for _, c := range []struct {
					name string
					t    *Tensor
					want []int64
				}{{"dx", dx, wantDx}, {"y", y, wantY}} {
					got, err := c.t.DownloadI64()
					check(t, err)
					for i := range got {
						if got[i] != c.want[i] {
							t.Errorf("%s[%d] = %d, want %d", c.name, i, got[i], c.want[i])
							break
						}
					}
				}
			})
		}
	}
}
