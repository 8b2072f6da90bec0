package statedict

import (
	"bytes"
	"fmt"
	"math/big"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// storageClasses maps the pickled storage classes of torch.save (torch 1.6 to
// 2.x write typed storages for tensors) to element types.
var storageClasses = map[string]DType{
	"torch.BoolStorage":     Bool,
	"torch.ByteStorage":     U8,
	"torch.CharStorage":     I8,
	"torch.ShortStorage":    I16,
	"torch.IntStorage":      I32,
	"torch.LongStorage":     I64,
	"torch.HalfStorage":     F16,
	"torch.BFloat16Storage": BF16,
	"torch.FloatStorage":    F32,
	"torch.DoubleStorage":   F64,
}

// storageClass is a pickled torch.*Storage class: a persistent id names one
// to give the storage's element type.
type storageClass struct{ dtype DType }

// storage is a tensor storage: numel elements of dtype, raw little-endian.
// In legacy files data arrives after the pickle, so it is nil until then.
type storage struct {
	dtype DType
	numel int
	data  []byte
}

// torchTensor is what torch._utils._rebuild_tensor_v2 returns: a view of a
// storage with an element offset, sizes and strides (in elements).
type torchTensor struct {
	storage *storage
	offset  int
	size    []int
	stride  []int
}

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, storage_offset,
// size, stride, requires_grad, backward_hooks[, metadata]).
type rebuildTensor struct{}

// Call builds a torchTensor from the pickled arguments.
func (rebuildTensor) Call(args ...any) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 takes 6 or 7 arguments, got %d", len(args))
	}
	st, ok1 := args[0].(*storage)
	offset, ok2 := args[1].(int)
	size, ok3 := intTuple(args[2])
	stride, ok4 := intTuple(args[3])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: unexpected arguments (%T, %T, %T, %T)", args[0], args[1], args[2], args[3])
	}
	if len(size) != len(stride) {
		return nil, fmt.Errorf("_rebuild_tensor_v2: size %v and stride %v differ in length", size, stride)
	}
	return &torchTensor{storage: st, offset: offset, size: size, stride: stride}, nil
}

// rebuildParameter is torch._utils._rebuild_parameter(data, requires_grad,
// backward_hooks) and _rebuild_parameter_with_state(..., state): an
// nn.Parameter is its tensor here.
type rebuildParameter struct{}

// Call returns the wrapped tensor.
func (rebuildParameter) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("_rebuild_parameter: no arguments")
	}
	if _, ok := args[0].(*torchTensor); !ok {
		return nil, fmt.Errorf("_rebuild_parameter: data is %T, not a tensor", args[0])
	}
	return args[0], nil
}

// intTuple converts a pickled tuple of ints to []int.
func intTuple(v any) ([]int, bool) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, false
	}
	out := make([]int, t.Len())
	for i := range out {
		if out[i], ok = t.Get(i).(int); !ok {
			return nil, false
		}
	}
	return out, true
}

// foreignClass stands for any other Python class or function the pickle
// names (optimizer state, quantized-tensor rebuilders, ...). It can be
// called, instantiated and given state, so that such values load, and it
// remembers its name so that a state dict holding one can say what it was.
type foreignClass struct{ module, name string }

// foreignObject is the result of calling or instantiating a foreignClass.
type foreignObject struct{ class *foreignClass }

// Call returns a placeholder object.
func (c *foreignClass) Call(...any) (any, error) { return &foreignObject{c}, nil }

// PyNew returns a placeholder object.
func (c *foreignClass) PyNew(...any) (any, error) { return &foreignObject{c}, nil }

// PySetState drops the state.
func (o *foreignObject) PySetState(any) error { return nil }

// PyDictSet drops the attribute.
func (o *foreignObject) PyDictSet(any, any) error { return nil }

// findClass resolves the globals a torch pickle names.
func findClass(module, name string) (any, error) {
	full := module + "." + name
	if dt, ok := storageClasses[full]; ok {
		return &storageClass{dt}, nil
	}
	switch full {
	case "torch._utils._rebuild_tensor_v2":
		return rebuildTensor{}, nil
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		return rebuildParameter{}, nil
	}
	return &foreignClass{module, name}, nil
}

// unpickle runs the pickle at the start of b with the torch classes
// and the given persistent-id loader, and return the object and the
// pickle's length. scanPickle checks the opcode stream first. Any failure,
// including a panic inside the pickle machine on a malformed stream, becomes
// an error wrapping ErrFormat (or the loader's own error).
func unpickle(b []byte, persistentLoad func(any) (any, error)) (obj any, n int, err error) {
	n, err = scanPickle(b)
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		if p := recover(); p != nil {
			obj, n, err = nil, 0, fmt.Errorf("%w: malformed pickle: %v", ErrFormat, p)
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(b[:n]))
	u.FindClass = findClass
	u.PersistentLoad = persistentLoad
	obj, err = u.Load()
	if err != nil {
		return nil, 0, wrapFormat("pickle", err)
	}
	return obj, n, nil
}

// wrapFormat wraps err in ErrFormat unless it already wraps one of the
// package's sentinels.
func wrapFormat(what string, err error) error {
	if isOwn(err) {
		return err
	}
	return fmt.Errorf("%w: %s: %v", ErrFormat, what, err)
}

// persistentID splits a ('storage', storage_class, key, location, numel,
// ...) persistent id; legacy files add a sixth entry, view_metadata.
func persistentID(pid any) (tuple *types.Tuple, class *storageClass, key string, numel int, err error) {
	tuple, ok := pid.(*types.Tuple)
	if !ok || tuple.Len() < 5 {
		return nil, nil, "", 0, fmt.Errorf("%w: persistent id %T is not a 5-tuple", ErrFormat, pid)
	}
	if typ, _ := tuple.Get(0).(string); typ != "storage" {
		return nil, nil, "", 0, fmt.Errorf("%w: persistent id of type %v, want \"storage\"", ErrUnsupported, tuple.Get(0))
	}
	switch c := tuple.Get(1).(type) {
	case *storageClass:
		class = c
	case *foreignClass:
		return nil, nil, "", 0, fmt.Errorf("%w: storage class %s.%s (quantized and complex tensors are not read)", ErrUnsupported, c.module, c.name)
	default:
		return nil, nil, "", 0, fmt.Errorf("%w: storage class %T", ErrFormat, c)
	}
	key, ok1 := tuple.Get(2).(string)
	numel, ok2 := tuple.Get(4).(int)
	if !ok1 || !ok2 || numel < 0 {
		return nil, nil, "", 0, fmt.Errorf("%w: storage key %v or size %v malformed", ErrFormat, tuple.Get(2), tuple.Get(4))
	}
	return tuple, class, key, numel, nil
}

// scalarString formats a pickled Python scalar (int, float, str, bool)
// for Dict.Metadata; other values give ok = false.
func scalarString(v any) (s string, ok bool) {
	switch v := v.(type) {
	case int:
		return fmt.Sprint(v), true
	case *big.Int:
		return v.String(), true
	case float64:
		return fmt.Sprint(v), true
	case string:
		return v, true
	case bool:
		if v {
			return "True", true
		}
		return "False", true
	}
	return "", false
}
