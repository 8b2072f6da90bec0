package nn_test

import (
	"math"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// gradLayer is a test layer: identity forward; Backward returns a fixed
// gradient tensor (or passes the incoming one on when fixed is nil).
type gradLayer struct {
	name  string
	fixed *gpu.Tensor
}

func (m *gradLayer) Name() string                                      { return m.name }
func (m *gradLayer) Kind() nn.Kind                                     { return nn.KindReLU }
func (m *gradLayer) Config() *nn.Config                                { return nil }
func (m *gradLayer) SetQuant(bool)                                     {}
func (m *gradLayer) Params() []*nn.Param                               { return nil }
func (m *gradLayer) Forward(p *nn.Pass, in ...*gpu.Tensor) *gpu.Tensor { return in[0] }
func (m *gradLayer) Backward(p *nn.Pass, g *gpu.Tensor) []*gpu.Tensor {
	if m.fixed != nil {
		return []*gpu.Tensor{m.fixed}
	}
	return []*gpu.Tensor{g}
}

// TestListMixedGradients: a branch point whose readers return an I64
// gradient (a convolution's wide dx) and I8 codes with a Scale (E1) gets
// their exact sum (I64 codes with a Scale, gpu.AddGrad), on every backend,
// over two steps (the sums of the first are released by the second
// Backward).
func TestListMixedGradients(t *testing.T) {
	for _, dev := range backends3(t) {
		t.Run(dev.Backend().String(), func(t *testing.T) {
			wide := mustOK[*gpu.Tensor](t)(dev.UploadI64([]int{4}, -20, []int64{-300, 5, 0, 1000}))
			e1 := mustOK[*gpu.Tensor](t)(dev.UploadI8([]int{4}, -7, []int8{1, -2, 3, 127}))
			e1.Scale = mustOK[*gpu.Tensor](t)(dev.UploadI32([]int{1}, 0, []int32{-3}))
			var l nn.List
			for _, s := range []struct {
				m  nn.Module
				in []string
			}{
				{&gradLayer{name: "a"}, nil},
				{&gradLayer{name: "b1", fixed: wide}, []string{"a"}},
				{&gradLayer{name: "b2", fixed: e1}, []string{"a"}},
				{&addLayer{name: "add"}, []string{"b1", "b2"}},
			} {
				if err := l.Add(s.m, s.in...); err != nil {
					t.Fatal(err)
				}
			}
			x := mustOK[*gpu.Tensor](t)(dev.UploadI32([]int{4}, -7, []int32{1, 2, 3, 4}))
			g := mustOK[*gpu.Tensor](t)(dev.UploadI32([]int{4}, -7, []int32{1, 1, 1, 1}))
			want := []float64{-300, 5, 0, 1000}
			for i, c := range []float64{1, -2, 3, 127} {
				want[i] = math.Ldexp(want[i], -20) + math.Ldexp(c, -10)
			}
			for step := range 2 {
				r := dev.Record()
				p := &nn.Pass{R: r, Train: true}
				l.Forward(p, x)
				dx := l.Backward(p, g)
				if err := r.Submit(); err != nil {
					t.Fatal(err)
				}
				if dx.DType() != gpu.I64 || dx.Scale == nil {
					t.Fatalf("sum is %v (scale %v), want i64 with a Scale", dx, dx.Scale)
				}
				codes := mustOK[[]int64](t)(dx.DownloadI64())
				scale := mustOK[[]int32](t)(dx.Scale.DownloadI32())
				for i := range want {
					if got := math.Ldexp(float64(codes[i]), dx.Exp+int(scale[0])); got != want[i] {
						t.Errorf("step %d: sum[%d] = %v, want %v", step, i, got, want[i])
					}
				}
			}
		})
	}
}
