package threshold_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/threshold"
)

// lenetBackends opens the CPU backend and WebGPU (skipped without an
// adapter unless WAGEUBN_REQUIRE_GPU=1).
func lenetBackends(t *testing.T) []*gpu.Device {
	t.Helper()
	c, err := gpu.Open(gpu.Options{Backend: gpu.CPU})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ds := []*gpu.Device{c}
	g, err := gpu.Open(gpu.Options{Backend: gpu.WebGPU})
	switch {
	case errors.Is(err, gpu.ErrNoAdapter) && os.Getenv("WAGEUBN_REQUIRE_GPU") != "1":
		t.Log("no WebGPU adapter: CPU backend only")
	case err != nil:
		t.Fatalf("opening WebGPU: %v", err)
	default:
		t.Cleanup(func() { g.Close() })
		ds = append(ds, g)
	}
	return ds
}

// pixels uploads a random batch of MNIST-shaped U8 pixel codes (exponent -8).
func pixels(t *testing.T, dev *gpu.Device, rng *rand.Rand, n int) *gpu.Tensor {
	t.Helper()
	px := make([]uint8, n*28*28)
	for i := range px {
		px[i] = uint8(rng.IntN(256))
	}
	return mustT(t)(dev.UploadU8([]int{n, 1, 28, 28}, -8, px))
}

// TestInitNetworkLeNet5 calibrates a pytorch-recipe LeNet-5 from its float
// twin end to end: hooks on the float network over two random batches,
// InitNetwork with the defaults (max for weights, kl_j for activations;
// the batch norms' γ and β thresholds too), then a forward pass of the quantized network, whose ReLU outputs must lie
// on their thresholds' unsigned grids.
func TestInitNetworkLeNet5(t *testing.T) {
	for _, dev := range lenetBackends(t) {
		t.Run(dev.Backend().String(), func(t *testing.T) {
			fl, err := nn.LeNet5(dev, nn.Float, 11)
			if err != nil {
				t.Fatal(err)
			}
			q, err := nn.LeNet5(dev, nn.PyTorch, 11)
			if err != nil {
				t.Fatal(err)
			}
			h := addHooks(t, fl, threshold.HookOptions{Kinds: []nn.Kind{nn.KindReLU}})
			rng := rand.New(rand.NewPCG(1, 2))
			for range 2 {
				r := dev.Record()
				if fl.Forward(&nn.Pass{R: r}, pixels(t, dev, rng, 4)) == nil {
					t.Fatal(r.Err())
				}
				if err := r.Submit(); err != nil {
					t.Fatal(err)
				}
				if err := h.Capture(); err != nil {
					t.Fatal(err)
				}
			}
			if err := threshold.InitNetwork(fl, q, h.Get(), threshold.InitOptions{}); err != nil {
				t.Fatal(err)
			}
			acti := map[string]float32{}
			nw, na, nb := 0, 0, 0
			fm := fl.Modules()
			for i, m := range q.Modules() {
				ps := map[string]*nn.Param{}
				for _, p := range m.Params() {
					ps[p.Name] = p
				}
				switch m.Kind() {
				case nn.KindConv2d, nn.KindLinear:
					var fw *nn.Param
					for _, p := range fm[i].Params() {
						if p.Name == "weight" {
							fw = p
						}
					}
					w, err := threshold.Values(fw.Value)
					if err != nil {
						t.Fatal(err)
					}
					want, err := threshold.Max(w)
					if err != nil {
						t.Fatal(err)
					}
					p := ps["weight_log2_t"]
					if p == nil {
						t.Fatalf("%s: weight_log2_t not set", m.Name())
					}
					got := mustF32(t, p.Value)
					if got != float32(want) || p.Trainable {
						t.Errorf("%s.weight_log2_t = %v (trainable %v), want Max = %v", m.Name(), got, p.Trainable, float32(want))
					}
					if _, hasBias := ps["bias"]; hasBias != (ps["bias_log2_t"] != nil) {
						t.Errorf("%s: bias %v but bias_log2_t %v", m.Name(), hasBias, ps["bias_log2_t"] != nil)
					}
					nw++
				case nn.KindBatchNorm2d, nn.KindBatchNorm1d:
					// γ and β of the float twin, through init_max.
					for _, pn := range [][2]string{{"weight", "weight_log2_t"}, {"bias", "bias_log2_t"}} {
						var fp *nn.Param
						for _, p := range fm[i].Params() {
							if p.Name == pn[0] {
								fp = p
							}
						}
						v, err := threshold.Values(fp.Value)
						if err != nil {
							t.Fatal(err)
						}
						want, err := threshold.Max(v)
						if err != nil {
							t.Fatal(err)
						}
						p := ps[pn[1]]
						if p == nil {
							t.Fatalf("%s: %s not set", m.Name(), pn[1])
						}
						if got := mustF32(t, p.Value); got != float32(want) || p.Trainable {
							t.Errorf("%s.%s = %v (trainable %v), want Max = %v", m.Name(), pn[1], got, p.Trainable, float32(want))
						}
					}
					nb++
				case nn.KindReLU:
					p := ps["acti_log2_t"]
					if p == nil {
						t.Fatalf("%s: acti_log2_t not set", m.Name())
					}
					v := mustF32(t, p.Value)
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						t.Fatalf("%s.acti_log2_t = %v", m.Name(), v)
					}
					acti[m.Name()] = v
					na++
				}
			}
			if nw != 5 || na != 4 || nb != 4 {
				t.Fatalf("%d weight, %d activation and %d batch-norm thresholds, want 5, 4 and 4", nw, na, nb)
			}

			r := dev.Record()
			y := q.Forward(&nn.Pass{R: r}, pixels(t, dev, rng, 4))
			if y == nil {
				t.Fatal(r.Err())
			}
			if err := r.Submit(); err != nil {
				t.Fatal(err)
			}
			logits, err := y.DownloadF32()
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range logits {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("logit %d = %v", i, v)
				}
			}
			for name, l2 := range acti {
				s := math.Exp2(math.Ceil(float64(l2)) - 8)
				out, err := q.Output(name).DownloadF32()
				if err != nil {
					t.Fatal(err)
				}
				nz := 0
				for i, v := range out {
					c := float64(v) / s
					if c != math.Trunc(c) || c < 0 || c > 255 {
						t.Fatalf("%s output %d = %v is not on the grid %v·[0, 255] (log2_t %v)", name, i, v, s, l2)
					}
					if c != 0 {
						nz++
					}
				}
				if nz == 0 {
					t.Errorf("%s: every output is 0", name)
				}
			}
		})
	}
}

// mustF32 downloads a 1-element F32 tensor.
func mustF32(t *testing.T, x *gpu.Tensor) float32 {
	t.Helper()
	v, err := x.DownloadF32()
	if err != nil || len(v) != 1 {
		t.Fatalf("threshold tensor %v: %v", x, err)
	}
	return v[0]
}

// TestInitNetworkLeNet5Integer calibrates a full8 LeNet-5: the ReLU
// thresholds set the integer activation exponents ceil(log2_t) - 8
// (method.md A5) and the integer forward runs on them.
func TestInitNetworkLeNet5Integer(t *testing.T) {
	for _, dev := range lenetBackends(t) {
		t.Run(dev.Backend().String(), func(t *testing.T) {
			fl, err := nn.LeNet5(dev, nn.Float, 11)
			if err != nil {
				t.Fatal(err)
			}
			q, err := nn.LeNet5(dev, nn.Full8, 11)
			if err != nil {
				t.Fatal(err)
			}
			h := addHooks(t, fl, threshold.HookOptions{Kinds: []nn.Kind{nn.KindReLU}})
			rng := rand.New(rand.NewPCG(3, 4))
			for range 2 {
				r := dev.Record()
				if fl.Forward(&nn.Pass{R: r}, pixels(t, dev, rng, 4)) == nil {
					t.Fatal(r.Err())
				}
				if err := r.Submit(); err != nil {
					t.Fatal(err)
				}
				if err := h.Capture(); err != nil {
					t.Fatal(err)
				}
			}
			if err := threshold.InitNetwork(fl, q, h.Get(), threshold.InitOptions{}); err != nil {
				t.Fatal(err)
			}
			r := dev.Record()
			if q.Forward(&nn.Pass{R: r, Train: true}, pixels(t, dev, rng, 4)) == nil {
				t.Fatal(r.Err())
			}
			if err := r.Submit(); err != nil {
				t.Fatal(err)
			}
			for _, m := range q.Modules() {
				if m.Kind() != nn.KindReLU {
					continue
				}
				l2 := mustF32(t, m.Params()[0].Value)
				want := nn.ActiExp(l2, 8)
				t.Logf("%s: acti_log2_t %v, exponent %d", m.Name(), l2, want)
				if y := q.Output(m.Name()); y.DType() != gpu.U8 || y.Exp != want {
					t.Errorf("%s: output %v exponent %d, want U8 exponent %d (log2_t %v)", m.Name(), y.DType(), y.Exp, want, l2)
				}
			}
		})
	}
}
