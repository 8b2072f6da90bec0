package gpu

import "fmt"

// DType is the element type of a tensor. Every device buffer is a sequence
// of 32-bit words; the dtype says how elements sit in them.
type DType uint8

// The dtypes. Narrow types pack several elements per word, little-endian
// (element j of a word in bits 8j..8j+7, or 16j..16j+15 for I16), along the
// last dimension, and every row (the last dimension) starts on a new word,
// with zero padding lanes.
const (
	I8  DType = iota + 1 // int8, 4 per word
	U8                   // uint8, 4 per word
	I16                  // int16, 2 per word
	I32                  // int32, one word
	U32                  // uint32, one word (e.g. max|x| of an int32 tensor)
	I64                  // int64, two words (lo, hi), for wide exact sums
	F32                  // float32 bits, one word
)

// String returns the dtype's name, e.g. "i8".
func (d DType) String() string {
	switch d {
	case I8:
		return "i8"
	case U8:
		return "u8"
	case I16:
		return "i16"
	case I32:
		return "i32"
	case U32:
		return "u32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// perWord returns how many elements share one word (narrow types), or 0 for
// dtypes of one or more whole words.
func (d DType) perWord() int {
	switch d {
	case I8, U8:
		return 4
	case I16:
		return 2
	}
	return 0
}

// valid reports whether d is one of the dtypes above.
func (d DType) valid() bool { return d >= I8 && d <= F32 }

// words returns the number of 32-bit words a tensor of this dtype and shape
// occupies: narrow types pad each row (last dimension) to whole words, I64
// takes two words per element.
func (d DType) words(shape []int) int {
	n := numElems(shape)
	if per := d.perWord(); per > 0 {
		if len(shape) == 0 {
			return (1 + per - 1) / per
		}
		last := shape[len(shape)-1]
		rows := 1
		for _, s := range shape[:len(shape)-1] {
			rows *= s
		}
		return rows * ((last + per - 1) / per)
	}
	if d == I64 {
		return 2 * n
	}
	return n
}

// numElems returns the product of the shape (1 for a scalar shape).
func numElems(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// checkShape validates a shape: no negative dimension and no overflow past
// maxElems.
func checkShape(shape []int) error {
	n := 1
	for _, s := range shape {
		if s < 0 {
			return fmt.Errorf("gpu: negative dimension in shape %v: %w", shape, ErrShape)
		}
		if s > 0 && n > (1<<40)/s {
			return fmt.Errorf("gpu: shape %v has too many elements: %w", shape, ErrTooLarge)
		}
		n *= s
	}
	return nil
}
