package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Wrapper tests of the conv passes on the mixed-width operands of the
// integer dataflow (docs/dataflow.md): U8 activations x I8 weights forward,
// I16 E2 codes x I8 weights (input gradient) and I16 x U8 activations
// (weight gradient), against the naive int64 convolution, exactly, on
// every backend; and the switch to the wide GEMM where the int32 bound
// stops holding.

func u8ToI64(v []uint8) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func i16ToI64(v []int16) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func compareI64(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if got[i] != want[i] {
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

// TestConv2dMixed checks Conv2dI8 on U8 x I8 (I32 output), Conv2dBwdData on
// I16 x I8 and Conv2dBwdWeight on I16 x U8 (I64 outputs) against the naive
// convolution, with random and extreme codes and dy carrying a Scale.
func TestConv2dMixed(t *testing.T) {
	for _, d := range devices(t) {
		for _, s := range convShapes {
			for _, set := range []string{"random", "extreme"} {
				t.Run(fmt.Sprintf("%v/%v/%s", d.Backend(), s, set), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(seed, 11))
					xs, ws, ys := s.xShape(), s.wShape(), s.yShape()
					xv := randU8(rng, numElems(xs))
					wv := randI8(rng, numElems(ws), "random")
					dv := make([]int16, numElems(ys))
					for i := range dv {
						dv[i] = int16(rng.Uint32())
					}
					if set == "extreme" {
						xv = constSlice(len(xv), uint8(255))
						wv = constSlice(len(wv), int8(-128))
						for i := range dv {
							dv[i] = i16Extremes[i%len(i16Extremes)]
						}
					}
					x, err := d.UploadU8(xs, -8, xv)
					check(t, err)
					defer x.Release()
					w, err := d.UploadI8(ws, -7, wv)
					check(t, err)
					defer w.Release()
					dy, err := d.UploadI16(ys, -14, dv)
					check(t, err)
					defer dy.Release()
					sc, err := d.UploadI32([]int{1}, 0, []int32{5})
					check(t, err)
					defer sc.Release()
					dy.Scale = sc

					r := d.Record()
					y := r.Conv2dI8(x, w, s.geom())
					dx := r.Conv2dBwdData(dy, w, xs, s.geom())
					dw := r.Conv2dBwdWeight(dy, x, ws, s.geom())
					check(t, r.Submit())
					defer y.Release()
					defer dx.Release()
					defer dw.Release()
					if y.DType() != I32 || dx.DType() != I64 || dw.DType() != I64 {
						t.Fatalf("dtypes y %v dx %v dw %v, want I32 I64 I64", y.DType(), dx.DType(), dw.DType())
					}
					if y.Exp != -15 || dx.Exp != -21 || dw.Exp != -22 {
						t.Errorf("exponents y %d dx %d dw %d, want -15 -21 -22", y.Exp, dx.Exp, dw.Exp)
					}
					if y.Scale != nil || dx.Scale != sc || dw.Scale != sc {
						t.Errorf("scales y %v dx %v dw %v, want nil, dy's, dy's", y.Scale, dx.Scale, dw.Scale)
					}
					wantY := naiveConv(s, u8ToI64(xv), toI64(wv))
					wantDx, wantDw := naiveBwd(s, u8ToI64(xv), toI64(wv), i16ToI64(dv))
					got, err := y.DownloadI32()
					check(t, err)
					compareI32(t, "y", got, wantY)
					g64, err := dx.DownloadI64()
					check(t, err)
					compareI64(t, "dx", g64, wantDx)
					g64, err = dw.DownloadI64()
					check(t, err)
					compareI64(t, "dw", g64, wantDw)
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

// TestConv2dWideBound runs the passes just past their int32 bounds, where
// the wrappers switch to the wide GEMMs: U8 x I8 forward with CKK = 7311·9 =
// 65799 > MaxGemmKU8 (all 255 x -128), I8 x I8 forward with CKK = 14564·9 =
// 131076 > MaxGemmK and the I8 x I8 weight gradient with N·OH·OW = 180000,
// all -128; and just below the U8 bound, where the output stays I32.
func TestConv2dWideBound(t *testing.T) {
	for _, d := range devices(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			i8 := func(v int8, shape ...int) *Tensor {
				tt, err := d.UploadI8(shape, 0, constSlice(numElems(shape), v))
				check(t, err)
				t.Cleanup(tt.Release)
				return tt
			}
			u8 := func(v uint8, shape ...int) *Tensor {
				tt, err := d.UploadU8(shape, 0, constSlice(numElems(shape), v))
				check(t, err)
				t.Cleanup(tt.Release)
				return tt
			}
			const cu = 7311 // 7311·9 = 65799 > MaxGemmKU8 = 65793
			const cl = 7310 // 65790 <= MaxGemmKU8
			r := d.Record()
			yu := r.Conv2dI8(u8(255, 1, cu, 3, 3), i8(-128, 1, cu, 3, 3), ConvGeom{1, 0, 1})
			yl := r.Conv2dI8(u8(255, 1, cl, 3, 3), i8(-128, 1, cl, 3, 3), ConvGeom{1, 0, 1})
			yi := r.Conv2dI8(i8(-128, 1, 14564, 3, 3), i8(-128, 1, 14564, 3, 3), ConvGeom{1, 0, 1})
			dw := r.Conv2dBwdWeight(i8(-128, 2, 1, 300, 300), i8(-128, 2, 1, 300, 300), []int{1, 1, 1, 1}, ConvGeom{1, 0, 1})
			check(t, r.Submit())
			for _, v := range []struct {
				name string
				t    *Tensor
				dt   DType
				want int64
			}{
				{"u8 wide", yu, I64, -65799 * 255 * 128},
				{"u8 int32", yl, I32, -65790 * 255 * 128},
				{"i8 wide", yi, I64, 131076 << 14},
				{"dw wide", dw, I64, 180000 << 14},
			} {
				if v.t.DType() != v.dt {
					t.Errorf("%s: dtype %v, want %v", v.name, v.t.DType(), v.dt)
					continue
				}
				var got int64
				if v.dt == I64 {
					g, err := v.t.DownloadI64()
					check(t, err)
					got = g[0]
				} else {
					g, err := v.t.DownloadI32()
					check(t, err)
					got = int64(g[0])
				}
				if got != v.want {
					t.Errorf("%s = %d, want %d", v.name, got, v.want)
				}
				v.t.Release()
			}
		})
	}
}
