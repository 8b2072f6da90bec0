package statedict

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
)

// maxDeflateRatio bounds how much larger than its compressed size a
// compressed zip record may claim to be (deflate cannot exceed about 1032:1),
// so that a lying header cannot ask for a huge allocation.
const maxDeflateRatio = 1100

// loadZip unpickles the data.pkl of a torch.save zip archive (torch >=
// 1.6), loading each storage from the record <dir>/data/<key>. <dir> is
// whatever single top-level folder holds data.pkl: torch names it after the
// file, not always "archive".
func loadZip(raw []byte) (any, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("%w: zip archive: %v", ErrFormat, err)
	}
	records := make(map[string]*zip.File, len(zr.File))
	var pkl []string
	for _, f := range zr.File {
		records[f.Name] = f
		if strings.HasSuffix(f.Name, "/data.pkl") && strings.Count(f.Name, "/") == 1 {
			pkl = append(pkl, f.Name)
		}
	}
	if len(pkl) != 1 {
		return nil, fmt.Errorf("%w: zip archive has %d <dir>/data.pkl records, want 1", ErrFormat, len(pkl))
	}
	dir := strings.TrimSuffix(pkl[0], "data.pkl")
	if _, ok := records[dir+"constants.pkl"]; ok {
		return nil, fmt.Errorf("%w: TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead", ErrUnsupported)
	}
	if bo, ok := records[dir+"byteorder"]; ok {
		b, err := readRecord(bo, 16, len(raw))
		if err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(string(b)); s != "little" {
			return nil, fmt.Errorf("%w: byte order %q", ErrUnsupported, s)
		}
	}
	storages := make(map[string]*storage)
	load := func(pid any) (any, error) {
		_, class, key, numel, err := persistentID(pid)
		if err != nil {
			return nil, err
		}
		if st, ok := storages[key]; ok {
			if st.dtype != class.dtype || st.numel != numel {
				return nil, fmt.Errorf("%w: storage %q loaded as %v[%d] and %v[%d]", ErrFormat, key, st.dtype, st.numel, class.dtype, numel)
			}
			return st, nil
		}
		rec, ok := records[dir+"data/"+key]
		if !ok {
			return nil, fmt.Errorf("%w: storage record %sdata/%s is missing", ErrFormat, dir, key)
		}
		es := class.dtype.Size()
		if numel > math.MaxInt/es {
			return nil, fmt.Errorf("%w: storage %q of %d elements overflows", ErrFormat, key, numel)
		}
		data, err := readRecord(rec, numel*es, len(raw))
		if err != nil {
			return nil, err
		}
		if len(data) != numel*es {
			return nil, fmt.Errorf("%w: storage record %s holds %d bytes, want %d (%d × %v)", ErrFormat, rec.Name, len(data), numel*es, numel, class.dtype)
		}
		st := &storage{dtype: class.dtype, numel: numel, data: data}
		storages[key] = st
		return st, nil
	}
	pklData, err := readRecord(records[pkl[0]], len(raw)*maxDeflateRatio, len(raw))
	if err != nil {
		return nil, err
	}
	obj, _, err := unpickle(pklData, load)
	return obj, err
}

// readRecord reads a whole zip record of at most limit bytes (its
// checksum verified), refusing records whose declared size exceeds limit or
// cannot come from a file of fileSize bytes.
func readRecord(f *zip.File, limit, fileSize int) ([]byte, error) {
	size := f.UncompressedSize64
	maxSize := uint64(fileSize)
	if f.Method != zip.Store {
		maxSize *= maxDeflateRatio
	}
	if size > uint64(limit) || size > maxSize {
		return nil, fmt.Errorf("%w: zip record %s declares %d bytes, want at most %d", ErrFormat, f.Name, size, min(uint64(limit), maxSize))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: zip record %s: %v", ErrFormat, f.Name, err)
	}
	defer rc.Close()
	b := make([]byte, size)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("%w: zip record %s: %v", ErrFormat, f.Name, err)
	}
	if _, err := io.Copy(io.Discard, rc); err != nil { // reaches EOF: the CRC-32 is checked
		return nil, fmt.Errorf("%w: zip record %s: %v", ErrFormat, f.Name, err)
	}
	return b, nil
}
