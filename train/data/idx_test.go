package data_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/train/data"
)

// idxFile builds an idx file by hand: big-endian uint32 header words, then
// the body (layout from http://yann.lecun.com/exdb/mnist/).
func idxFile(words []uint32, body []byte) []byte {
	var b bytes.Buffer
	for _, w := range words {
		binary.Write(&b, binary.BigEndian, w)
	}
	b.Write(body)
	return b.Bytes()
}

func gz(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadIDXImages(t *testing.T) {
	// 2 images of 2x3: pixels 0..11 in row-major order.
	body := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	raw := idxFile([]uint32{0x803, 2, 2, 3}, body)
	for name, in := range map[string][]byte{"raw": raw, "gzip": gz(t, raw)} {
		t.Run(name, func(t *testing.T) {
			im, err := data.ReadIDXImages(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if im.N != 2 || im.H != 2 || im.W != 3 || !bytes.Equal(im.Pixels, body) {
				t.Errorf("got N=%d H=%d W=%d pixels %v, want 2 2 3 %v", im.N, im.H, im.W, im.Pixels, body)
			}
		})
	}
	// Zero images is a consistent (empty) file.
	im, err := data.ReadIDXImages(bytes.NewReader(idxFile([]uint32{0x803, 0, 28, 28}, nil)))
	if err != nil || im.N != 0 || len(im.Pixels) != 0 {
		t.Errorf("empty file: %+v, %v; want N=0, no error", im, err)
	}
}

func TestReadIDXLabels(t *testing.T) {
	body := []byte{5, 0, 4, 1, 9}
	raw := idxFile([]uint32{0x801, 5}, body)
	for name, in := range map[string][]byte{"raw": raw, "gzip": gz(t, raw)} {
		got, err := data.ReadIDXLabels(bytes.NewReader(in))
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: got %v, %v; want %v", name, got, err, body)
		}
	}
}

// corruptCases are inputs that both readers must reject, with a fragment
// the message must hold.
func TestIDXCorrupt(t *testing.T) {
	okImages := idxFile([]uint32{0x803, 2, 2, 2}, make([]byte, 8))
	okLabels := idxFile([]uint32{0x801, 3}, []byte{1, 2, 3})
	badCRC := gz(t, okImages)
	badCRC[len(badCRC)-8] ^= 0xff // CRC-32 sits in the gzip trailer's first 4 bytes
	for _, tc := range []struct {
		name   string
		labels bool // read with ReadIDXLabels
		in     []byte
		want   string
	}{
		{"images/empty", false, nil, "truncated header: 0 of 16 bytes"},
		{"images/short header", false, okImages[:7], "truncated header: 7 of 16 bytes"},
		{"images/labels magic", false, okLabels, "bad magic 0x00000801, want 0x00000803 (this looks like an idx labels file)"},
		{"images/little-endian", false, []byte{3, 8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0}, "bad magic 0x03080000"},
		{"images/int magic", false, idxFile([]uint32{0xc03, 1, 1, 1}, []byte{0}), "bad magic 0x00000c03"},
		{"images/zero rows", false, idxFile([]uint32{0x803, 1, 0, 28}, nil), "zero dimension"},
		{"images/zero cols", false, idxFile([]uint32{0x803, 1, 28, 0}, nil), "zero dimension"},
		{"images/huge", false, idxFile([]uint32{0x803, 0xffffffff, 0xffffffff, 0xffffffff}, nil), "more than the 2147483648-byte limit"},
		{"images/huge side", false, idxFile([]uint32{0x803, 1, 0xffffffff, 0xffffffff}, nil), "more than the 2147483648-byte limit"},
		{"images/huge count", false, idxFile([]uint32{0x803, 0x10000, 0x10000, 0x10000}, nil), "more than the 2147483648-byte limit"},
		{"images/truncated body", false, okImages[:len(okImages)-1], "truncated images: header announces 8 bytes, the data ends after 7"},
		{"images/trailing", false, append(append([]byte{}, okImages...), 0), "trailing bytes"},
		{"images/truncated gzip", false, gz(t, okImages)[:20], "truncated"},
		{"images/bad crc", false, badCRC, "bad gzip stream"},
		{"images/bad gzip header", false, []byte{0x1f, 0x8b, 0xff, 0, 0, 0, 0, 0, 0, 0}, "gzip"},
		{"labels/empty", true, nil, "truncated header: 0 of 8 bytes"},
		{"labels/images magic", true, okImages, "bad magic 0x00000803, want 0x00000801 (this looks like an idx images file)"},
		{"labels/truncated", true, okLabels[:len(okLabels)-2], "truncated labels: header announces 3 bytes, the data ends after 1"},
		{"labels/trailing", true, append(append([]byte{}, okLabels...), 7, 7), "trailing bytes"},
		{"labels/huge", true, idxFile([]uint32{0x801, 0xffffffff}, nil), "more than the 2147483648-byte limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.labels {
				_, err = data.ReadIDXLabels(bytes.NewReader(tc.in))
			} else {
				_, err = data.ReadIDXImages(bytes.NewReader(tc.in))
			}
			if !errors.Is(err, data.ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if _, ok := errors.AsType[*data.FormatError](err); !ok {
				t.Errorf("err %T is not a *FormatError", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "data: idx ") || !strings.Contains(msg, tc.want) {
				t.Errorf("err = %q, want prefix %q and %q", msg, "data: idx ", tc.want)
			}
		})
	}
}

// TestIDXNoHugeAllocation feeds a header that announces 2^31 - 1 bytes
// (under the limit) followed by 1 KiB: the reader must fail without
// allocating anything near the announced size.
func TestIDXNoHugeAllocation(t *testing.T) {
	in := idxFile([]uint32{0x803, 1, 46341, 46340}, make([]byte, 1024)) // 46341*46340 = 2147441940 < 2^31
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := data.ReadIDXImages(bytes.NewReader(in))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, data.ErrCorrupt) || !strings.Contains(err.Error(), "the data ends after 1024") {
		t.Errorf("err = %v, want a truncation error", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("allocated %d bytes for a 1 KiB body, want < 16 MiB", got)
	}
}

// errReader fails with a non-EOF error after its data: a disk error, not
// corruption.
type errReader struct{ r io.Reader }

var errDisk = errors.New("disk on fire")

func (e errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, errDisk
	}
	return n, err
}

func TestIDXReadError(t *testing.T) {
	in := idxFile([]uint32{0x801, 3}, []byte{1})
	_, err := data.ReadIDXLabels(errReader{bytes.NewReader(in)})
	if !errors.Is(err, errDisk) || errors.Is(err, data.ErrCorrupt) {
		t.Errorf("err = %v, want errDisk and not ErrCorrupt", err)
	}
	if !strings.HasPrefix(err.Error(), "data: ") {
		t.Errorf("err = %q, want prefix %q", err, "data: ")
	}
}
