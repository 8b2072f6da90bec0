package gpu

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// ErrOverflow: a kernel flagged an integer overflow in its data (the
// ERR_OVERFLOW bit of the device's error word).
var ErrOverflow = errors.New("gpu: integer overflow")

// ErrorWord reads and clears the device's error word: the OR of the flags
// (cpu.ErrOverflow, ...) that kernels with Kernel.ErrorWord raised in the
// work submitted so far. It waits for that work. A non-zero word comes back
// with an error wrapping ErrOverflow when that bit is set.
func (d *Device) ErrorWord() (uint32, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return 0, ErrClosed
	}
	w, err := d.readErrorWord()
	if err != nil || w == 0 {
		return w, err
	}
	return w, flagsError(w)
}

// readErrorWord reads and clears the error word; d.mu is held.
func (d *Device) readErrorWord() (uint32, error) {
	v, err := d.be.read(d.errWord, 0, 1)
	if err != nil {
		return 0, err
	}
	if v[0] != 0 {
		if err := d.be.write(d.errWord, 0, []uint32{0}); err != nil {
			return v[0], err
		}
	}
	return v[0], nil
}

// checkErrorWord is Submit's debug check: when the batch has kernels that
// flag errors, it reads the word and names those kernels; d.mu is held.
func (d *Device) checkErrorWord(ds []dispatch) error {
	var names []string
	for _, x := range ds {
		if x.k.ErrorWord && !slices.Contains(names, x.k.Name) {
			names = append(names, x.k.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	w, err := d.readErrorWord()
	if err != nil || w == 0 {
		return err
	}
	return &KernelError{Kernel: strings.Join(names, ","), Err: flagsError(w)}
}

// flagsError describes a non-zero error word.
func flagsError(w uint32) error {
	if w&cpu.ErrOverflow != 0 {
		return fmt.Errorf("error word %#x: %w", w, ErrOverflow)
	}
	return fmt.Errorf("gpu: error word %#x", w)
}
