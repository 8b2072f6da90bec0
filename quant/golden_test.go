package quant_test

import (
	"math"
	"testing"

	"github.com/wageubn/wageubn/internal/golden"
	"github.com/wageubn/wageubn/quant"
)

// goldenSeed keys the stochastic golden cases; draw d of the acceptance test
// uses step d, so every draw is fresh and the run is reproducible.
const goldenSeed = 0x5eed_0f_0a6e0b

// TestGolden runs every golden case of the quant fns (internal/golden
// Owners) against the float views, and checks that each integer form
// gives exactly the golden values as code·2^Exp.
func TestGolden(t *testing.T) {
	golden.Run(t, "quant", map[string]golden.Handler{
		"direct_quant": deterministic(func(t *testing.T, c golden.Case) (quant.Codes, error) {
			return quant.Direct(c.Input, mustInt(t, c, "k"))
		}),
		"all_direct_quant": deterministic(func(t *testing.T, c golden.Case) (quant.Codes, error) {
			return quant.AllDirect(c.Input, mustInt(t, c, "kdec"), mustInt(t, c, "kall"))
		}),
		"shift_quant": deterministic(func(t *testing.T, c golden.Case) (quant.Codes, error) {
			return quant.Shift(c.Input, mustInt(t, c, "k"))
		}),
		"weight_quant": deterministic(func(t *testing.T, c golden.Case) (quant.Codes, error) {
			return quant.Weight(c.Input, mustInt(t, c, "k"))
		}),
		"error_quant": deterministic(func(t *testing.T, c golden.Case) (quant.Codes, error) {
			return quant.Flag(c.Input, mustInt(t, c, "k"))
		}),
		"gbn_quant":   gbnQuant,
		"const_quant": constQuant,
		"gw_quant":    gwQuant,
		"qsigned":     tqtCase(quant.QSigned, quant.QSignedFloat, quant.QSignedBackward),
		"qunsigned":   tqtCase(quant.QUnsigned, quant.QUnsignedFloat, quant.QUnsignedBackward),
	})
}

// mustInt returns an integer parameter of c and fails the case when it is
// missing (a broken golden file).
func mustInt(t *testing.T, c golden.Case, name string) int {
	t.Helper()
	k, err := c.Int(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// checkCodes compares the integer form with the golden output: code·2^Exp,
// computed exactly in float64, must equal the golden float32 value, and the
// float view must equal it too.
func checkCodes(t *testing.T, c golden.Case, field string, got quant.Codes, want []float32) {
	t.Helper()
	if len(got.Q) != len(want) {
		t.Fatalf("%s: %d codes, want %d", field, len(got.Q), len(want))
	}
	bad := 0
	for i, q := range got.Q {
		if v := math.Ldexp(float64(q), got.Exp); v != float64(want[i]) {
			if bad++; bad <= 5 {
				t.Errorf("%s[%d]: code %d·2^%d = %g, want %g", field, i, q, got.Exp, v, want[i])
			}
		}
	}
	golden.Check(t, c, field, got.Float(), want)
}

// deterministic builds the handler of a deterministic, straight-through
// quantizer: output from the integer form and its float view, grad_in =
// grad_out (the STE).
func deterministic(run func(*testing.T, golden.Case) (quant.Codes, error)) golden.Handler {
	return func(t *testing.T, c golden.Case) {
		got, err := run(t, c)
		if err != nil {
			t.Fatal(err)
		}
		checkCodes(t, c, "output", got, c.Output)
		if c.GradIn != nil {
			golden.Check(t, c, "grad_in", c.GradOut, c.GradIn) // STE: grad_in = grad_out
		}
	}
}

func gbnQuant(t *testing.T, c golden.Case) {
	k := mustInt(t, c, "k")
	golden.Check(t, c, "output", c.Input, c.Output) // identity forward
	got, err := quant.GradBN(c.GradOut, k)
	if err != nil {
		t.Fatal(err)
	}
	checkCodes(t, c, "grad_in", got, c.GradIn)
	view, err := quant.GradBNFloat(c.GradOut, k)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, c, "grad_in", view, c.GradIn)
}

// checkScale compares R of the stochastic description with quant.Scale.
func checkScale(t *testing.T, s *golden.Stochastic, x []float32) {
	t.Helper()
	log2R, ok, err := quant.Scale(x)
	if err != nil || !ok {
		t.Fatalf("Scale: ok %v, err %v", ok, err)
	}
	if r := math.Ldexp(1, log2R); r != s.R {
		t.Errorf("R = 2^%d = %g, golden r = %g", log2R, r, s.R)
	}
}

func constQuant(t *testing.T, c golden.Case) {
	kdr, k := mustInt(t, c, "k_dr"), mustInt(t, c, "k")
	if c.Stochastic == nil {
		t.Fatal("const_quant case without stochastic description")
	}
	checkScale(t, c.Stochastic, c.Input)
	err := c.Stochastic.CheckDraws(func(d int) ([]float32, error) {
		key := quant.RNGKey{Seed: goldenSeed, Step: uint32(d), Tensor: 1}
		codes, err := quant.Const(c.Input, kdr, k, key)
		if err != nil {
			return nil, err
		}
		view, err := quant.ConstFloat(c.Input, kdr, k, key)
		if err != nil {
			return nil, err
		}
		if err := golden.Compare("float view vs codes", view, codes.Float(), golden.Tol{}); err != nil {
			return nil, err
		}
		return view, nil
	})
	if err != nil {
		t.Error(err)
	}
	if c.GradIn != nil {
		golden.Check(t, c, "grad_in", c.GradOut, c.GradIn) // STE
	}
}

func gwQuant(t *testing.T, c golden.Case) {
	kgw, kdr := mustInt(t, c, "kgw"), mustInt(t, c, "kdr")
	if c.Stochastic == nil {
		t.Fatal("gw_quant case without stochastic description")
	}
	golden.Check(t, c, "output", c.Input, c.Output) // identity forward
	checkScale(t, c.Stochastic, c.GradOut)
	err := c.Stochastic.CheckDraws(func(d int) ([]float32, error) {
		key := quant.RNGKey{Seed: goldenSeed, Step: uint32(d), Tensor: 2}
		return quant.GradWeightFloat(c.GradOut, kgw, kdr, key)
	})
	if err != nil {
		t.Error(err)
	}
}

type (
	tqtFwd   func(x []float32, log2t float64, bits int) (quant.Codes, error)
	tqtFloat func(x []float32, log2t float64, bits int) ([]float32, error)
	tqtBwd   func(x, gradOut []float32, log2t float64, bits int) ([]float32, float64, error)
)

func tqtCase(fwd tqtFwd, view tqtFloat, bwd tqtBwd) golden.Handler {
	return func(t *testing.T, c golden.Case) {
		bits := mustInt(t, c, "bits")
		log2t, err := c.Float("log2_t")
		if err != nil {
			t.Fatal(err)
		}
		log2t = float64(float32(log2t)) // the parameter is a float32 tensor
		codes, err := fwd(c.Input, log2t, bits)
		if err != nil {
			t.Fatal(err)
		}
		checkCodes(t, c, "output", codes, c.Output)
		got, err := view(c.Input, log2t, bits)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, c, "output", got, c.Output)
		if c.GradOut == nil {
			return
		}
		gradIn, gradT, err := bwd(c.Input, c.GradOut, log2t, bits)
		if err != nil {
			t.Fatal(err)
		}
		if c.GradIn != nil {
			golden.Check(t, c, "grad_in", gradIn, c.GradIn)
		}
		if want, ok := c.GradParams["log2_t"]; ok {
			golden.Check(t, c, "grad_params.log2_t", []float32{float32(gradT)}, want.Data)
		}
	}
}
