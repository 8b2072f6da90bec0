package nn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/quant"
)

// Integer-mode tests of Conv2d and Linear: forward and backward against a
// host reference built from the quant package's integer forms (RoundShr,
// Flag, Log2Round, StochasticShr, the Philox key) and int64 loops,
// exactly, on every backend.

// clGeom is a convolution in NCHW with a kernel [K, C/G, KH, KW].
type clGeom struct {
	N, C, H, W, K, KH, KW, S, P, G int
}

func (g clGeom) out() (int, int) { return (g.H+2*g.P-g.KH)/g.S + 1, (g.W+2*g.P-g.KW)/g.S + 1 }

// each calls f(xi, wi, yi) for every product x[xi]·w[wi] summed into y[yi].
func (g clGeom) each(f func(xi, wi, yi int)) {
	oh, ow := g.out()
	cg, kg := g.C/g.G, g.K/g.G
	for n := range g.N {
		for k := range g.K {
			grp := k / kg
			for i := range oh {
				for j := range ow {
					yi := ((n*g.K+k)*oh+i)*ow + j
					for c := range cg {
						for kh := range g.KH {
							for kw := range g.KW {
								ih, iw := i*g.S+kh-g.P, j*g.S+kw-g.P
								if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
									continue
								}
								f(((n*g.C+grp*cg+c)*g.H+ih)*g.W+iw, ((k*cg+c)*g.KH+kh)*g.KW+kw, yi)
							}
						}
					}
				}
			}
		}
	}
}

// clDownload reads integer codes of any integer dtype as int64.
func clDownload(t *testing.T, x *gpu.Tensor) []int64 {
	t.Helper()
	if x == nil {
		t.Fatal("nil tensor")
	}
	var out []int64
	switch x.DType() {
	case gpu.I64:
		v, err := x.DownloadI64()
		if err != nil {
			t.Fatal(err)
		}
		return v
	case gpu.I32:
		v, err := x.DownloadI32()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range v {
			out = append(out, int64(c))
		}
	case gpu.I8:
		v, err := x.DownloadI8()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range v {
			out = append(out, int64(c))
		}
	default:
		t.Fatalf("dtype %v", x.DType())
	}
	return out
}

// clScale returns x.Scale[0] (0 without a Scale).
func clScale(t *testing.T, x *gpu.Tensor) int {
	t.Helper()
	if x.Scale == nil {
		return 0
	}
	v, err := x.Scale.DownloadI32()
	if err != nil {
		t.Fatal(err)
	}
	return int(v[0])
}

func clEqual(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if got[i] != want[i] {
			if bad < 5 {
				t.Errorf("%s[%d] = %d, want %d", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}

// clG is the host G: weight decay on the wide gradient t (absolute
// exponent et) with the master codes m (exponent -23), then QuantConst
// (g bits) or QuantConstMag; it returns the codes and, for the latter, the
// exponent shift r - 7.
func clG(t *testing.T, dw []int64, et int, m []int64, g int, plus bool, key quant.RNGKey) ([]int64, int) {
	t.Helper()
	s := et + 23 + gpu.WeightDecayFrac
	if s < 0 {
		t.Fatalf("decay shift %d", s)
	}
	tt := make([]int64, len(dw))
	var mx uint64
	for i := range dw {
		tt[i] = dw[i] + quant.RoundShr(gpu.WeightDecay1e4*m[i], uint(s))
		a := tt[i]
		if a < 0 {
			a = -a
		}
		mx = max(mx, uint64(a))
	}
	out := make([]int64, len(tt))
	if mx == 0 {
		return out, 0
	}
	r := quant.Log2Round(mx)
	if plus {
		g = 7
	}
	lim := int64(1)<<g - 1
	if plus {
		lim = 127
	}
	for i, v := range tt {
		var n int64
		if r-g >= 0 {
			n = quant.StochasticShr(v, uint(r-g), key.Uint32(uint32(i)))
		} else {
			n = v << uint(g-r)
		}
		out[i] = min(max(n, -lim), lim)
	}
	return out, r - 7
}

type clCase struct {
	name   string
	linear bool
	g      clGeom
	plus   bool
	gscale int
	grad   string // "i32", "f32", "i64"
}

func TestAffineInteger(t *testing.T) {
	cases := []clCase{
		{name: "conv3x3", g: clGeom{N: 2, C: 3, H: 6, W: 5, K: 4, KH: 3, KW: 3, S: 1, P: 1, G: 1}, gscale: 128, grad: "i32"},
		{name: "conv-stride2-groups", g: clGeom{N: 3, C: 4, H: 7, W: 7, K: 6, KH: 3, KW: 3, S: 2, P: 1, G: 2}, gscale: 32, grad: "i64"},
		{name: "conv1x1-plus", g: clGeom{N: 2, C: 5, H: 4, W: 4, K: 3, KH: 1, KW: 1, S: 1, P: 0, G: 1}, plus: true, grad: "i32"},
		{name: "conv-f32grad", g: clGeom{N: 1, C: 2, H: 5, W: 6, K: 3, KH: 3, KW: 3, S: 1, P: 0, G: 1}, gscale: 8, grad: "f32"},
		{name: "conv-wide", g: clGeom{N: 1, C: 7311, H: 3, W: 3, K: 2, KH: 3, KW: 3, S: 1, P: 0, G: 1}, gscale: 128, grad: "i32"},
		{name: "linear", linear: true, g: clGeom{N: 4, C: 1, H: 1, W: 10, K: 5, KH: 1, KW: 10, S: 1, P: 0, G: 1}, gscale: 128, grad: "i32"},
		{name: "linear-plus-i64", linear: true, g: clGeom{N: 7, C: 1, H: 1, W: 33, K: 3, KH: 1, KW: 33, S: 1, P: 0, G: 1}, plus: true, grad: "i64"},
	}
	for _, d := range gclDevices(t) {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%v/%s", d.Backend(), tc.name), func(t *testing.T) { clRunInteger(t, d, tc) })
		}
	}
}

func clRunInteger(t *testing.T, d *gpu.Device, tc clCase) {
	rng := rand.New(rand.NewPCG(7, uint64(len(tc.name))))
	cfg, err := nn.Full8.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.GKeepsMagnitude = tc.plus
	g := tc.g
	oh, ow := g.out()
	var m nn.Module
	var name string
	if tc.linear {
		name = "fc"
		m, err = nn.NewLinear(d, name, cfg, g.W, g.K, true, 3)
	} else {
		name = "conv"
		if g.KH != g.KW {
			t.Fatal("square kernels only")
		}
		m, err = nn.NewConv2d(d, name, cfg, g.C, g.K, g.KH, nn.ConvOptions{Stride: g.S, Padding: g.P, Groups: g.G, Bias: true}, 3)
	}
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Params()
	if len(ps) != 2 || ps[0].Value.DType() != gpu.I32 || ps[0].Value.Exp != -23 {
		t.Fatalf("params %v", ps)
	}
	// Bias masters: random codes (ties at the 2^8 shift included).
	bias := make([]int32, g.K)
	for i := range bias {
		bias[i] = int32(rng.IntN(1<<22) - 1<<21)
		if i%2 == 0 {
			bias[i] = int32(2*rng.IntN(100)-99) << 7
		}
	}
	bt, err := d.UploadI32([]int{g.K}, -23, bias)
	if err != nil {
		t.Fatal(err)
	}
	ps[1].Value.Release()
	ps[1].Value = bt
	master := clDownload(t, ps[0].Value)

	// Input: pixels, U8 codes with exponent -8.
	xs := []int{g.N, g.C, g.H, g.W}
	if tc.linear {
		xs = []int{g.N, g.W}
	}
	nx := g.N * g.C * g.H * g.W
	xv := make([]uint8, nx)
	for i := range xv {
		xv[i] = uint8(rng.IntN(256))
	}
	x, err := d.UploadU8(xs, -8, xv)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Release()

	p := &nn.Pass{R: d.Record(), Train: true, Seed: 99, Step: 5, GScale: tc.gscale}
	y := m.Forward(p, x)
	if err := p.R.Submit(); err != nil {
		t.Fatal(err)
	}

	// Forward reference: w8 = clamp(RoundShr(m, 16), ±127); z = Σ x·w8 +
	// RoundShr(b, 8) at exponent -15.
	w8 := make([]int64, len(master))
	for i, v := range master {
		w8[i] = min(max(quant.RoundShr(v, 16), -127), 127)
	}
	ny := g.N * g.K * oh * ow
	z := make([]int64, ny)
	g.each(func(xi, wi, yi int) { z[yi] += int64(xv[xi]) * w8[wi] })
	for i := range z {
		z[i] += quant.RoundShr(int64(bias[(i/(oh*ow))%g.K]), 8)
	}
	wantDT := gpu.I32 // the int32 bound of U8 x I8 sums, else the wide GEMM
	if g.C/g.G*g.KH*g.KW > gpu.MaxGemmKU8 {
		wantDT = gpu.I64
	}
	if y.DType() != wantDT {
		t.Errorf("y is %v for C/G·KH·KW = %d, want %v", y.DType(), g.C/g.G*g.KH*g.KW, wantDT)
	}
	if y.Exp != -15 || y.Scale != nil {
		t.Errorf("y exponent %d scale %v, want -15, none", y.Exp, y.Scale)
	}
	clEqual(t, "y", clDownload(t, y), z)

	// Backward: the incoming gradient, E2 (quant.Flag on the same values).
	gv := make([]int64, ny)
	gf := make([]float32, ny)
	for i := range gv {
		gv[i] = int64(rng.IntN(1<<21) - 1<<20)
		if i%7 == 3 {
			gv[i] = 0
		}
		gf[i] = float32(gv[i])
	}
	ys := y.Shape()
	var gt *gpu.Tensor
	gexp := -20
	switch tc.grad {
	case "i32":
		g32 := make([]int32, ny)
		for i := range gv {
			g32[i] = int32(gv[i])
		}
		gt, err = d.UploadI32(ys, gexp, g32)
	case "i64":
		gt, err = d.UploadI64(ys, gexp, gv)
	case "f32":
		gexp = 0
		gt, err = d.UploadF32(ys, 0, gf)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer gt.Release()
	p.R = d.Record()
	dxs := m.Backward(p, gt)
	if err := p.R.Submit(); err != nil {
		t.Fatal(err)
	}
	e2, err := quant.Flag(gf, 8)
	if err != nil {
		t.Fatal(err)
	}
	e2Exp := gexp + e2.Exp // absolute exponent of the E2 codes
	dx := make([]int64, nx)
	dw := make([]int64, len(master))
	db := make([]int64, g.K)
	g.each(func(xi, wi, yi int) {
		e := int64(e2.Q[yi])
		dx[xi] += e * w8[wi]
		dw[wi] += e * int64(xv[xi])
	})
	for i, e := range e2.Q {
		db[(i/(oh*ow))%g.K] += int64(e)
	}
	gdx := dxs[0]
	if gdx.DType() != gpu.I64 || gdx.Exp+clScale(t, gdx) != e2Exp-7 {
		t.Errorf("dx %v exponent %d + scale %d, want I64 at %d", gdx.DType(), gdx.Exp, clScale(t, gdx), e2Exp-7)
	}
	if !equalInts(gdx.Shape(), xs) {
		t.Errorf("dx shape %v, want %v", gdx.Shape(), xs)
	}
	clEqual(t, "dx", clDownload(t, gdx), dx)

	gb := tc.gscale
	gbits := 0
	for 1<<gbits < gb {
		gbits++
	}
	for i, c := range []struct {
		par  *nn.Param
		dw   []int64
		m    []int64
		name string
		et   int // absolute exponent of the wide gradient
	}{{ps[0], dw, master, name + ".weight", e2Exp - 8}, {ps[1], db, clInts(bias), name + ".bias", e2Exp}} {
		key := quant.RNGKey{Seed: 99, Step: 5, Tensor: nn.ParamTensorID(c.name)}
		want, sh := clG(t, c.dw, c.et, c.m, gbits, tc.plus, key)
		got := c.par.Grad
		if got == nil || got.DType() != gpu.I8 || !equalInts(got.Shape(), c.par.Shape) {
			t.Fatalf("grad %d: %v, want I8 %v", i, got, c.par.Shape)
		}
		if tc.plus {
			if e := got.Exp + clScale(t, got); e != c.et+sh {
				t.Errorf("%s: G exponent %d, want %d", c.name, e, c.et+sh)
			}
		} else if got.Exp != -14 || got.Scale != nil {
			t.Errorf("%s: G exponent %d scale %v, want -14", c.name, got.Exp, got.Scale)
		}
		clEqual(t, c.name+" G", clDownload(t, got), want)
	}
	if _, err := d.ErrorWord(); err != nil {
		t.Errorf("error word: %v", err)
	}
}

func clInts(v []int32) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
