package statedict

import (
	"fmt"
	"maps"
	"strconv"
	"unicode/utf8"
)

// Dict is a state dict: named tensors in a fixed order plus string metadata.
//
// Keys lists the tensor names in order (the order PyTorch's
// state_dict().keys() gives, which is the order files are written and
// listed in); Tensors maps every name in Keys to its tensor, and holds no
// other name. Names are kept exactly as PyTorch writes them
// ("layer1.0.conv1.weight", "bn1.num_batches_tracked"). Metadata holds
// free-form strings, stored in a safetensors file's "__metadata__" map; the
// entry "<key>.exp" is the quantization exponent of tensor key (see
// [Dict.Exp]). The zero Dict is empty and ready to use with [Dict.Set].
type Dict struct {
	Keys     []string
	Tensors  map[string]Tensor
	Metadata map[string]string
}

// ExpSuffix is appended to a tensor key to name its quantization exponent in
// [Dict.Metadata]: "conv1.weight.exp" -> "-7" means the integer codes q of
// conv1.weight stand for q·2^-7.
const ExpSuffix = ".exp"

// Set stores t under key: a new key is appended to d.Keys, an existing
// one keeps its place and gets the new tensor. It does not validate t;
// [Dict.Validate] and [SaveSafetensors] do.
func (d *Dict) Set(key string, t Tensor) {
	if d.Tensors == nil {
		d.Tensors = make(map[string]Tensor)
	}
	if _, ok := d.Tensors[key]; !ok {
		d.Keys = append(d.Keys, key)
	}
	d.Tensors[key] = t
}

// Get returns the tensor stored under key, and whether there is one.
func (d Dict) Get(key string) (Tensor, bool) {
	t, ok := d.Tensors[key]
	return t, ok
}

// Len returns the number of tensors, len(d.Keys) for a valid Dict.
func (d Dict) Len() int { return len(d.Keys) }

// Shapes returns key -> shape for every tensor, the form [Compare]
// takes as its expectation. The shapes are copies.
func (d Dict) Shapes() map[string][]int {
	out := make(map[string][]int, len(d.Keys))
	for _, k := range d.Keys {
		out[k] = cloneShape(d.Tensors[k].Shape)
	}
	return out
}

// Clone returns a deep copy of d.
func (d Dict) Clone() Dict {
	out := Dict{Keys: append([]string(nil), d.Keys...), Metadata: maps.Clone(d.Metadata)}
	if d.Tensors != nil {
		out.Tensors = make(map[string]Tensor, len(d.Tensors))
		for k, t := range d.Tensors {
			out.Tensors[k] = t.Clone()
		}
	}
	return out
}

// Validate checks that every key in d.Keys is non-empty, valid UTF-8,
// listed once and has a valid tensor (see [Tensor.Validate]), that d.Tensors
// holds no unlisted key, and that metadata keys and values are valid UTF-8.
// Errors wrap [ErrKey], [ErrMetadata], [ErrDType] or [ErrShape] and name the
// key.
func (d Dict) Validate() error {
	seen := make(map[string]bool, len(d.Keys))
	for _, k := range d.Keys {
		switch {
		case k == "":
			return fmt.Errorf("%w: empty key", ErrKey)
		case !utf8.ValidString(k):
			return fmt.Errorf("%w: key %q is not valid UTF-8", ErrKey, k)
		case seen[k]:
			return fmt.Errorf("%w: key %q listed twice", ErrKey, k)
		}
		seen[k] = true
		t, ok := d.Tensors[k]
		if !ok {
			return fmt.Errorf("%w: key %q has no tensor", ErrKey, k)
		}
		if err := t.Validate(); err != nil {
			return fmt.Errorf("%w (key %q)", err, k)
		}
	}
	if len(d.Tensors) != len(d.Keys) {
		for k := range d.Tensors {
			if !seen[k] {
				return fmt.Errorf("%w: tensor %q is not listed in Keys", ErrKey, k)
			}
		}
	}
	for k, v := range d.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("%w: metadata entry %q is not valid UTF-8", ErrMetadata, k)
		}
	}
	return nil
}

// Exp returns the quantization exponent of tensor key, read from the
// metadata entry key+[ExpSuffix]: the tensor's integer codes q stand for
// q·2^exp (design.md's frac is -exp). ok is false when there is no such
// entry; a value that is not a decimal int gives an error wrapping
// [ErrMetadata].
func (d Dict) Exp(key string) (exp int, ok bool, err error) {
	s, ok := d.Metadata[key+ExpSuffix]
	if !ok {
		return 0, false, nil
	}
	exp, err = strconv.Atoi(s)
	if err != nil {
		return 0, true, fmt.Errorf("%w: %s%s = %q is not an integer", ErrMetadata, key, ExpSuffix, s)
	}
	return exp, true, nil
}

// SetExp records exp as the quantization exponent of tensor key
// (value = code·2^exp), as the metadata entry key+[ExpSuffix] in decimal.
func (d *Dict) SetExp(key string, exp int) {
	if d.Metadata == nil {
		d.Metadata = make(map[string]string)
	}
	d.Metadata[key+ExpSuffix] = strconv.Itoa(exp)
}
