package bench

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/wageubn/wageubn/gpu"
)

// The conv rows' layer: a 3×3 convolution, stride 1, padding 1, from
// convC to convK channels, on one (n/8)×(n/8) image (size n), the shape
// of shared/notes.md's "conv 3x3 64->64" comparison.
const (
	convC, convK, convR = 64, 64, 3
	convDiv             = 8 // image side = n / convDiv
)

// convSide returns the image side of size n.
func convSide(n int) int { return n / convDiv }

// convOps returns 2·H·W·K·C·9, the operations of the convolution.
func convOps(n int) float64 {
	s := float64(convSide(n))
	return 2 * s * s * convK * convC * convR * convR
}

// convBytes returns the float32 bytes of input, weights and output.
func convBytes(n int) float64 {
	s := float64(convSide(n))
	return 4 * (s*s*convC + convK*convC*convR*convR + s*s*convK)
}

// convShape prints "x[1 C H W] w[K C 3 3]".
func convShape(n int) string {
	s := convSide(n)
	return fmt.Sprintf("x[1 %d %d %d] w[%d %d %d %d]", convC, s, s, convK, convC, convR, convR)
}

// im2col writes the 3×3, padding-1 patches of x [C, h, w] as the rows of
// cols [h·w, C·9]: cols[oy·w+ox][c·9+ky·3+kx] = x[c][oy+ky-1][ox+kx-1], 0
// outside the image.
func im2col(cols, x []float32, c, h, w int) {
	kk := c * convR * convR
	for oy := range h {
		for ox := range w {
			row := cols[(oy*w+ox)*kk : (oy*w+ox+1)*kk]
			for ci := range c {
				for ky := range convR {
					for kx := range convR {
						iy, ix := oy+ky-1, ox+kx-1
						v := float32(0)
						if iy >= 0 && iy < h && ix >= 0 && ix < w {
							v = x[(ci*h+iy)*w+ix]
						}
						row[ci*9+ky*3+kx] = v
					}
				}
			}
		}
	}
}

// setupConvF32Go times a plain float32 convolution in Go: im2col, then
// gonum's Sgemm y[K, h·w] = W[K, C·9]·colsᵀ. Inputs are int8 values as
// float32, so every partial sum is an integer of magnitude at most
// C·9·2¹⁴ < 2²⁴ and exact; the check allows the float32 rounding bound
// C·9·2⁻²⁴·Σ|w·x| anyway, should the layer grow.
func setupConvF32Go(_ *gpu.Device, n int) (Prepared, error) {
	s := convSide(n)
	if s < 1 {
		return Prepared{}, fmt.Errorf("%w: conv size %d gives an image side of %d (need n >= %d)", ErrSize, n, s, convDiv)
	}
	kk := convC * convR * convR
	x := toF32(randI8(convC*s*s, n, 3))
	wt := blas32.General{Rows: convK, Cols: kk, Stride: kk, Data: toF32(randI8(convK*kk, n, 4))}
	cols := blas32.General{Rows: s * s, Cols: kk, Stride: kk, Data: make([]float32, s*s*kk)}
	y := blas32.General{Rows: convK, Cols: s * s, Stride: s * s, Data: make([]float32, convK*s*s)}
	return Prepared{
		Run: func() error {
			im2col(cols.Data, x, convC, s, s)
			blas32.Gemm(blas.NoTrans, blas.Trans, 1, wt, cols, 0, y)
			return nil
		},
		Check: func() error {
			bad, first := 0, ""
			for _, p := range samples(convK, s*s, gemmSamples) {
				k, oy, ox := p[0], p[1]/s, p[1]%s
				var want, abs float64
				for c := range convC {
					for ky := range convR {
						for kx := range convR {
							iy, ix := oy+ky-1, ox+kx-1
							if iy < 0 || iy >= s || ix < 0 || ix >= s {
								continue
							}
							v := float64(wt.Data[k*kk+c*9+ky*3+kx]) * float64(x[(c*s+iy)*s+ix])
							want += v
							abs += math.Abs(v)
						}
					}
				}
				got := float64(y.Data[k*s*s+p[1]])
				if math.Abs(got-want) > float64(kk)*0x1p-24*abs {
					if bad == 0 {
						first = fmt.Sprintf("y[%d,%d,%d] = %g, want %g", k, oy, ox, got, want)
					}
					bad++
				}
			}
			if bad > 0 {
				return fmt.Errorf("%w: %s (%d of %d sampled outputs differ)", ErrCheck, first, bad, gemmSamples)
			}
			return nil
		},
		Release: func() {},
	}, nil
}

// setupConvI8 times the device's int8 convolution (Recorder.Conv2dI8:
// im2col, the int8 GEMM, layout) on the conv rows' layer, checked exactly
// at sampled outputs against the direct sum.
func setupConvI8(d *gpu.Device, n int) (Prepared, error) {
	s := convSide(n)
	if s < 1 {
		return Prepared{}, fmt.Errorf("%w: conv size %d gives an image side of %d (need n >= %d)", ErrSize, n, s, convDiv)
	}
	kk := convC * convR * convR
	x, w := randI8(convC*s*s, n, 3), randI8(convK*kk, n, 4)
	xt, err := d.UploadI8([]int{1, convC, s, s}, 0, x)
	if err != nil {
		return Prepared{}, err
	}
	wt, err := d.UploadI8([]int{convK, convC, convR, convR}, 0, w)
	if err != nil {
		xt.Release()
		return Prepared{}, err
	}
	geom := gpu.ConvGeom{Stride: 1, Pad: 1, Groups: 1}
	var y *gpu.Tensor
	return Prepared{
		Run: func() error {
			y.Release()
			r := d.Record()
			y = r.Conv2dI8(xt, wt, geom)
			if err := r.Submit(); err != nil {
				return err
			}
			return d.Wait()
		},
		Check: func() error {
			got, err := y.DownloadI32()
			if err != nil {
				return err
			}
			bad, first := 0, ""
			for _, p := range samples(convK, s*s, gemmSamples) {
				k, oy, ox := p[0], p[1]/s, p[1]%s
				var want int32
				for c := range convC {
					for ky := range convR {
						for kx := range convR {
							iy, ix := oy+ky-1, ox+kx-1
							if iy >= 0 && iy < s && ix >= 0 && ix < s {
								want += int32(w[k*kk+c*9+ky*3+kx]) * int32(x[(c*s+iy)*s+ix])
							}
						}
					}
				}
				if g := got[k*s*s+p[1]]; g != want {
					if bad == 0 {
						first = fmt.Sprintf("y[%d,%d,%d] = %d, want %d", k, oy, ox, g, want)
					}
					bad++
				}
			}
			if bad > 0 {
				return fmt.Errorf("%w: %s (%d of %d sampled outputs differ)", ErrCheck, first, bad, gemmSamples)
			}
			return nil
		},
		Release: func() { y.Release(); xt.Release(); wt.Release() },
	}, nil
}
