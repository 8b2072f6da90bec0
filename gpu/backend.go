package gpu

// buffer is a backend's handle to one device buffer of 32-bit words.
type buffer any

// binding is a word range of a buffer bound to one storage binding.
type binding struct {
	buf buffer
	off int // first word
	n   int // words
}

// dispatch is one validated kernel invocation, ready for a backend.
type dispatch struct {
	k       *Kernel
	params  any      // the params struct, for the CPU twin
	uniform []uint32 // the params struct encoded for the uniform buffer
	binds   []binding
	groups  [3]uint32 // workgroups; a zero means nothing to do
	shapes  [][]int   // tensor shapes, for errors
	ts      []*Tensor // the tensors bound (nil for raw bindings)
}

// backend is what a Device needs from an implementation: an allocator with
// a pool (alloc, free, write, read), a program cache (prepare) and a queue
// (submit, wait). Calls are serialized by the Device's mutex.
type backend interface {
	info() Info
	// alloc returns a buffer of exactly words words (from the pool when one
	// is free; its contents are then unspecified).
	alloc(words int) (buffer, error)
	// free returns a buffer to the pool.
	free(b buffer)
	// write copies src into the buffer at word offset off.
	write(b buffer, off int, src []uint32) error
	// read returns n words from word offset off, after all submitted work.
	read(b buffer, off, n int) ([]uint32, error)
	// prepare compiles and caches the kernel's pipeline.
	prepare(k *Kernel) error
	// submit runs the dispatches in order as one unit of work.
	submit(ds []dispatch) error
	// wait blocks until submitted work is done.
	wait() error
	// close releases everything.
	close() error
}
