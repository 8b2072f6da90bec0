package tensorboard

import (
	"bytes"
	"hash/crc32"
	"testing"
)

// TestCRC32C checks the Castagnoli CRC against published check values and
// the mask of TensorFlow's crc32c.h against values computed outside Go
// (Python integers) from Mask(c) = ((c >> 15) | (c << 17)) + 0xa282ead8.
func TestCRC32C(t *testing.T) {
	inc := make([]byte, 32)
	dec := make([]byte, 32)
	for k := range inc {
		inc[k] = byte(k)
		dec[k] = byte(31 - k)
	}
	// The 48-byte iSCSI read command of RFC 3720 B.4.
	iscsi := []byte{
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	}
	for _, tc := range []struct {
		name      string
		data      []byte
		crc, mask uint32
	}{
		// CRC catalogue "CRC-32/ISCSI" check value.
		{"123456789", []byte("123456789"), 0xE3069283, 0xC78AB0E5},
		// RFC 3720 appendix B.4 vectors, as in TensorFlow's
		// tensorflow/core/lib/hash/crc32c_test.cc.
		{"32 zeros", make([]byte, 32), 0x8A9136AA, 0x0FD7FFFA},
		{"32 0xff", bytes.Repeat([]byte{0xff}, 32), 0x62A8AB43, 0xF909B029},
		{"0..31", inc, 0x46DD794E, 0x951F7892},
		{"31..0", dec, 0x113FDB5C, 0x593B0D57},
		{"iscsi read", iscsi, 0xD9963A56, 0x17309E04},
		{"fox", []byte("The quick brown fox jumps over the lazy dog"), 0x22620404, 0xAA8B2F9C},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := crc32.Checksum(tc.data, castagnoli); got != tc.crc {
				t.Errorf("CRC-32C = %#08x, want %#08x", got, tc.crc)
			}
			if got := maskedCRC(tc.data); got != tc.mask {
				t.Errorf("masked = %#08x, want %#08x", got, tc.mask)
			}
		})
	}
}

// TestEncodeScalarEvent compares the encoding of a scalar event with bytes
// assembled by hand from the protobuf wire format (key = field<<3 | type).
func TestEncodeScalarEvent(t *testing.T) {
	got := encodeEvent(1.5, 3, "", encodeScalarSummary("a", 2))
	want := []byte{
		0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, // wall_time = 1.5 (fixed64 0x3FF8000000000000)
		0x10, 0x03, // step = 3
		0x2A, 10, // summary, 10 bytes
		0x0A, 8, // value, 8 bytes
		0x0A, 1, 'a', // tag "a"
		0x15, 0, 0, 0, 0x40, // simple_value = 2.0f (0x40000000)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got  % x\nwant % x", got, want)
	}
	// A negative step is a ten-byte two's-complement varint.
	neg := encodeEvent(0, -1, "", nil)
	wantNeg := []byte{0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}
	if !bytes.Equal(neg, wantNeg) {
		t.Errorf("step -1: got % x\nwant % x", neg, wantNeg)
	}
}

// TestAppendRecord checks the framing: uint64 length LE, its masked CRC,
// the data, the data's masked CRC.
func TestAppendRecord(t *testing.T) {
	data := []byte("123456789")
	rec := appendRecord(nil, data)
	want := []byte{9, 0, 0, 0, 0, 0, 0, 0}
	lc := maskedCRC(want)
	want = append(want, byte(lc), byte(lc>>8), byte(lc>>16), byte(lc>>24))
	want = append(want, data...)
	want = append(want, 0xE5, 0xB0, 0x8A, 0xC7) // 0xC78AB0E5 little-endian, from TestCRC32C
	if !bytes.Equal(rec, want) {
		t.Errorf("got  % x\nwant % x", rec, want)
	}
}
