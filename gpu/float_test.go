package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// flData returns n float32 values from gen and their float64 copies.
func flData(n int, gen func(i int) float32) ([]float32, []float64) {
	v, f := make([]float32, n), make([]float64, n)
	for i := range v {
		v[i] = gen(i)
		f[i] = float64(v[i])
	}
	return v, f
}

// flUp uploads float32 values (exponent 0).
func flUp(t *testing.T, d *Device, shape []int, v []float32) *Tensor {
	t.Helper()
	x, err := d.UploadF32(shape, 0, v)
	check(t, err)
	t.Cleanup(x.Release)
	return x
}

// flDown downloads and releases t.
func flDown(t *testing.T, x *Tensor) []float32 {
	t.Helper()
	defer x.Release()
	v, err := x.DownloadF32()
	check(t, err)
	return v
}

// TestEltF32 checks ReLU, ReLU6 (values and masks), their backward and the
// residual add against float64, exactly.
func TestEltF32(t *testing.T) {
	for _, d := range devices(t) {
		t.Run(d.Backend().String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 3))
			n := 1031
			x32, x64 := flData(n, func(i int) float32 {
				if i < len(flSpecials) {
					return flSpecials[i]
				}
				return float32(20*rng.Float64() - 10)
			})
			b32, b64 := flData(n, func(int) float32 { return float32(20*rng.Float64() - 10) })
			x, b := flUp(t, d, []int{n}, x32), flUp(t, d, []int{n}, b32)
			r := d.Record()
			y, m := r.ReluF32(x)
			y6, m6 := r.Relu6F32(x)
			dx := r.ReluBwdF32(b, m)
			dx6 := r.ReluBwdF32(b, m6)
			sum := r.AddF32(x, b)
			check(t, r.Submit())
			gy, gy6, gdx, gdx6 := flDown(t, y), flDown(t, y6), flDown(t, dx), flDown(t, dx6)
			gs := flDown(t, sum)
			gm, err := m.DownloadU32()
			check(t, err)
			gm6, err := m6.DownloadU32()
			check(t, err)
			m.Release()
			m6.Release()
			for i := range n {
				v := x64[i]
				pass, pass6 := v > 0, v > 0 && v < 6
				want, want6 := math.Max(v, 0), math.Min(math.Max(v, 0), 6)
				wd, wd6 := 0.0, 0.0
				if pass {
					wd = b64[i]
				}
				if pass6 {
					wd6 = b64[i]
				}
				if float64(gy[i]) != want || float64(gy6[i]) != want6 || (gm[i] == 1) != pass || (gm6[i] == 1) != pass6 ||
					float64(gdx[i]) != wd || float64(gdx6[i]) != wd6 || gs[i] != float32(v+b64[i]) && !math.IsInf(v, 0) {
					t.Fatalf("x[%d] = %g, dy %g: relu %g mask %d, relu6 %g mask %d, dx %g, dx6 %g, add %g", i, v, b64[i],
						gy[i], gm[i], gy6[i], gm6[i], gdx[i], gdx6[i], gs[i])
				}
			}
		})
	}
}

// TestQuantF32 checks the float quantizers against quant.DirectFloat and
// quant.AllDirectFloat bit for bit, ties and clip edges included.
func TestQuantF32(t *testing.T) {
	for _, d := range devices(t) {
		for _, kw := range [][2]int{{8, 8}, {1, 1}, {1, 8}, {4, 3}, {15, 15}, {16, 8}, {24, 25}, {31, 31}, {31, 26}, {8, 30}} {
			t.Run(fmt.Sprintf("%v/k=%d,%d", d.Backend(), kw[0], kw[1]), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 4))
				kdec, kall := kw[0], kw[1]
				ties := flQuantTies(64, kdec, kall)
				n := 4000
				x32, _ := flData(n, func(i int) float32 {
					switch {
					case i < len(ties):
						return math.Float32frombits(ties[i])
					case i < 2000:
						return float32(4*rng.Float64() - 2)
					}
					v := flWide(rng)
					if math.Abs(float64(v))*math.Ldexp(1, kdec-1) >= 1<<31 {
						v = 0 // quant.Direct refuses codes beyond int32
					}
					return v
				})
				x := flUp(t, d, []int{n}, x32)
				r := d.Record()
				yd := r.QuantDirectF32(x, kdec)
				ya := r.QuantAllDirectF32(x, kdec, kall)
				check(t, r.Submit())
				gd, ga := flDown(t, yd), flDown(t, ya)
				wd, err := quant.DirectFloat(x32, kdec)
				check(t, err)
				wa, err := quant.AllDirectFloat(x32, kdec, kall)
				check(t, err)
				for i := range n {
					if math.Float32bits(gd[i]) != math.Float32bits(wd[i]) || math.Float32bits(ga[i]) != math.Float32bits(wa[i]) {
						t.Fatalf("x[%d] = %g: direct %g want %g, alldirect %g want %g", i, x32[i], gd[i], wd[i], ga[i], wa[i])
					}
				}
			})
		}
	}
}

// TestFloatWrapperErrors checks the sticky errors of bad arguments.
func TestFloatWrapperErrors(t *testing.T) {
	d := openCPUDevice(t)
	x := flUp(t, d, []int{4}, []float32{1, 2, 3, 4})
	y := flUp(t, d, []int{3}, []float32{1, 2, 3})
	c2 := flUp(t, d, []int{2}, []float32{1, 2})
	x22 := flUp(t, d, []int{2, 2}, []float32{1, 2, 3, 4})
	x12 := flUp(t, d, []int{1, 2}, []float32{1, 2})
	x4 := flUp(t, d, []int{1, 1, 2, 2}, []float32{1, 2, 3, 4})
	x4e, err := d.UploadF32([]int{1, 1, 2, 2}, -3, []float32{1, 2, 3, 4})
	check(t, err)
	defer x4e.Release()
	for name, f := range map[string]func(r *Recorder) *Tensor{
		"add shapes": func(r *Recorder) *Tensor { return r.AddF32(x, y) },
		"nil":        func(r *Recorder) *Tensor { a, _ := r.ReluF32(nil); return a },
		"kdec":       func(r *Recorder) *Tensor { return r.QuantDirectF32(x, 0) },
		"kall":       func(r *Recorder) *Tensor { return r.QuantAllDirectF32(x, 8, 32) },
		"mask dtype": func(r *Recorder) *Tensor { return r.ReluBwdF32(x, x) },
		"bn rank":    func(r *Recorder) *Tensor { y, _, _ := r.BNF32(x, c2, c2, c2, c2, 1e-5, 0.1); return y },
		"bn gamma":   func(r *Recorder) *Tensor { y, _, _ := r.BNF32(x22, y, c2, c2, c2, 1e-5, 0.1); return y },
		"bn one":     func(r *Recorder) *Tensor { y, _, _ := r.BNF32(x12, c2, c2, c2, c2, 1e-5, 0.1); return y },
		"bn eps":     func(r *Recorder) *Tensor { return r.BNEvalF32(x22, c2, c2, c2, c2, 0) },
		"bn dy":      func(r *Recorder) *Tensor { dx, _, _ := r.BNBwdF32(x12, x22, c2, c2, c2, 1e-5, true); return dx },
		"pool pad":   func(r *Recorder) *Tensor { return r.Avgpool2dF32(x4, Pool2d{KH: 1, KW: 1, SH: 1, SW: 1, PH: 1}, true) },
		"pool rank":  func(r *Recorder) *Tensor { y, _ := r.Maxpool2dF32(x22, Pool2d{KH: 1, KW: 1, SH: 1, SW: 1}); return y },
		"pool dy": func(r *Recorder) *Tensor {
			return r.Avgpool2dBwdF32(x4, Pool2d{KH: 2, KW: 2, SH: 2, SW: 2}, []int{1, 1, 2, 2}, true)
		},
		"adder exp": func(r *Recorder) *Tensor { return r.Adder2dF32(x4, x4e, ConvGeom{Stride: 1, Groups: 1}) },
		"adder dy":  func(r *Recorder) *Tensor { return r.Adder2dBwdDataF32(x4, x4, x4, ConvGeom{Stride: 1, Groups: 1}) },
	} {
		r := d.Record()
		if out := f(r); out != nil || r.Submit() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// flBNRef is batch norm in float64 for x [N, C, HW]: batch mean and
// population variance per channel, y, the updated running stats, and the
// backward (train: through the batch statistics; eval: with rm, rv).
type flBNRef struct {
	mean, vr, rm, rv, y   []float64
	dx, dg, db            []float64 // train backward
	ydEval, dxE, dgE, dbE []float64 // eval forward and backward
}

func flBNReference(x, dy, g, b, rm, rv []float64, n, c, hw int, eps, mom float64) flBNRef {
	m := n * hw
	at := func(ch, e int) int { return (e/hw*c+ch)*hw + e%hw }
	ref := flBNRef{mean: make([]float64, c), vr: make([]float64, c), rm: make([]float64, c), rv: make([]float64, c),
		y: make([]float64, len(x)), dx: make([]float64, len(x)), dg: make([]float64, c), db: make([]float64, c),
		ydEval: make([]float64, len(x)), dxE: make([]float64, len(x)), dgE: make([]float64, c), dbE: make([]float64, c)}
	for ch := range c {
		var s, v float64
		for e := range m {
			s += x[at(ch, e)]
		}
		mu := s / float64(m)
		for e := range m {
			d := x[at(ch, e)] - mu
			v += d * d
		}
		v /= float64(m)
		ref.mean[ch], ref.vr[ch] = mu, v
		ref.rm[ch] = (1-mom)*rm[ch] + mom*mu
		ref.rv[ch] = (1-mom)*rv[ch] + mom*v*float64(m)/float64(m-1)
		is, isE := 1/math.Sqrt(v+eps), 1/math.Sqrt(rv[ch]+eps)
		var s1, s2, s2E float64
		for e := range m {
			i := at(ch, e)
			ref.y[i] = (x[i]-mu)*is*g[ch] + b[ch]
			ref.ydEval[i] = (x[i]-rm[ch])*isE*g[ch] + b[ch]
			s1 += dy[i]
			s2 += dy[i] * (x[i] - mu)
			s2E += dy[i] * (x[i] - rm[ch])
		}
		ref.db[ch], ref.dg[ch] = s1, s2*is
		ref.dbE[ch], ref.dgE[ch] = s1, s2E*isE
		for e := range m {
			i := at(ch, e)
			ref.dx[i] = g[ch] * is * (dy[i] - s1/float64(m) - (x[i]-mu)*is*ref.dg[ch]/float64(m))
			ref.dxE[i] = g[ch] * isE * dy[i]
		}
	}
	return ref
}

// TestBNF32 checks batch norm's forward (train and eval), running-stat
// update and both backward modes against float64: |got - want| <= 1e-4 +
// 1e-5·|want| for per-element values, 1e-5·(Σ|terms|) + 1e-5 for the sums.
func TestBNF32(t *testing.T) {
	for _, d := range devices(t) {
		for _, s := range [][3]int{{2, 3, 1}, {4, 5, 9}, {3, 2, 300}, {16, 4, 64}} {
			t.Run(fmt.Sprintf("%v/%v", d.Backend(), s), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 5))
				n, c, hw := s[0], s[1], s[2]
				tot := n * c * hw
				u := func(k int, lo, hi float64) ([]float32, []float64) {
					return flData(k, func(int) float32 { return float32(lo + (hi-lo)*rng.Float64()) })
				}
				x32, x64 := u(tot, 1, 5)
				dy32, dy64 := u(tot, -1, 1)
				g32, g64 := u(c, 0.5, 1.5)
				b32, b64 := u(c, -1, 1)
				rm32, rm64 := u(c, 2, 4)
				rv32, rv64 := u(c, 0.5, 2)
				shape := []int{n, c, hw, 1}
				if hw == 1 {
					shape = []int{n, c}
				}
				x, dy := flUp(t, d, shape, x32), flUp(t, d, shape, dy32)
				g, b := flUp(t, d, []int{c}, g32), flUp(t, d, []int{c}, b32)
				rm, rv := flUp(t, d, []int{c}, rm32), flUp(t, d, []int{c}, rv32)
				const eps, mom = 1e-5, 0.1
				r := d.Record()
				ye := r.BNEvalF32(x, g, b, rm, rv, eps)
				dxE, dgE, dbE := r.BNBwdF32(dy, x, g, rm, rv, eps, false)
				y, mean, vr := r.BNF32(x, g, b, rm, rv, eps, mom)
				dx, dg, db := r.BNBwdF32(dy, x, g, mean, vr, eps, true)
				check(t, r.Submit())
				ref := flBNReference(x64, dy64, g64, b64, rm64, rv64, n, c, hw, eps, mom)
				m := float64(n * hw)
				for _, o := range []struct {
					name string
					t    *Tensor
					want []float64
					tol  float64 // absolute, plus 1e-5·|want|
				}{
					{"y", y, ref.y, 1e-4}, {"mean", mean, ref.mean, 1e-5}, {"variance", vr, ref.vr, 1e-5},
					{"rmean", rm, ref.rm, 1e-5}, {"rvar", rv, ref.rv, 1e-5},
					{"dx", dx, ref.dx, 1e-4}, {"dgamma", dg, ref.dg, 1e-5 * m}, {"dbeta", db, ref.db, 1e-5 * m},
					{"yEval", ye, ref.ydEval, 1e-4}, {"dxEval", dxE, ref.dxE, 1e-5},
					{"dgammaEval", dgE, ref.dgE, 1e-5 * m}, {"dbetaEval", dbE, ref.dbE, 1e-5 * m},
				} {
					got, err := o.t.DownloadF32()
					check(t, err)
					for i := range got {
						if math.Abs(float64(got[i])-o.want[i]) > o.tol+1e-5*math.Abs(o.want[i]) {
							t.Fatalf("%s[%d] = %g, want %g", o.name, i, got[i], o.want[i])
						}
					}
				}
				floatReleaseAll([]*Tensor{ye, dxE, dgE, dbE, y, mean, vr, dx, dg, db})
			})
		}
	}
}

// flPoolRef pools x ([N·C planes, H, W]) in float64: max (first index on
// ties), average, and both backward passes of dy.
func flPoolRef(s flPoolShape, countPad bool, x, dy []float64) (ymax []float64, arg []int, yavg, dxMax, dxAvg []float64) {
	p := s.params(countPad)
	planes, h, w, oh, ow := s[0]*s[1], s[2], s[3], int(p.OH), int(p.OW)
	dxMax, dxAvg = make([]float64, planes*h*w), make([]float64, planes*h*w)
	for pl := range planes {
		for i := range oh {
			for j := range ow {
				best, at, cnt, sum := math.Inf(-1), -1, 0, 0.0
				for u := range s[4] {
					for v := range s[5] {
						ih, iw := i*s[6]-s[8]+u, j*s[7]-s[9]+v
						if ih < 0 || ih >= h || iw < 0 || iw >= w {
							continue
						}
						val := x[(pl*h+ih)*w+iw]
						if at < 0 || val > best {
							best, at = val, ih*w+iw
						}
						cnt++
						sum += val
					}
				}
				div := float64(cnt)
				if countPad {
					div = float64(s[4] * s[5])
				}
				o := (pl*oh+i)*ow + j
				ymax, arg, yavg = append(ymax, best), append(arg, at), append(yavg, sum/div)
				dxMax[pl*h*w+at] += dy[o]
				for u := range s[4] {
					for v := range s[5] {
						ih, iw := i*s[6]-s[8]+u, j*s[7]-s[9]+v
						if ih >= 0 && ih < h && iw >= 0 && iw < w {
							dxAvg[(pl*h+ih)*w+iw] += dy[o] / div
						}
					}
				}
			}
		}
	}
	return
}

// TestPoolF32 checks max and average pooling (global included), forward
// and backward, against float64: max values, indices and max backward
// exactly (dy values are multiples of 2^-10, so the sums are exact), the
// averages within 1e-6·(1 + |want|).
func TestPoolF32(t *testing.T) {
	for _, d := range devices(t) {
		for _, s := range flPoolShapes {
			for _, countPad := range []bool{true, false} {
				t.Run(fmt.Sprintf("%v/%v/%v", d.Backend(), s, countPad), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(seed, 6))
					g := Pool2d{KH: s[4], KW: s[5], SH: s[6], SW: s[7], PH: s[8], PW: s[9]}
					in := []int{s[0], s[1], s[2], s[3]}
					p := s.params(countPad)
					out := []int{s[0], s[1], int(p.OH), int(p.OW)}
					x32, x64 := flData(numElems(in), func(int) float32 { return float32(rng.IntN(64)-32) / 8 })
					dy32, dy64 := flData(numElems(out), func(int) float32 { return float32(rng.IntN(2048)-1024) / 1024 })
					x, dy := flUp(t, d, in, x32), flUp(t, d, out, dy32)
					r := d.Record()
					ym, arg := r.Maxpool2dF32(x, g)
					ya := r.Avgpool2dF32(x, g, countPad)
					dxm := r.Maxpool2dBwdF32(dy, arg, g, in)
					dxa := r.Avgpool2dBwdF32(dy, g, in, countPad)
					check(t, r.Submit())
					wm, warg, wa, wdxm, wdxa := flPoolRef(s, countPad, x64, dy64)
					ga, err := arg.DownloadI32()
					check(t, err)
					arg.Release()
					gm, gya, gdxm, gdxa := flDown(t, ym), flDown(t, ya), flDown(t, dxm), flDown(t, dxa)
					for i := range gm {
						if float64(gm[i]) != wm[i] || int(ga[i]) != warg[i] || math.Abs(float64(gya[i])-wa[i]) > 1e-6*(1+math.Abs(wa[i])) {
							t.Fatalf("y[%d]: max %g arg %d avg %g, want %g %d %g", i, gm[i], ga[i], gya[i], wm[i], warg[i], wa[i])
						}
					}
					for i := range gdxm {
						if float64(gdxm[i]) != wdxm[i] || math.Abs(float64(gdxa[i])-wdxa[i]) > 1e-6*(1+math.Abs(wdxa[i])) {
							t.Fatalf("dx[%d]: max %g avg %g, want %g %g", i, gdxm[i], gdxa[i], wdxm[i], wdxa[i])
						}
					}
				})
			}
		}
	}
}

// flAdderRef is AdderNet in float64 on the unfolded, zero-padded input (as
// adder.py): y, dx (HardTanh) and dw (full precision), with the sums of
// |terms| for the tolerance.
func flAdderRef(s convShape, x, w, dy []float64) (y, dx, dw, ya, dxa, dwa []float64) {
	oh, ow := s.out()
	cg, kg := s.C/s.Groups, s.K/s.Groups
	y, ya = make([]float64, s.N*s.K*oh*ow), make([]float64, s.N*s.K*oh*ow)
	dx, dxa = make([]float64, len(x)), make([]float64, len(x))
	dw, dwa = make([]float64, len(w)), make([]float64, len(w))
	for n := range s.N {
		for k := range s.K {
			g := k / kg
			for i := range oh {
				for j := range ow {
					o := ((n*s.K+k)*oh+i)*ow + j
					for c := range cg {
						for u := range s.KH {
							for v := range s.KW {
								ih, iw := i*s.Stride-s.Pad+u, j*s.Stride-s.Pad+v
								xi, xv := -1, 0.0
								if ih >= 0 && ih < s.H && iw >= 0 && iw < s.W {
									xi = ((n*s.C+g*cg+c)*s.H+ih)*s.W + iw
									xv = x[xi]
								}
								wi := ((k*cg+c)*s.KH+u)*s.KW + v
								y[o] -= math.Abs(xv - w[wi])
								ya[o] += math.Abs(xv - w[wi])
								dw[wi] += (xv - w[wi]) * dy[o]
								dwa[wi] += math.Abs((xv - w[wi]) * dy[o])
								if xi >= 0 {
									t := math.Min(math.Max(w[wi]-xv, -1), 1) * dy[o]
									dx[xi] += t
									dxa[xi] += math.Abs(t)
								}
							}
						}
					}
				}
			}
		}
	}
	return
}

// TestAdder2dF32 checks AdderNet's forward and both gradients against
// float64: |got - want| <= 1e-6·Σ|terms| + 1e-6.
func TestAdder2dF32(t *testing.T) {
	for _, d := range devices(t) {
		for _, s := range convShapes {
			t.Run(fmt.Sprintf("%v/%v", d.Backend(), s), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 7))
				u := func(n int, lim float64) ([]float32, []float64) {
					return flData(n, func(int) float32 { return float32(lim * (2*rng.Float64() - 1)) })
				}
				x32, x64 := u(numElems(s.xShape()), 2)
				w32, w64 := u(numElems(s.wShape()), 2)
				dy32, dy64 := u(numElems(s.yShape()), 1)
				x, w, dy := flUp(t, d, s.xShape(), x32), flUp(t, d, s.wShape(), w32), flUp(t, d, s.yShape(), dy32)
				r := d.Record()
				y := r.Adder2dF32(x, w, s.geom())
				dx := r.Adder2dBwdDataF32(dy, x, w, s.geom())
				dw := r.Adder2dBwdWeightF32(dy, x, w, s.geom())
				check(t, r.Submit())
				wy, wdx, wdw, ay, adx, adw := flAdderRef(s, x64, w64, dy64)
				for _, o := range []struct {
					name      string
					got       []float32
					want, abs []float64
				}{{"y", flDown(t, y), wy, ay}, {"dx", flDown(t, dx), wdx, adx}, {"dw", flDown(t, dw), wdw, adw}} {
					for i := range o.got {
						if math.Abs(float64(o.got[i])-o.want[i]) > 1e-6*o.abs[i]+1e-6 {
							t.Fatalf("%s[%d] = %g, want %g", o.name, i, o.got[i], o.want[i])
						}
					}
				}
			})
		}
	}
}

// TestAdderGradScaleF32 checks AdderNet's gradient scaling against float64
// (relative 1e-6), the zero gradient included (the 1e-12 floor).
func TestAdderGradScaleF32(t *testing.T) {
	for _, d := range devices(t) {
		for _, n := range []int{1, 300, 4608} {
			for _, zero := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v/n=%d/zero=%v", d.Backend(), n, zero), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(seed, 10))
					v32, v64 := flData(n, func(int) float32 {
						if zero {
							return 0
						}
						return float32(2*rng.Float64() - 1)
					})
					dw := flUp(t, d, []int{n}, v32)
					r := d.Record()
					out := r.AdderGradScaleF32(dw, 0.2)
					check(t, r.Submit())
					got := flDown(t, out)
					var ss float64
					for _, v := range v64 {
						ss += v * v
					}
					nrm := math.Max(math.Sqrt(ss), 1e-12)
					for i, v := range v64 {
						want := v / nrm * 0.2 * math.Sqrt(float64(n)) / 5
						if math.Abs(float64(got[i])-want) > 1e-6*math.Abs(want) {
							t.Fatalf("out[%d] = %g, want %g", i, got[i], want)
						}
					}
				})
			}
		}
	}
}
