// Package golden loads the golden test vectors of ../shared/testdata/golden
// (format: its README.md) and runs them against the packages that own them.
//
// Every package that owns golden functions calls [Run] once from a test with a
// handler per fn it owns. Run fails when the directory is missing, when it
// holds no case for the package, when a case names an fn that no package of
// the project claims, or when a claimed fn has no handler: a silent pass is a
// bug. It logs exactly one line, "golden: N cases from DIR".
package golden

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// EnvDir names the environment variable that overrides the golden directory.
const EnvDir = "WAGEUBN_GOLDEN_DIR"

// Owners maps every fn of the golden data to the package that runs it.
var Owners = map[string]string{
	"direct_quant":     "quant",
	"all_direct_quant": "quant",
	"shift_quant":      "quant",
	"weight_quant":     "quant",
	"error_quant":      "quant",
	"gbn_quant":        "quant",
	"const_quant":      "quant",
	"gw_quant":         "quant",
	"qsigned":          "quant",
	"qunsigned":        "quant",
	"conv2d":           "nn",
	"linear":           "nn",
	"batchnorm2d":      "nn",
	"relu":             "nn",
	"chain":            "nn",
	"init_max":         "threshold",
	"init_3sd":         "threshold",
	"init_kl_j":        "threshold",
}

// Tensor is a named extra input or expected gradient of a case.
type Tensor struct {
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

// Tol is an element-wise tolerance: |got-want| <= Abs + Rel*|want|.
type Tol struct {
	Abs float64 `json:"abs"`
	Rel float64 `json:"rel"`
}

// StochasticTest holds the parameters of the README's acceptance test.
type StochasticTest struct {
	Draws    int     `json:"draws"`
	ZMax     float64 `json:"z_max"`
	PFloor   float64 `json:"p_floor"`
	AbsSlack float64 `json:"abs_slack"`
}

// Stochastic describes the distribution of a stochastic case's output.
type Stochastic struct {
	R             float64        `json:"r"`
	Log2MaxAbs    float64        `json:"log2_max_abs"`
	DR            float64        `json:"dr"`
	Step          float64        `json:"step"`
	Scaled        []float32      `json:"scaled"`
	Lo            []float32      `json:"lo"`
	Hi            []float32      `json:"hi"`
	PHi           []float64      `json:"p_hi"`
	Expected      []float64      `json:"expected"`
	AllowedValues []float64      `json:"allowed_values"`
	Test          StochasticTest `json:"test"`
}

// Case is one golden case.
type Case struct {
	Name       string                     `json:"name"`
	Fn         string                     `json:"fn"`
	Params     map[string]any             `json:"params"`
	Input      []float32                  `json:"input"`
	Shape      []int                      `json:"shape"`
	Output     []float32                  `json:"output"`
	GradOut    []float32                  `json:"grad_out"`
	GradIn     []float32                  `json:"grad_in"`
	GradParams map[string]Tensor          `json:"grad_params"`
	Tensors    map[string]Tensor          `json:"tensors"`
	Stochastic *Stochastic                `json:"stochastic"`
	Extra      map[string]json.RawMessage `json:"extra"`
	Tol        map[string]Tol             `json:"tol"`
	Notes      string                     `json:"notes"`

	File string `json:"-"` // base name of the file the case came from
}

type file struct {
	Group   string `json:"group"`
	Version int    `json:"version"`
	Cases   []Case `json:"cases"`
}

// Int returns the integer parameter name, or an error if it is missing or
// not an integer.
func (c *Case) Int(name string) (int, error) {
	v, ok := c.Params[name]
	if !ok {
		return 0, fmt.Errorf("golden: case %s: missing param %q", c.Name, name)
	}
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) {
		return 0, fmt.Errorf("golden: case %s: param %q = %v is not an integer", c.Name, name, v)
	}
	return int(f), nil
}

// Float returns the numeric parameter name.
func (c *Case) Float(name string) (float64, error) {
	v, ok := c.Params[name]
	if !ok {
		return 0, fmt.Errorf("golden: case %s: missing param %q", c.Name, name)
	}
	f, ok := v.(float64)
	if !ok {
		return 0, fmt.Errorf("golden: case %s: param %q = %v is not a number", c.Name, name, v)
	}
	return f, nil
}

// String returns the string parameter name, or def when it is absent.
func (c *Case) String(name, def string) string {
	if s, ok := c.Params[name].(string); ok {
		return s
	}
	return def
}

// Bool returns the boolean parameter name, or def when it is absent.
func (c *Case) Bool(name string, def bool) bool {
	if b, ok := c.Params[name].(bool); ok {
		return b
	}
	return def
}

// ToleranceFor returns the tolerance of field (e.g. "output",
// "grad_params.weight"); a field without one is compared exactly.
func (c *Case) ToleranceFor(field string) Tol {
	return c.Tol[field]
}

// Dir returns the golden directory: $WAGEUBN_GOLDEN_DIR if set, else
// ../shared/testdata/golden relative to the repository root, found by
// walking up from the working directory to the directory holding go.mod.
func Dir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Clean(filepath.Join(d, "..", "shared", "testdata", "golden")), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("golden: no go.mod above %s; set %s", wd, EnvDir)
		}
	}
}

// Load reads every *.json file of dir.
func Load(dir string) ([]Case, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("golden: directory %s: %w", dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("golden: no *.json files in %s", dir)
	}
	sort.Strings(names)
	var all []Case
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f file
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("golden: %s: %w", name, err)
		}
		for i := range f.Cases {
			f.Cases[i].File = filepath.Base(name)
			if err := f.Cases[i].validate(); err != nil {
				return nil, fmt.Errorf("golden: %s: %w", name, err)
			}
		}
		all = append(all, f.Cases...)
	}
	return all, nil
}

func (c *Case) validate() error {
	if c.Name == "" || c.Fn == "" {
		return errors.New("case without name or fn")
	}
	n := 1
	for _, d := range c.Shape {
		n *= d
	}
	if len(c.Shape) > 0 && n != len(c.Input) {
		return fmt.Errorf("case %s: shape %v holds %d elements, input has %d", c.Name, c.Shape, n, len(c.Input))
	}
	return nil
}

// Handler runs one golden case.
type Handler func(t *testing.T, c Case)

// Run loads the golden directory and runs, as subtests, every case whose fn
// belongs to pkg (see [Owners]) with the handler of its fn.
func Run(t *testing.T, pkg string, handlers map[string]Handler) {
	t.Helper()
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for fn := range handlers {
		if Owners[fn] != pkg {
			t.Fatalf("golden: package %s has a handler for fn %q, which %q owns", pkg, fn, Owners[fn])
		}
	}
	ran := 0
	for _, c := range cases {
		owner, ok := Owners[c.Fn]
		if !ok {
			t.Errorf("golden: %s: case %s has fn %q, which no package claims", c.File, c.Name, c.Fn)
			continue
		}
		if owner != pkg {
			continue
		}
		h, ok := handlers[c.Fn]
		if !ok {
			t.Errorf("golden: %s: case %s: package %s has no handler for fn %q", c.File, c.Name, pkg, c.Fn)
			continue
		}
		ran++
		t.Run(c.Fn+"/"+c.Name, func(t *testing.T) { h(t, c) })
	}
	if ran == 0 {
		t.Fatalf("golden: no case for package %s in %s", pkg, dir)
	}
	t.Logf("golden: %d cases from %s", ran, dir)
}

// Compare checks got against want element-wise with tol and describes the
// first mismatches; it returns nil when they agree.
func Compare(field string, got, want []float32, tol Tol) error {
	if len(got) != len(want) {
		return fmt.Errorf("%s: got %d elements, want %d", field, len(got), len(want))
	}
	var msgs []string
	bad := 0
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(g) || math.Abs(g-w) > tol.Abs+tol.Rel*math.Abs(w) {
			bad++
			if len(msgs) < 5 {
				msgs = append(msgs, fmt.Sprintf("[%d] got %.9g want %.9g", i, g, w))
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("%s: %d of %d elements differ (tol abs %g rel %g): %s",
			field, bad, len(want), tol.Abs, tol.Rel, strings.Join(msgs, ", "))
	}
	return nil
}

// Check is Compare with the case's tolerance for field, reported on t.
func Check(t *testing.T, c Case, field string, got, want []float32) {
	t.Helper()
	if err := Compare(field, got, want, c.ToleranceFor(field)); err != nil {
		t.Error(err)
	}
}

// CheckDraws runs the README's acceptance test for stochastic cases on
// s.Test.Draws outputs produced by draw(d), d = 0, 1, ...
func (s *Stochastic) CheckDraws(draw func(d int) ([]float32, error)) error {
	n := len(s.Lo)
	if len(s.Hi) != n || len(s.PHi) != n || len(s.Expected) != n {
		return errors.New("stochastic: lo, hi, p_hi and expected differ in length")
	}
	D := s.Test.Draws
	if D <= 0 {
		return errors.New("stochastic: no draws")
	}
	sums := make([]float64, n)
	hits := 0
	for d := 0; d < D; d++ {
		out, err := draw(d)
		if err != nil {
			return err
		}
		if len(out) != n {
			return fmt.Errorf("stochastic: draw %d has %d elements, want %d", d, len(out), n)
		}
		for i, v := range out {
			if v != s.Lo[i] && v != s.Hi[i] {
				return fmt.Errorf("stochastic: draw %d element %d = %g, allowed only %g or %g", d, i, v, s.Lo[i], s.Hi[i])
			}
			if s.Lo[i] != s.Hi[i] && v == s.Hi[i] {
				hits++
			}
			sums[i] += float64(v)
		}
	}
	var mu, variance float64
	for i := 0; i < n; i++ {
		if s.Lo[i] == s.Hi[i] {
			continue
		}
		p := s.PHi[i]
		mu += float64(D) * p
		variance += float64(D) * p * (1 - p)
		m := sums[i] / float64(D)
		spread := math.Abs(float64(s.Hi[i]) - float64(s.Lo[i]))
		bound := s.Test.ZMax*spread*math.Sqrt(math.Max(p*(1-p), s.Test.PFloor)/float64(D)) + s.Test.AbsSlack
		if math.Abs(m-s.Expected[i]) > bound {
			return fmt.Errorf("stochastic: element %d mean %g, expected %g (bound %g)", i, m, s.Expected[i], bound)
		}
	}
	if sigma := math.Sqrt(variance); math.Abs(float64(hits)-mu) > s.Test.ZMax*sigma {
		return fmt.Errorf("stochastic: pooled hits %d, expected %g ± %g·%g", hits, mu, s.Test.ZMax, sigma)
	}
	return nil
}
