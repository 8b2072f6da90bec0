package nn_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/quant"
)

// roundSqrtRef is the integer r nearest to sqrt(s/n), decided exactly:
// (2r-1)²·n <= 4s < (2r+1)²·n (small operands: int64 is enough here).
func roundSqrtRef(s, n int64) int64 {
	r := int64(math.Sqrt(float64(s) / float64(n)))
	for r > 0 && (2*r-1)*(2*r-1)*n > 4*s {
		r--
	}
	for (2*r+1)*(2*r+1)*n <= 4*s {
		r++
	}
	return r
}

// bnRef is the integer BN forward of docs/dataflow.md forward 3 on the
// host, for z codes with exponent -14 (z' = 2z on the -15 grid).
type bnRef struct {
	mu, sigma      []int64
	mean, variance []int64 // batch statistics, exponents -31 and -30
	xhat, y        []int64
}

func bnForwardRef(z []int32, n, c, hw int, g8, b8 []int64, eval bool, rm, rv []int64) bnRef {
	var o bnRef
	m := int64(n * hw)
	at := func(i, ch, k int) int { return (i*c+ch)*hw + k }
	for ch := 0; ch < c; ch++ {
		var sum int64
		for i := 0; i < n; i++ {
			for k := 0; k < hw; k++ {
				sum += 2 * int64(z[at(i, ch, k)])
			}
		}
		mu := roundDivRef(sum, m)
		var s int64
		for i := 0; i < n; i++ {
			for k := 0; k < hw; k++ {
				dv := 2*int64(z[at(i, ch, k)]) - mu
				s += dv * dv
			}
		}
		sigma := roundSqrtRef(s, m) + 1
		o.mean = append(o.mean, roundDivRef(sum<<16, m))
		o.variance = append(o.variance, roundDivRef(s, m))
		if eval {
			mu = quant.RoundShr(rm[ch], 16)
			sigma = roundSqrtRef(rv[ch], 1) + 1
		}
		o.mu, o.sigma = append(o.mu, mu), append(o.sigma, sigma)
	}
	o.xhat, o.y = make([]int64, len(z)), make([]int64, len(z))
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			for k := 0; k < hw; k++ {
				j := at(i, ch, k)
				o.xhat[j] = roundDivRef((2*int64(z[j])-o.mu[ch])*128, o.sigma[ch])
				o.y[j] = o.xhat[j]*g8[ch] + 128*b8[ch]
			}
		}
	}
	return o
}

// TestBatchNormInteger: training forward (μ, σ, x̂, y), the running
// statistics and the evaluation forward equal the host reference exactly;
// dγ, dβ equal the exact sums regridded to 2^-14; δz agrees with the
// float64 BN backward on the same quantized operands to 2^-13 of its
// largest value; CPU and WebGPU give identical codes.
func TestBatchNormInteger(t *testing.T) {
	for _, sh := range [][]int{{4, 3, 5, 5}, {7, 5}, {1, 2, 3, 1}} {
		n, c, hw := sh[0], sh[1], 1
		if len(sh) == 4 {
			hw = sh[2] * sh[3]
		}
		total := n * c * hw
		rng := rand.New(rand.NewPCG(11, uint64(total)))
		z := make([]int32, total)
		for i := range z {
			z[i] = int32(rng.IntN(1<<16)) - 1<<15 + int32(i%c)*3000
		}
		gm, bm := make([]int32, c), make([]int32, c)
		g8, b8 := make([]int64, c), make([]int64, c)
		for ch := range gm {
			gm[ch] = 1<<23 + int32(rng.IntN(1<<23)) - 1<<22
			bm[ch] = int32(rng.IntN(1<<22)) - 1<<21
			g8[ch], b8[ch] = quant.RoundShr(int64(gm[ch]), 16), quant.RoundShr(int64(bm[ch]), 16)
		}
		dy := make([]int8, total)
		for i := range dy {
			dy[i] = int8(rng.IntN(255) - 127)
		}
		const e1 = -10
		ref := bnForwardRef(z, n, c, hw, g8, b8, false, nil, nil)
		d16 := int64(gpu.BNDecay16(0.9))
		rm, rv := make([]int64, c), make([]int64, c)
		for ch := range rm {
			rm[ch] = quant.RoundShr((65536-d16)*ref.mean[ch], 16)
			rv[ch] = quant.RoundShr(d16*(1<<30)+(65536-d16)*ref.variance[ch], 16)
		}
		evalRef := bnForwardRef(z, n, c, hw, g8, b8, true, rm, rv)
		var firstDZ []int64
		for _, d := range everyBackend(t) {
			t.Run(fmt.Sprintf("%v/%v", d.Backend(), sh), func(t *testing.T) {
				kind := nn.NewBatchNorm2d
				if len(sh) == 2 {
					kind = nn.NewBatchNorm1d
				}
				l := must[*nn.BatchNorm](t)(kind(d, "bn", full8(t), c))
				ps := l.Params()
				if len(ps) != 5 || ps[0].Name != "weight" || ps[3].Name != "running_var" || ps[4].Name != "num_batches_tracked" {
					t.Fatalf("params %v", ps)
				}
				ps[0].Value.Release()
				ps[1].Value.Release()
				ps[0].Value = must[*gpu.Tensor](t)(d.UploadI32([]int{c}, -23, gm))
				ps[1].Value = must[*gpu.Tensor](t)(d.UploadI32([]int{c}, -23, bm))
				zt := must[*gpu.Tensor](t)(d.UploadI32(sh, -14, z))
				dyt := must[*gpu.Tensor](t)(d.UploadI8(sh, e1, dy))
				p := &nn.Pass{R: d.Record(), Train: true}
				y := l.Forward(p, zt)
				dz := l.Backward(p, dyt)
				submitOK(t, p)
				if y.DType() != gpu.I32 || y.Exp != -14 {
					t.Fatalf("y = %v", y)
				}
				if got := int64s(t, y); !slices.Equal(got, ref.y) {
					t.Fatalf("y = %v..., want %v...", got[:4], ref.y[:4])
				}
				if got := must[[]int64](t)(ps[2].Value.DownloadI64()); !slices.Equal(got, rm) {
					t.Errorf("running_mean %v, want %v", got, rm)
				}
				if got := must[[]int64](t)(ps[3].Value.DownloadI64()); !slices.Equal(got, rv) {
					t.Errorf("running_var %v, want %v", got, rv)
				}
				// Backward: dγ, dβ exactly; δz against float64.
				m := float64(n * hw)
				wantDG, wantDB := make([]int64, c), make([]int64, c)
				sdy, sdyx := make([]int64, c), make([]int64, c)
				for j := range dy {
					ch := j / hw % c
					sdy[ch] += int64(dy[j])
					sdyx[ch] += int64(dy[j]) * ref.xhat[j]
				}
				for ch := range wantDB {
					wantDB[ch] = sdy[ch] << 4                // RoundShr(Σδy, -14 - e1 = -4)
					wantDG[ch] = quant.RoundShr(sdyx[ch], 3) // RoundShr(Σδy·x̂, -7 - e1 = 3)
				}
				if ps[0].Grad.Exp != -14 || ps[1].Grad.Exp != -14 {
					t.Errorf("grad exponents %d, %d, want -14", ps[0].Grad.Exp, ps[1].Grad.Exp)
				}
				if got := int64s(t, ps[0].Grad); !slices.Equal(got, wantDG) {
					t.Errorf("dγ %v, want %v", got, wantDG)
				}
				if got := int64s(t, ps[1].Grad); !slices.Equal(got, wantDB) {
					t.Errorf("dβ %v, want %v", got, wantDB)
				}
				got := valuesOf(t, dz[0])
				want := make([]float64, total)
				big := 0.0
				for j := range dy {
					ch := j / hw % c
					gs := float64(g8[ch]) / 128 / (float64(ref.sigma[ch]) / 32768)
					xh := float64(ref.xhat[j]) / 128
					dyv := math.Ldexp(float64(dy[j]), e1)
					want[j] = gs * (dyv - math.Ldexp(float64(sdy[ch]), e1)/m - xh*math.Ldexp(float64(sdyx[ch]), e1-7)/m)
					big = max(big, math.Abs(want[j]))
				}
				for j := range want {
					if math.Abs(got[j]-want[j]) > big*math.Ldexp(1, -13) {
						t.Fatalf("δz[%d] = %g, want %g (max %g)", j, got[j], want[j], big)
					}
				}
				codes := int64s(t, dz[0])
				if firstDZ == nil {
					firstDZ = codes
				} else if !slices.Equal(codes, firstDZ) {
					t.Errorf("δz codes differ between backends")
				}
				// Evaluation: the running statistics.
				p = &nn.Pass{R: d.Record(), Train: false}
				y = l.Forward(p, zt)
				submitOK(t, p)
				if got := int64s(t, y); !slices.Equal(got, evalRef.y) {
					t.Fatalf("eval y = %v..., want %v...", got[:4], evalRef.y[:4])
				}
				zt.Release()
				dyt.Release()
			})
		}
	}
}

// int64s downloads I32 or I64 codes.
func int64s(t *testing.T, x *gpu.Tensor) []int64 {
	t.Helper()
	if x.DType() == gpu.I64 {
		return must[[]int64](t)(x.DownloadI64())
	}
	var out []int64
	for _, v := range must[[]int32](t)(x.DownloadI32()) {
		out = append(out, int64(v))
	}
	return out
}

// TestBatchNormIntegerGradients: an I64 gradient goes through E1 first and
// an F32 one through the flag quantizer and E1; both give finite δz with
// the BN's shape, and BN runs after a mode switch (masters converted).
func TestBatchNormIntegerGradients(t *testing.T) {
	sh := []int{3, 2, 2, 2}
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			l := must[*nn.BatchNorm](t)(nn.NewBatchNorm2d(d, "bn", full8(t), 2))
			z := make([]int32, 24)
			for i := range z {
				z[i] = int32(i*i*37%1000 - 500)
			}
			zt := must[*gpu.Tensor](t)(d.UploadI32(sh, -14, z))
			for _, gdt := range []gpu.DType{gpu.I64, gpu.F32, gpu.I32} {
				var g *gpu.Tensor
				switch gdt {
				case gpu.I64:
					g = must[*gpu.Tensor](t)(d.UploadI64(sh, -50, make([]int64, 24)))
				case gpu.I32:
					g = must[*gpu.Tensor](t)(d.UploadI32(sh, -20, z))
				default:
					f := make([]float32, 24)
					for i := range f {
						f[i] = float32(i%7-3) * 1e-3
					}
					g = must[*gpu.Tensor](t)(d.UploadF32(sh, 0, f))
				}
				p := &nn.Pass{R: d.Record(), Train: true}
				l.Forward(p, zt)
				dz := l.Backward(p, g)
				submitOK(t, p)
				if dz[0].DType() != gpu.I64 || !slices.Equal(dz[0].Shape(), sh) {
					t.Fatalf("%v: δz = %v", gdt, dz[0])
				}
				for _, v := range valuesOf(t, dz[0]) {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%v: δz not finite", gdt)
					}
				}
			}
			// Parameters follow the mode: integer masters as codes.
			if v := l.Params()[0].Value; v.DType() != gpu.I32 || v.Exp != -23 {
				t.Errorf("weight master %v, want i32 exponent -23", v)
			}
			if got := int64s(t, l.Params()[0].Value); got[0] <= 1<<23-1<<10 || got[0] > 1<<23+1<<10 {
				t.Errorf("weight master codes %v, want 2^23 (γ = 1)", got)
			}
		})
	}
	d := everyBackend(t)[0]
	if _, err := nn.NewBatchNorm2d(d, "bn", full8(t), 0); !errors.Is(err, nn.ErrConfig) {
		t.Errorf("0 channels: %v", err)
	}
	if _, err := nn.NewBatchNorm2d(nil, "bn", full8(t), 2); !errors.Is(err, nn.ErrConfig) {
		t.Errorf("nil device: %v", err)
	}
}

// TestIntegerChainBackends: BatchNorm2d → ReLU → MaxPool2d → AvgPool2d →
// global average pool in an nn.List, forward and backward in integer mode
// from an I64 gradient, give identical codes, exponents and Scales on
// every backend, and the gradient reaches the input. (No residual Add:
// List.Backward sums the gradients of an output read twice with add_i32,
// which takes neither the I8 E1 codes nor their Scale.)
func TestIntegerChainBackends(t *testing.T) {
	var first [][]int64
	var firstExp []int
	for _, d := range everyBackend(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			cfg := full8(t)
			var l nn.List
			bn := must[*nn.BatchNorm](t)(nn.NewBatchNorm2d(d, "bn", cfg, 3))
			relu := must[*nn.ReLU](t)(nn.NewReLU("relu", cfg))
			mp := must[*nn.Pool](t)(nn.NewMaxPool2d("mp", 2, 2, 0))
			ap := must[*nn.Pool](t)(nn.NewAvgPool2d("ap", 3, 1, 1))
			gp := must[*nn.Pool](t)(nn.NewGlobalAvgPool("gp"))
			for _, e := range []struct {
				m  nn.Module
				in []string
			}{{bn, nil}, {relu, nil}, {mp, nil}, {ap, nil}, {gp, nil}} {
				if err := l.Add(e.m, e.in...); err != nil {
					t.Fatal(err)
				}
			}
			rng := rand.New(rand.NewPCG(21, 21))
			z := make([]int32, 2*3*6*6)
			for i := range z {
				z[i] = int32(rng.IntN(1<<14)) - 1<<13
			}
			g := make([]int64, 2*3)
			for i := range g {
				g[i] = int64(rng.IntN(1<<30)) - 1<<29
			}
			zt := must[*gpu.Tensor](t)(d.UploadI32([]int{2, 3, 6, 6}, -14, z))
			gt := must[*gpu.Tensor](t)(d.UploadI64([]int{2, 3, 1, 1}, -40, g))
			p := &nn.Pass{R: d.Record(), Train: true, Seed: 3, Step: 1, GScale: 128}
			y := l.Forward(p, zt)
			dz := l.Backward(p, gt)
			submitOK(t, p)
			var got [][]int64
			var exps []int
			for _, x := range []*gpu.Tensor{y, dz, bn.Params()[0].Grad, bn.Params()[1].Grad} {
				got = append(got, int64sAny(t, x))
				exps = append(exps, x.Exp+scaleOf(t, x))
			}
			if dz.DType() != gpu.I64 || !slices.Equal(dz.Shape(), []int{2, 3, 6, 6}) {
				t.Fatalf("input gradient %v", dz)
			}
			if first == nil {
				first, firstExp = got, exps
				return
			}
			for i := range got {
				if !slices.Equal(got[i], first[i]) || exps[i] != firstExp[i] {
					t.Errorf("result %d differs between backends", i)
				}
			}
		})
	}
}

// int64sAny downloads integer codes of any integer dtype.
func int64sAny(t *testing.T, x *gpu.Tensor) []int64 {
	t.Helper()
	switch x.DType() {
	case gpu.U8:
		var out []int64
		for _, v := range must[[]uint8](t)(x.DownloadU8()) {
			out = append(out, int64(v))
		}
		return out
	case gpu.I8:
		var out []int64
		for _, v := range must[[]int8](t)(x.DownloadI8()) {
			out = append(out, int64(v))
		}
		return out
	}
	return int64s(t, x)
}
