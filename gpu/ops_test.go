package gpu

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// naiveMatmul returns C[i, j] = sum_k X[i, k] * Y[k, j] over int64, the
// textbook loop, as an independent reference.
func naiveMatmul(x, y []int32, m, k, n int) []int32 {
	c := make([]int32, m*n)
	for i := range m {
		for j := range n {
			var s int64
			for l := range k {
				s += int64(x[i*k+l]) * int64(y[l*n+j])
			}
			c[i*n+j] = int32(s)
		}
	}
	return c
}

func transpose(x []int32, rows, cols int) []int32 {
	t := make([]int32, len(x))
	for i := range rows {
		for j := range cols {
			t[j*rows+i] = x[i*cols+j]
		}
	}
	return t
}

func randI8Codes(rng *rand.Rand, n int) []int32 {
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(rng.IntN(256) - 128)
	}
	return v
}

// TestLinearLayerGemms runs the three GEMMs of a linear layer through
// PackI8, PackI8T and GemmI8NT and compares them with naive matmuls:
// forward Y = X·Wᵀ, input gradient dX = dY·W, weight gradient dW = dYᵀ·X.
func TestLinearLayerGemms(t *testing.T) {
	const m, k, n = 7, 13, 5 // batch, in features, out features: no multiple of 4
	rng := rand.New(rand.NewPCG(seed, 1))
	x, w, dy := randI8Codes(rng, m*k), randI8Codes(rng, n*k), randI8Codes(rng, m*n)
	wantY := naiveMatmul(x, transpose(w, n, k), m, k, n)
	wantDX := naiveMatmul(dy, w, m, n, k)
	wantDW := naiveMatmul(transpose(dy, m, n), x, n, m, k)
	for _, d := range devices(t) {
		xt, err := d.UploadI32([]int{m, k}, -7, x)
		check(t, err)
		wt, err := d.UploadI32([]int{n, k}, -6, w)
		check(t, err)
		dyt, err := d.UploadI32([]int{m, n}, -5, dy)
		check(t, err)
		r := d.Record()
		y := r.GemmI8NT(r.PackI8(xt), r.PackI8(wt))     // [m,k]·[n,k]ᵀ
		dx := r.GemmI8NT(r.PackI8(dyt), r.PackI8T(wt))  // [m,n]·([n,k]ᵀ as [k,n])ᵀ
		dw := r.GemmI8NT(r.PackI8T(dyt), r.PackI8T(xt)) // ([m,n]ᵀ)·([m,k]ᵀ)ᵀ
		check(t, r.Submit())
		for _, c := range []struct {
			name  string
			got   *Tensor
			want  []int32
			shape []int
			exp   int
		}{{"Y", y, wantY, []int{m, n}, -13}, {"dX", dx, wantDX, []int{m, k}, -11}, {"dW", dw, wantDW, []int{n, k}, -12}} {
			v, err := c.got.DownloadI32()
			check(t, err)
			if !reflect.DeepEqual(v, c.want) || !reflect.DeepEqual(c.got.Shape(), c.shape) || c.got.Exp != c.exp {
				t.Errorf("%v %s: %v %v, want %v e%d %v", d.Backend(), c.name, c.got, v, c.shape, c.exp, c.want)
			}
		}
	}
}

// TestPackSaturates checks that PackI8 clamps codes outside [-128, 127].
func TestPackSaturates(t *testing.T) {
	for _, d := range devices(t) {
		x, err := d.UploadI32([]int{1, 5}, 0, []int32{-129, 128, -1 << 31, 1<<31 - 1, 5})
		check(t, err)
		r := d.Record()
		p := r.PackI8(x)
		check(t, r.Submit())
		v, err := p.DownloadI8()
		check(t, err)
		if want := []int8{-128, 127, -128, 127, 5}; !reflect.DeepEqual(v, want) {
			t.Errorf("%v: PackI8 = %v, want %v", d.Backend(), v, want)
		}
	}
}

// TestAddAlignsExponents: a = [1, 2]·2^-3, b = [1, -1]·2^-1 gives
// [1+4, 2-4]·2^-3 = [5, -2]·2^-3 (b shifted left by 2).
func TestAddAlignsExponents(t *testing.T) {
	for _, d := range devices(t) {
		a, err := d.UploadI32([]int{2}, -3, []int32{1, 2})
		check(t, err)
		b, err := d.UploadI32([]int{2}, -1, []int32{1, -1})
		check(t, err)
		r := d.Record()
		y1, y2 := r.Add(a, b), r.Add(b, a)
		check(t, r.Submit())
		for _, y := range []*Tensor{y1, y2} {
			v, err := y.DownloadI32()
			check(t, err)
			if !reflect.DeepEqual(v, []int32{5, -2}) || y.Exp != -3 {
				t.Errorf("%v: Add = %v e%d, want [5 -2] e-3", d.Backend(), v, y.Exp)
			}
		}
	}
}

// TestWrapperValidation checks that bad arguments come back as sticky
// *KernelError values naming the kernel and shapes, before any work.
func TestWrapperValidation(t *testing.T) {
	d := openCPUDevice(t)
	other := openCPUDevice(t)
	up := func(dev *Device, shape []int, dt DType) *Tensor {
		x, err := dev.Empty(dt, shape, 0)
		check(t, err)
		return x
	}
	released := up(d, []int{4}, I32)
	released.Release()
	cases := []struct {
		name     string
		run      func(r *Recorder) *Tensor
		sentinel error
		msg      string
	}{
		{"gemm inner dims", func(r *Recorder) *Tensor { return r.GemmI8NT(up(d, []int{64, 128}, I8), up(d, []int{32, 127}, I8)) },
			ErrShape, "gpu: gemm_i8_nt [64 128]x[32 127]: inner dimensions 128 and 127 differ"},
		{"gemm dtype", func(r *Recorder) *Tensor { return r.GemmI8NT(up(d, []int{2, 4}, I32), up(d, []int{2, 4}, I8)) },
			ErrShape, "A is i32, want i8"},
		{"gemm rank", func(r *Recorder) *Tensor { return r.GemmI8NT(up(d, []int{8}, I8), up(d, []int{2, 4}, I8)) },
			ErrShape, "A has rank 1, want 2"},
		{"gemm K bound", func(r *Recorder) *Tensor {
			return r.GemmI8NT(up(d, []int{1, MaxGemmK + 1}, I8), up(d, []int{1, MaxGemmK + 1}, I8))
		}, ErrTooLarge, "K = 131072 exceeds 131071"},
		{"add shapes", func(r *Recorder) *Tensor { return r.Add(up(d, []int{2, 3}, I32), up(d, []int{3, 2}, I32)) },
			ErrShape, "gpu: add_i32 [2 3]x[3 2]: operand shapes differ"},
		{"add exponents", func(r *Recorder) *Tensor {
			a, b := up(d, []int{2}, I32), up(d, []int{2}, I32)
			a.Exp = 31
			return r.Add(a, b)
		}, ErrTooLarge, "differ by more than 30"},
		{"relu nil", func(r *Recorder) *Tensor { return r.Relu(nil) }, ErrShape, "x is nil"},
		{"relu released", func(r *Recorder) *Tensor { return r.Relu(released) }, ErrShape, "used after Release"},
		{"relu other device", func(r *Recorder) *Tensor { return r.Relu(up(other, []int{2}, I32)) }, ErrShape, "another device"},
		{"pack rank", func(r *Recorder) *Tensor { return r.PackI8(up(d, []int{2, 2, 2}, I32)) }, ErrShape, "rank 3, want 2"},
		{"run params", func(r *Recorder) *Tensor {
			x := up(d, []int{2}, I32)
			r.Run("relu_i32", struct{ N uint32 }{2}, x, x)
			return nil
		}, ErrShape, "params are struct"},
		{"variant check", func(r *Recorder) *Tensor {
			c, a := up(d, []int{1, 1}, I32), up(d, []int{1, 12}, I8)
			r.Run("gemm_i8_nt_k16", cpu.GemmParams{M: 1, N: 1, KW: 3}, c, a, a)
			return nil
		}, ErrShape, "KW must be a positive multiple of 4"},
		{"run short buffer", func(r *Recorder) *Tensor {
			out, in := up(d, []int{4}, I32), up(d, []int{3}, I32)
			r.Run("relu_i32", cpu.ReluParams{N: 4}, out, in)
			return nil
		}, ErrShape, "buffer 1 has 3 words, the params need 4"},
		{"run unknown", func(r *Recorder) *Tensor { r.Run("nope", nil); return nil }, ErrShape, "gpu: nope: unknown kernel"},
	}
	for _, c := range cases {
		r := d.Record()
		if got := c.run(r); got != nil {
			t.Errorf("%s: returned a tensor despite the error", c.name)
		}
		err := r.Err()
		var ke *KernelError
		if !errors.Is(err, c.sentinel) || !errors.As(err, &ke) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err %v, want a *KernelError wrapping %v containing %q", c.name, err, c.sentinel, c.msg)
			continue
		}
		// Sticky: later calls do nothing and Submit reports the first error.
		if y := r.Relu(up(d, []int{1}, I32)); y != nil || r.Submit() != err || r.Len() != 0 {
			t.Errorf("%s: the error did not stick", c.name)
		}
	}
}

// TestRunAliasing checks that an output bound twice is refused (WebGPU
// forbids a writable binding aliased by another).
func TestRunAliasing(t *testing.T) {
	for _, d := range devices(t) {
		x, err := d.UploadI32([]int{2}, 0, []int32{1, 2})
		check(t, err)
		r := d.Record()
		k, _ := Lookup("relu_i32")
		params := reflectZero(k)
		if err := r.Run("relu_i32", params, x, x); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "aliases") {
			t.Errorf("%v: err %v, want ErrShape about aliasing", d.Backend(), err)
		}
	}
}

func reflectZero(k *Kernel) any { return reflect.Zero(k.ParamsType()).Interface() }

// TestInvalidShaderRecovers injects an invalid WGSL module for relu_i32
// through the source hook: the error must name the kernel, and the device
// must keep working afterwards (the sticky-error workaround).
func TestInvalidShaderRecovers(t *testing.T) {
	d := openGPU(t)
	d.setSourceHook(func(k *Kernel) (string, bool) {
		if k.Name == "relu_i32" {
			return "fn relu_i32( {", true
		}
		return "", false
	})
	x, err := d.UploadI32([]int{3}, 0, []int32{-1, 0, 2})
	check(t, err)
	r := d.Record()
	if y := r.Relu(x); y != nil {
		t.Fatal("Relu returned a tensor from an invalid shader")
	}
	err = r.Err()
	var ke *KernelError
	if !errors.As(err, &ke) || ke.Kernel != "relu_i32" || !strings.HasPrefix(err.Error(), "gpu: relu_i32 [3]x[3]: ") {
		t.Fatalf("err %v, want a *KernelError for relu_i32", err)
	}
	// Another kernel works right after the failure, on the same device.
	r = d.Record()
	y := r.Add(x, x)
	check(t, r.Submit())
	v, err := y.DownloadI32()
	check(t, err)
	if !reflect.DeepEqual(v, []int32{-2, 0, 4}) {
		t.Errorf("Add after the failed shader = %v, want [-2 0 4]", v)
	}
	// With the hook removed relu_i32 compiles and runs.
	d.setSourceHook(nil)
	r = d.Record()
	y = r.Relu(x)
	check(t, r.Submit())
	v, err = y.DownloadI32()
	check(t, err)
	if !reflect.DeepEqual(v, []int32{0, 0, 2}) {
		t.Errorf("Relu after removing the hook = %v, want [0 0 2]", v)
	}
}

// TestRecorderBatches records many dispatches and submits them together;
// the chain's result depends on every step running in order.
func TestRecorderBatches(t *testing.T) {
	for _, d := range devices(t) {
		x, err := d.UploadI32([]int{5}, 0, []int32{1, -2, 3, -4, 5})
		check(t, err)
		r := d.Record()
		y := x
		for range 10 {
			y = r.Add(y, x) // y = y + x
		}
		y = r.Relu(y)
		if r.Len() != 11 {
			t.Errorf("%v: Len = %d, want 11", d.Backend(), r.Len())
		}
		check(t, r.Submit())
		if r.Len() != 0 {
			t.Errorf("%v: Len after Submit = %d, want 0", d.Backend(), r.Len())
		}
		v, err := y.DownloadI32()
		check(t, err)
		if want := []int32{11, 0, 33, 0, 55}; !reflect.DeepEqual(v, want) {
			t.Errorf("%v: 11·x then relu = %v, want %v", d.Backend(), v, want)
		}
		check(t, d.Wait())
	}
}

// TestEmptyOperands: K = 0 gives a zero product, and empty tensors record
// nothing to run.
func TestEmptyOperands(t *testing.T) {
	for _, d := range devices(t) {
		a, err := d.UploadI8([]int{2, 0}, 0, nil)
		check(t, err)
		b, err := d.UploadI8([]int{3, 0}, 0, nil)
		check(t, err)
		e, err := d.UploadI32([]int{0, 4}, 0, nil)
		check(t, err)
		r := d.Record()
		c := r.GemmI8NT(a, b)
		y := r.Relu(e)
		check(t, r.Submit())
		v, err := c.DownloadI32()
		check(t, err)
		if !reflect.DeepEqual(v, make([]int32, 6)) {
			t.Errorf("%v: [2 0]·[3 0]ᵀ = %v, want six zeros", d.Backend(), v)
		}
		if yv, err := y.DownloadI32(); err != nil || len(yv) != 0 {
			t.Errorf("%v: Relu of [0 4] = %v, %v", d.Backend(), yv, err)
		}
	}
}

// TestErrorWord checks overflow reporting through the error word: with
// Options.Debug, Submit returns ErrOverflow naming add_i32; without it the
// flag waits for Device.ErrorWord, which clears it.
func TestErrorWord(t *testing.T) {
	for _, d := range devices(t) {
		for _, debug := range []bool{false, true} {
			dev, err := Open(Options{Backend: d.Backend(), Debug: debug})
			check(t, err)
			defer dev.Close()
			a, err := dev.UploadI32([]int{2}, 0, []int32{1, 1<<31 - 1})
			check(t, err)
			r := dev.Record()
			r.Add(a, a) // 1+1 fits; (2^31-1)·2 wraps
			err = r.Submit()
			var ke *KernelError
			if debug && (!errors.Is(err, ErrOverflow) || !errors.As(err, &ke) || ke.Kernel != "add_i32") {
				t.Errorf("%v debug: Submit err %v, want ErrOverflow from add_i32", dev.Backend(), err)
			}
			if !debug {
				check(t, err)
				if w, err := dev.ErrorWord(); w != cpu.ErrOverflow || !errors.Is(err, ErrOverflow) {
					t.Errorf("%v: ErrorWord = %#x, %v; want ErrOverflow", dev.Backend(), w, err)
				}
			}
			if w, err := dev.ErrorWord(); w != 0 || err != nil {
				t.Errorf("%v debug=%v: ErrorWord after reading = %#x, %v; want 0, nil", dev.Backend(), debug, w, err)
			}
			// No overflow: no error.
			r = dev.Record()
			b, err := dev.UploadI32([]int{2}, 0, []int32{1, -1})
			check(t, err)
			r.Add(b, b)
			if err := r.Submit(); err != nil {
				t.Errorf("%v debug=%v: Submit without overflow: %v", dev.Backend(), debug, err)
			}
		}
	}
}
