//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wageubn/wageubn/train"
)

// childArgsEnv makes the test binary act as wgtrain: TestMain runs run()
// with these arguments (separated by the unit separator 0x1F) and exits, so a test can start a real
// process and kill it.
const childArgsEnv = "WGTRAIN_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgsEnv); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestSIGKILLResume kills a training process with SIGKILL after a few
// checkpoints (no chance to clean up or write a last checkpoint), resumes
// it with -resume, and demands the final weights be byte-identical to an
// uninterrupted run of the same seed (issue: checkpoints and resume).
func TestSIGKILLResume(t *testing.T) {
	args := []string{"-synthetic", "320", "-epochs", "1", "-batch", "16", "-backend", "cpu", "-recipe", "full8", "-checkpoint-every", "1", "-seed", "7"}

	ref := filepath.Join(t.TempDir(), "ref")
	var out, errw bytes.Buffer
	if code := run(append(args, "-out", ref), &out, &errw); code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, errw.String())
	}

	dir := filepath.Join(t.TempDir(), "killed")
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), childArgsEnv+"="+strings.Join(append(args, "-out", dir), "\x1f"))
	var childErr bytes.Buffer
	cmd.Stderr = &childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once the third checkpoint is complete (its metadata is written
	// last), well before the 20 steps end.
	ck := filepath.Join(dir, train.CheckpointSubdir)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(ck, "ckpt-3.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no third checkpoint after 2 minutes; child stderr:\n%s", childErr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed by SIGKILL (it may have finished first): %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "model.safetensors")); err == nil {
		t.Fatal("the killed run had already written its final model")
	}

	if code := run(append(args, "-out", dir, "-resume"), &out, &errw); code != 0 {
		t.Fatalf("resumed run: exit %d\n%s", code, errw.String())
	}
	want, err := os.ReadFile(filepath.Join(ref, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the run killed with SIGKILL and resumed ends with other weights than the uninterrupted run")
	}
	var res train.Result
	if data, err := os.ReadFile(filepath.Join(dir, train.ResultsFile)); err != nil || json.Unmarshal(data, &res) != nil || !res.Resumed {
		t.Errorf("the second run did not resume from a checkpoint: %+v (%v)", res, err)
	}
}
