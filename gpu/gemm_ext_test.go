package gpu

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Wrapper-level tests of ops_gemm.go: each result against a plain int64
// (float64 for GemmF32NT) product computed here, on every backend.

// refGemm returns sum_k a[i*k+kk]·b[j*k+kk] in int64 for an [m, k] x [n, k]ᵀ
// product.
func refGemm(m, n, k int, a, b func(i int) int64) []int64 {
	c := make([]int64, m*n)
	for i := range m {
		for j := range n {
			var s int64
			for kk := range k {
				s += a(i*k+kk) * b(j*k+kk)
			}
			c[i*n+j] = s
		}
	}
	return c
}

func randU8(rng *rand.Rand, n int) []uint8 {
	v := make([]uint8, n)
	for i := range v {
		v[i] = uint8(rng.IntN(256))
	}
	return v
}

func constSlice[E any](n int, x E) []E {
	v := make([]E, n)
	for i := range v {
		v[i] = x
	}
	return v
}

// gemmWant compares a downloaded product with the reference.
func gemmWant[E int32 | int64](t *testing.T, what string, got []E, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if int64(got[i]) != want[i] {
			t.Fatalf("%s: C[%d] = %d, want %d", what, i, got[i], want[i])
		}
	}
}

// TestGemmU8I8NT: uint8 activations x int8 weights in int32, exact up to
// the bound MaxGemmKU8, where 255 x -128 gives -(2^31 - 128); the forward
// z = a·w of docs/dataflow.md with e_a = e_w = -7 has exponent -14.
func TestGemmU8I8NT(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, d := range devices(t) {
		for _, s := range [][3]int{{1, 1, 1}, {5, 7, 33}, {17, 9, 64}, {9, 17, 1000}, {2, 3, MaxGemmKU8}} {
			m, n, k := s[0], s[1], s[2]
			av, bv := randU8(rng, m*k), randI8(rng, n*k, "random")
			if k == MaxGemmKU8 {
				av, bv = constSlice(m*k, uint8(255)), constSlice(n*k, int8(-128))
			}
			a, err := d.UploadU8([]int{m, k}, -7, av)
			check(t, err)
			b, err := d.UploadI8([]int{n, k}, -7, bv)
			check(t, err)
			r := d.Record()
			c := r.GemmU8I8NT(a, b)
			check(t, r.Submit())
			if c.Exp != -14 || c.DType() != I32 {
				t.Fatalf("C is %v, want i32 with exponent -14", c)
			}
			got, err := c.DownloadI32()
			check(t, err)
			want := refGemm(m, n, k, func(i int) int64 { return int64(av[i]) }, func(i int) int64 { return int64(bv[i]) })
			if k == MaxGemmKU8 && want[0] != -(1<<31-128) {
				t.Fatalf("reference at the bound: %d", want[0])
			}
			gemmWant(t, d.Backend().String(), got, want)
		}
	}
}

// TestGemmU8I8NTRefusesLargeK: K past MaxGemmKU8 is ErrTooLarge and the
// message points at the wide variant.
func TestGemmU8I8NTRefusesLargeK(t *testing.T) {
	d := openCPUDevice(t)
	k := MaxGemmKU8 + 1
	a, err := d.UploadU8([]int{1, k}, 0, make([]uint8, k))
	check(t, err)
	b, err := d.UploadI8([]int{1, k}, 0, make([]int8, k))
	check(t, err)
	r := d.Record()
	if c := r.GemmU8I8NT(a, b); c != nil {
		t.Fatal("GemmU8I8NT accepted K > MaxGemmKU8")
	}
	err = r.Submit()
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "GemmU8I8NTWide") {
		t.Fatalf("err = %v, want ErrTooLarge naming GemmU8I8NTWide", err)
	}
	// The wide variant takes it.
	r = d.Record()
	c := r.GemmU8I8NTWide(a, b)
	check(t, r.Submit())
	if c == nil || c.DType() != I64 {
		t.Fatalf("GemmU8I8NTWide: %v", c)
	}
}

// TestGemmWide: int8 x int8 and uint8 x int8 sums past the int32 bounds
// (K = 200003 and 200000 > MaxGemmK; the second takes the _k16 variants),
// exact in int64.
func TestGemmWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 2))
	const m, n = 3, 5
	for _, d := range devices(t) {
		for _, ks := range []struct {
			k   int
			set string
		}{{200003, "random"}, {200003, "extreme"}, {200000, "random"}, {200000, "extreme"}} {
			k, set := ks.k, ks.set
			ai, au, bv := randI8(rng, m*k, "random"), randU8(rng, m*k), randI8(rng, n*k, "random")
			if set == "extreme" {
				ai, au, bv = constSlice(m*k, int8(-128)), constSlice(m*k, uint8(255)), constSlice(n*k, int8(-128))
				bv[k+7] = 127 // one other sign
			}
			a8, err := d.UploadI8([]int{m, k}, 0, ai)
			check(t, err)
			u8, err := d.UploadU8([]int{m, k}, 0, au)
			check(t, err)
			b, err := d.UploadI8([]int{n, k}, 0, bv)
			check(t, err)
			r := d.Record()
			ci := r.GemmI8NTWide(a8, b)
			cu := r.GemmU8I8NTWide(u8, b)
			check(t, r.Submit())
			gotI, err := ci.DownloadI64()
			check(t, err)
			gotU, err := cu.DownloadI64()
			check(t, err)
			bf := func(i int) int64 { return int64(bv[i]) }
			wantI := refGemm(m, n, k, func(i int) int64 { return int64(ai[i]) }, bf)
			wantU := refGemm(m, n, k, func(i int) int64 { return int64(au[i]) }, bf)
			if set == "extreme" && (wantI[0] <= math.MaxInt32 || wantU[0] >= math.MinInt32) {
				t.Fatalf("extreme sums %d, %d do not leave int32", wantI[0], wantU[0])
			}
			gemmWant(t, d.Backend().String()+"/i8/"+set, gotI, wantI)
			gemmWant(t, d.Backend().String()+"/u8/"+set, gotU, wantU)
		}
	}
}

// TestSplitI16: every int16 x gives planes with x = 256·h + l + 128,
// including -32768, 32767 and 32640..32767 (where h = 128 would not fit a
// sign-extended-low-byte split).
func TestSplitI16(t *testing.T) {
	for _, d := range devices(t) {
		const rows, k = 256, 256
		v := make([]int16, rows*k)
		for i := range v {
			v[i] = int16(i)
		}
		x, err := d.UploadI16([]int{rows, k}, -3, v)
		check(t, err)
		r := d.Record()
		p := r.SplitI16(x)
		check(t, r.Submit())
		if p.Exp != -3 || p.DType() != I8 || !equalShape(p.Shape(), []int{2, rows, k}) {
			t.Fatalf("planes are %v, want i8[2 %d %d]e-3", p, rows, k)
		}
		hl, err := p.DownloadI8()
		check(t, err)
		for i, x := range v {
			h, l := int32(hl[i]), int32(hl[rows*k+i])
			if 256*h+l+128 != int32(x) {
				t.Fatalf("%v: x = %d: h = %d, l = %d", d.Backend(), x, h, l)
			}
		}
	}
}

// TestGemmI16: int16 E2 codes x int8 weights (input gradient) and x uint8
// activations (weight gradient), exact in int64, with the split hidden and
// its planes released by Submit; K past MaxGemmK included.
func TestGemmI16(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 3))
	for _, d := range devices(t) {
		for _, s := range [][3]int{{1, 1, 1}, {5, 9, 3}, {9, 5, 130}, {6, 10, 64}, {13, 17, 1001}, {2, 3, MaxGemmK + 9}, {3, 2, 131072}} {
			m, n, k := s[0], s[1], s[2]
			for _, set := range []string{"random", "extreme"} {
				av := make([]int16, m*k)
				for i := range av {
					av[i] = int16(rng.Uint32())
				}
				bi, bu := randI8(rng, n*k, "random"), randU8(rng, n*k)
				if set == "extreme" {
					for i := range av {
						av[i] = i16Extremes[i%len(i16Extremes)]
					}
					if k > 1000 {
						av = constSlice(m*k, int16(-32768))
					}
					bi, bu = constSlice(n*k, int8(-128)), constSlice(n*k, uint8(255))
				}
				a, err := d.UploadI16([]int{m, k}, -9, av)
				check(t, err)
				b8, err := d.UploadI8([]int{n, k}, -7, bi)
				check(t, err)
				bU, err := d.UploadU8([]int{n, k}, -7, bu)
				check(t, err)
				r := d.Record()
				ci := r.GemmI16I8NT(a, b8)
				cu := r.GemmI16U8NT(a, bU)
				if len(r.temps) != 2 {
					t.Fatalf("%d intermediates recorded, want 2", len(r.temps))
				}
				check(t, r.Submit())
				if len(r.temps) != 0 {
					t.Fatal("Submit kept the intermediates")
				}
				if ci.Exp != -16 || cu.Exp != -16 || ci.DType() != I64 {
					t.Fatalf("C is %v and %v, want i64 with exponent -16", ci, cu)
				}
				gotI, err := ci.DownloadI64()
				check(t, err)
				gotU, err := cu.DownloadI64()
				check(t, err)
				af := func(i int) int64 { return int64(av[i]) }
				gemmWant(t, d.Backend().String()+"/i16i8/"+set, gotI, refGemm(m, n, k, af, func(i int) int64 { return int64(bi[i]) }))
				gemmWant(t, d.Backend().String()+"/i16u8/"+set, gotU, refGemm(m, n, k, af, func(i int) int64 { return int64(bu[i]) }))
			}
		}
	}
}

// TestGemmF32NT: float32 products within 1e-5·K·max|a|·max|b| of float64.
func TestGemmF32NT(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed, 4))
	for _, d := range devices(t) {
		for _, s := range [][3]int{{1, 1, 1}, {5, 7, 33}, {17, 9, 64}, {9, 17, 1000}} {
			m, n, k := s[0], s[1], s[2]
			av, bv := make([]float32, m*k), make([]float32, n*k)
			for i := range av {
				av[i] = float32(rng.Float64()*2 - 1)
			}
			for i := range bv {
				bv[i] = float32(rng.Float64()*2 - 1)
			}
			a, err := d.UploadF32([]int{m, k}, 0, av)
			check(t, err)
			b, err := d.UploadF32([]int{n, k}, 0, bv)
			check(t, err)
			r := d.Record()
			c := r.GemmF32NT(a, b)
			check(t, r.Submit())
			got, err := c.DownloadF32()
			check(t, err)
			tol := float64(gemmF32Tol(k, 1, 1))
			for i := range m {
				for j := range n {
					var want float64
					for kk := range k {
						want += float64(av[i*k+kk]) * float64(bv[j*k+kk])
					}
					if g := float64(got[i*n+j]); math.Abs(g-want) > tol {
						t.Fatalf("%v: m=%d n=%d k=%d: C[%d,%d] = %g, want %g ± %g", d.Backend(), m, n, k, i, j, g, want, tol)
					}
				}
			}
		}
	}
}

// TestGemmI8Variant: GemmI8NT records gemm_i8_nt_tiled only on discrete and
// integrated GPUs; lavapipe (a CPU adapter) and the CPU backend keep the
// register-blocked kernels.
func TestGemmI8Variant(t *testing.T) {
	for _, c := range []struct {
		be   Backend
		at   AdapterType
		want string
	}{
		{WebGPU, AdapterDiscrete, "gemm_i8_nt_tiled"},
		{WebGPU, AdapterIntegrated, "gemm_i8_nt_tiled"},
		{WebGPU, AdapterCPU, "gemm_i8_nt_k16"},
		{WebGPU, AdapterUnknown, "gemm_i8_nt_k16"},
		{CPU, AdapterCPU, "gemm_i8_nt_k16"},
	} {
		if got := gemmI8VariantFor(Info{Backend: c.be, AdapterType: c.at}, "gemm_i8_nt_k16"); got != c.want {
			t.Errorf("%v/%v: %s, want %s", c.be, c.at, got, c.want)
		}
	}
	for _, d := range devices(t) {
		a, err := d.UploadI8([]int{3, 16}, 0, make([]int8, 48))
		check(t, err)
		r := d.Record()
		r.GemmI8NT(a, a)
		if got, want := r.ds[0].k.Name, gemmI8VariantFor(d.Info(), "gemm_i8_nt_k16"); got != want {
			t.Errorf("%v: recorded %s, want %s", d.Info(), got, want)
		}
		check(t, r.Submit())
	}
}

// TestGemmScale: a data-dependent exponent (E2's Scale) carries over to C,
// through the split; two of them are refused.
func TestGemmScale(t *testing.T) {
	d := openCPUDevice(t)
	sc, err := d.UploadI32([]int{1}, 0, []int32{-5})
	check(t, err)
	e2, err := d.UploadI16([]int{2, 8}, -7, make([]int16, 16))
	check(t, err)
	e2.Scale = sc
	u8, err := d.UploadU8([]int{3, 8}, -7, make([]uint8, 24))
	check(t, err)
	r := d.Record()
	c := r.GemmI16U8NT(e2, u8)
	check(t, r.Submit())
	if c.Scale != sc || c.Exp != -14 {
		t.Fatalf("C.Scale = %v, Exp %d; want E2's Scale and -14", c.Scale, c.Exp)
	}
	w, err := d.UploadI8([]int{2, 8}, -7, make([]int8, 16))
	check(t, err)
	w.Scale = sc
	r = d.Record()
	if r.GemmI16I8NT(e2, w) != nil || !errors.Is(r.Submit(), ErrShape) {
		t.Fatal("two Scales accepted")
	}
}

// TestGemmExtErrors: dtype, rank and inner-dimension mismatches are
// ErrShape, and the error sticks.
func TestGemmExtErrors(t *testing.T) {
	d := openCPUDevice(t)
	i8, err := d.UploadI8([]int{2, 8}, 0, make([]int8, 16))
	check(t, err)
	u8, err := d.UploadU8([]int{2, 8}, 0, make([]uint8, 16))
	check(t, err)
	u8k, err := d.UploadU8([]int{2, 9}, 0, make([]uint8, 18))
	check(t, err)
	i16, err := d.UploadI16([]int{2, 8}, 0, make([]int16, 16))
	check(t, err)
	for name, f := range map[string]func(r *Recorder) *Tensor{
		"u8i8 swapped":   func(r *Recorder) *Tensor { return r.GemmU8I8NT(i8, u8) },
		"u8i8 inner":     func(r *Recorder) *Tensor { return r.GemmU8I8NT(u8k, i8) },
		"wide dtype":     func(r *Recorder) *Tensor { return r.GemmI8NTWide(u8, i8) },
		"i16i8 dtype":    func(r *Recorder) *Tensor { return r.GemmI16I8NT(i16, u8) },
		"i16u8 dtype":    func(r *Recorder) *Tensor { return r.GemmI16U8NT(i8, u8) },
		"split dtype":    func(r *Recorder) *Tensor { return r.SplitI16(i8) },
		"f32 dtype":      func(r *Recorder) *Tensor { return r.GemmF32NT(i8, i8) },
		"u8i8 nil":       func(r *Recorder) *Tensor { return r.GemmU8I8NT(nil, i8) },
		"i16 inner":      func(r *Recorder) *Tensor { return r.GemmI16U8NT(i16, u8k) },
		"wide u8 swaped": func(r *Recorder) *Tensor { return r.GemmU8I8NTWide(i8, u8) },
	} {
		r := d.Record()
		if c := f(r); c != nil {
			t.Errorf("%s: got %v, want nil", name, c)
		}
		if err := r.Submit(); !errors.Is(err, ErrShape) {
			t.Errorf("%s: err = %v, want ErrShape", name, err)
		}
	}
}
