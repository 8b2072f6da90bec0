package fold_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/nn/fold"
	"github.com/wageubn/wageubn/nn/statedict"
)

// conv2d is a plain NCHW convolution (stride 1, padding pad) used as the
// reference: y[n][k][i][j] = b[k] + Σ_c,u,v w[k][c][u][v]·x[n][c][i+u-pad][j+v-pad].
func conv2d(x []float64, n, c, h, w int, wt []float64, k, kh, kw, pad int, b []float64) []float64 {
	oh, ow := h+2*pad-kh+1, w+2*pad-kw+1
	y := make([]float64, n*k*oh*ow)
	for in := range n {
		for ik := range k {
			for i := range oh {
				for j := range ow {
					s := b[ik]
					for ic := range c {
						for u := range kh {
							for v := range kw {
								r, q := i+u-pad, j+v-pad
								if r < 0 || r >= h || q < 0 || q >= w {
									continue
								}
								s += wt[((ik*c+ic)*kh+u)*kw+v] * x[((in*c+ic)*h+r)*w+q]
							}
						}
					}
					y[((in*k+ik)*oh+i)*ow+j] = s
				}
			}
		}
	}
	return y
}

func f32(t *testing.T, d statedict.Dict, key string) []float64 {
	t.Helper()
	tt, ok := d.Get(key)
	if !ok {
		t.Fatalf("missing %s", key)
	}
	v, err := tt.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func randomDict(t *testing.T, rng *rand.Rand, k, c, kh, kw int, withBias bool) statedict.Dict {
	t.Helper()
	var d statedict.Dict
	set := func(key string, shape []int, gen func() float32) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = gen()
		}
		tt, err := statedict.FromFloat32(shape, v)
		if err != nil {
			t.Fatal(err)
		}
		d.Set(key, tt)
	}
	norm := func() float32 { return float32(rng.NormFloat64()) }
	set("conv1.weight", []int{k, c, kh, kw}, norm)
	if withBias {
		set("conv1.bias", []int{k}, norm)
	}
	set("bn1.weight", []int{k}, func() float32 { return float32(0.5 + rng.Float64()) })
	set("bn1.bias", []int{k}, norm)
	set("bn1.running_mean", []int{k}, norm)
	set("bn1.running_var", []int{k}, func() float32 { return float32(0.1 + 2*rng.Float64()) })
	nbt, _ := statedict.FromInt64([]int{}, []int64{7})
	d.Set("bn1.num_batches_tracked", nbt)
	set("fc.weight", []int{3, 4}, norm)
	return d
}

func TestConvBNMatchesUnfolded(t *testing.T) {
	const eps = fold.DefaultEps
	for _, tc := range []struct {
		name     string
		withBias bool
		k, c, ks int
	}{
		{"no bias 3x3", false, 4, 3, 3},
		{"bias 1x1", true, 5, 2, 1},
		{"bias 5x5", true, 2, 1, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.k)))
			d := randomDict(t, rng, tc.k, tc.c, tc.ks, tc.ks, tc.withBias)
			before := d.Clone()
			folded, err := fold.ConvBN(d, "conv1", "bn1", eps)
			if err != nil {
				t.Fatal(err)
			}
			const n, h, w, pad = 2, 7, 6, 1
			x := make([]float64, n*tc.c*h*w)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			bias := make([]float64, tc.k)
			if tc.withBias {
				bias = f32(t, d, "conv1.bias")
			}
			// Unfolded: conv, then BN in evaluation mode.
			y := conv2d(x, n, tc.c, h, w, f32(t, d, "conv1.weight"), tc.k, tc.ks, tc.ks, pad, bias)
			g, b, m, v := f32(t, d, "bn1.weight"), f32(t, d, "bn1.bias"), f32(t, d, "bn1.running_mean"), f32(t, d, "bn1.running_var")
			plane := len(y) / (n * tc.k)
			for i := range y {
				c := i / plane % tc.k
				y[i] = g[c]*(y[i]-m[c])/math.Sqrt(v[c]+eps) + b[c]
			}
			yf := conv2d(x, n, tc.c, h, w, f32(t, folded, "conv1.weight"), tc.k, tc.ks, tc.ks, pad, f32(t, folded, "conv1.bias"))
			maxAbs := 0.0
			for _, v := range y {
				maxAbs = max(maxAbs, math.Abs(v))
			}
			for i := range y {
				// float32 storage of W' and b': relative error ~2^-24 per term.
				if diff := math.Abs(y[i] - yf[i]); diff > 1e-5*maxAbs {
					t.Fatalf("output %d: folded %v, unfolded %v (diff %g)", i, yf[i], y[i], diff)
				}
			}
			wantKeys := []string{"conv1.weight", "conv1.bias", "fc.weight"}
			if len(folded.Keys) != len(wantKeys) {
				t.Fatalf("keys %v, want %v", folded.Keys, wantKeys)
			}
			for i, k := range wantKeys {
				if folded.Keys[i] != k {
					t.Fatalf("keys %v, want %v", folded.Keys, wantKeys)
				}
			}
			if before.Len() != d.Len() {
				t.Fatal("input dict modified: keys changed")
			}
			for _, key := range before.Keys {
				a, _ := before.Get(key)
				b, _ := d.Get(key)
				if string(a.Data) != string(b.Data) {
					t.Errorf("input dict modified: %s", key)
				}
			}
		})
	}
}

func TestConvBNErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	base := randomDict(t, rng, 3, 2, 3, 3, false)
	negVar, _ := statedict.FromFloat32([]int{3}, []float32{1, -1, 1})
	nanMean, _ := statedict.FromFloat32([]int{3}, []float32{0, float32(math.NaN()), 0})
	short, _ := statedict.FromFloat32([]int{2}, []float32{1, 1})
	tests := []struct {
		name   string
		modify func(d *statedict.Dict)
		conv   string
		eps    float64
	}{
		{"missing conv", func(*statedict.Dict) {}, "conv9", fold.DefaultEps},
		{"negative variance", func(d *statedict.Dict) { d.Set("bn1.running_var", negVar) }, "conv1", 0.5},
		{"NaN mean", func(d *statedict.Dict) { d.Set("bn1.running_mean", nanMean) }, "conv1", fold.DefaultEps},
		{"gamma shape", func(d *statedict.Dict) { d.Set("bn1.weight", short) }, "conv1", fold.DefaultEps},
		{"NaN eps", func(*statedict.Dict) {}, "conv1", math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := base.Clone()
			tc.modify(&d)
			if _, err := fold.ConvBN(d, tc.conv, "bn1", tc.eps); !errors.Is(err, fold.ErrFold) {
				t.Errorf("err = %v, want ErrFold", err)
			}
		})
	}
}
