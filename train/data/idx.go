package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"io"
)

// Magic numbers of the idx format (http://yann.lecun.com/exdb/mnist/): two
// zero bytes, the element type (0x08 = unsigned byte), the number of
// dimensions.
const (
	idxImagesMagic = 0x00000803 // unsigned bytes, 3 dimensions (N, rows, columns)
	idxLabelsMagic = 0x00000801 // unsigned bytes, 1 dimension (N)
)

// maxBodyBytes bounds the body a header may announce (2 GiB, about 45 times
// the MNIST training images). Bodies are read in growing chunks, so a bogus
// header below this bound still allocates no more than the bytes that are
// really there (rounded up to a power of two).
const maxBodyBytes = 1 << 31

// readChunk is the first allocation when reading a body of unknown length.
const readChunk = 1 << 20

// Images is the content of an idx3-ubyte image file: N images of H rows by W
// columns, Pixels in row-major order (len N*H*W).
type Images struct {
	N, H, W int
	Pixels  []uint8
}

// ReadIDXImages reads an idx3-ubyte image file (MNIST, Fashion-MNIST),
// gzip-compressed or raw (detected from the first two bytes, 0x1f 0x8b).
//
// Layout (big-endian): uint32 magic 0x00000803, uint32 N, uint32 rows,
// uint32 columns, then N*rows*columns unsigned bytes.
//
// A bad magic number, a zero or oversized dimension, a truncated header or
// body, bytes after the body, or a bad gzip stream gives a *FormatError
// wrapping [ErrCorrupt]. It never allocates much more than the bytes the
// reader actually delivers.
func ReadIDXImages(r io.Reader) (*Images, error) {
	im, err := readIDXImages(r)
	return im, withFile("", err)
}

// ReadIDXLabels reads an idx1-ubyte label file, gzip-compressed or raw.
//
// Layout (big-endian): uint32 magic 0x00000801, uint32 N, then N unsigned
// bytes. Errors are as for [ReadIDXImages]. The label range is checked when
// the labels are paired with images (see [MNIST]), where the class count is
// known.
func ReadIDXLabels(r io.Reader) ([]uint8, error) {
	l, err := readIDXLabels(r)
	return l, withFile("", err)
}

func readIDXImages(r io.Reader) (*Images, error) {
	const format = "idx images"
	r, err := maybeGunzip(r, format)
	if err != nil {
		return nil, err
	}
	h, err := readHeader(r, format, idxImagesMagic, 3)
	if err != nil {
		return nil, err
	}
	n, rows, cols := uint64(h[1]), uint64(h[2]), uint64(h[3])
	if rows == 0 || cols == 0 {
		return nil, corrupt(format, "image size %dx%d has a zero dimension", rows, cols)
	}
	// Each factor is < 2^32: rows*cols < 2^64 fits a uint64, and once it is
	// <= 2^31, n*rows*cols < 2^63 fits too.
	if n != 0 && (rows*cols > maxBodyBytes || n*rows*cols > maxBodyBytes) {
		return nil, corrupt(format, "header announces %d images of %dx%d, more than the %d-byte limit", n, rows, cols, int64(maxBodyBytes))
	}
	size := int64(n * rows * cols)
	body, err := readBody(r, size, format, "images")
	if err != nil {
		return nil, err
	}
	return &Images{N: int(n), H: int(rows), W: int(cols), Pixels: body}, nil
}

func readIDXLabels(r io.Reader) ([]uint8, error) {
	const format = "idx labels"
	r, err := maybeGunzip(r, format)
	if err != nil {
		return nil, err
	}
	h, err := readHeader(r, format, idxLabelsMagic, 1)
	if err != nil {
		return nil, err
	}
	n := int64(h[1])
	if n > maxBodyBytes {
		return nil, corrupt(format, "header announces %d labels, more than the %d-byte limit", n, int64(maxBodyBytes))
	}
	return readBody(r, n, format, "labels")
}

// badMagic describes a magic number mismatch, with a hint when the file
// is the other idx kind or byte-swapped.
func badMagic(format string, got, want uint32) *FormatError {
	hint := ""
	switch {
	case got == idxLabelsMagic:
		hint = " (this looks like an idx labels file)"
	case got == idxImagesMagic:
		hint = " (this looks like an idx images file)"
	case got&0xffff0000 != 0 && got&0xffff == 0:
		hint = " (not an idx file, or little-endian)"
	}
	return corrupt(format, "bad magic 0x%08x, want 0x%08x%s", got, want, hint)
}

// maybeGunzip returns a reader of the decompressed stream when r starts
// with the gzip magic 0x1f 0x8b, else a reader of r as it is.
func maybeGunzip(r io.Reader, format string) (io.Reader, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(2); err != nil || b[0] != 0x1f || b[1] != 0x8b {
		return br, nil // a short file fails later with "truncated header"
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, readFailure(format, "gzip header", err)
	}
	return zr, nil
}

// readHeader reads the big-endian uint32 magic number, check it against
// magic, and then read the dims dimension sizes. It returns the magic
// followed by the sizes: h[1:] are the dimensions.
func readHeader(r io.Reader, format string, magic uint32, dims int) ([]uint32, error) {
	buf := make([]byte, 4*(1+dims))
	read := func(p []byte, done int) error {
		n, err := io.ReadFull(r, p)
		if isTruncation(err) {
			return corrupt(format, "truncated header: %d of %d bytes", done+n, len(buf))
		}
		if err != nil {
			return readFailure(format, "header", err)
		}
		return nil
	}
	if err := read(buf[:4], 0); err != nil {
		return nil, err
	}
	if got := binary.BigEndian.Uint32(buf); got != magic {
		return nil, badMagic(format, got, magic)
	}
	if err := read(buf[4:], 4); err != nil {
		return nil, err
	}
	h := make([]uint32, 1+dims)
	for i := range h {
		h[i] = binary.BigEndian.Uint32(buf[4*i:])
	}
	return h, nil
}

// isTruncation reports whether err means the stream ended early.
func isTruncation(err error) bool {
	return err == io.EOF || err == io.ErrUnexpectedEOF
}

// readBody reads exactly size bytes and then checks that the stream ends
// there. The buffer grows with the data that arrives (doubling from
// readChunk), so a header that lies about the size costs no big allocation.
// Reading to the end also makes a gzip reader verify its CRC-32.
func readBody(r io.Reader, size int64, format, what string) ([]byte, error) {
	buf := make([]byte, 0, min(size, readChunk))
	for int64(len(buf)) < size {
		if len(buf) == cap(buf) {
			grow := min(size-int64(len(buf)), int64(cap(buf)))
			buf = append(buf[:cap(buf)], make([]byte, grow)...)[:len(buf)]
		}
		end := min(int64(cap(buf)), size)
		n, err := io.ReadFull(r, buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err != nil {
			if isTruncation(err) {
				return nil, corrupt(format, "truncated %s: header announces %d bytes, the data ends after %d", what, size, len(buf))
			}
			return nil, readFailure(format, what, err)
		}
	}
	var one [1]byte
	n, err := io.ReadFull(r, one[:])
	switch {
	case n > 0:
		return nil, corrupt(format, "trailing bytes after the %d bytes of %s the header announces", size, what)
	case err != io.EOF:
		return nil, readFailure(format, what, err)
	}
	return buf, nil
}
