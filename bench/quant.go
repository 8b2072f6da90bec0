package bench

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// quantLimit bounds the int32 codes of the quant rows' input: beyond int8,
// so that pack_i8 saturates some of them.
const quantLimit = 200

// quantInput uploads the n×n int32 input of the quant rows.
func quantInput(d *gpu.Device, n int) ([]int32, *gpu.Tensor, error) {
	x := randI32(n*n, n, 5, quantLimit)
	t, err := d.UploadI32([]int{n, n}, 0, x)
	return x, t, err
}

// setupMaxAbs times Recorder.MaxAbs (fill_u32 and max_abs_i32), max|x| of
// R(x) in method.md, over an n×n int32 tensor: 4n² bytes read.
func setupMaxAbs(d *gpu.Device, n int) (Prepared, error) {
	x, xt, err := quantInput(d, n)
	if err != nil {
		return Prepared{}, err
	}
	var m *gpu.Tensor
	return Prepared{
		Run: func() error {
			m.Release()
			r := d.Record()
			m = r.MaxAbs(xt)
			if err := r.Submit(); err != nil {
				return err
			}
			return d.Wait()
		},
		Check: func() error {
			got, err := m.DownloadU32()
			if err != nil {
				return err
			}
			var want uint32
			for _, v := range x {
				want = max(want, uint32(max(v, -v)))
			}
			if got[0] != want {
				return fmt.Errorf("%w: max|x| = %d, want %d", ErrCheck, got[0], want)
			}
			return nil
		},
		Release: func() { m.Release(); xt.Release() },
	}, nil
}

// setupPackI8 times Recorder.PackI8 over an n×n int32 tensor: int32 codes
// to int8 packed 4 per word, saturating; 4n² bytes read, n² written.
func setupPackI8(d *gpu.Device, n int) (Prepared, error) {
	x, xt, err := quantInput(d, n)
	if err != nil {
		return Prepared{}, err
	}
	var y *gpu.Tensor
	return Prepared{
		Run: func() error {
			y.Release()
			r := d.Record()
			y = r.PackI8(xt)
			if err := r.Submit(); err != nil {
				return err
			}
			return d.Wait()
		},
		Check: func() error {
			got, err := y.DownloadI8()
			if err != nil {
				return err
			}
			bad, first := 0, ""
			for i, v := range x {
				want := int8(min(max(v, -128), 127))
				if got[i] != want {
					if bad == 0 {
						first = fmt.Sprintf("y[%d] = %d, want %d (x = %d)", i, got[i], want, v)
					}
					bad++
				}
			}
			if bad > 0 {
				return fmt.Errorf("%w: %s (%d of %d differ)", ErrCheck, first, bad, len(x))
			}
			return nil
		},
		Release: func() { y.Release(); xt.Release() },
	}, nil
}
