package statedict

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// maxExpandedBytes bounds the size of a materialized tensor that is larger
// than its storage (a stride-0, expanded tensor), so that a tiny file cannot
// ask for an arbitrarily large allocation.
const maxExpandedBytes = 1 << 24 // 16 MiB

// isOwn reports whether err wraps one of the package's sentinels.
func isOwn(err error) bool {
	for _, s := range []error{ErrFormat, ErrUnsupported, ErrDType, ErrShape, ErrRange, ErrKey, ErrMetadata, ErrMismatch} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// materialize copies the elements a strided view selects into a
// row-major Tensor. Element i = (i_0, ..., i_{d-1}) of the view is storage
// element offset + Σ i_k·stride_k (torch's as_strided rule). Every index the
// view can reach must lie inside the storage; strides must be non-negative
// (torch never saves negative strides).
func (t *torchTensor) materialize() (Tensor, error) {
	st := t.storage
	es := st.dtype.Size()
	n, err := NumElements(t.size)
	if err != nil {
		return Tensor{}, fmt.Errorf("%w: tensor size %v: %v", ErrFormat, t.size, err)
	}
	if len(st.data) != st.numel*es {
		return Tensor{}, fmt.Errorf("%w: storage holds %d bytes, want %d", ErrFormat, len(st.data), st.numel*es)
	}
	out := Tensor{DType: st.dtype, Shape: cloneShape(t.size)}
	if n == 0 {
		out.Data = []byte{}
		return out, nil
	}
	// last = offset + Σ (size_k - 1)·stride_k, the furthest element reached.
	last := uint64(t.offset)
	ok := t.offset >= 0
	for k, s := range t.size {
		if t.stride[k] < 0 {
			ok = false
			break
		}
		hi, lo := bits.Mul64(uint64(s-1), uint64(t.stride[k]))
		var carry uint64
		last, carry = bits.Add64(last, lo, 0)
		if hi != 0 || carry != 0 {
			ok = false
			break
		}
	}
	if !ok || last >= uint64(st.numel) {
		return Tensor{}, fmt.Errorf("%w: view (offset %d, size %v, stride %v) reaches outside its storage of %d elements",
			ErrFormat, t.offset, t.size, t.stride, st.numel)
	}
	if n > st.numel && (n > math.MaxInt/es || n*es > maxExpandedBytes) {
		return Tensor{}, fmt.Errorf("%w: expanded view of size %v exceeds %d bytes", ErrUnsupported, t.size, maxExpandedBytes)
	}
	out.Data = make([]byte, n*es) // n <= numel, or bounded above
	if t.contiguous() {
		copy(out.Data, st.data[t.offset*es:])
		return out, nil
	}
	idx := make([]int, len(t.size)) // row-major counter over the view
	src := t.offset
	for i := 0; i < n; i++ {
		copy(out.Data[i*es:(i+1)*es], st.data[src*es:])
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			src += t.stride[k]
			if idx[k] < t.size[k] {
				break
			}
			src -= idx[k] * t.stride[k]
			idx[k] = 0
		}
	}
	return out, nil
}

// contiguous reports whether the view's strides are the row-major ones
// for its sizes (dimensions of size 1 may have any stride).
func (t *torchTensor) contiguous() bool {
	want := 1
	for k := len(t.size) - 1; k >= 0; k-- {
		if t.size[k] != 1 && t.stride[k] != want {
			return false
		}
		want *= t.size[k]
	}
	return true
}
