package gpu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu/cpu"
	"github.com/wageubn/wageubn/quant"
)

// Wrapper-level tests of the bn family against float64 references computed
// here from the same integer codes (method.md B§2.4, docs/dataflow.md).

// nearTie reports whether v is within 1e-9 of a rounding tie (x.5), or
// within the float64 error of a few operations (1e-13 relative) for large v.
func nearTie(v float64) bool {
	f := v - math.Floor(v)
	return math.Abs(f-0.5) < 1e-9+1e-13*math.Abs(v)
}

// checkRound checks got = round(want): within 1, exactly away from ties.
func checkRound(t *testing.T, what string, got int64, want float64) {
	t.Helper()
	r := math.RoundToEven(want)
	if math.Abs(float64(got)-r) > 1 || (!nearTie(want) && float64(got) != r) {
		t.Errorf("%s = %d, float %v", what, got, want)
	}
}

// bnZPrime is z' of the reference: z·2^(e+15), with RoundShr (Q(z,16))
// below the exponent -15 grid.
func bnZPrime(z int32, e int) int64 {
	if s := e + 15; s >= 0 {
		return int64(z) << s
	}
	return quant.RoundShr(int64(z), uint(-(e + 15)))
}

// bnCase is one forward test set-up.
type bnCase struct {
	n, c, h, w int
	exp        int
	span       int // |z| < span
}

func (bc bnCase) String() string {
	return fmt.Sprintf("n=%d/c=%d/hw=%dx%d/e=%d/span=%d", bc.n, bc.c, bc.h, bc.w, bc.exp, bc.span)
}

var bnFwdCasesF = []bnCase{
	{1, 1, 1, 1, -14, 1000},
	{2, 3, 5, 7, -14, 1 << 16},
	{4, 2, 3, 3, -15, 1 << 20},
	{8, 5, 1, 1, -14, 3000},
	{3, 4, 9, 9, -17, 1 << 22},
	{1, 1, 1, 513, -14, 1 << 24},
	{16, 2, 4, 4, -7, 100},
	{2, 3, 2, 2, -14, 2}, // tiny spread: σ of a few codes
	{5, 1, 7, 1, 0, 1 << 10},
}

// TestBNForwardFloat checks BNStats and BNForward against float64: μ and σ
// equal the rounded float statistics of the integer z' (exactly, away from
// ties), x̂ = round((z'-μ)·128/σ) and y = x̂·γ8 + 128·β8 within 1 code of x̂,
// exactly where the float value is not within 1e-9 of a tie.
func TestBNForwardFloat(t *testing.T) {
	for _, d := range devices(t) {
		for ci, bc := range bnFwdCasesF {
			t.Run(fmt.Sprintf("%v/%v", d.Backend(), bc), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, uint64(ci)))
				shape := []int{bc.n, bc.c, bc.h, bc.w}
				total := bc.n * bc.c * bc.h * bc.w
				z := make([]int32, total)
				off := make([]int, bc.c)
				for c := range off {
					off[c] = rng.IntN(2*bc.span+1) - bc.span
				}
				for i := range z {
					c := i / (bc.h * bc.w) % bc.c
					z[i] = int32(off[c]/2 + rng.IntN(2*bc.span+1) - bc.span)
				}
				g8, b8 := make([]int32, bc.c), make([]int32, bc.c)
				for c := range g8 {
					g8[c], b8[c] = int32(rng.IntN(400)-100), int32(rng.IntN(400)-200)
				}
				zt, err := d.UploadI32(shape, bc.exp, z)
				check(t, err)
				gt, err := d.UploadI32([]int{bc.c}, -7, g8)
				check(t, err)
				bt, err := d.UploadI32([]int{bc.c}, -7, b8)
				check(t, err)
				r := d.Record()
				mu, sigma, mean, variance := r.BNStats(zt)
				xhat, y := r.BNForward(zt, mu, sigma, gt, bt)
				check(t, r.Submit())
				if mu.Exp != -15 || sigma.Exp != -15 || mean.Exp != -31 || variance.Exp != -30 || xhat.Exp != -7 || y.Exp != -14 {
					t.Fatalf("exponents mu %d sigma %d mean %d var %d xhat %d y %d", mu.Exp, sigma.Exp, mean.Exp, variance.Exp, xhat.Exp, y.Exp)
				}
				muV, err := mu.DownloadI32()
				check(t, err)
				sgV, err := sigma.DownloadI32()
				check(t, err)
				meanV, err := mean.DownloadI64()
				check(t, err)
				varV, err := variance.DownloadI64()
				check(t, err)
				xV, err := xhat.DownloadI32()
				check(t, err)
				yV, err := y.DownloadI32()
				check(t, err)
				if w, err := d.ErrorWord(); w != 0 || err != nil {
					t.Fatalf("error word %#x: %v", w, err)
				}
				hw := bc.h * bc.w
				cnt := bc.n * hw
				for c := range bc.c {
					var sum float64
					var zs []int64
					for nn := range bc.n {
						for j := range hw {
							zp := bnZPrime(z[(nn*bc.c+c)*hw+j], bc.exp)
							zs = append(zs, zp)
							sum += float64(zp) // exact: |Σ| < 2^53
						}
					}
					m := sum / float64(cnt)
					checkRound(t, fmt.Sprintf("channel %d: mu", c), int64(muV[c]), m)
					checkRound(t, fmt.Sprintf("channel %d: mean", c), meanV[c], m*65536)
					mq := int64(muV[c])
					var s int64 // exact: below 2^63 here
					for _, zp := range zs {
						s += (zp - mq) * (zp - mq)
					}
					v := float64(s) / float64(cnt)
					checkRound(t, fmt.Sprintf("channel %d: variance", c), varV[c], v)
					checkRound(t, fmt.Sprintf("channel %d: sigma-1", c), int64(sgV[c])-1, math.Sqrt(v))
					sg := float64(sgV[c])
					for nn := range bc.n {
						for j := range hw {
							i := (nn*bc.c+c)*hw + j
							xf := float64(bnZPrime(z[i], bc.exp)-mq) * 128 / sg
							want := math.RoundToEven(xf)
							got := float64(xV[i])
							if math.Abs(got-want) > 1 || (!nearTie(xf) && got != want) {
								t.Errorf("channel %d element %d: xhat %v, float %v", c, i, got, xf)
							}
							yf := want*float64(g8[c]) + 128*float64(b8[c])
							if math.Abs(float64(yV[i])-yf) > math.Abs(float64(g8[c])) || yV[i] != xV[i]*g8[c]+128*b8[c] {
								t.Errorf("channel %d element %d: y %d, float %v (xhat %d)", c, i, yV[i], yf, xV[i])
							}
						}
					}
				}
			})
		}
	}
}

// TestBNRunningAndEval runs three training batches through BNStats and
// BNRunningUpdate (decay 0.9) and compares the running statistics with a
// float64 moving average of the batch statistics, then BNEvalStats with
// the rounded float values.
func TestBNRunningAndEval(t *testing.T) {
	const c, n, hw = 3, 4, 25
	d16 := BNDecay16(0.9)
	if d16 != 58982 { // round(0.9·65536) = round(58982.4)
		t.Fatalf("BNDecay16(0.9) = %d", d16)
	}
	for _, d := range devices(t) {
		rng := rand.New(rand.NewPCG(seed, 7))
		rm, rv, err := d.BNRunningStats(c)
		check(t, err)
		fm, fv := make([]float64, c), make([]float64, c)
		for i := range fv {
			fv[i] = 1 // B§2.4 initial values
		}
		for step := range 3 {
			z := make([]int32, n*c*hw)
			for i := range z {
				z[i] = int32(rng.IntN(1<<16) - 1<<15 + 1000*(i/hw%c))
			}
			zt, err := d.UploadI32([]int{n, c, 5, 5}, -14, z)
			check(t, err)
			r := d.Record()
			_, _, mean, variance := r.BNStats(zt)
			r.BNRunningUpdate(rm, rv, mean, variance, d16)
			check(t, r.Submit())
			dd := float64(d16) / 65536
			for ch := range c {
				var s, s2 float64
				for nn := range n {
					for j := range hw {
						v := float64(z[(nn*c+ch)*hw+j]) * 2 // e = -14 on the -15 grid
						s += v
						s2 += v * v
					}
				}
				m := s / (n * hw)
				fm[ch] = dd*fm[ch] + (1-dd)*m*math.Exp2(-15)
				fv[ch] = dd*fv[ch] + (1-dd)*(s2/(n*hw)-m*m)*math.Exp2(-30)
			}
			_ = step
		}
		rmV, err := rm.DownloadI64()
		check(t, err)
		rvV, err := rv.DownloadI64()
		check(t, err)
		for ch := range c {
			// Each update rounds once (half a code); the batch statistics
			// are rounded too: 3 steps stay within 2 codes (mean, at -31)
			// and within 2^-15 relative (variance, quantized μ: 2^-32).
			if got := float64(rmV[ch]) * math.Exp2(-31); math.Abs(got-fm[ch]) > 2*math.Exp2(-31) {
				t.Errorf("%v: running mean %d = %v, float %v", d.Backend(), rmV[ch], got, fm[ch])
			}
			if got := float64(rvV[ch]) * math.Exp2(-30); math.Abs(got-fv[ch]) > 1e-6*fv[ch] {
				t.Errorf("%v: running var %d = %v, float %v", d.Backend(), rvV[ch], got, fv[ch])
			}
		}
		r := d.Record()
		mu, sigma := r.BNEvalStats(rm, rv)
		check(t, r.Submit())
		muV, err := mu.DownloadI32()
		check(t, err)
		sgV, err := sigma.DownloadI32()
		check(t, err)
		for ch := range c {
			wm := math.RoundToEven(float64(rmV[ch]) / 65536)
			ws := math.RoundToEven(math.Sqrt(float64(rvV[ch]))) + 1
			if float64(muV[ch]) != wm || float64(sgV[ch]) != ws {
				t.Errorf("%v: eval mu %d sigma %d, want %v %v", d.Backend(), muV[ch], sgV[ch], wm, ws)
			}
		}
		if w, err := d.ErrorWord(); w != 0 || err != nil {
			t.Fatalf("error word %#x: %v", w, err)
		}
	}
}

// TestBNBackwardFloat checks BNBackward against the float64 BN backward of
// the same codes: dx = γ/σ·(δy - mean(δy) - x̂·mean(δy·x̂)) within 2^-12 of
// max|dx| (and each element within 2^-14 relative plus one δz code), dβ and
// dγ exactly Q(·,15) of the float sums away from ties, with and without a
// Scale tensor on δy.
func TestBNBackwardFloat(t *testing.T) {
	for _, d := range devices(t) {
		for ci, bc := range []struct {
			n, c, hw int
			expDy    int
			scale    int32 // 0: no Scale tensor
			i8       bool  // δy as I8 codes
		}{{1, 1, 1, -20, 0, false}, {2, 3, 15, -20, 0, false}, {4, 2, 49, -12, 3, false}, {8, 4, 1, -25, -4, false},
			{2, 1, 300, -18, 0, false}, {16, 3, 9, -6, -20, false}, {3, 2, 7, -20, 2, true}, {9, 5, 1, -15, 0, true}} {
			t.Run(fmt.Sprintf("%v/n=%d/c=%d/hw=%d/e=%d/scale=%d/i8=%v", d.Backend(), bc.n, bc.c, bc.hw, bc.expDy, bc.scale, bc.i8), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 100+uint64(ci)))
				total := bc.n * bc.c * bc.hw
				shape := []int{bc.n, bc.c, bc.hw, 1}
				z := make([]int32, total)
				dy := make([]int32, total)
				for i := range z {
					z[i] = int32(rng.IntN(1<<15) - 1<<14 + 3000*(i/bc.hw%bc.c))
					dy[i] = int32(rng.IntN(255) - 127) // E1 codes
				}
				g8 := make([]int32, bc.c)
				for c := range g8 {
					g8[c] = int32(rng.IntN(300) - 100)
				}
				g8[0] = 128 // γ = 1
				zt, err := d.UploadI32(shape, -14, z)
				check(t, err)
				gt, err := d.UploadI32([]int{bc.c}, -7, g8)
				check(t, err)
				bt, err := d.UploadI32([]int{bc.c}, -7, make([]int32, bc.c))
				check(t, err)
				var dyt *Tensor
				if bc.i8 {
					dyt, err = d.UploadI8(shape, bc.expDy, convert(dy, func(x int32) int8 { return int8(x) }))
				} else {
					dyt, err = d.UploadI32(shape, bc.expDy, dy)
				}
				check(t, err)
				if bc.scale != 0 {
					if dyt.Scale, err = d.UploadI32([]int{1}, 0, []int32{bc.scale}); err != nil {
						t.Fatal(err)
					}
				}
				r := d.Record()
				mu, sigma, _, _ := r.BNStats(zt)
				xhat, _ := r.BNForward(zt, mu, sigma, gt, bt)
				g := r.BNBackward(dyt, xhat, gt, sigma)
				check(t, r.Submit())
				if g.DZ.Exp != bc.expDy-38 || g.DZ.Scale != dyt.Scale || g.DGamma.Exp != -14 || g.DBeta.Exp != -14 {
					t.Fatalf("exponents dz %d dgamma %d dbeta %d", g.DZ.Exp, g.DGamma.Exp, g.DBeta.Exp)
				}
				xV, err := xhat.DownloadI32()
				check(t, err)
				sgV, err := sigma.DownloadI32()
				check(t, err)
				dzV, err := g.DZ.DownloadI64()
				check(t, err)
				dgV, err := g.DGamma.DownloadI32()
				check(t, err)
				dbV, err := g.DBeta.DownloadI32()
				check(t, err)
				if w, err := d.ErrorWord(); w != 0 || err != nil {
					t.Fatalf("error word %#x: %v", w, err)
				}
				e1 := float64(bc.expDy + int(bc.scale))
				cnt := float64(bc.n * bc.hw)
				dx := make([]float64, total)
				maxDx := 0.0
				for c := range bc.c {
					var sdy, sdyx float64
					for nn := range bc.n {
						for j := range bc.hw {
							i := (nn*bc.c+c)*bc.hw + j
							sdy += float64(dy[i]) * math.Exp2(e1)
							sdyx += float64(dy[i]) * math.Exp2(e1) * float64(xV[i]) / 128
						}
					}
					// G_BN = Q(·,15) of quant (exact: the sums fit float32's 24 bits here).
					for _, q := range []struct {
						name string
						got  int32
						v    float64
					}{{"dbeta", dbV[c], sdy}, {"dgamma", dgV[c], sdyx}} {
						if math.Abs(q.v)*math.Exp2(-e1+7) >= 1<<24 {
							continue
						}
						want, err := quant.GradBN([]float32{float32(q.v)}, 15)
						check(t, err)
						if want.Exp != -14 || want.Q[0] != q.got {
							t.Errorf("channel %d: %s %d, quant.GradBN %d e%d", c, q.name, q.got, want.Q[0], want.Exp)
						}
					}
					if v := sdy * math.Exp2(14); !nearTie(v) && float64(dbV[c]) != math.RoundToEven(v) {
						t.Errorf("channel %d: dbeta %d, want %v", c, dbV[c], v)
					}
					if v := sdyx * math.Exp2(14); !nearTie(v) && float64(dgV[c]) != math.RoundToEven(v) {
						t.Errorf("channel %d: dgamma %d, want %v", c, dgV[c], v)
					}
					gs := float64(g8[c]) / 128 / (float64(sgV[c]) * math.Exp2(-15))
					for nn := range bc.n {
						for j := range bc.hw {
							i := (nn*bc.c+c)*bc.hw + j
							dx[i] = gs * (float64(dy[i])*math.Exp2(e1) - sdy/cnt - float64(xV[i])/128*sdyx/cnt)
							maxDx = max(maxDx, math.Abs(dx[i]))
						}
					}
				}
				unit := math.Exp2(e1 - 38)
				worst := 0.0
				for i, want := range dx {
					got := float64(dzV[i]) * unit
					worst = max(worst, math.Abs(got-want)/maxDx)
					if diff := math.Abs(got - want); diff > math.Exp2(-12)*maxDx || diff > math.Exp2(-14)*math.Abs(want)+unit {
						t.Errorf("element %d: dz %d = %v, float %v (max %v)", i, dzV[i], got, want, maxDx)
					}
				}
				t.Logf("max|dx| = 2^%.1f codes of dz, worst error %.3g of max|dx|", math.Log2(maxDx/unit), worst)
				if maxDx > 0 && maxDx/unit < 1<<14 {
					t.Errorf("max|dz| = %v codes: fewer than 15 significant bits", maxDx/unit)
				}
				g.Release()
			})
		}
	}
}

// TestBNOverflowFlagged checks that sums beyond int64 raise ErrOverflow in
// the error word instead of wrapping: z = 2^31-1 at exponent 16 is z' =
// (2^31-1)·2^31 on the -15 grid, and 8 of them overflow Σz'.
func TestBNOverflowFlagged(t *testing.T) {
	for _, d := range devices(t) {
		z := make([]int32, 8)
		for i := range z {
			z[i] = math.MaxInt32
		}
		zt, err := d.UploadI32([]int{8, 1}, 16, z)
		check(t, err)
		r := d.Record()
		mu, _, _, _ := r.BNStats(zt)
		check(t, r.Submit())
		v, err := mu.DownloadI32()
		check(t, err)
		if w, err := d.ErrorWord(); w&cpu.ErrOverflow == 0 || !errors.Is(err, ErrOverflow) {
			t.Errorf("%v: error word %#x (%v), want ErrOverflow", d.Backend(), w, err)
		}
		if v[0] != math.MaxInt32 {
			t.Errorf("%v: mu = %d, want the saturated %d", d.Backend(), v[0], math.MaxInt32)
		}
	}
}

// TestBNWrapperValidation checks that bad arguments fail before any work,
// with ErrShape (ErrTooLarge for too many channels).
func TestBNWrapperValidation(t *testing.T) {
	d := openCPUDevice(t)
	up := func(dt DType, shape []int, exp int) *Tensor {
		x, err := d.Empty(dt, shape, exp)
		check(t, err)
		return x
	}
	z := up(I32, []int{2, 3, 4, 4}, -14)
	ch := func(exp int) *Tensor { return up(I32, []int{3}, exp) }
	cases := map[string]func(r *Recorder) bool{
		"stats rank 3": func(r *Recorder) bool { m, _, _, _ := r.BNStats(up(I32, []int{2, 3, 4}, -14)); return m == nil },
		"stats i8":     func(r *Recorder) bool { m, _, _, _ := r.BNStats(up(I8, []int{2, 3}, -14)); return m == nil },
		"stats exp":    func(r *Recorder) bool { m, _, _, _ := r.BNStats(up(I32, []int{2, 3}, -47)); return m == nil },
		"stats empty":  func(r *Recorder) bool { m, _, _, _ := r.BNStats(up(I32, []int{0, 3}, -14)); return m == nil },
		"stats channels": func(r *Recorder) bool {
			m, _, _, _ := r.BNStats(up(I32, []int{1, BNMaxChannels + 1}, -14))
			return m == nil
		},
		"fwd mu exp": func(r *Recorder) bool { x, _ := r.BNForward(z, ch(-14), ch(-15), ch(-7), ch(-7)); return x == nil },
		"fwd gamma shape": func(r *Recorder) bool {
			x, _ := r.BNForward(z, ch(-15), ch(-15), up(I32, []int{4}, -7), ch(-7))
			return x == nil
		},
		"running d16": func(r *Recorder) bool {
			return r.BNRunningUpdate(up(I64, []int{3}, -31), up(I64, []int{3}, -30), up(I64, []int{3}, -31), up(I64, []int{3}, -30), 65537) == nil
		},
		"running exp": func(r *Recorder) bool {
			return r.BNRunningUpdate(up(I64, []int{3}, -31), up(I64, []int{3}, -31), up(I64, []int{3}, -31), up(I64, []int{3}, -30), 1) == nil
		},
		"eval dtype": func(r *Recorder) bool {
			m, _ := r.BNEvalStats(up(I32, []int{3}, -31), up(I64, []int{3}, -30))
			return m == nil
		},
		"bwd xhat exp":   func(r *Recorder) bool { return r.BNBackward(z, up(I32, []int{2, 3, 4, 4}, -8), ch(-7), ch(-15)) == nil },
		"bwd xhat shape": func(r *Recorder) bool { return r.BNBackward(z, up(I32, []int{2, 3, 4, 5}, -7), ch(-7), ch(-15)) == nil },
		"bwd sigma exp":  func(r *Recorder) bool { return r.BNBackward(z, up(I32, []int{2, 3, 4, 4}, -7), ch(-7), ch(-7)) == nil },
		"bwd bad scale": func(r *Recorder) bool {
			dy := up(I32, []int{2, 3, 4, 4}, -20)
			dy.Scale = up(I32, []int{2}, 0)
			return r.BNBackward(dy, up(I32, []int{2, 3, 4, 4}, -7), ch(-7), ch(-15)) == nil
		},
	}
	for name, f := range cases {
		r := d.Record()
		if !f(r) || !errors.Is(r.Err(), ErrShape) && !errors.Is(r.Err(), ErrTooLarge) || r.Len() != 0 {
			t.Errorf("%s: err %v, %d dispatches; want ErrShape and none", name, r.Err(), r.Len())
		}
	}
}
