package shaders

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate regenerates gemm_ext.wgsl with its generator and
// demands the committed file be identical, so nobody edits the output by
// hand.
func TestGeneratedUpToDate(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH: cannot run shaders/gen/gemm_ext.py")
	}
	out := filepath.Join(t.TempDir(), "gemm_ext.wgsl")
	if msg, err := exec.Command(py, filepath.Join("gen", "gemm_ext.py"), out).CombinedOutput(); err != nil {
		t.Fatalf("generator failed: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("gemm_ext.wgsl")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("shaders/gemm_ext.wgsl differs from the output of shaders/gen/gemm_ext.py: edit the generator and rerun it")
	}
}
