package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// leftovers lists the temporary files left in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFile(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old      *string // nil: no file before
		data     string
		perm     os.FileMode
		wantPerm os.FileMode
	}{
		{name: "new", data: "hello", perm: 0o600, wantPerm: 0o600},
		{name: "replace", old: new("old content that is longer"), data: "new", perm: 0o644, wantPerm: 0o644},
		{name: "empty", old: new("x"), data: "", perm: 0o640, wantPerm: 0o640},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.bin")
			if tc.old != nil {
				if err := os.WriteFile(path, []byte(*tc.old), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(path, []byte(tc.data), tc.perm); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			if got := readString(t, path); got != tc.data {
				t.Errorf("content = %q, want %q", got, tc.data)
			}
			if st, err := os.Stat(path); err != nil {
				t.Fatal(err)
			} else if runtime.GOOS != "windows" && st.Mode().Perm() != tc.wantPerm {
				t.Errorf("perm = %v, want %v", st.Mode().Perm(), tc.wantPerm)
			}
			if l := leftovers(t, dir); len(l) != 0 {
				t.Errorf("temporary files left: %v", l)
			}
		})
	}
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	// The directory does not exist: no temporary file can be made.
	if err := WriteFile(filepath.Join(dir, "missing", "f"), []byte("x"), 0o644); err == nil || !strings.HasPrefix(err.Error(), "atomicfile: ") {
		t.Errorf("missing dir: err = %v, want an atomicfile: error", err)
	}
	// A path naming a directory.
	if err := WriteFile(dir+string(filepath.Separator), []byte("x"), 0o644); err == nil {
		t.Error("directory path: err = nil")
	}
	// The target is a non-empty directory: the rename fails, the temporary
	// file must go and the directory must stay.
	target := filepath.Join(dir, "d")
	if err := os.MkdirAll(filepath.Join(target, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(target, []byte("x"), 0o644); err == nil {
		t.Error("rename over a non-empty directory: err = nil")
	}
	if st, err := os.Stat(filepath.Join(target, "child")); err != nil || !st.IsDir() {
		t.Errorf("target directory damaged: %v", err)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("temporary files left after failed rename: %v", l)
	}
}

func TestCreateCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort() // no-op after Commit
	if f.Name() != path {
		t.Errorf("Name = %q, want %q", f.Name(), path)
	}
	for _, part := range []string{"new ", "content"} {
		if _, err := f.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
		// Until Commit the target keeps its old content.
		if got := readString(t, path); got != "old" {
			t.Errorf("before Commit: content = %q, want %q", got, "old")
		}
	}
	if l := leftovers(t, dir); len(l) != 1 {
		t.Errorf("before Commit: %d temporary files, want 1", len(l))
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, path); got != "new content" {
		t.Errorf("after Commit: content = %q, want %q", got, "new content")
	}
	if st, _ := os.Stat(path); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("Create did not keep the old mode: %v, want 0600", st.Mode().Perm())
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("after Commit: temporary files left: %v", l)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Commit: err = %v, want ErrClosed", err)
	}
	if err := f.Commit(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Commit: err = %v, want ErrClosed", err)
	}
}

func TestAbort(t *testing.T) {
	for _, exists := range []bool{true, false} {
		dir := t.TempDir()
		path := filepath.Join(dir, "f")
		if exists {
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		f, err := Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("new")); err != nil {
			t.Fatal(err)
		}
		f.Abort()
		f.Abort() // twice is fine
		if exists {
			if got := readString(t, path); got != "old" {
				t.Errorf("after Abort: content = %q, want %q", got, "old")
			}
		} else if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after Abort: target exists (err = %v), want none", err)
		}
		if l := leftovers(t, dir); len(l) != 0 {
			t.Errorf("after Abort: temporary files left: %v", l)
		}
		if err := f.Commit(); !errors.Is(err, ErrClosed) {
			t.Errorf("Commit after Abort: err = %v, want ErrClosed", err)
		}
	}
}

// TestFailedWrite closes the temporary file underneath so that Write fails:
// the temporary file must be removed and Commit must report the error.
func TestFailedWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.tmp.Close()
	_, werr := f.Write([]byte("new"))
	if werr == nil || !strings.HasPrefix(werr.Error(), "atomicfile: writing ") {
		t.Fatalf("Write on a closed file: err = %v, want an atomicfile: writing error", werr)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("after failed Write: temporary files left: %v", l)
	}
	if err := f.Commit(); err == nil || err.Error() != werr.Error() {
		t.Errorf("Commit after failed Write: err = %v, want %v", err, werr)
	}
	if got := readString(t, path); got != "old" {
		t.Errorf("after failed Write: content = %q, want %q", got, "old")
	}
}

// TestReadersSeeOldOrNew replaces a file many times while readers read it:
// every read must give one complete version, never a mix or a short file.
func TestReadersSeeOldOrNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	a := bytes.Repeat([]byte("A"), 64<<10)
	b := bytes.Repeat([]byte("B"), 96<<10)
	if err := WriteFile(path, a, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var bad []string
	var mu sync.Mutex
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			got, err := os.ReadFile(path)
			if err == nil && !bytes.Equal(got, a) && !bytes.Equal(got, b) {
				mu.Lock()
				bad = append(bad, string(got[:min(len(got), 8)]))
				mu.Unlock()
			}
			if err != nil {
				mu.Lock()
				bad = append(bad, err.Error())
				mu.Unlock()
			}
		}
	})
	for i := range 200 {
		data := a
		if i%2 == 0 {
			data = b
		}
		if err := WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if len(bad) != 0 {
		t.Errorf("%d reads saw neither version, first: %q", len(bad), bad[0])
	}
}

// TestKilledMidway runs a child process that writes half of a new version
// and exits without Commit (as a crash would): the target keeps the old
// content.
func TestKilledMidway(t *testing.T) {
	if os.Getenv("ATOMICFILE_CHILD") != "" {
		f, err := Create(os.Getenv("ATOMICFILE_CHILD"))
		if err != nil {
			os.Exit(3)
		}
		f.Write([]byte("half of the new"))
		os.Exit(7) // dies before Commit; no deferred cleanup runs
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidway$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_CHILD="+path)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("child: err = %v, want exit status 7", err)
	}
	if got := readString(t, path); got != "old" {
		t.Errorf("after a crash: content = %q, want %q", got, "old")
	}
	if l := leftovers(t, dir); len(l) != 1 {
		t.Errorf("after a crash: %d temporary files, want the 1 the child left", len(l))
	}
}
