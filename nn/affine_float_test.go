package nn_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// Float-mode tests of Conv2d and Linear: the forward against a float64
// reference, and the gradients of L = Σ R·y (R fixed and random, so
// dL/dy = R) against central differences of that reference, within a
// relative 1e-3 of float32.

func clF32(t *testing.T, x *gpu.Tensor) []float32 {
	t.Helper()
	if x == nil {
		t.Fatal("nil tensor")
	}
	v, err := x.DownloadF32()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func clClose(t *testing.T, what string, got []float32, want []float64, scale float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); d > 1e-3*(math.Abs(want[i])+scale) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}

func TestAffineFloatGradients(t *testing.T) {
	cases := []clCase{
		{name: "conv3x3", g: clGeom{N: 2, C: 3, H: 6, W: 5, K: 4, KH: 3, KW: 3, S: 1, P: 1, G: 1}},
		{name: "conv-stride2-groups", g: clGeom{N: 2, C: 4, H: 7, W: 7, K: 6, KH: 3, KW: 3, S: 2, P: 1, G: 2}},
		{name: "linear", linear: true, g: clGeom{N: 4, C: 1, H: 1, W: 10, K: 5, KH: 1, KW: 10, S: 1, P: 0, G: 1}},
	}
	for _, d := range gclDevices(t) {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%v/%s", d.Backend(), tc.name), func(t *testing.T) { clRunFloat(t, d, tc) })
		}
	}
}

func clRunFloat(t *testing.T, d *gpu.Device, tc clCase) {
	rng := rand.New(rand.NewPCG(11, uint64(len(tc.name))))
	cfg, err := nn.Float.Config()
	if err != nil {
		t.Fatal(err)
	}
	g := tc.g
	oh, ow := g.out()
	var m nn.Module
	if tc.linear {
		m, err = nn.NewLinear(d, "fc", cfg, g.W, g.K, true, 5)
	} else {
		m, err = nn.NewConv2d(d, "conv", cfg, g.C, g.K, g.KH, nn.ConvOptions{Stride: g.S, Padding: g.P, Groups: g.G, Bias: true}, 5)
	}
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Params()
	if ps[0].Value.DType() != gpu.F32 {
		t.Fatalf("float master is %v", ps[0].Value.DType())
	}
	bias := make([]float32, g.K)
	for i := range bias {
		bias[i] = float32(rng.NormFloat64())
	}
	bt, err := d.UploadF32([]int{g.K}, 0, bias)
	if err != nil {
		t.Fatal(err)
	}
	ps[1].Value.Release()
	ps[1].Value = bt
	w32 := clF32(t, ps[0].Value)

	xs := []int{g.N, g.C, g.H, g.W}
	if tc.linear {
		xs = []int{g.N, g.W}
	}
	nx, ny := g.N*g.C*g.H*g.W, g.N*g.K*oh*ow
	x32 := make([]float32, nx)
	for i := range x32 {
		x32[i] = float32(rng.NormFloat64())
	}
	rv := make([]float32, ny)
	for i := range rv {
		rv[i] = float32(rng.NormFloat64())
	}
	x, err := d.UploadF32(xs, 0, x32)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Release()

	f64 := func(v []float32) []float64 {
		out := make([]float64, len(v))
		for i, a := range v {
			out[i] = float64(a)
		}
		return out
	}
	xf, wf, bf, rf := f64(x32), f64(w32), f64(bias), f64(rv)
	forward := func() []float64 {
		y := make([]float64, ny)
		g.each(func(xi, wi, yi int) { y[yi] += xf[xi] * wf[wi] })
		for i := range y {
			y[i] += bf[(i/(oh*ow))%g.K]
		}
		return y
	}
	loss := func() float64 {
		s := 0.0
		for i, y := range forward() {
			s += rf[i] * y
		}
		return s
	}
	numGrad := func(v []float64) []float64 {
		const h = 1e-3
		out := make([]float64, len(v))
		for i := range v {
			old := v[i]
			v[i] = old + h
			lp := loss()
			v[i] = old - h
			lm := loss()
			v[i] = old
			out[i] = (lp - lm) / (2 * h)
		}
		return out
	}

	p := &nn.Pass{R: d.Record(), Train: true}
	y := m.Forward(p, x)
	if err := p.R.Submit(); err != nil {
		t.Fatal(err)
	}
	clClose(t, "y", clF32(t, y), forward(), 1)
	gt, err := d.UploadF32(y.Shape(), 0, rv)
	if err != nil {
		t.Fatal(err)
	}
	defer gt.Release()
	p.R = d.Record()
	dx := m.Backward(p, gt)
	if err := p.R.Submit(); err != nil {
		t.Fatal(err)
	}
	if !equalInts(dx[0].Shape(), xs) {
		t.Errorf("dx shape %v, want %v", dx[0].Shape(), xs)
	}
	clClose(t, "dx", clF32(t, dx[0]), numGrad(xf), 1)
	clClose(t, "dw", clF32(t, ps[0].Grad), numGrad(wf), 1)
	clClose(t, "db", clF32(t, ps[1].Grad), numGrad(bf), 1)
}

// TestAffineModeSwitch: a float layer switched to integer mode converts
// its masters to I32 codes at 2^-23 (exact for the 2^-15 grid of
// InitWeights) and drops the optimizer slot; switched back, F32 again with
// the same values.
func TestAffineModeSwitch(t *testing.T) {
	for _, d := range gclDevices(t) {
		cfg, err := nn.Float.Config()
		if err != nil {
			t.Fatal(err)
		}
		m, err := nn.NewConv2d(d, "c", cfg, 2, 3, 3, nn.ConvOptions{Padding: 1, Bias: true}, 9)
		if err != nil {
			t.Fatal(err)
		}
		w0 := clF32(t, m.Params()[0].Value)
		want := nn.InitWeights(9, "c.weight", 3*2*3*3, 2*3*3)
		for i := range want {
			if w0[i] != want[i] || math.Abs(float64(want[i])) > 2/math.Sqrt(18)+1e-4 || want[i]*(1<<15) != float32(math.Round(float64(want[i])*(1<<15))) {
				t.Fatalf("%v: w[%d] = %v, InitWeights %v (2^-15 grid, within 2 sd)", d.Backend(), i, w0[i], want[i])
			}
		}
		mom, err := d.UploadF32([]int{3, 2, 3, 3}, 0, make([]float32, 54))
		if err != nil {
			t.Fatal(err)
		}
		m.Params()[0].Momentum = mom
		m.Config().Arith = nn.Integer
		m.SetQuant(true)
		x, err := d.UploadU8([]int{1, 2, 4, 4}, -8, make([]uint8, 32))
		if err != nil {
			t.Fatal(err)
		}
		p := &nn.Pass{R: d.Record(), Train: true}
		m.Forward(p, x)
		if err := p.R.Submit(); err != nil {
			t.Fatal(err)
		}
		w := m.Params()[0]
		if w.Value.DType() != gpu.I32 || w.Value.Exp != -23 || w.Momentum != nil {
			t.Fatalf("%v: after the switch %v, momentum %v", d.Backend(), w.Value, w.Momentum)
		}
		codes := clDownload(t, w.Value)
		for i := range codes {
			if float64(codes[i]) != float64(w0[i])*(1<<23) {
				t.Fatalf("%v: code[%d] = %d, want %v·2^23", d.Backend(), i, codes[i], w0[i])
			}
		}
		m.SetQuant(false)
		p.R = d.Record()
		m.Forward(p, x)
		if err := p.R.Submit(); err != nil {
			t.Fatal(err)
		}
		back := clF32(t, m.Params()[0].Value)
		for i := range back {
			if back[i] != w0[i] {
				t.Fatalf("%v: back to float w[%d] = %v, want %v", d.Backend(), i, back[i], w0[i])
			}
		}
		x.Release()
	}
}

// TestFlatten: forward to [N, rest] and backward to the input shape, on
// narrow and wide codes, the exponent and Scale kept.
func TestFlatten(t *testing.T) {
	for _, d := range gclDevices(t) {
		f, err := nn.NewFlatten("flat")
		if err != nil {
			t.Fatal(err)
		}
		if f.Kind() != nn.KindFlatten || f.Config() != nil || f.Params() != nil {
			t.Fatal("flatten metadata")
		}
		xv := make([]uint8, 2*3*5*5)
		for i := range xv {
			xv[i] = uint8(i * 7)
		}
		x, err := d.UploadU8([]int{2, 3, 5, 5}, -7, xv)
		if err != nil {
			t.Fatal(err)
		}
		gv := make([]int64, 2*75)
		for i := range gv {
			gv[i] = int64(i-70) << 33
		}
		g, err := d.UploadI64([]int{2, 75}, -30, gv)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := d.UploadI32([]int{1}, 0, []int32{4})
		if err != nil {
			t.Fatal(err)
		}
		g.Scale = sc
		p := &nn.Pass{R: d.Record(), Train: true}
		y := f.Forward(p, x)
		dx := f.Backward(p, g)
		if err := p.R.Submit(); err != nil {
			t.Fatal(err)
		}
		if !equalInts(y.Shape(), []int{2, 75}) || y.Exp != -7 || !equalInts(dx[0].Shape(), []int{2, 3, 5, 5}) || dx[0].Scale != sc || dx[0].Exp != -30 {
			t.Fatalf("%v: y %v, dx %v", d.Backend(), y, dx[0])
		}
		yv, err := y.DownloadU8()
		if err != nil {
			t.Fatal(err)
		}
		for i := range yv {
			if yv[i] != xv[i] {
				t.Fatalf("%v: y[%d] = %d, want %d", d.Backend(), i, yv[i], xv[i])
			}
		}
		clEqual(t, "dx", clDownload(t, dx[0]), gv)
		x.Release()
		g.Release()
		sc.Release()
	}
	if _, err := nn.NewFlatten(""); err == nil {
		t.Error("empty name accepted")
	}
}

// TestAffineErrors: constructors reject bad sizes and settings with
// ErrConfig; Forward rejects a wrong input count or shape, Backward before
// Forward, with ErrNetwork in the recorder.
func TestAffineErrors(t *testing.T) {
	d := gclDevices(t)[0]
	cfg, _ := nn.Full8.Config()
	bad := cfg
	bad.Bits.E2 = 1
	for _, err := range []error{
		func() error { _, err := nn.NewConv2d(d, "c", cfg, 3, 4, 0, nn.ConvOptions{}, 1); return err }(),
		func() error { _, err := nn.NewConv2d(d, "c", cfg, 3, 4, 3, nn.ConvOptions{Groups: 2}, 1); return err }(),
		func() error { _, err := nn.NewConv2d(d, "", cfg, 3, 4, 3, nn.ConvOptions{}, 1); return err }(),
		func() error { _, err := nn.NewConv2d(d, "c", bad, 3, 4, 3, nn.ConvOptions{}, 1); return err }(),
		func() error { _, err := nn.NewConv2d(nil, "c", cfg, 3, 4, 3, nn.ConvOptions{}, 1); return err }(),
		func() error { _, err := nn.NewLinear(d, "l", cfg, 0, 4, true, 1); return err }(),
	} {
		if !errorsIsConfig(err) {
			t.Errorf("got %v, want ErrConfig", err)
		}
	}
	l, err := nn.NewLinear(d, "l", cfg, 3, 2, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Params()) != 1 || l.Kind() != nn.KindLinear || l.Name() != "l" {
		t.Error("linear metadata")
	}
	x, _ := d.UploadU8([]int{2, 4}, -8, make([]uint8, 8))
	defer x.Release()
	for _, run := range []func(p *nn.Pass){
		func(p *nn.Pass) { l.Forward(p, x) },
		func(p *nn.Pass) { l.Forward(p) },
		func(p *nn.Pass) { l.Backward(p, x) },
	} {
		p := &nn.Pass{R: d.Record()}
		run(p)
		if err := p.R.Submit(); !errorsIsNetwork(err) {
			t.Errorf("got %v, want ErrNetwork", err)
		}
	}
	p := &nn.Pass{R: d.Record(), Train: true, GScale: 100}
	xo, _ := d.UploadU8([]int{2, 3}, -8, make([]uint8, 6))
	defer xo.Release()
	y := l.Forward(p, xo)
	g, _ := d.UploadI32([]int{2, 2}, 0, []int32{1, 2, 3, 4})
	defer g.Release()
	l.Backward(p, g)
	if err := p.R.Submit(); !errorsIsConfig(err) || y == nil {
		t.Errorf("g_scale 100: got %v, want ErrConfig", err)
	}
}

func errorsIsConfig(err error) bool  { return errors.Is(err, nn.ErrConfig) }
func errorsIsNetwork(err error) bool { return errors.Is(err, nn.ErrNetwork) }
