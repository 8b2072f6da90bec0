package nn_test

import (
	"errors"
	"testing"

	"github.com/wageubn/wageubn/nn"
)

func TestRecipes(t *testing.T) {
	tests := []struct {
		recipe   nn.Recipe
		quant    bool
		iostrict bool
		momentum float64 // method.md A8 (1/4) and A15 (7/8)
		decay    float64 // A9: 0.9 by default, [OFF]'s 0.997 for wageubn
		gMag     bool
		edge     bool
		output   nn.Width
	}{
		{nn.Full8, true, false, 0.25, 0.9, false, false, nn.Width{Dec: 12}},
		{nn.Full8Plus, true, false, 0.875, 0.9, true, false, nn.Width{Dec: 12}},
		{nn.WAGEUBN, true, false, 0.25, 0.997, false, true, nn.Width{Dec: 12}},
		{nn.Float, false, false, 0.25, 0.9, false, false, nn.Width{Dec: 12}},
		{nn.PyTorch, true, true, 0.25, 0.9, false, false, nn.Width{Dec: 12, All: 12}}, // golden README: output 12/12
	}
	for _, tc := range tests {
		t.Run(string(tc.recipe), func(t *testing.T) {
			c, err := tc.recipe.Config()
			if err != nil {
				t.Fatal(err)
			}
			if c.Quant != tc.quant || c.IOStrict != tc.iostrict || c.GKeepsMagnitude != tc.gMag {
				t.Errorf("quant/iostrict/gmag = %v/%v/%v, want %v/%v/%v", c.Quant, c.IOStrict, c.GKeepsMagnitude, tc.quant, tc.iostrict, tc.gMag)
			}
			if got := c.Momentum.Float(); got != tc.momentum {
				t.Errorf("momentum = %v, want %v", got, tc.momentum)
			}
			if c.BNDecay != tc.decay {
				t.Errorf("bn decay = %v, want %v", c.BNDecay, tc.decay)
			}
			if tc.recipe.Edge() != tc.edge {
				t.Errorf("Edge() = %v, want %v", tc.recipe.Edge(), tc.edge)
			}
			if c.Bits.Output != tc.output {
				t.Errorf("output width = %+v, want %+v", c.Bits.Output, tc.output)
			}
			// method.md B§2.1: W 8, E1 8, E2 8, G 8, G_BN 15, M 13, master 24, LR 10.
			b := c.Bits
			if b.Weight.Dec != 8 || b.E1 != 8 || b.E2 != 8 || b.G != 8 || b.GBN != 15 || b.Momentum != 13 || b.Master != 24 || b.LR != 10 {
				t.Errorf("bits = %+v, want method.md B§2.1 widths", b)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	base, err := nn.Full8.Config()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		modify func(*nn.Config)
	}{
		{"weight dec 0", func(c *nn.Config) { c.Bits.Weight.Dec = 0 }},
		{"weight dec 32", func(c *nn.Config) { c.Bits.Weight.Dec = 32 }},
		{"acti all -1", func(c *nn.Config) { c.Bits.Acti.All = -1 }},
		{"bn var all 33", func(c *nn.Config) { c.Bits.BNVar.All = 33 }},
		{"e2 1", func(c *nn.Config) { c.Bits.E2 = 1 }},
		{"g 9", func(c *nn.Config) { c.Bits.G = 9 }},
		{"master 7", func(c *nn.Config) { c.Bits.Master = 7 }},
		{"momentum 1", func(c *nn.Config) { c.Momentum = nn.Momentum{Num: 4, Shift: 2} }},
		{"momentum negative", func(c *nn.Config) { c.Momentum = nn.Momentum{Num: -1, Shift: 2} }},
		{"bn decay 1", func(c *nn.Config) { c.BNDecay = 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.modify(&c)
			if err := c.Validate(); !errors.Is(err, nn.ErrConfig) {
				t.Errorf("Validate() = %v, want ErrConfig", err)
			}
		})
	}
	if _, err := nn.Recipe("int4").Config(); !errors.Is(err, nn.ErrConfig) {
		t.Errorf("unknown recipe: err = %v, want ErrConfig", err)
	}
}
