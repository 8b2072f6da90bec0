package nn_test

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/quant"
)

// roundDivRef is a/b rounded half to even (b > 0).
func roundDivRef(a, b int64) int64 {
	q, r := a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	if 2*r > b || (2*r == b && q&1 != 0) {
		q++
	}
	return q
}

// poolRef computes the integer pools on the host. x: [n, c, h, w] codes;
// kind MaxPool2d or AvgPool2d (GlobalPool as AvgPool2d of the plane). It
// returns y and, for max pooling, the argmax (plane index) of each window
// (ties to the first in row-major window order; padding is never chosen).
func poolRef(x []uint8, n, c, h, w, k, s, pad int, isMax bool) (y []int64, arg []int, oh, ow int) {
	kh, kw := k, k
	if k == 0 { // global
		kh, kw, s, pad = h, w, 1, 0
	}
	oh, ow = (h+2*pad-kh)/s+1, (w+2*pad-kw)/s+1
	for pl := 0; pl < n*c; pl++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				best, bi, sum := int64(-1), -1, int64(0)
				for dy := 0; dy < kh; dy++ {
					for dx := 0; dx < kw; dx++ {
						iy, ix := oy*s-pad+dy, ox*s-pad+dx
						if iy < 0 || iy >= h || ix < 0 || ix >= w {
							continue
						}
						v := int64(x[pl*h*w+iy*w+ix])
						sum += v
						if v > best {
							best, bi = v, iy*w+ix
						}
					}
				}
				if isMax {
					y = append(y, best)
					arg = append(arg, bi)
				} else {
					y = append(y, roundDivRef(sum, int64(kh*kw)))
				}
			}
		}
	}
	return y, arg, oh, ow
}

// TestPoolInteger: max, average and global average pooling of U8 codes
// equal the host reference; the backward routes E1 of an I64 gradient (or
// an I32 gradient as it is) exactly: to the argmax, or spread as
// RoundDiv(S·2^t, KH·KW) on the exponent e - t.
func TestPoolInteger(t *testing.T) {
	type pc struct {
		kind       nn.Kind
		k, s, pad  int
		n, c, h, w int
	}
	cases := []pc{
		{nn.KindMaxPool2d, 3, 2, 1, 2, 3, 7, 9},
		{nn.KindMaxPool2d, 2, 0, 0, 1, 2, 6, 6},
		{nn.KindAvgPool2d, 2, 2, 0, 2, 2, 6, 5},
		{nn.KindAvgPool2d, 3, 1, 1, 1, 3, 5, 4},
		{nn.KindGlobalPool, 0, 0, 0, 2, 3, 5, 5},
	}
	for _, d := range everyBackend(t) {
		for ci, tc := range cases {
			for _, gdt := range []gpu.DType{gpu.I64, gpu.I32} {
				t.Run(fmt.Sprintf("%v/%v/%d/%v", d.Backend(), tc.kind, ci, gdt), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(ci), 5))
					var l *nn.Pool
					var err error
					switch tc.kind {
					case nn.KindMaxPool2d:
						l, err = nn.NewMaxPool2d("pool", tc.k, tc.s, tc.pad)
					case nn.KindAvgPool2d:
						l, err = nn.NewAvgPool2d("pool", tc.k, tc.s, tc.pad)
					default:
						l, err = nn.NewGlobalAvgPool("pool")
					}
					if err != nil {
						t.Fatal(err)
					}
					in := []int{tc.n, tc.c, tc.h, tc.w}
					x := make([]uint8, tc.n*tc.c*tc.h*tc.w)
					for i := range x {
						x[i] = uint8(rng.IntN(256))
						if rng.IntN(4) == 0 {
							x[i] = 7 // ties for the argmax
						}
					}
					isMax := tc.kind == nn.KindMaxPool2d
					s := tc.s
					if s == 0 {
						s = tc.k
					}
					wantY, arg, oh, ow := poolRef(x, tc.n, tc.c, tc.h, tc.w, tc.k, s, tc.pad, isMax)
					xt := must[*gpu.Tensor](t)(d.UploadU8(in, -7, x))
					defer xt.Release()
					p := &nn.Pass{R: d.Record(), Train: true}
					y := l.Forward(p, xt)
					out := []int{tc.n, tc.c, oh, ow}
					gc := make([]int64, len(wantY))
					gf := make([]float32, len(gc))
					for i := range gc {
						gc[i] = int64(rng.IntN(1<<20)) - 1<<19
						gf[i] = float32(math.Ldexp(float64(gc[i]), -30))
					}
					var g *gpu.Tensor
					if gdt == gpu.I64 {
						g = must[*gpu.Tensor](t)(d.UploadI64(out, -30, gc))
					} else {
						g = must[*gpu.Tensor](t)(d.UploadI32(out, -30, convertInts[int32](gc)))
					}
					defer g.Release()
					dx := l.Backward(p, g)
					submitOK(t, p)
					if y.DType() != gpu.U8 || y.Exp != -7 {
						t.Fatalf("y = %v", y)
					}
					gotY := must[[]uint8](t)(y.DownloadU8())
					for i := range wantY {
						if int64(gotY[i]) != wantY[i] {
							t.Fatalf("y[%d] = %d, want %d", i, gotY[i], wantY[i])
						}
					}
					// The gradient codes d (exponent ed) after E1, or as they are.
					dcodes, ed := gc, -30
					if gdt == gpu.I64 {
						c := must[quant.Codes](t)(quant.Shift(gf, 8))
						dcodes, ed = make([]int64, len(c.Q)), c.Exp
						for i, q := range c.Q {
							dcodes[i] = int64(q)
						}
					}
					got := valuesOf(t, dx[0])
					hw := tc.h * tc.w
					want := make([]float64, len(x))
					if isMax {
						for i, a := range arg {
							pl := i / (oh * ow)
							want[pl*hw+a] += math.Ldexp(float64(dcodes[i]), ed)
						}
					} else {
						kh, kw, pad := tc.k, tc.k, tc.pad
						if tc.kind == nn.KindGlobalPool {
							kh, kw, s, pad = tc.h, tc.w, 1, 0
						}
						kk := int64(kh * kw)
						tt := bits.Len64(uint64(kk - 1))
						sums := make([]int64, len(x))
						for i, dc := range dcodes {
							pl, o := i/(oh*ow), i%(oh*ow)
							oy, ox := o/ow, o%ow
							for dy := 0; dy < kh; dy++ {
								for dx := 0; dx < kw; dx++ {
									iy, ix := oy*s-pad+dy, ox*s-pad+dx
									if iy >= 0 && iy < tc.h && ix >= 0 && ix < tc.w {
										sums[pl*hw+iy*tc.w+ix] += dc
									}
								}
							}
						}
						for i, sm := range sums {
							want[i] = math.Ldexp(float64(roundDivRef(sm<<tt, kk)), ed-tt)
						}
					}
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("dx[%d] = %g, want %g", i, got[i], want[i])
						}
					}
				})
			}
		}
	}
}

// TestPoolErrors: constructor validation and integer inputs other than U8.
func TestPoolErrors(t *testing.T) {
	for _, f := range []func() (*nn.Pool, error){
		func() (*nn.Pool, error) { return nn.NewMaxPool2d("", 2, 2, 0) },
		func() (*nn.Pool, error) { return nn.NewMaxPool2d("p", 0, 2, 0) },
		func() (*nn.Pool, error) { return nn.NewAvgPool2d("p", 2, 2, 2) },
		func() (*nn.Pool, error) { return nn.NewGlobalAvgPool("") },
	} {
		if _, err := f(); !errors.Is(err, nn.ErrConfig) {
			t.Errorf("want ErrConfig, got %v", err)
		}
	}
	d := everyBackend(t)[0]
	l := must[*nn.Pool](t)(nn.NewMaxPool2d("p", 2, 2, 0))
	x := must[*gpu.Tensor](t)(d.UploadI32([]int{1, 1, 2, 2}, -14, make([]int32, 4)))
	p := &nn.Pass{R: d.Record()}
	if l.Forward(p, x) != nil || !errors.Is(p.R.Err(), nn.ErrNetwork) {
		t.Errorf("I32 input: %v", p.R.Err())
	}
	if l.Config() != nil || l.Params() != nil || l.Kind() != nn.KindMaxPool2d || l.Name() != "p" {
		t.Error("accessors")
	}
}
