package gpu

import (
	"io/fs"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/gpu/cpu"
	"github.com/wageubn/wageubn/shaders"
)

// entryRE matches a compute entry point: "@compute @workgroup_size(...)
// fn name(" (the attribute order every shader file uses).
var entryRE = regexp.MustCompile(`@compute\s+@workgroup_size\(([^)]*)\)\s*fn\s+(\w+)\s*\(`)

// readShader returns the text of one embedded file.
func readShader(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(shaders.FS(), name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRegistryMatchesShaders checks both directions: every registry row's
// entry point exists in its file, and every @compute entry point in
// shaders/ has a row naming that file.
func TestRegistryMatchesShaders(t *testing.T) {
	entries := map[string]string{} // entry point -> file
	for _, f := range shaders.Files() {
		for _, m := range entryRE.FindAllStringSubmatch(readShader(t, f), -1) {
			if prev, dup := entries[m[2]]; dup {
				t.Errorf("entry point %s in both %s and %s", m[2], prev, f)
			}
			entries[m[2]] = f
		}
	}
	for _, lib := range shaders.Libraries() {
		if n := strings.Count(readShader(t, lib), "@compute"); n != 0 {
			t.Errorf("library %s declares %d entry points, want none", lib, n)
		}
		if strings.Contains(readShader(t, lib), "@binding") {
			t.Errorf("library %s declares bindings, want none", lib)
		}
	}
	for _, name := range KernelNames() {
		k, _ := Lookup(name)
		if f, ok := entries[name]; !ok || f != k.File {
			t.Errorf("registry row %s: no @compute entry point %s in shaders/%s", name, name, k.File)
		}
	}
	for e, f := range entries {
		if _, ok := Lookup(e); !ok {
			t.Errorf("shaders/%s: entry point %s has no registry row", f, e)
		}
	}
	if len(entries) == 0 {
		t.Fatal("no entry points found in shaders/")
	}
}

// TestRegistryWorkgroupSizes checks each row's Grid.WG against the
// entry point's @workgroup_size, resolving override and const names to
// their default values in the file.
func TestRegistryWorkgroupSizes(t *testing.T) {
	for _, name := range KernelNames() {
		k, _ := Lookup(name)
		src := readShader(t, k.File)
		var attr string
		for _, m := range entryRE.FindAllStringSubmatch(src, -1) {
			if m[2] == name {
				attr = m[1]
			}
		}
		if attr == "" {
			continue // reported by TestRegistryMatchesShaders
		}
		got := [3]uint32{1, 1, 1}
		for i, part := range strings.Split(attr, ",") {
			v, err := wgslConst(src, strings.TrimSpace(part))
			if err != nil || i > 2 {
				t.Errorf("%s: @workgroup_size(%s): %v", name, attr, err)
				break
			}
			got[i] = v
		}
		if got != k.Grid.WG {
			t.Errorf("%s: @workgroup_size(%s) = %v, registry Grid.WG = %v", name, attr, got, k.Grid.WG)
		}
	}
}

// wgslConst evaluates a workgroup size: a literal (64 or 64u) or the name of
// an override/const with a literal default.
func wgslConst(src, expr string) (uint32, error) {
	lit := strings.TrimSuffix(expr, "u")
	if v, err := strconv.ParseUint(lit, 10, 32); err == nil {
		return uint32(v), nil
	}
	re := regexp.MustCompile(`(?:override|const)\s+` + regexp.QuoteMeta(expr) + `\s*:\s*u32\s*=\s*(\d+)u?\s*;`)
	m := re.FindStringSubmatch(src)
	if m == nil {
		return 0, strconv.ErrSyntax
	}
	v, err := strconv.ParseUint(m[1], 10, 32)
	return uint32(v), err
}

// TestRegistryParamsMatchWGSL checks that each row's params struct has a
// WGSL struct of the same name with the same fields in the same order
// (Go ShiftA <-> WGSL shift_a), the layout encodeParams writes.
func TestRegistryParamsMatchWGSL(t *testing.T) {
	fieldRE := regexp.MustCompile(`(\w+)\s*:\s*(\w+)`)
	for _, name := range KernelNames() {
		k, _ := Lookup(name)
		pt := k.ParamsType()
		src := readShader(t, k.File)
		m := regexp.MustCompile(`struct\s+` + pt.Name() + `\s*\{([^}]*)\}`).FindStringSubmatch(src)
		if m == nil {
			t.Errorf("%s: no WGSL struct %s in %s", name, pt.Name(), k.File)
			continue
		}
		var wgsl []string
		for _, line := range strings.Split(m[1], "\n") {
			line, _, _ = strings.Cut(line, "//")
			for _, f := range fieldRE.FindAllStringSubmatch(line, -1) {
				wgsl = append(wgsl, strings.ReplaceAll(f[1], "_", "")+":"+f[2])
			}
		}
		var goFields []string
		for i := range pt.NumField() {
			f := pt.Field(i)
			typ := map[reflect.Kind]string{reflect.Uint32: "u32", reflect.Int32: "i32", reflect.Float32: "f32"}[f.Type.Kind()]
			goFields = append(goFields, strings.ToLower(f.Name)+":"+typ)
		}
		if !reflect.DeepEqual(wgsl, goFields) {
			t.Errorf("%s: WGSL struct %s fields %v, Go %v", name, pt.Name(), wgsl, goFields)
		}
	}
}

// TestRegistryRowChecks checks that malformed rows are rejected.
func TestRegistryRowChecks(t *testing.T) {
	type badParams struct{ N int64 }
	okGrid := grid1D(64, func(p cpu.ReluParams) uint32 { return p.N })
	w := func(any) []int { return nil }
	rows := map[string]Kernel{
		"twin not a func":  {Name: "x", Twin: 3, Outputs: 1, Grid: okGrid, Words: w},
		"no buffers":       {Name: "x", Twin: func(cpu.ReluParams) {}, Outputs: 1, Grid: okGrid, Words: w},
		"int64 params":     {Name: "x", Twin: func(badParams, []uint32) {}, Outputs: 1, Grid: grid1D(64, func(badParams) uint32 { return 0 }), Words: w},
		"buffer not words": {Name: "x", Twin: func(cpu.ReluParams, []int32) {}, Outputs: 1, Grid: okGrid, Words: w},
		"zero outputs":     {Name: "x", Twin: cpu.ReluI32, Outputs: 0, Grid: okGrid, Words: w},
		"too many outputs": {Name: "x", Twin: cpu.ReluI32, Outputs: 3, Grid: okGrid, Words: w},
		"grid params":      {Name: "x", Twin: cpu.ReluI32, Outputs: 1, Grid: grid1D(64, func(p cpu.FillParams) uint32 { return p.N }), Words: w},
		"no grid":          {Name: "x", Twin: cpu.ReluI32, Outputs: 1, Words: w},
		"no words":         {Name: "x", Twin: cpu.ReluI32, Outputs: 1, Grid: okGrid},
	}
	for name, k := range rows {
		if err := k.check(); err == nil {
			t.Errorf("%s: check accepted the row", name)
		}
	}
	good := Kernel{Name: "x", Twin: cpu.AddI32, Outputs: 1, ErrorWord: true, Grid: grid1D(64, func(p cpu.AddParams) uint32 { return p.N }), Words: w}
	if err := good.check(); err != nil || good.Buffers() != 4 || good.Args() != 3 || good.ParamsType() != reflect.TypeFor[cpu.AddParams]() {
		t.Errorf("good row: err %v, buffers %d, args %d, params %v", err, good.Buffers(), good.Args(), good.ParamsType())
	}
}

// TestEncodeParams checks the uniform layout: one little-endian word per
// field, int32 as two's complement, float32 as IEEE 754 bits.
func TestEncodeParams(t *testing.T) {
	type p struct {
		A uint32
		B int32
		C float32
	}
	got := encodeParams(p{A: 7, B: -1, C: 1})
	want := []uint32{7, 0xFFFFFFFF, 0x3F800000} // 1.0f = 0x3F800000 (IEEE 754)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("encodeParams = %#x, want %#x", got, want)
	}
}

// TestNumWorkgroups1D checks the spill of 1-D grids into y under the WebGPU
// default limit of 65535 workgroups per dimension.
func TestNumWorkgroups1D(t *testing.T) {
	const lim = 65535
	for _, c := range []struct{ groups, x, y uint32 }{
		{0, 0, 1}, {1, 1, 1}, {lim, lim, 1}, {lim + 1, 32768, 2}, {2 * lim, lim, 2}, {2*lim + 1, 43691, 3},
	} {
		x, y := numWorkgroups1D(c.groups, lim)
		if x != c.x || y != c.y {
			t.Errorf("numWorkgroups1D(%d) = (%d, %d), want (%d, %d)", c.groups, x, y, c.x, c.y)
		}
		if x > lim || uint64(x)*uint64(y) < uint64(c.groups) {
			t.Errorf("numWorkgroups1D(%d) = (%d, %d) does not cover the grid", c.groups, x, y)
		}
	}
}
