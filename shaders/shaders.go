// Package shaders embeds the WGSL compute shaders of wageubn-go.
//
// # Overview
//
// There is one file per kernel family (elementwise.wgsl, reduce.wgsl,
// gemm.wgsl, ...). WGSL has no #include, so the helpers families share live
// once in library files: common.wgsl, then every lib_*.wgsl in name order
// (lib_wide.wgsl: 64-bit integers as vec2<u32>). [Source] splices the
// libraries ahead of a family file. Every family file must be valid WGSL
// when concatenated with the libraries, and libraries declare no entry
// points and no bindings (only functions, structs and constants, with names
// prefixed by their topic so they cannot collide).
//
// Every kernel's Go twin lives in package gpu/cpu; the registry in package
// gpu ties the two together (see the gpu package documentation).
package shaders

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Common is the name of the first library, spliced ahead of every family
// file.
const Common = "common.wgsl"

//go:embed *.wgsl
var files embed.FS

// FS returns the embedded *.wgsl files.
func FS() fs.FS { return files }

// Source returns the WGSL module for a family file: the libraries
// (Libraries, in order) followed by the file itself. It fails when the file
// is not embedded.
func Source(file string) (string, error) {
	var b strings.Builder
	for _, name := range append(Libraries(), file) {
		text, err := files.ReadFile(name)
		if err != nil {
			return "", fmt.Errorf("shaders: %w", err)
		}
		b.WriteString("// ---- " + name + " ----\n")
		b.Write(text)
		b.WriteString("\n")
	}
	return b.String(), nil
}

// isLibrary reports whether a file is spliced ahead of the families.
func isLibrary(name string) bool {
	return name == Common || strings.HasPrefix(name, "lib_")
}

// Libraries lists the library files in splice order: common.wgsl, then the
// lib_*.wgsl files sorted by name.
func Libraries() []string {
	libs := []string{Common}
	for _, name := range wgslFiles() {
		if name != Common && isLibrary(name) {
			libs = append(libs, name)
		}
	}
	return libs
}

// Files lists the embedded family files (every *.wgsl that is not a
// library), sorted by name.
func Files() []string {
	var names []string
	for _, name := range wgslFiles() {
		if !isLibrary(name) {
			names = append(names, name)
		}
	}
	return names
}

// wgslFiles lists every embedded *.wgsl, sorted by name.
func wgslFiles() []string {
	entries, _ := files.ReadDir(".") // the embedded root always exists
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".wgsl") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}
