package statedict

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"

	"github.com/nlpodyssey/safetensors"
	"github.com/wageubn/wageubn/internal/atomicfile"
)

// metadataKey is the reserved header entry of a safetensors file that holds
// the string metadata; no tensor may be named so.
const metadataKey = "__metadata__"

// SaveSafetensors writes d to path in the safetensors format
// (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header (padded with spaces to a multiple
// of 8), then the tensors' bytes back to back. Tensors are written in d.Keys
// order, so [LoadSafetensors] gives the same order back; d.Metadata becomes
// the header's "__metadata__" map (left out when empty).
//
// The write is atomic: the file goes to a temporary file in the same
// directory, is fsynced and renamed over path (package internal/atomicfile),
// so path holds either its old content or the complete new file. d is
// checked with [Dict.Validate] first; the key "__metadata__" is reserved and
// gives an error wrapping [ErrKey].
func SaveSafetensors(path string, d Dict) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("%w (saving %s)", err, path)
	}
	header, err := safetensorsHeader(d)
	if err != nil {
		return fmt.Errorf("%w (saving %s)", err, path)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("statedict: saving %s: %w", path, err)
	}
	defer f.Abort()
	if err := writeSafetensors(f, d, header); err != nil {
		return fmt.Errorf("statedict: saving %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("statedict: saving %s: %w", path, err)
	}
	return nil
}

// writeSafetensors writes the header size, the header and d's tensor
// bytes in d.Keys order to w.
func writeSafetensors(w io.Writer, d Dict, header []byte) error {
	bw := bufio.NewWriter(w)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	bw.Write(n[:])
	bw.Write(header)
	for _, k := range d.Keys {
		bw.Write(d.Tensors[k].Data)
	}
	return bw.Flush() // bufio.Writer keeps the first error
}

// safetensorsHeader builds the JSON header of d, with data offsets in
// d.Keys order, padded with spaces to a multiple of 8 bytes.
func safetensorsHeader(d Dict) ([]byte, error) {
	header := make(map[string]any, len(d.Keys)+1)
	if len(d.Metadata) > 0 {
		header[metadataKey] = d.Metadata
	}
	var off uint64
	for _, k := range d.Keys {
		if k == metadataKey {
			return nil, fmt.Errorf("%w: %q is reserved in safetensors files", ErrKey, k)
		}
		t := d.Tensors[k]
		shape := make([]uint64, len(t.Shape))
		for i, s := range t.Shape {
			shape[i] = uint64(s)
		}
		end := off + uint64(len(t.Data))
		header[k] = safetensors.TensorInfo{
			DType:       dtypes[t.DType].st,
			Shape:       shape,
			DataOffsets: [2]uint64{off, end},
		}
		off = end
	}
	b, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("statedict: encoding safetensors header: %w", err)
	}
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	return b, nil
}

// LoadSafetensors reads the safetensors file at path. Keys come in the
// order of the tensors' data in the file (the order [SaveSafetensors] wrote;
// files from other writers are often sorted by dtype, then name); tensors of
// zero bytes that share an offset are ordered by name. The header's
// "__metadata__" map becomes Metadata (nil when absent).
//
// A truncated or corrupt file, overlapping or out-of-range data offsets, or
// a dtype/shape/offset disagreement give an error wrapping [ErrFormat]; the
// dtypes U16, U32 and U64, which have no [DType], one wrapping [ErrDType].
// The tensors' Data alias one buffer holding the file (each capped to its
// own bytes).
func LoadSafetensors(path string) (Dict, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return Dict{}, fmt.Errorf("statedict: %w", err)
	}
	d, err := parseSafetensors(buf)
	if err != nil {
		return Dict{}, fmt.Errorf("%w (file %s)", err, path)
	}
	return d, nil
}

// namedInfo is a tensor's header entry with its name.
type namedInfo struct {
	name string
	info *safetensors.TensorInfo
}

// parseSafetensors decodes a whole safetensors file held in buf.
func parseSafetensors(buf []byte) (Dict, error) {
	n, meta, err := readSafetensorsHeader(buf)
	if err != nil {
		return Dict{}, err
	}
	data := buf[8+n:] // ReadMetadata checked 8+n <= len(buf)
	tensors := meta.Tensors()
	infos := make([]namedInfo, 0, len(tensors))
	for name, info := range tensors {
		infos = append(infos, namedInfo{name, info})
	}
	slices.SortFunc(infos, func(a, b namedInfo) int {
		return cmp.Or(cmp.Compare(a.info.DataOffsets[0], b.info.DataOffsets[0]),
			cmp.Compare(a.info.DataOffsets[1], b.info.DataOffsets[1]),
			cmp.Compare(a.name, b.name))
	})
	d := Dict{Keys: make([]string, 0, len(infos)), Tensors: make(map[string]Tensor, len(infos))}
	if m := meta.Metadata(); m != nil {
		d.Metadata = maps.Clone(m)
	}
	for _, ni := range infos {
		t, err := safetensorsTensor(ni, data)
		if err != nil {
			return Dict{}, err
		}
		d.Keys = append(d.Keys, ni.name)
		d.Tensors[ni.name] = t
	}
	return d, nil
}

// readSafetensorsHeader calls safetensors.ReadMetadata, which checks the
// header length, decodes the JSON and checks that the offsets tile the data
// exactly, turning its errors (and any panic inside it) into ErrFormat.
func readSafetensorsHeader(buf []byte) (n uint64, meta safetensors.Metadata, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: safetensors header: %v", ErrFormat, r)
		}
	}()
	n, meta, err = safetensors.ReadMetadata(buf)
	if err != nil {
		return 0, safetensors.Metadata{}, fmt.Errorf("%w: safetensors header: %v", ErrFormat, err)
	}
	if n > uint64(len(buf)-8) {
		return 0, safetensors.Metadata{}, fmt.Errorf("%w: safetensors header length %d exceeds the file", ErrFormat, n)
	}
	return n, meta, nil
}

// safetensorsTensor builds the tensor of one header entry, re-checking
// its offsets against data so that a bad header can never index out of
// range.
func safetensorsTensor(ni namedInfo, data []byte) (Tensor, error) {
	if ni.name == "" {
		return Tensor{}, fmt.Errorf("%w: tensor with an empty name", ErrFormat)
	}
	dt, ok := fromSafetensors(ni.info.DType)
	if !ok {
		return Tensor{}, fmt.Errorf("%w: tensor %q has dtype %v, which statedict does not support", ErrDType, ni.name, ni.info.DType)
	}
	shape := make([]int, len(ni.info.Shape))
	for i, s := range ni.info.Shape {
		if s > math.MaxInt {
			return Tensor{}, fmt.Errorf("%w: tensor %q has size %d", ErrFormat, ni.name, s)
		}
		shape[i] = int(s)
	}
	want, err := byteLen(dt, shape)
	if err != nil {
		return Tensor{}, fmt.Errorf("%w: tensor %q: %v", ErrFormat, ni.name, err)
	}
	start, end := ni.info.DataOffsets[0], ni.info.DataOffsets[1]
	if start > end || end > uint64(len(data)) || end-start != uint64(want) {
		return Tensor{}, fmt.Errorf("%w: tensor %q has data offsets [%d, %d] for %d bytes, data is %d bytes",
			ErrFormat, ni.name, start, end, want, len(data))
	}
	return Tensor{DType: dt, Shape: shape, Data: data[start:end:end]}, nil
}
