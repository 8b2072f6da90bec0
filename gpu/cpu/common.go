package cpu

// This file is the twin of shaders/common.wgsl — keep in sync. It also holds
// the helpers that spell out WGSL integer semantics where Go differs.

// Shl is WGSL's i32 << u32: the shift count is taken mod 32 and the bits
// shifted out are lost (two's complement wrap, no error).
func Shl(x int32, s uint32) int32 { return int32(uint32(x) << (s & 31)) }

// Shr is WGSL's i32 >> u32: an arithmetic shift with the count taken mod 32.
func Shr(x int32, s uint32) int32 { return x >> (s & 31) }

// DivI32 is WGSL's i32 / i32: truncating division where x / 0 = x and
// MinInt32 / -1 = MinInt32 (Go panics on the first and wraps on the second).
func DivI32(x, y int32) int32 {
	if y == 0 {
		return x
	}
	if y == -1 {
		return -x // wraps for MinInt32, as WGSL does
	}
	return x / y
}

// RemI32 is WGSL's i32 % i32, where x % 0 = 0 and MinInt32 % -1 = 0.
func RemI32(x, y int32) int32 {
	if y == 0 || y == -1 {
		return 0
	}
	return x % y
}

// SignExtendI8 is the twin of sign_extend_i8: lane l (0..3, little-endian)
// of w, sign-extended.
func SignExtendI8(w uint32, l uint32) int32 { return int32(w<<(24-8*(l&3))) >> 24 }

// ClampI8 is the twin of clamp_i8: x saturated to [-128, 127].
func ClampI8(x int32) int32 { return min(max(x, -128), 127) }

// ByteI8 is the twin of byte_i8: the two's complement byte of ClampI8(x).
func ByteI8(x int32) uint32 { return uint32(ClampI8(x)) & 0xFF }

// AbsU32 is the twin of abs_u32: |x| as uint32, exact for every int32.
func AbsU32(x int32) uint32 {
	u := uint32(x)
	if x < 0 {
		return -u
	}
	return u
}

// Dot4I8Packed is WGSL's dot4I8Packed(a, b): the sum over the four lanes of
// the sign-extended int8 products. It cannot overflow (|sum| <= 4*128*128).
func Dot4I8Packed(a, b uint32) int32 {
	return int32(int8(a))*int32(int8(b)) +
		int32(int8(a>>8))*int32(int8(b>>8)) +
		int32(int8(a>>16))*int32(int8(b>>16)) +
		int32(int8(a>>24))*int32(int8(b>>24))
}

// ErrOverflow is ERR_OVERFLOW of common.wgsl: the error-word flag of an
// integer result that did not fit its type.
const ErrOverflow uint32 = 1

// ShlOverflows is the twin of shl_overflows: Shl(x, s) loses bits.
func ShlOverflows(x int32, s uint32) bool { return Shr(Shl(x, s), s) != x }

// AddOverflows is the twin of add_overflows: the int32 sum a + b wraps.
func AddOverflows(a, b int32) bool {
	s := a + b
	return (a^s)&(b^s) < 0
}
