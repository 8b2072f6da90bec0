package statedict

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Tensor is a host tensor: an element type, a shape and the elements in
// row-major (C) order as raw little-endian bytes, len(Data) =
// NumElements(Shape)·DType.Size(). A 0-d tensor (PyTorch's scalar, such as
// num_batches_tracked) has an empty Shape and one element.
type Tensor struct {
	DType DType
	Shape []int
	Data  []byte
}

// NumElements returns the product of the sizes in shape (1 for an empty
// shape). A negative size or a product that overflows int gives an error
// wrapping [ErrShape].
func NumElements(shape []int) (int, error) {
	n := 1
	for _, s := range shape {
		if s < 0 {
			return 0, fmt.Errorf("%w: negative size in %v", ErrShape, shape)
		}
		hi, lo := bits.Mul64(uint64(n), uint64(s))
		if hi != 0 || lo > math.MaxInt {
			return 0, fmt.Errorf("%w: element count of %v overflows int", ErrShape, shape)
		}
		n = int(lo)
	}
	return n, nil
}

// byteLen returns NumElements(shape)·dt.Size(), checking dt and overflow.
func byteLen(dt DType, shape []int) (int, error) {
	if !dt.Valid() {
		return 0, fmt.Errorf("%w: %v", ErrDType, dt)
	}
	n, err := NumElements(shape)
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt/dt.Size() {
		return 0, fmt.Errorf("%w: byte size of %v %v overflows int", ErrShape, dt, shape)
	}
	return n * dt.Size(), nil
}

// Validate checks that t.DType is valid, t.Shape has no negative size
// and len(t.Data) = NumElements(t.Shape)·t.DType.Size(). Errors wrap
// [ErrDType] or [ErrShape].
func (t Tensor) Validate() error {
	n, err := byteLen(t.DType, t.Shape)
	if err != nil {
		return err
	}
	if len(t.Data) != n {
		return fmt.Errorf("%w: %v %v needs %d bytes, have %d", ErrShape, t.DType, t.Shape, n, len(t.Data))
	}
	return nil
}

// NumElements returns the element count of t, len(t.Data)/t.DType.Size()
// for a valid tensor.
func (t Tensor) NumElements() (int, error) { return NumElements(t.Shape) }

// Clone returns a deep copy of t.
func (t Tensor) Clone() Tensor {
	return Tensor{DType: t.DType, Shape: cloneShape(t.Shape), Data: append([]byte(nil), t.Data...)}
}

// cloneShape copies a shape; the copy of an empty shape is []int{}, never
// nil, so that 0-d tensors look the same however they were made.
func cloneShape(shape []int) []int { return append([]int{}, shape...) }

// New returns a tensor of type dt and the given shape holding a copy of
// data (raw little-endian elements, row-major). Errors wrap [ErrDType] or
// [ErrShape].
func New(dt DType, shape []int, data []byte) (Tensor, error) {
	t := Tensor{DType: dt, Shape: cloneShape(shape), Data: append([]byte{}, data...)}
	if err := t.Validate(); err != nil {
		return Tensor{}, err
	}
	return t, nil
}

// fromElems encodes data with put into a new tensor, after checking that
// len(data) matches shape.
func fromElems[E any](dt DType, shape []int, data []E, put func(b []byte, v E)) (Tensor, error) {
	n, err := NumElements(shape)
	if err != nil {
		return Tensor{}, err
	}
	if n != len(data) {
		return Tensor{}, fmt.Errorf("%w: shape %v has %d elements, data has %d", ErrShape, shape, n, len(data))
	}
	size := dt.Size()
	if n > math.MaxInt/size {
		return Tensor{}, fmt.Errorf("%w: byte size of %v %v overflows int", ErrShape, dt, shape)
	}
	b := make([]byte, n*size)
	for i, v := range data {
		put(b[i*size:], v)
	}
	return Tensor{DType: dt, Shape: cloneShape(shape), Data: b}, nil
}

// FromFloat32 returns an F32 tensor of the given shape holding data.
// len(data) must equal NumElements(shape), else the error wraps [ErrShape].
func FromFloat32(shape []int, data []float32) (Tensor, error) {
	return fromElems(F32, shape, data, func(b []byte, v float32) {
		binary.LittleEndian.PutUint32(b, math.Float32bits(v))
	})
}

// FromFloat64 returns an F64 tensor; see [FromFloat32].
func FromFloat64(shape []int, data []float64) (Tensor, error) {
	return fromElems(F64, shape, data, func(b []byte, v float64) {
		binary.LittleEndian.PutUint64(b, math.Float64bits(v))
	})
}

// FromInt8 returns an I8 tensor (for example quantized codes); see
// [FromFloat32].
func FromInt8(shape []int, data []int8) (Tensor, error) {
	return fromElems(I8, shape, data, func(b []byte, v int8) { b[0] = byte(v) })
}

// FromUint8 returns a U8 tensor; see [FromFloat32].
func FromUint8(shape []int, data []uint8) (Tensor, error) {
	return fromElems(U8, shape, data, func(b []byte, v uint8) { b[0] = v })
}

// FromInt16 returns an I16 tensor; see [FromFloat32].
func FromInt16(shape []int, data []int16) (Tensor, error) {
	return fromElems(I16, shape, data, func(b []byte, v int16) {
		binary.LittleEndian.PutUint16(b, uint16(v))
	})
}

// FromInt32 returns an I32 tensor; see [FromFloat32].
func FromInt32(shape []int, data []int32) (Tensor, error) {
	return fromElems(I32, shape, data, func(b []byte, v int32) {
		binary.LittleEndian.PutUint32(b, uint32(v))
	})
}

// FromInt64 returns an I64 tensor (PyTorch's num_batches_tracked is a
// 0-d I64 tensor: FromInt64(nil, []int64{n})); see [FromFloat32].
func FromInt64(shape []int, data []int64) (Tensor, error) {
	return fromElems(I64, shape, data, func(b []byte, v int64) {
		binary.LittleEndian.PutUint64(b, uint64(v))
	})
}

// FromBool returns a BOOL tensor (one byte per element, 0 or 1); see
// [FromFloat32].
func FromBool(shape []int, data []bool) (Tensor, error) {
	return fromElems(Bool, shape, data, func(b []byte, v bool) {
		if v {
			b[0] = 1
		}
	})
}
