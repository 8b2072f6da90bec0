package shaders

import (
	"slices"
	"strings"
	"testing"
)

func TestSource(t *testing.T) {
	src, err := Source("gemm.wgsl")
	if err != nil {
		t.Fatal(err)
	}
	// common.wgsl comes first, so the family file can call its helpers.
	if c, g := strings.Index(src, "fn linear_index("), strings.Index(src, "fn gemm_i8_nt("); c < 0 || g < 0 || c > g {
		t.Errorf("Source(gemm.wgsl): common helpers at %d, entry point at %d; want common first", c, g)
	}
	if _, err := Source("missing.wgsl"); err == nil {
		t.Error("Source(missing.wgsl) returned no error")
	}
}

func TestFiles(t *testing.T) {
	files := Files()
	if slices.Contains(files, Common) || !slices.Contains(files, "gemm.wgsl") || !slices.IsSorted(files) {
		t.Errorf("Files() = %v: want sorted family files without %s", files, Common)
	}
	libs := Libraries()
	if len(libs) == 0 || libs[0] != Common || !slices.IsSorted(libs[1:]) {
		t.Errorf("Libraries() = %v: want %s first, then lib_*.wgsl sorted", libs, Common)
	}
	for _, l := range libs {
		if slices.Contains(files, l) {
			t.Errorf("%s is both a library and a family file", l)
		}
	}
}
