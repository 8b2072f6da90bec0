package statedict

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// pickle argument kinds, after Python's pickletools.
const (
	argNone    = iota // no argument
	argFixed          // a fixed number of bytes
	argLen1           // 1-byte length, then that many bytes
	argLen4           // 4-byte little-endian length, then that many bytes
	argLen8           // 8-byte little-endian length, then that many bytes
	argLine           // bytes up to a newline
	argTwoLine        // two newline-terminated lines
)

// pickleOp is one opcode's argument layout.
type pickleOp struct {
	kind int
	size int // argFixed only
}

// pickleOps lists every opcode of pickle protocols 0 to 5 (CPython
// Lib/pickletools.py) with its argument layout.
var pickleOps = func() [256]*pickleOp {
	var t [256]*pickleOp
	set := func(codes string, op pickleOp) {
		for i := 0; i < len(codes); i++ {
			o := op
			t[codes[i]] = &o
		}
	}
	set("(.012N\x52abd}el]ost)uQ\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98", pickleOp{kind: argNone})
	set("Khq\x80\x82", pickleOp{kind: argFixed, size: 1})
	set("M\x83", pickleOp{kind: argFixed, size: 2})
	set("Jjr\x84", pickleOp{kind: argFixed, size: 4})
	set("G", pickleOp{kind: argFixed, size: 8})
	set("\x95", pickleOp{kind: argFixed, size: 8}) // FRAME: its length is checked below
	set("UC\x8c\x8a", pickleOp{kind: argLen1})
	set("TXB\x8b", pickleOp{kind: argLen4})
	set("\x8d\x8e\x96", pickleOp{kind: argLen8})
	set("ILFSVPgp", pickleOp{kind: argLine})
	set("ci", pickleOp{kind: argTwoLine})
	return t
}()

// scanPickle walks the opcodes of the pickle at the start of b without
// running it and return its length in bytes, up to and including STOP. It
// checks that every length-prefixed argument and frame fits in b, so that
// the unpickler, which allocates a declared length before reading it, never
// asks for more memory than the input holds. Errors wrap ErrFormat.
func scanPickle(b []byte) (int, error) {
	i := 0
	for i < len(b) {
		code := b[i]
		op := pickleOps[code]
		if op == nil {
			return 0, fmt.Errorf("%w: pickle opcode %#02x at byte %d is unknown", ErrFormat, code, i)
		}
		i++
		var n uint64
		switch op.kind {
		case argFixed:
			n = uint64(op.size)
			if code == 0x95 && i+8 <= len(b) { // FRAME length
				if fl := binary.LittleEndian.Uint64(b[i:]); fl > uint64(len(b)-i-8) {
					return 0, fmt.Errorf("%w: pickle frame of %d bytes at byte %d exceeds the input", ErrFormat, fl, i-1)
				}
			}
		case argLen1:
			if i+1 > len(b) {
				return 0, truncatedPickle(i)
			}
			n = 1 + uint64(b[i])
		case argLen4:
			if i+4 > len(b) {
				return 0, truncatedPickle(i)
			}
			n = 4 + uint64(binary.LittleEndian.Uint32(b[i:])) // signed lengths: negative ones look huge and fail
		case argLen8:
			if i+8 > len(b) {
				return 0, truncatedPickle(i)
			}
			n = binary.LittleEndian.Uint64(b[i:])
			if n > uint64(len(b)) {
				return 0, truncatedPickle(i)
			}
			n += 8
		case argLine, argTwoLine:
			lines := 1
			if op.kind == argTwoLine {
				lines = 2
			}
			for range lines {
				j := bytes.IndexByte(b[i+int(n):], '\n')
				if j < 0 {
					return 0, truncatedPickle(i)
				}
				n += uint64(j) + 1
			}
		}
		if n > uint64(len(b)-i) {
			return 0, truncatedPickle(i)
		}
		i += int(n)
		if code == '.' { // STOP
			return i, nil
		}
	}
	return 0, truncatedPickle(i)
}

// truncatedPickle reports a pickle that ends before STOP or whose
// argument at byte i runs past the end.
func truncatedPickle(i int) error {
	return fmt.Errorf("%w: pickle truncated at byte %d", ErrFormat, i)
}
