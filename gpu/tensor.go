package gpu

import (
	"fmt"
	"math"
	"slices"
)

// Tensor is a buffer of 32-bit words on a device with a dtype, a shape and
// an exponent: element value = code * 2^Exp. Its contents stay on the
// device until downloaded. Release returns its buffer to the device's pool.
type Tensor struct {
	// Exp is the power-of-two exponent of the codes: value = code * 2^Exp
	// (Exp = -frac in method.md terms).
	Exp int
	// Scale, when non-nil, makes the exponent data-dependent: it is a
	// 1-element I32 tensor on the same device holding a further exponent
	// computed by a kernel (E1 and E2 take R(x) = 2^round(log2 max|x|) from
	// the data, docs/dataflow.md), so that value = code * 2^(Exp + Scale[0]).
	// Kernels that produce such tensors write Scale; kernels that need the
	// absolute value (weight decay, residual adds of errors) read it. The
	// host learns it only by downloading it.
	Scale *Tensor

	dev   *Device
	buf   buffer // nil after Release
	dtype DType
	shape []int
	words int
}

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Shape returns a copy of the shape.
func (t *Tensor) Shape() []int { return slices.Clone(t.shape) }

// Len returns the number of elements.
func (t *Tensor) Len() int { return numElems(t.shape) }

// Words returns the number of 32-bit words of the buffer.
func (t *Tensor) Words() int { return t.words }

// Device returns the device holding the tensor.
func (t *Tensor) Device() *Device { return t.dev }

// String returns e.g. "i32[64 128]e-7".
func (t *Tensor) String() string { return fmt.Sprintf("%v%ve%d", t.dtype, t.shape, t.Exp) }

// Release returns the tensor's buffer to the device's pool; the tensor must
// not be used afterwards, nor be Released before a Submit that uses it.
// Release is idempotent and a no-op on a closed device.
func (t *Tensor) Release() {
	if t == nil || t.buf == nil {
		return
	}
	d := t.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		d.be.free(t.buf)
	}
	t.buf = nil
}

// Empty allocates a tensor whose contents are unspecified (a recycled
// buffer keeps its old words). It fails with ErrShape for an invalid dtype
// or shape and with ErrTooLarge when the buffer exceeds the device's
// maxStorageBufferBindingSize.
func (d *Device) Empty(dt DType, shape []int, exp int) (*Tensor, error) {
	if !dt.valid() {
		return nil, fmt.Errorf("gpu: invalid dtype %v: %w", dt, ErrShape)
	}
	if err := checkShape(shape); err != nil {
		return nil, err
	}
	if numElems(shape) > 1<<32-1 {
		return nil, fmt.Errorf("gpu: tensor %v%v has more than 2^32-1 elements: %w", dt, shape, ErrTooLarge)
	}
	words := dt.words(shape)
	limit := d.info.Limits.MaxStorageBufferBindingSize
	if bytes := uint64(words) * 4; bytes > limit {
		return nil, fmt.Errorf("gpu: tensor %v%v needs %d bytes, over the device's maxStorageBufferBindingSize %d: %w",
			dt, shape, bytes, limit, ErrTooLarge)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	buf, err := d.be.alloc(words)
	if err != nil {
		return nil, err
	}
	return &Tensor{Exp: exp, dev: d, buf: buf, dtype: dt, shape: slices.Clone(shape), words: words}, nil
}

// UploadWords allocates a tensor and copies words (exactly its Words())
// into it, the raw form of the typed uploads.
func (d *Device) UploadWords(dt DType, shape []int, exp int, words []uint32) (*Tensor, error) {
	t, err := d.Empty(dt, shape, exp)
	if err != nil {
		return nil, err
	}
	if len(words) != t.words {
		t.Release()
		return nil, fmt.Errorf("gpu: %d words for %v%v, want %d: %w", len(words), dt, shape, t.words, ErrShape)
	}
	if err := t.write(words); err != nil {
		t.Release()
		return nil, err
	}
	return t, nil
}

// write copies words into the tensor's buffer.
func (t *Tensor) write(words []uint32) error {
	d := t.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := t.usable(); err != nil {
		return err
	}
	return d.be.write(t.buf, 0, words)
}

// usable reports a released tensor or a closed device; d.mu is held.
func (t *Tensor) usable() error {
	if t.dev.closed {
		return ErrClosed
	}
	if t.buf == nil {
		return fmt.Errorf("gpu: tensor %v used after Release: %w", t, ErrShape)
	}
	return nil
}

// DownloadWords returns the tensor's words after all submitted work has
// finished (work recorded but not yet submitted is not included).
func (t *Tensor) DownloadWords() ([]uint32, error) {
	d := t.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := t.usable(); err != nil {
		return nil, err
	}
	return d.be.read(t.buf, 0, t.words)
}

// upload checks the element count and uploads the packed words.
func upload[E any](d *Device, dt DType, shape []int, exp int, data []E, pack func([]int, []E) []uint32) (*Tensor, error) {
	if err := checkShape(shape); err != nil {
		return nil, err
	}
	if len(data) != numElems(shape) {
		return nil, fmt.Errorf("gpu: %d values for shape %v: %w", len(data), shape, ErrShape)
	}
	return d.UploadWords(dt, shape, exp, pack(shape, data))
}

// download checks the dtype and unpacks the words.
func download[E any](t *Tensor, dt DType, unpack func([]int, []uint32) []E) ([]E, error) {
	if t.dtype != dt {
		return nil, fmt.Errorf("gpu: download %v from a %v tensor: %w", dt, t.dtype, ErrShape)
	}
	w, err := t.DownloadWords()
	if err != nil {
		return nil, err
	}
	return unpack(t.shape, w), nil
}

// UploadI8 uploads int8 codes, packed 4 per word along the last dimension.
func (d *Device) UploadI8(shape []int, exp int, data []int8) (*Tensor, error) {
	return upload(d, I8, shape, exp, data, packNarrow[int8](4))
}

// UploadU8 uploads uint8 codes, packed 4 per word along the last dimension.
func (d *Device) UploadU8(shape []int, exp int, data []uint8) (*Tensor, error) {
	return upload(d, U8, shape, exp, data, packNarrow[uint8](4))
}

// UploadI16 uploads int16 codes, packed 2 per word along the last dimension.
func (d *Device) UploadI16(shape []int, exp int, data []int16) (*Tensor, error) {
	return upload(d, I16, shape, exp, data, packNarrow[int16](2))
}

// UploadI32 uploads int32 codes.
func (d *Device) UploadI32(shape []int, exp int, data []int32) (*Tensor, error) {
	return upload(d, I32, shape, exp, data, func(_ []int, v []int32) []uint32 { return convert(v, func(x int32) uint32 { return uint32(x) }) })
}

// UploadU32 uploads uint32 values.
func (d *Device) UploadU32(shape []int, exp int, data []uint32) (*Tensor, error) {
	return upload(d, U32, shape, exp, data, func(_ []int, v []uint32) []uint32 { return slices.Clone(v) })
}

// UploadI64 uploads int64 values as two words each (lo, hi).
func (d *Device) UploadI64(shape []int, exp int, data []int64) (*Tensor, error) {
	return upload(d, I64, shape, exp, data, func(_ []int, v []int64) []uint32 {
		w := make([]uint32, 2*len(v))
		for i, x := range v {
			w[2*i], w[2*i+1] = uint32(x), uint32(uint64(x)>>32)
		}
		return w
	})
}

// UploadF32 uploads float32 values (their IEEE 754 bits).
func (d *Device) UploadF32(shape []int, exp int, data []float32) (*Tensor, error) {
	return upload(d, F32, shape, exp, data, func(_ []int, v []float32) []uint32 { return convert(v, math.Float32bits) })
}

// DownloadI8 returns the int8 codes of an I8 tensor.
func (t *Tensor) DownloadI8() ([]int8, error) { return download(t, I8, unpackNarrow[int8](4)) }

// DownloadU8 returns the uint8 codes of a U8 tensor.
func (t *Tensor) DownloadU8() ([]uint8, error) { return download(t, U8, unpackNarrow[uint8](4)) }

// DownloadI16 returns the int16 codes of an I16 tensor.
func (t *Tensor) DownloadI16() ([]int16, error) { return download(t, I16, unpackNarrow[int16](2)) }

// DownloadI32 returns the int32 codes of an I32 tensor.
func (t *Tensor) DownloadI32() ([]int32, error) {
	return download(t, I32, func(_ []int, w []uint32) []int32 { return convert(w, func(x uint32) int32 { return int32(x) }) })
}

// DownloadU32 returns the values of a U32 tensor.
func (t *Tensor) DownloadU32() ([]uint32, error) {
	return download(t, U32, func(_ []int, w []uint32) []uint32 { return w })
}

// DownloadI64 returns the values of an I64 tensor (words lo, hi).
func (t *Tensor) DownloadI64() ([]int64, error) {
	return download(t, I64, func(_ []int, w []uint32) []int64 {
		v := make([]int64, len(w)/2)
		for i := range v {
			v[i] = int64(uint64(w[2*i]) | uint64(w[2*i+1])<<32)
		}
		return v
	})
}

// DownloadF32 returns the values of an F32 tensor.
func (t *Tensor) DownloadF32() ([]float32, error) {
	return download(t, F32, func(_ []int, w []uint32) []float32 { return convert(w, math.Float32frombits) })
}

// convert maps f over s.
func convert[A, B any](s []A, f func(A) B) []B {
	out := make([]B, len(s))
	for i, x := range s {
		out[i] = f(x)
	}
	return out
}

// narrow are the element types packed several per word.
type narrow interface{ ~int8 | ~uint8 | ~int16 }

// rowsOf returns (rows, last) of a shape: the last dimension and the
// product of the others (a scalar is one row of one).
func rowsOf(shape []int) (rows, last int) {
	if len(shape) == 0 {
		return 1, 1
	}
	last = shape[len(shape)-1]
	return numElems(shape[:len(shape)-1]), last
}

// packNarrow packs per values to a word, little-endian, along the last
// dimension; each row starts a new word and padding lanes are zero.
func packNarrow[E narrow](per int) func([]int, []E) []uint32 {
	bits := 32 / per
	mask := uint32(1)<<bits - 1
	return func(shape []int, v []E) []uint32 {
		rows, last := rowsOf(shape)
		kw := (last + per - 1) / per
		w := make([]uint32, rows*kw)
		for i, x := range v {
			r, j := i/max(last, 1), i%max(last, 1)
			w[r*kw+j/per] |= (uint32(int32(x)) & mask) << (bits * (j % per))
		}
		return w
	}
}

// unpackNarrow is the inverse of packNarrow, sign-extending signed types.
func unpackNarrow[E narrow](per int) func([]int, []uint32) []E {
	bits := 32 / per
	return func(shape []int, w []uint32) []E {
		rows, last := rowsOf(shape)
		kw := (last + per - 1) / per
		v := make([]E, rows*last)
		for i := range v {
			r, j := i/last, i%last
			v[i] = E(w[r*kw+j/per] >> (bits * (j % per)))
		}
		return v
	}
}
