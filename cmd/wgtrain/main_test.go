package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-model", "alexnet"}, `-model "alexnet"`},
		{[]string{"-data", "imagenet"}, `-data "imagenet"`},
		{[]string{"-recipe", "int4"}, `-recipe "int4"`},
		{[]string{"-backend", "cuda"}, `-backend "cuda"`},
		{[]string{"-epochs", "0"}, "-epochs 0"},
		{[]string{"-batch", "-1"}, "-batch -1"},
		{[]string{"-lr", "0"}, "-lr 0"},
		{[]string{"-lr", "2"}, "-lr 2"},
		{[]string{"-checkpoint-every", "-5"}, "-checkpoint-every -5"},
		{[]string{"-resume"}, "-resume needs -out"},
		{[]string{"-model", "resnet20", "-data", "fashion"}, "takes 3×32×32 images"},
		{[]string{"-model", "lenet5", "-data", "cifar10"}, "takes 1×28×28 images"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
		{[]string{"-epochs", "two"}, "invalid value"},
	}
	for _, tc := range tests {
		var out, errw bytes.Buffer
		if code := run(tc.args, &out, &errw); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", tc.args, code, errw.String())
		}
		if !strings.Contains(errw.String(), tc.want) {
			t.Errorf("%v: stderr %q does not mention %q", tc.args, errw.String(), tc.want)
		}
		if out.Len() != 0 {
			t.Errorf("%v: stdout %q, want nothing", tc.args, out.String())
		}
	}
}

func TestHelp(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"-help"}, &out, &errw); code != 0 {
		t.Errorf("-help: exit %d, want 0", code)
	}
	u := errw.String()
	for _, f := range []string{"-model", "-data-dir", "-recipe", "-epochs", "-batch", "-lr", "-seed", "-backend", "-out", "-json", "-resume"} {
		if !strings.Contains(u, f) {
			t.Errorf("usage does not list %s:\n%s", f, u)
		}
	}
	if strings.Contains(u, "synthetic") {
		t.Error("usage lists the hidden -synthetic flag")
	}
}

func TestMissingData(t *testing.T) {
	for _, ds := range []string{"mnist", "fashion"} {
		var out, errw bytes.Buffer
		code := run([]string{"-data", ds, "-data-dir", t.TempDir()}, &out, &errw)
		if code != 2 || !strings.Contains(errw.String(), "-data-dir") {
			t.Errorf("%s from an empty folder: exit %d, stderr %q; want 2 and a hint", ds, code, errw.String())
		}
	}
	var out, errw bytes.Buffer
	code := run([]string{"-model", "vgg7", "-data", "cifar10", "-data-dir", t.TempDir()}, &out, &errw)
	if code != 2 {
		t.Errorf("cifar10 from an empty folder: exit %d, stderr %q; want 2", code, errw.String())
	}
}
