package tensorboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxRecord bounds the length a reader accepts for one record (1 GiB), so
// that a corrupt length cannot make it allocate without limit.
const maxRecord = 1 << 30

// appendRecord appends data framed as one TFRecord:
//
//	uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes |
//	data | uint32 masked CRC-32C of data
//
// all little-endian.
func appendRecord(dst, data []byte) []byte {
	var hdr [8]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(len(data)))
	dst = append(dst, hdr[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, maskedCRC(hdr[:]))
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, maskedCRC(data))
}

// readRecord reads one record from r and checks both CRCs. It returns
// io.EOF at a clean end of input and an error wrapping ErrCorrupt for a
// truncated record or a CRC mismatch.
func readRecord(r io.Reader) ([]byte, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%w: record header: %w", ErrCorrupt, err)
	}
	if got, want := binary.LittleEndian.Uint32(hdr[8:]), maskedCRC(hdr[:8]); got != want {
		return nil, fmt.Errorf("%w: length CRC %#08x, want %#08x", ErrCorrupt, got, want)
	}
	n := binary.LittleEndian.Uint64(hdr[:8])
	if n > maxRecord {
		return nil, fmt.Errorf("%w: record length %d exceeds %d", ErrCorrupt, n, maxRecord)
	}
	// Grow the buffer as bytes arrive rather than trusting the length.
	buf, err := io.ReadAll(io.LimitReader(r, int64(n)+4))
	if err != nil {
		return nil, fmt.Errorf("tensorboard: record of %d bytes: %w", n, err)
	}
	if uint64(len(buf)) != n+4 {
		return nil, fmt.Errorf("%w: record of %d bytes: %w", ErrCorrupt, n, io.ErrUnexpectedEOF)
	}
	data := buf[:n]
	if got, want := binary.LittleEndian.Uint32(buf[n:]), maskedCRC(data); got != want {
		return nil, fmt.Errorf("%w: data CRC %#08x, want %#08x", ErrCorrupt, got, want)
	}
	return data, nil
}
