package statedict

import (
	"bytes"
	"fmt"
	"os"

	"github.com/nlpodyssey/gopickle/types"
)

// wrapperKeys are the checkpoint entries searched, in order, for the state
// dict when a file holds a checkpoint dict rather than a bare state dict.
var wrapperKeys = []string{"state_dict", "model"}

// LoadPyTorch reads a state dict saved with torch.save, keeping
// PyTorch's keys and order unchanged ("layer1.0.conv1.weight",
// "bn1.num_batches_tracked").
//
// Both formats are read: the zip archive of torch >= 1.6 (the records' folder
// may have any name) and the legacy format (_use_new_zipfile_serialization=
// False). The file may hold the state dict itself (an OrderedDict or dict of
// tensors) or a checkpoint dict with a "state_dict" or "model" entry that
// is one; the checkpoint's other entries that are Python scalars (int, float,
// str, bool) go into Metadata as strings ({"epoch": 3} -> "epoch" -> "3";
// floats in Go's shortest form), other entries (optimizer state) are
// skipped.
//
// Tensors may be bool, uint8, int8, int16, int32, int64, float16, bfloat16,
// float32 or float64, of any rank (0-d included), and strided views of
// their storage (transposed, sliced, expanded): storage offset and strides
// are honoured, and the result is row-major. A view larger than its storage
// (stride 0, from expand) may take at most 16 MiB once copied out. nn.Parameter entries load as
// their tensors.
//
// Errors wrap [ErrFormat] (not a torch file, truncated or corrupt, a view
// outside its storage) or [ErrUnsupported] (TorchScript archives, a pickled
// nn.Module, quantized/sparse tensors or other non-tensor values in the state
// dict, complex dtypes, big-endian files) and name the key where one is
// known.
func LoadPyTorch(path string) (Dict, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Dict{}, fmt.Errorf("statedict: %w", err)
	}
	d, err := parsePyTorch(raw)
	if err != nil {
		return Dict{}, fmt.Errorf("%w (file %s)", err, path)
	}
	return d, nil
}

// parsePyTorch decodes a whole torch.save file held in raw.
func parsePyTorch(raw []byte) (Dict, error) {
	var obj any
	var err error
	if bytes.HasPrefix(raw, []byte("PK\x03\x04")) { // torch's own zip test
		obj, err = loadZip(raw)
	} else {
		obj, err = loadLegacy(raw)
	}
	if err != nil {
		return Dict{}, err
	}
	return stateDict(obj)
}

// pyEntry is one key/value pair of a pickled dict.
type pyEntry struct{ key, value any }

// pyDictEntries lists the entries of a pickled dict or OrderedDict in
// order; other values give ok = false.
func pyDictEntries(v any) (entries []pyEntry, ok bool) {
	switch d := v.(type) {
	case *types.Dict:
		for _, e := range *d {
			entries = append(entries, pyEntry{e.Key, e.Value})
		}
		return entries, true
	case *types.OrderedDict:
		for el := d.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			entries = append(entries, pyEntry{e.Key, e.Value})
		}
		return entries, true
	}
	return nil, false
}

// stateDict finds the state dict in the unpickled object (see
// LoadPyTorch) and materialize its tensors.
func stateDict(obj any) (Dict, error) {
	top, ok := pyDictEntries(obj)
	if !ok {
		return Dict{}, fmt.Errorf("%w: file holds %s, not a state dict; save model.state_dict()", ErrUnsupported, describe(obj))
	}
	entries, meta := top, map[string]string(nil)
	for _, name := range wrapperKeys {
		i := entryIndex(top, name)
		if i < 0 {
			continue
		}
		inner, ok := pyDictEntries(top[i].value)
		if !ok {
			continue
		}
		entries = inner
		for j, e := range top {
			k, isStr := e.key.(string)
			s, isScalar := scalarString(e.value)
			if j != i && isStr && isScalar {
				if meta == nil {
					meta = make(map[string]string)
				}
				meta[k] = s
			}
		}
		break
	}
	d := Dict{Keys: make([]string, 0, len(entries)), Tensors: make(map[string]Tensor, len(entries)), Metadata: meta}
	for _, e := range entries {
		key, ok := e.key.(string)
		if !ok {
			return Dict{}, fmt.Errorf("%w: state dict key %v is %T, not a string", ErrUnsupported, e.key, e.key)
		}
		tt, ok := e.value.(*torchTensor)
		if !ok {
			return Dict{}, fmt.Errorf("%w: state dict entry %q is %s, not a tensor (checkpoint dicts are searched for %q only)",
				ErrUnsupported, key, describe(e.value), wrapperKeys)
		}
		if _, dup := d.Tensors[key]; dup {
			return Dict{}, fmt.Errorf("%w: state dict key %q appears twice", ErrFormat, key)
		}
		t, err := tt.materialize()
		if err != nil {
			return Dict{}, fmt.Errorf("%w (key %q)", err, key)
		}
		d.Set(key, t)
	}
	if err := d.Validate(); err != nil { // empty or non-UTF-8 keys
		return Dict{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return d, nil
}

// entryIndex returns the index of the entry with string key name, or -1.
func entryIndex(entries []pyEntry, name string) int {
	for i, e := range entries {
		if e.key == name {
			return i
		}
	}
	return -1
}

// describe names a pickled value for an error message.
func describe(v any) string {
	switch v := v.(type) {
	case *foreignObject:
		return fmt.Sprintf("a %s.%s object", v.class.module, v.class.name)
	case *torchTensor:
		return "a single tensor"
	case nil:
		return "None"
	}
	if _, ok := pyDictEntries(v); ok {
		return "a dict"
	}
	return fmt.Sprintf("a %T", v)
}
