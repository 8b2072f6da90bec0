package gpu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// Wrapper tests of the nn1 family (bias): expected values from
// quant.RoundShr and int64 sums, on every backend.

// TestBiasAdd: y = z + RoundShr(b[c], z.Exp - b.Exp) for I32 and I64 z,
// right and left shifts, ties.
func TestBiasAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 21))
	for _, d := range devices(t) {
		for _, shape := range [][]int{{1, 1}, {4, 5}, {3, 7, 3, 3}, {2, 16, 5, 7}} {
			for _, ze := range []int{-15, -14, -23, -30} {
				for _, wide := range []bool{false, true} {
					t.Run(fmt.Sprintf("%v/%v/e%d/wide=%v", d.Backend(), shape, ze, wide), func(t *testing.T) {
						n, c := numElems(shape), shape[1]
						s := n / (shape[0] * c)
						b := make([]int32, c)
						for i := range b {
							b[i] = int32(rng.IntN(1<<24) - 1<<23)
							if i%3 == 1 {
								b[i] = int32(2*rng.IntN(64)-63) << 7 // ties at a shift of 8
							}
						}
						z := make([]int64, n)
						for i := range z {
							z[i] = int64(rng.IntN(1<<20) - 1<<19)
							if wide {
								z[i] <<= 20
							}
						}
						var zt *Tensor
						var err error
						if wide {
							zt, err = d.UploadI64(shape, ze, z)
						} else {
							z32 := make([]int32, n)
							for i := range z {
								z32[i] = int32(z[i])
							}
							zt, err = d.UploadI32(shape, ze, z32)
						}
						check(t, err)
						defer zt.Release()
						bt, err := d.UploadI32([]int{c}, -23, b)
						check(t, err)
						defer bt.Release()
						r := d.Record()
						y := r.BiasAdd(zt, bt)
						check(t, r.Submit())
						defer y.Release()
						if y.Exp != ze || y.DType() != zt.DType() {
							t.Fatalf("y %v exp %d, want %v exp %d", y.DType(), y.Exp, zt.DType(), ze)
						}
						shift := ze + 23
						want := make([]int64, n)
						for i := range want {
							bc := int64(b[(i/s)%c])
							if shift >= 0 {
								bc = quant.RoundShr(bc, uint(shift))
							} else {
								bc <<= uint(-shift)
							}
							want[i] = z[i] + bc
						}
						if wide {
							got, err := y.DownloadI64()
							check(t, err)
							compareI64(t, "y", got, want)
						} else {
							got, err := y.DownloadI32()
							check(t, err)
							compareI32(t, "y", got, want)
						}
						ew, err := d.ErrorWord()
						check(t, err)
						if ew != 0 {
							t.Errorf("error word %#x", ew)
						}
					})
				}
			}
		}
	}
}

// TestBiasGrad: db[c] = Σ g over all but the channel axis, I16 (with a
// Scale, kept) and I32 codes.
func TestBiasGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 22))
	for _, d := range devices(t) {
		for _, shape := range [][]int{{1, 1}, {5, 3}, {3, 7, 3, 3}, {4, 2, 40, 40}} {
			t.Run(fmt.Sprintf("%v/%v", d.Backend(), shape), func(t *testing.T) {
				n, c := numElems(shape), shape[1]
				s := n / (shape[0] * c)
				g16 := make([]int16, n)
				g32 := make([]int32, n)
				for i := range g16 {
					g16[i] = i16Extremes[rng.IntN(len(i16Extremes))]
					g32[i] = int32(rng.Uint32())
				}
				want16, want32 := make([]int64, c), make([]int64, c)
				for i := range n {
					want16[(i/s)%c] += int64(g16[i])
					want32[(i/s)%c] += int64(g32[i])
				}
				a, err := d.UploadI16(shape, -20, g16)
				check(t, err)
				defer a.Release()
				sc, err := d.UploadI32([]int{1}, 0, []int32{3})
				check(t, err)
				defer sc.Release()
				a.Scale = sc
				b, err := d.UploadI32(shape, -9, g32)
				check(t, err)
				defer b.Release()
				r := d.Record()
				d16 := r.BiasGrad(a)
				d32 := r.BiasGrad(b)
				check(t, r.Submit())
				defer d16.Release()
				defer d32.Release()
				if d16.Exp != -20 || d16.Scale != sc || d32.Exp != -9 || d32.Scale != nil || d16.DType() != I64 {
					t.Errorf("db16 %v exp %d scale %v, db32 exp %d scale %v", d16.DType(), d16.Exp, d16.Scale, d32.Exp, d32.Scale)
				}
				got, err := d16.DownloadI64()
				check(t, err)
				compareI64(t, "db16", got, want16)
				got, err = d32.DownloadI64()
				check(t, err)
				compareI64(t, "db32", got, want32)
			})
		}
	}
}

// TestBiasF32: bias_add_f32 and bias_grad_f32 against float64.
func TestBiasF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 23))
	for _, d := range devices(t) {
		shape := []int{3, 5, 4, 7}
		n, c, s := numElems(shape), 5, 28
		z := make([]float32, n)
		for i := range z {
			z[i] = float32(rng.NormFloat64())
		}
		b := []float32{0.5, -1, 2, 0.25, -0.125}
		zt, err := d.UploadF32(shape, 0, z)
		check(t, err)
		bt, err := d.UploadF32([]int{c}, 0, b)
		check(t, err)
		r := d.Record()
		y := r.BiasAddF32(zt, bt)
		db := r.BiasGradF32(zt)
		check(t, r.Submit())
		gy, err := y.DownloadF32()
		check(t, err)
		gdb, err := db.DownloadF32()
		check(t, err)
		sum := make([]float64, c)
		for i := range n {
			ch := (i / s) % c
			if gy[i] != z[i]+b[ch] {
				t.Fatalf("%v: y[%d] = %v, want %v", d.Backend(), i, gy[i], z[i]+b[ch])
			}
			sum[ch] += float64(z[i])
		}
		for ch := range c {
			if math.Abs(float64(gdb[ch])-sum[ch]) > 1e-5*float64(n) {
				t.Errorf("%v: db[%d] = %v, want %v", d.Backend(), ch, gdb[ch], sum[ch])
			}
		}
		for _, tt := range []*Tensor{zt, bt, y, db} {
			tt.Release()
		}
	}
}

// TestBiasOverflow: an I32 sum that wraps raises ErrOverflow in the error
// word.
func TestBiasOverflow(t *testing.T) {
	for _, d := range devices(t) {
		z, err := d.UploadI32([]int{1, 1}, -23, []int32{math.MaxInt32})
		check(t, err)
		b, err := d.UploadI32([]int{1}, -23, []int32{1})
		check(t, err)
		r := d.Record()
		y := r.BiasAdd(z, b)
		check(t, r.Submit())
		ew, err := d.ErrorWord()
		if ew&1 == 0 || !errors.Is(err, ErrOverflow) {
			t.Errorf("%v: error word %#x (%v), want ErrOverflow", d.Backend(), ew, err)
		}
		y.Release()
		z.Release()
		b.Release()
	}
}

func TestBiasErrors(t *testing.T) {
	d := openCPUDevice(t)
	up := func(dt DType, shape ...int) *Tensor {
		tt, err := d.Empty(dt, shape, -15)
		check(t, err)
		t.Cleanup(tt.Release)
		return tt
	}
	z, b := up(I32, 2, 3), up(I32, 3)
	b.Exp = -23
	far := up(I32, 3)
	far.Exp = -60
	for _, c := range []struct {
		name string
		run  func(r *Recorder) *Tensor
	}{
		{"z dtype", func(r *Recorder) *Tensor { return r.BiasAdd(up(I16, 2, 3), b) }},
		{"z rank", func(r *Recorder) *Tensor { return r.BiasAdd(up(I32, 3), b) }},
		{"channels", func(r *Recorder) *Tensor { return r.BiasAdd(z, up(I32, 4)) }},
		{"b dtype", func(r *Recorder) *Tensor { return r.BiasAdd(z, up(F32, 3)) }},
		{"shift", func(r *Recorder) *Tensor { return r.BiasAdd(z, far) }},
		{"grad dtype", func(r *Recorder) *Tensor { return r.BiasGrad(up(I8, 2, 3)) }},
		{"grad rank", func(r *Recorder) *Tensor { return r.BiasGrad(up(I32, 3)) }},
		{"f32 dtype", func(r *Recorder) *Tensor { return r.BiasAddF32(z, b) }},
		{"f32 grad dtype", func(r *Recorder) *Tensor { return r.BiasGradF32(z) }},
	} {
		r := d.Record()
		if y := c.run(r); y != nil || !errors.Is(r.Submit(), ErrShape) {
			t.Errorf("%s: got %v, %v, want ErrShape", c.name, y, r.Err())
		}
	}
}
