package nn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/quant"
)

// TestAffineIntegerInputs: an integer layer given F32 values, I32 or I64
// codes quantizes them onto the input grid 2^-7 with the ±127 clip
// (quant.AllDirect(x, 8, 8) for floats, RoundShr and the clip for codes)
// before the integer GEMM; z has exponent -14.
func TestAffineIntegerInputs(t *testing.T) {
	for _, d := range gclDevices(t) {
		for _, kind := range []string{"f32", "i32", "i64"} {
			t.Run(fmt.Sprintf("%v/%s", d.Backend(), kind), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(3, 4))
				cfg, err := nn.Full8.Config()
				if err != nil {
					t.Fatal(err)
				}
				const n, in, out = 3, 6, 2
				l, err := nn.NewLinear(d, "fc", cfg, in, out, false, 8)
				if err != nil {
					t.Fatal(err)
				}
				master := clDownload(t, l.Params()[0].Value)
				var x *gpu.Tensor
				codes := make([]int64, n*in)
				switch kind {
				case "f32":
					v := make([]float32, n*in)
					for i := range v {
						v[i] = float32(rng.NormFloat64())
						if i%5 == 0 {
							v[i] = float32(2*rng.IntN(200)-199) / 256 // ties
						}
					}
					v[1] = 3 // clipped
					q, err := quant.AllDirect(v, 8, 8)
					if err != nil {
						t.Fatal(err)
					}
					for i, c := range q.Q {
						codes[i] = int64(c)
					}
					x, err = d.UploadF32([]int{n, in}, 0, v)
					if err != nil {
						t.Fatal(err)
					}
				default:
					raw := make([]int64, n*in)
					for i := range raw {
						raw[i] = int64(rng.IntN(1<<16) - 1<<15)
					}
					raw[2] = 1 << 20 // clipped
					for i, c := range raw {
						codes[i] = min(max(quant.RoundShr(c, 7), -127), 127)
					}
					if kind == "i64" {
						x, err = d.UploadI64([]int{n, in}, -14, raw)
					} else {
						x, err = d.UploadI32([]int{n, in}, -14, convert32(raw))
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				defer x.Release()
				p := &nn.Pass{R: d.Record(), Train: true}
				y := l.Forward(p, x)
				if err := p.R.Submit(); err != nil {
					t.Fatal(err)
				}
				want := make([]int64, n*out)
				for i := range n {
					for o := range out {
						for k := range in {
							w8 := min(max(quant.RoundShr(master[o*in+k], 16), -127), 127)
							want[i*out+o] += codes[i*in+k] * w8
						}
					}
				}
				if y.Exp != -14 {
					t.Errorf("z exponent %d, want -14", y.Exp)
				}
				clEqual(t, "z", clDownload(t, y), want)
			})
		}
	}
}

func convert32(v []int64) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}
