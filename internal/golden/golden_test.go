package golden

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		got, want []float32
		tol       Tol
		ok        bool
	}{
		{"exact", []float32{1, -0.5}, []float32{1, -0.5}, Tol{}, true},
		{"negative zero equals zero", []float32{float32(math.Copysign(0, -1))}, []float32{0}, Tol{}, true},
		{"one ulp off exact", []float32{math.Nextafter32(1, 2)}, []float32{1}, Tol{}, false},
		{"within abs", []float32{1.05}, []float32{1}, Tol{Abs: 0.1}, true},
		{"within rel", []float32{105}, []float32{100}, Tol{Rel: 0.06}, true},
		{"outside rel", []float32{107}, []float32{100}, Tol{Rel: 0.06}, false},
		{"NaN never matches", []float32{float32(math.NaN())}, []float32{0}, Tol{Abs: 1}, false},
		{"length mismatch", []float32{1}, []float32{1, 2}, Tol{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Compare("output", tc.got, tc.want, tc.tol)
			if (err == nil) != tc.ok {
				t.Fatalf("Compare(%v, %v, %+v) = %v, want ok=%v", tc.got, tc.want, tc.tol, err, tc.ok)
			}
		})
	}
}

// stochasticFixture has 32 elements that round up with probability 0.25
// and one that is fixed (lo == hi), like the golden const_quant cases.
func stochasticFixture() *Stochastic {
	s := &Stochastic{Test: StochasticTest{Draws: 2000, ZMax: 6, PFloor: 0.01, AbsSlack: 1e-7}}
	for i := 0; i < 32; i++ {
		s.Lo, s.Hi = append(s.Lo, 0), append(s.Hi, 1)
		s.PHi, s.Expected = append(s.PHi, 0.25), append(s.Expected, 0.25)
	}
	s.Lo, s.Hi = append(s.Lo, 1), append(s.Hi, 1)
	s.PHi, s.Expected = append(s.PHi, 0), append(s.Expected, 1)
	return s
}

// drawsWithRate returns a sampler whose random elements are high in
// exactly hi of every 20 draws.
func drawsWithRate(hi int) func(d int) ([]float32, error) {
	return func(d int) ([]float32, error) {
		out := make([]float32, 33)
		for i := range 32 {
			if (d+i)%20 < hi {
				out[i] = 1
			}
		}
		out[32] = 1
		return out, nil
	}
}

func TestCheckDraws(t *testing.T) {
	s := stochasticFixture()
	if err := s.CheckDraws(drawsWithRate(5)); err != nil { // P(hi) = 0.25
		t.Errorf("fair sampler rejected: %v", err)
	}
	if err := s.CheckDraws(drawsWithRate(0)); err == nil { // round to nearest
		t.Error("round-to-nearest sampler accepted")
	}
	if err := s.CheckDraws(drawsWithRate(6)); err == nil { // P(hi) = 0.30
		t.Error("sampler biased by 0.05 accepted")
	}
	offGrid := func(int) ([]float32, error) {
		out := make([]float32, 33)
		out[0] = 0.5
		return out, nil
	}
	if err := s.CheckDraws(offGrid); err == nil || !strings.Contains(err.Error(), "allowed only") {
		t.Errorf("off-grid value: err = %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing directory accepted")
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("empty directory accepted")
	}
	dir := t.TempDir()
	bad := `{"group":"g","cases":[{"name":"a","fn":"direct_quant","input":[1,2,3],"shape":[2]}]}`
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil {
		t.Error("shape/input mismatch accepted")
	}
}

func TestSharedDirLoads(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := Load(dir)
	if err != nil {
		t.Fatalf("loading %s: %v", dir, err)
	}
	for _, c := range cases {
		if _, ok := Owners[c.Fn]; !ok {
			t.Errorf("%s: case %s: fn %q has no owner", c.File, c.Name, c.Fn)
		}
	}
}
