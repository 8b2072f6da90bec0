package bench

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/gpu/cpu"
)

// The bn rows' tensor: conv outputs z [n, bnC, bnS, bnS] (batch n), I32
// codes with exponent -15, so z' = z (docs/dataflow.md, Forward 3).
const bnC, bnS = 16, 16

// bnElems returns the elements of z at batch n.
func bnElems(n int) float64 { return float64(n * bnC * bnS * bnS) }

// bnShape prints "z i32[n C S S]".
func bnShape(n int) string { return fmt.Sprintf("z i32[%d %d %d %d]", n, bnC, bnS, bnS) }

// setupBNForward times the integer batch-norm forward of a training step:
// BNStats (two passes over z) and BNForward (x̂ and y), about 5 words moved
// per element, with γ = 1 and β = 0 (codes 128 and 0 on the -7 grid). The
// check recomputes μ of every channel on the host (RoundDiv of the sum).
func setupBNForward(d *gpu.Device, n int) (Prepared, error) {
	if n < 1 {
		return Prepared{}, fmt.Errorf("%w: bn batch %d", ErrSize, n)
	}
	z := randI32(n*bnC*bnS*bnS, n, 9, 1<<16)
	zt, err := d.UploadI32([]int{n, bnC, bnS, bnS}, -15, z)
	if err != nil {
		return Prepared{}, err
	}
	gamma := make([]int32, bnC)
	for i := range gamma {
		gamma[i] = 128
	}
	gt, err := d.UploadI32([]int{bnC}, -7, gamma)
	if err != nil {
		zt.Release()
		return Prepared{}, err
	}
	bt, err := d.UploadI32([]int{bnC}, -7, make([]int32, bnC))
	if err != nil {
		zt.Release()
		gt.Release()
		return Prepared{}, err
	}
	var held []*gpu.Tensor
	var mu *gpu.Tensor
	release := func() {
		for _, t := range held {
			t.Release()
		}
		held = nil
	}
	return Prepared{
		Run: func() error {
			release()
			r := d.Record()
			var sigma, mean, variance *gpu.Tensor
			mu, sigma, mean, variance = r.BNStats(zt)
			xhat, y := r.BNForward(zt, mu, sigma, gt, bt)
			held = append(held, mu, sigma, mean, variance, xhat, y)
			if err := r.Submit(); err != nil {
				return err
			}
			return d.Wait()
		},
		Check: func() error {
			got, err := mu.DownloadI32()
			if err != nil {
				return err
			}
			plane := bnS * bnS
			for c := range bnC {
				var sum int64
				for b := range n {
					for _, v := range z[(b*bnC+c)*plane : (b*bnC+c+1)*plane] {
						sum += int64(v)
					}
				}
				if want := int32(cpu.RoundDiv(sum, uint32(n*plane))); got[c] != want {
					return fmt.Errorf("%w: mu[%d] = %d, want %d", ErrCheck, c, got[c], want)
				}
			}
			return nil
		},
		Release: func() { release(); zt.Release(); gt.Release(); bt.Release() },
	}, nil
}
