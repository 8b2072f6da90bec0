package statedict

import (
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"
)

// Legacy torch.save format (torch < 1.6, or _use_new_zipfile_serialization=
// False): five pickles back to back, then the storages' bytes.
const (
	legacyMagic    = "1950a86a20f9469cfc6c" // pickled int, torch/serialization.py MAGIC_NUMBER
	legacyProtocol = 1001                   // PROTOCOL_VERSION
)

// loadLegacy reads a legacy torch.save file: magic number, protocol
// version, sys_info, the object (storages as persistent ids), the sorted list
// of storage keys, then for each key an int64 element count and the raw
// elements. Storages are looked up by key, never by position.
func loadLegacy(raw []byte) (any, error) {
	pos := 0 // start of the next pickle or storage in raw
	next := func(load func(any) (any, error)) (any, error) {
		obj, n, err := unpickle(raw[pos:], load)
		pos += n
		return obj, err
	}
	magic, err := next(nil)
	if n, ok := magic.(*big.Int); err != nil || !ok || n.Text(16) != legacyMagic {
		return nil, fmt.Errorf("%w: neither a zip archive nor a legacy torch.save file (no magic number)", ErrFormat)
	}
	proto, err := next(nil)
	if err != nil {
		return nil, err
	}
	if p, ok := proto.(int); !ok || p != legacyProtocol {
		return nil, fmt.Errorf("%w: legacy protocol version %v, want %d", ErrUnsupported, proto, legacyProtocol)
	}
	sysInfo, err := next(nil)
	if err != nil {
		return nil, err
	}
	if entries, ok := pyDictEntries(sysInfo); ok {
		for _, e := range entries {
			if e.key == "little_endian" && e.value != true {
				return nil, fmt.Errorf("%w: big-endian legacy file", ErrUnsupported)
			}
		}
	}
	storages := make(map[string]*storage)
	load := func(pid any) (any, error) {
		tuple, class, key, numel, err := persistentID(pid)
		if err != nil {
			return nil, err
		}
		if tuple.Len() > 5 && tuple.Get(5) != nil {
			return nil, fmt.Errorf("%w: legacy storage view (view_metadata) for %q", ErrUnsupported, key)
		}
		if st, ok := storages[key]; ok {
			if st.dtype != class.dtype {
				return nil, fmt.Errorf("%w: storage %q loaded as %v and %v", ErrFormat, key, st.dtype, class.dtype)
			}
			return st, nil
		}
		st := &storage{dtype: class.dtype, numel: numel}
		storages[key] = st
		return st, nil
	}
	obj, err := next(load)
	if err != nil {
		return nil, err
	}
	keysObj, err := next(nil)
	if err != nil {
		return nil, err
	}
	keys, ok := keysObj.(*types.List)
	if !ok {
		return nil, fmt.Errorf("%w: legacy storage key list is %T", ErrFormat, keysObj)
	}
	loaded := make(map[string]bool, len(storages))
	for _, k := range *keys {
		key, _ := k.(string)
		st, ok := storages[key]
		if !ok || loaded[key] {
			return nil, fmt.Errorf("%w: legacy storage key %v unknown or repeated", ErrFormat, k)
		}
		if len(raw)-pos < 8 {
			return nil, fmt.Errorf("%w: legacy storage %q truncated at byte %d", ErrFormat, key, pos)
		}
		numel := binary.LittleEndian.Uint64(raw[pos:])
		es := uint64(st.dtype.Size())
		left := uint64(len(raw) - pos - 8)
		if numel > left || numel*es > left {
			return nil, fmt.Errorf("%w: legacy storage %q of %d elements exceeds the %d bytes left", ErrFormat, key, numel, left)
		}
		end := pos + 8 + int(numel*es)
		st.numel, st.data = int(numel), raw[pos+8:end:end]
		loaded[key] = true
		pos = end
	}
	for key := range storages {
		if !loaded[key] {
			return nil, fmt.Errorf("%w: legacy storage %q has no data", ErrFormat, key)
		}
	}
	return obj, nil
}
