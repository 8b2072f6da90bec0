// Package atomicfile does write files so that a reader, or the next run after
// a crash, sees either the complete old content or the complete new one,
// never a mix or a truncated file.
//
// # Overview
//
// The new content goes to a temporary file in the target's directory (named
// ".BASE.tmp-RANDOM"). Commit flushes it to disk (fsync), closes it, renames
// it over the target (atomic on POSIX file systems within one directory) and
// fsyncs the directory so the rename itself survives a power loss. Abort, or
// any failure on the way, removes the temporary file and leaves the target
// untouched.
//
// A process killed between Create and Commit leaves the old target intact
// and may leave a ".BASE.tmp-*" file behind; it is never read. A symbolic
// link at the target path is replaced by a regular file, not followed.
//
// # Errors
//
// Errors are package-prefixed ("atomicfile: ...") and wrap the *os.PathError
// or *os.LinkError underneath. Calls after Commit or Abort return
// [ErrClosed].
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// ErrClosed is returned by Write and Commit after Commit or Abort.
var ErrClosed = errors.New("atomicfile: file already committed or aborted")

// File is a pending replacement of a file; see [Create]. It is not safe for
// concurrent use.
type File struct {
	path string   // target
	tmp  *os.File // nil once committed or aborted
	err  error    // first write error, sticky
}

// defaultPerm is the mode of a new target when [Create] finds none to keep.
const defaultPerm os.FileMode = 0o644

// WriteFile replaces the file at path with data, atomically: the file
// afterwards holds either its old content or data, even if the process dies
// midway. perm is applied exactly (it is not filtered by the umask). On error
// the temporary file is removed and the target is unchanged.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err // Write has aborted already
	}
	return f.Commit()
}

// Create starts replacing the file at path: writes go to a temporary file
// in the same directory until [File.Commit]. The new file keeps the mode of
// the file it replaces, or gets 0644 when there is none.
func Create(path string) (*File, error) {
	perm := defaultPerm
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		perm = st.Mode().Perm()
	}
	return create(path, perm)
}

func create(path string, perm os.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return nil, fmt.Errorf("atomicfile: %q names a directory, not a file", path)
	}
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("atomicfile: %w", err)
	}
	f := &File{path: path, tmp: tmp}
	if err := tmp.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		f.Abort()
		return nil, fmt.Errorf("atomicfile: %w", err)
	}
	return f, nil
}

// Name returns the path of the target file.
func (f *File) Name() string { return f.path }

// Write appends p to the pending content. A failed write aborts: the
// temporary file is removed, and this and every later call (Commit included)
// return the error.
func (f *File) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.tmp == nil {
		return 0, ErrClosed
	}
	n, err := f.tmp.Write(p)
	if err != nil {
		f.err = fmt.Errorf("atomicfile: writing %s: %w", f.path, err)
		f.Abort()
		return n, f.err
	}
	return n, nil
}

// Commit makes the written content the file's content: fsync the
// temporary file, close it, rename it over the target, fsync the directory.
// On failure the temporary file is removed and the target is unchanged
// (unless only the final directory fsync failed, in which case the rename is
// done but may not survive a power loss).
func (f *File) Commit() error {
	if f.err != nil {
		return f.err
	}
	if f.tmp == nil {
		return ErrClosed
	}
	tmp := f.tmp
	name := tmp.Name()
	if err := tmp.Sync(); err != nil {
		f.Abort()
		return fmt.Errorf("atomicfile: syncing %s: %w", f.path, err)
	}
	f.tmp = nil
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("atomicfile: closing %s: %w", f.path, err)
	}
	if err := os.Rename(name, f.path); err != nil {
		os.Remove(name)
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err := syncDir(filepath.Dir(f.path)); err != nil {
		return fmt.Errorf("atomicfile: syncing directory of %s: %w", f.path, err)
	}
	return nil
}

// Abort drops the pending content: the temporary file is closed and
// removed, the target is left as it was. It is a no-op after Commit or a
// previous Abort, so `defer f.Abort()` is the usual pattern.
func (f *File) Abort() {
	if f.tmp == nil {
		return
	}
	tmp := f.tmp
	f.tmp = nil
	tmp.Close()
	os.Remove(tmp.Name())
}

// syncDir fsyncs a directory so that a rename in it is durable. Windows
// cannot open directories for syncing; there it does nothing.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
