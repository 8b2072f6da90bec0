package gpu

import "reflect"

// Recorder collects kernel dispatches and submits them together, as one
// command buffer on WebGPU. Like bufio.Writer it keeps the first error:
// after a failed Run every later call does nothing, and Submit returns that
// error. A Recorder is not safe for concurrent use.
//
// On both backends nothing runs before Submit: the CPU backend runs the Go
// twins in order at Submit, so code that forgets Submit fails the same way
// on both. Uploads and downloads are not recorded: an upload happens at
// once, a download sees the work submitted before it.
type Recorder struct {
	dev *Device
	ds  []dispatch
	err error
	// temps are the wrappers' internal tensors (see temp), released by the
	// next Submit, whether it succeeds or not.
	temps []*Tensor
}

// Record starts a new recording on the device.
func (d *Device) Record() *Recorder { return &Recorder{dev: d} }

// Err returns the first error recorded, or nil.
func (r *Recorder) Err() error { return r.err }

// Len returns the number of dispatches recorded since the last Submit.
func (r *Recorder) Len() int { return len(r.ds) }

// Device returns the device the recorder dispatches to.
func (r *Recorder) Device() *Device { return r.dev }

// Fail records err as the recorder's error if it is the first one, drops
// the recorded work and returns the recorder's error. Layers built on the
// typed wrappers use it to report their own argument errors the same way.
func (r *Recorder) Fail(err error) error { return r.fail(err) }

// fail records err if it is the first error and returns it.
func (r *Recorder) fail(err error) error {
	if r.err == nil {
		r.err = err
	}
	r.ds = nil
	return r.err
}

// temp registers t, a wrapper's internal tensor that no caller sees (an
// im2col matrix, a per-group GEMM output), to be released by the next
// Submit (whether it succeeds or fails), and returns it. Released buffers
// go back to the pool; a later allocation and upload of the same buffer is
// ordered after the submitted work on both backends.
func (r *Recorder) temp(t *Tensor) *Tensor {
	if t != nil {
		r.temps = append(r.temps, t)
	}
	return t
}

// releaseTemps releases the registered temporaries.
func (r *Recorder) releaseTemps() {
	for _, t := range r.temps {
		t.Release()
	}
	r.temps = nil
}

// Run records one dispatch of the named kernel: params must be the
// kernel's params struct, and bufs its storage buffers in binding order,
// outputs first. Run checks the kernel, the params type, the buffer count
// and sizes (Kernel.Words), the device, aliasing of outputs and the grid
// limits, and compiles the
// pipeline on first use; shapes and dtypes are the typed wrappers' job
// (Relu, GemmI8NT, ...). Errors are *KernelError values and stick.
func (r *Recorder) Run(name string, params any, bufs ...*Tensor) error {
	if r.err != nil {
		return r.err
	}
	shapes := make([][]int, len(bufs))
	binds := make([]binding, len(bufs))
	for i, t := range bufs {
		if t == nil {
			return r.fail(kernelErr(name, nil, ErrShape, "buffer %d is nil", i))
		}
		shapes[i] = t.shape
		binds[i] = binding{buf: t.buf, off: 0, n: t.words}
		if t.dev != r.dev {
			return r.fail(kernelErr(name, shapes, ErrShape, "buffer %d belongs to another device", i))
		}
		if t.buf == nil {
			return r.fail(kernelErr(name, shapes, ErrShape, "buffer %d used after Release", i))
		}
	}
	return r.run(name, params, binds, shapes, bufs)
}

// run validates and records one dispatch on raw bindings (the test harness
// uses it to bind word ranges with guard words around them).
func (r *Recorder) run(name string, params any, binds []binding, shapes [][]int, ts []*Tensor) error {
	if r.err != nil {
		return r.err
	}
	k, ok := kernels[name]
	if !ok {
		return r.fail(kernelErr(name, shapes, ErrShape, "unknown kernel"))
	}
	if reflect.TypeOf(params) != k.params {
		return r.fail(kernelErr(name, shapes, ErrShape, "params are %T, want %v", params, k.params))
	}
	if len(binds) != k.Args() {
		return r.fail(kernelErr(name, shapes, ErrShape, "%d buffers, want %d", len(binds), k.Args()))
	}
	for i, need := range k.Words(params) {
		if binds[i].n < need {
			return r.fail(kernelErr(name, shapes, ErrShape, "buffer %d has %d words, the params need %d", i, binds[i].n, need))
		}
	}
	if k.ErrorWord {
		binds = append(binds[:len(binds):len(binds)], binding{buf: r.dev.errWord, off: 0, n: 1})
	}
	for i := range k.Outputs {
		for j := range binds {
			if j != i && binds[j].buf == binds[i].buf {
				return r.fail(kernelErr(name, shapes, ErrShape, "output %d aliases buffer %d", i, j))
			}
		}
	}
	if k.Check != nil {
		if err := k.Check(params); err != nil {
			return r.fail(&KernelError{Kernel: name, Shapes: shapes, Err: err})
		}
	}
	groups, err := k.Grid.workgroups(params, r.dev.info.Limits.MaxComputeWorkgroupsPerDimension)
	if err != nil {
		return r.fail(&KernelError{Kernel: name, Shapes: shapes, Err: err})
	}
	d := r.dev
	d.mu.Lock()
	if d.closed {
		err = ErrClosed
	} else if err = d.be.prepare(k); err != nil {
		err = &KernelError{Kernel: name, Shapes: shapes, Err: err}
	}
	d.mu.Unlock()
	if err != nil {
		return r.fail(err)
	}
	r.ds = append(r.ds, dispatch{k: k, params: params, uniform: encodeParams(params), binds: binds, groups: groups, shapes: shapes, ts: ts})
	return nil
}

// Submit sends the recorded dispatches to the device as one unit and clears
// the list, so the Recorder can record the next batch. It does not wait for
// the work to finish (downloads and Device.Wait do). It returns the sticky
// error if one was recorded, and records the error of a failed submit.
func (r *Recorder) Submit() error {
	defer r.releaseTemps() // after d.mu is unlocked: Release takes it
	if r.err != nil {
		return r.err
	}
	ds := r.ds
	r.ds = nil
	if len(ds) == 0 {
		return nil
	}
	d := r.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return r.fail(ErrClosed)
	}
	for i := range ds {
		for j, t := range ds[i].ts {
			if t.buf == nil {
				return r.fail(kernelErr(ds[i].k.Name, ds[i].shapes, ErrShape, "buffer %d released before Submit", j))
			}
		}
	}
	if err := d.be.submit(ds); err != nil {
		return r.fail(err)
	}
	if d.debug {
		if err := d.checkErrorWord(ds); err != nil {
			return r.fail(err)
		}
	}
	return nil
}

// output allocates a wrapper's single output, records kernel k on it
// (bound first) and ins, and returns it; on failure it releases the
// output and returns nil, the error staying in r.
func (r *Recorder) output(k string, shapes [][]int, dt DType, shape []int, exp int, params any, ins ...*Tensor) *Tensor {
	y := r.newOutput(k, shapes, dt, shape, exp)
	if y == nil || r.Run(k, params, append([]*Tensor{y}, ins...)...) != nil {
		y.Release()
		return nil
	}
	return y
}

// accumulator is output for a kernel that accumulates into its output
// (atomics): the output is zero-filled first.
func (r *Recorder) accumulator(k string, shapes [][]int, dt DType, shape []int, exp int, params any, ins ...*Tensor) *Tensor {
	y := r.newOutput(k, shapes, dt, shape, exp)
	if y == nil || r.Fill(y, 0) == nil || r.Run(k, params, append([]*Tensor{y}, ins...)...) != nil {
		y.Release()
		return nil
	}
	return y
}

// withScale gives t (a wrapper's output, nil after a failure) the Scale s
// of the operand whose data-dependent exponent it carries on.
func withScale(t, s *Tensor) *Tensor {
	if t != nil {
		t.Scale = s
	}
	return t
}

// newOutput allocates an output tensor for a wrapper, recording the error.
func (r *Recorder) newOutput(kernel string, shapes [][]int, dt DType, shape []int, exp int) *Tensor {
	t, err := r.dev.Empty(dt, shape, exp)
	if err != nil {
		r.fail(&KernelError{Kernel: kernel, Shapes: shapes, Err: err})
		return nil
	}
	return t
}

// checkTensor validates one wrapper argument: non-nil, live, on this
// device, of dtype dt and rank rank (rank < 0: any).
func (r *Recorder) checkTensor(kernel string, shapes [][]int, what string, t *Tensor, dt DType, rank int) error {
	switch {
	case t == nil:
		return kernelErr(kernel, shapes, ErrShape, "%s is nil", what)
	case t.dev != r.dev:
		return kernelErr(kernel, shapes, ErrShape, "%s belongs to another device", what)
	case t.buf == nil:
		return kernelErr(kernel, shapes, ErrShape, "%s used after Release", what)
	case t.dtype != dt:
		return kernelErr(kernel, shapes, ErrShape, "%s is %v, want %v", what, t.dtype, dt)
	case rank >= 0 && len(t.shape) != rank:
		return kernelErr(kernel, shapes, ErrShape, "%s has rank %d, want %d", what, len(t.shape), rank)
	}
	return nil
}

// shapesOf returns the shapes of the non-nil tensors, for error messages.
func shapesOf(ts ...*Tensor) [][]int {
	var s [][]int
	for _, t := range ts {
		if t != nil {
			s = append(s, t.shape)
		}
	}
	return s
}
