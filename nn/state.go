package nn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn/statedict"
)

// ErrState is wrapped by errors about loading or saving a state dict: a
// shape mismatch, a strict load with missing or unexpected keys, a value
// that does not fit its integer grid.
var ErrState = errors.New("nn: state dict")

// numBatchesTracked is BN's step counter key; it stays an int64 count in
// every form of the state dict.
const numBatchesTracked = "num_batches_tracked"

// StateDict downloads every parameter and buffer of the network under its
// PyTorch key (layer name + "." + local key), in network order, with the
// parameter's PyTorch shape (Param.Shape):
//
//   - integer tensors (I32 master codes, exponent -23; I64 BN running
//     statistics, mean exponent -31 and variance exponent -30) are saved
//     exactly as codes (I32 or I64) with their exponent in the metadata
//     (statedict Dict.SetExp: "<key>.exp"), the form of checkpoints;
//   - num_batches_tracked is saved as an I64 count without exponent;
//   - float32 tensors are saved as F32.
//
// [List.FloatStateDict] gives the float32 form PyTorch loads.
func (l *List) StateDict() (statedict.Dict, error) {
	var d statedict.Dict
	for _, p := range l.Params() {
		if p.Value == nil {
			return statedict.Dict{}, fmt.Errorf("%w: %s has no tensor", ErrState, p.Key)
		}
		t, exp, err := downloadState(p.Value, p.Shape)
		if err != nil {
			return statedict.Dict{}, fmt.Errorf("%w: downloading %s: %w", ErrState, p.Key, err)
		}
		d.Set(p.Key, t)
		if exp && !isCounter(p.Key) {
			d.SetExp(p.Key, p.Value.Exp)
		}
	}
	return d, nil
}

// FloatStateDict is [List.StateDict] with every integer code tensor
// converted to float32 values code·2^exp (exact for masters, whose codes
// have at most 24 significant bits; BN running statistics are rounded to
// float32), without exponent metadata, for export to PyTorch.
// num_batches_tracked stays an I64 count, as PyTorch keeps it.
func (l *List) FloatStateDict() (statedict.Dict, error) {
	d, err := l.StateDict()
	if err != nil {
		return d, err
	}
	return ToFloat(d)
}

// ToFloat converts every tensor of d that has an exponent in its metadata
// to float32 values code·2^exp and drops the exponents (see
// [List.FloatStateDict]). Other tensors are copied unchanged.
func ToFloat(d statedict.Dict) (statedict.Dict, error) {
	var out statedict.Dict
	for _, k := range d.Keys {
		t := d.Tensors[k]
		exp, ok, err := d.Exp(k)
		if err != nil {
			return statedict.Dict{}, err
		}
		if !ok || isFloat(t.DType) {
			out.Set(k, t.Clone())
			continue
		}
		codes, err := t.Int64s()
		if err != nil {
			return statedict.Dict{}, fmt.Errorf("%w: %s: %w", ErrState, k, err)
		}
		f := make([]float32, len(codes))
		for i, c := range codes {
			f[i] = float32(math.Ldexp(float64(c), exp))
		}
		ft, err := statedict.FromFloat32(t.Shape, f)
		if err != nil {
			return statedict.Dict{}, err
		}
		out.Set(k, ft)
	}
	for mk, mv := range d.Metadata {
		if strings.HasSuffix(mk, statedict.ExpSuffix) {
			if _, isTensor := d.Tensors[strings.TrimSuffix(mk, statedict.ExpSuffix)]; isTensor {
				continue
			}
		}
		if out.Metadata == nil {
			out.Metadata = map[string]string{}
		}
		out.Metadata[mk] = mv
	}
	return out, nil
}

// LoadStateDict loads d into the network's parameters and buffers, keys
// unchanged, as PyTorch's load_state_dict: the report lists missing,
// unexpected and shape-mismatched keys (statedict.Compare); a shape
// mismatch is always an error, missing or unexpected keys only when
// strict. Nothing is loaded when it returns an error.
//
// Each tensor is converted to the form of the parameter it loads into:
//
//   - into integer codes (I32 masters at exponent -23, I64 BN running
//     statistics at -31/-30): a code tensor with an exponent in d's metadata
//     loads exactly (shifted when the exponents differ: left exactly, right
//     with rounding half to even); a float tensor (or an integer one without
//     exponent) is quantized onto the parameter's grid, code =
//     RoundHalfEven(value·2^-exp) (FromF32's semantics; for masters Q(W,24)
//     on the 2^-23 grid). A value that does not fit the code type, or a NaN
//     or infinity, is an error;
//   - into float32: codes with an exponent become code·2^exp, floats are
//     rounded to float32;
//   - num_batches_tracked loads as an integer count.
//
// Loaded tensors replace Param.Value (layers read it at every Forward);
// optimizer state is not touched. A TQT threshold that is still unset
// (nn/tqt.go) is set from d when d has its key, so that a calibrated or
// retrained network's state dict restores its thresholds.
func (l *List) LoadStateDict(d statedict.Dict, strict bool) (statedict.Report, error) {
	undo, err := l.placeThresholds(d)
	if err != nil {
		return statedict.Report{}, err
	}
	rep, err := l.loadStateDict(d, strict)
	if err != nil {
		undo()
	}
	return rep, err
}

// placeThresholds gives every unset TQT threshold (nn/tqt.go) whose key d
// holds a placeholder F32 [1] on the network's device, so that it loads
// like any parameter; undo releases the placeholders and unsets them again
// (a failed load changes nothing).
func (l *List) placeThresholds(d statedict.Dict) (undo func(), err error) {
	var placed []*Param
	undo = func() {
		for _, p := range placed {
			p.Value.Release()
			p.Value = nil
		}
	}
	var dev *gpu.Device
	for _, p := range l.Params() {
		if p.Value != nil {
			dev = p.Value.Device()
			break
		}
	}
	for _, e := range l.entries {
		th, ok := e.m.(Thresholded)
		if !ok {
			continue
		}
		for _, p := range th.Thresholds() {
			key := e.m.Name() + "." + p.Name
			if _, ok := d.Tensors[key]; !ok || p.Value != nil {
				continue
			}
			if dev == nil {
				undo()
				return nil, fmt.Errorf("%w: loading %s: the network has no tensor on a device", ErrState, key)
			}
			t, err := dev.UploadF32([]int{1}, 0, []float32{0})
			if err != nil {
				undo()
				return nil, fmt.Errorf("%w: loading %s: %w", ErrState, key, err)
			}
			p.Value = t
			placed = append(placed, p)
		}
	}
	return undo, nil
}

func (l *List) loadStateDict(d statedict.Dict, strict bool) (statedict.Report, error) {
	params := l.Params()
	want := make(map[string][]int, len(params))
	for _, p := range params {
		want[p.Key] = p.Shape
	}
	rep := statedict.Compare(want, d)
	if len(rep.Mismatched) > 0 || (strict && !rep.OK()) {
		return rep, fmt.Errorf("%w: %w", ErrState, rep.Err(true))
	}
	type load struct {
		p NamedParam
		t *gpu.Tensor
	}
	var loads []load
	release := func() {
		for _, x := range loads {
			x.t.Release()
		}
	}
	for _, p := range params {
		src, ok := d.Tensors[p.Key]
		if !ok {
			continue
		}
		t, err := convertState(p, src, d)
		if err != nil {
			release()
			return rep, fmt.Errorf("%w: loading %s: %w", ErrState, p.Key, err)
		}
		loads = append(loads, load{p, t})
	}
	for _, x := range loads {
		old := x.p.Value
		x.t.Scale = old.Scale
		x.p.Value = x.t
		old.Release()
	}
	return rep, nil
}

// isCounter reports whether key is BN's step counter.
func isCounter(key string) bool {
	return key == numBatchesTracked || strings.HasSuffix(key, "."+numBatchesTracked)
}

func isFloat(dt statedict.DType) bool {
	switch dt {
	case statedict.F16, statedict.BF16, statedict.F32, statedict.F64:
		return true
	}
	return false
}

// downloadState downloads t as a state-dict tensor of shape shape (the
// PyTorch shape; t's shape when it does not have t's element count).
// exp reports whether the tensor holds integer codes whose exponent is
// t.Exp.
func downloadState(t *gpu.Tensor, shape []int) (statedict.Tensor, bool, error) {
	if n, err := statedict.NumElements(shape); err != nil || n != t.Len() {
		shape = t.Shape()
	}
	switch t.DType() {
	case gpu.F32:
		v, err := t.DownloadF32()
		if err != nil {
			return statedict.Tensor{}, false, err
		}
		st, err := statedict.FromFloat32(shape, v)
		return st, false, err
	case gpu.I64:
		v, err := t.DownloadI64()
		if err != nil {
			return statedict.Tensor{}, false, err
		}
		st, err := statedict.FromInt64(shape, v)
		return st, true, err
	case gpu.U32:
		v, err := t.DownloadU32()
		if err != nil {
			return statedict.Tensor{}, false, err
		}
		w := make([]int64, len(v))
		for i, x := range v {
			w[i] = int64(x)
		}
		st, err := statedict.FromInt64(shape, w)
		return st, true, err
	case gpu.I32:
		v, err := t.DownloadI32()
		if err != nil {
			return statedict.Tensor{}, false, err
		}
		st, err := statedict.FromInt32(shape, v)
		return st, true, err
	case gpu.I16:
		v, err := t.DownloadI16()
		if err != nil {
			return statedict.Tensor{}, false, err
		}
		st, err := statedict.FromInt16(shape, v)
		return st, true, err
	case gpu.I8:
		v, err := t.DownloadI8()
		if err != nil {
			return statedict.Tensor{}, false, err
		}
		st, err := statedict.FromInt8(shape, v)
		return st, true, err
	case gpu.U8:
		v, err := t.DownloadU8()
		if err != nil {
			return statedict.Tensor{}, false, err
		}
		st, err := statedict.FromUint8(shape, v)
		return st, true, err
	}
	return statedict.Tensor{}, false, fmt.Errorf("unsupported dtype %v", t.DType())
}

// convertState converts src (key p.Key of d) to a new device tensor of
// p.Value's dtype, exponent and shape.
func convertState(p NamedParam, src statedict.Tensor, d statedict.Dict) (*gpu.Tensor, error) {
	dst := p.Value
	dev := dst.Device()
	shape, exp := dst.Shape(), dst.Exp
	srcExp, hasExp, err := d.Exp(p.Key)
	if err != nil {
		return nil, err
	}
	if isCounter(p.Key) || isFloat(src.DType) {
		hasExp = false
	}
	if dst.DType() == gpu.F32 {
		vals, err := stateValues(src, srcExp, hasExp)
		if err != nil {
			return nil, err
		}
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return dev.UploadF32(shape, exp, f)
	}
	// Integer destination: codes on the grid 2^exp.
	var codes []int64
	if hasExp || (!isFloat(src.DType) && isCounter(p.Key)) {
		c, err := src.Int64s()
		if err != nil {
			return nil, err
		}
		shift := 0
		if hasExp {
			shift = srcExp - exp
		}
		codes = make([]int64, len(c))
		for i, v := range c {
			if codes[i], err = shiftCode(v, shift); err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
		}
	} else {
		vals, err := stateValues(src, 0, false)
		if err != nil {
			return nil, err
		}
		codes = make([]int64, len(vals))
		for i, v := range vals {
			q := math.RoundToEven(math.Ldexp(v, -exp))
			if math.IsNaN(q) || q < -(1<<63) || q >= 1<<63 {
				return nil, fmt.Errorf("element %d = %v does not fit int64 codes on the 2^%d grid", i, v, exp)
			}
			codes[i] = int64(q)
		}
	}
	switch dst.DType() {
	case gpu.I64:
		return dev.UploadI64(shape, exp, codes)
	case gpu.I32:
		c32 := make([]int32, len(codes))
		for i, c := range codes {
			if c < math.MinInt32 || c > math.MaxInt32 {
				return nil, fmt.Errorf("element %d: code %d (value %v) does not fit int32 on the 2^%d grid",
					i, c, math.Ldexp(float64(c), exp), exp)
			}
			c32[i] = int32(c)
		}
		return dev.UploadI32(shape, exp, c32)
	case gpu.U32:
		c32 := make([]uint32, len(codes))
		for i, c := range codes {
			if c < 0 || c > math.MaxUint32 {
				return nil, fmt.Errorf("element %d: code %d does not fit uint32", i, c)
			}
			c32[i] = uint32(c)
		}
		return dev.UploadU32(shape, exp, c32)
	}
	return nil, fmt.Errorf("cannot load into a %v parameter", dst.DType())
}

// stateValues returns the real values of src: code·2^exp when hasExp,
// else its elements (floats, or integers as they are).
func stateValues(src statedict.Tensor, exp int, hasExp bool) ([]float64, error) {
	if src.DType == statedict.F64 {
		if err := src.Validate(); err != nil {
			return nil, err
		}
		out := make([]float64, len(src.Data)/8)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(src.Data[8*i:]))
		}
		return out, nil
	}
	if isFloat(src.DType) {
		f, err := src.Float32s()
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out, nil
	}
	c, err := src.Int64s()
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(c))
	for i, v := range c {
		if hasExp {
			out[i] = math.Ldexp(float64(v), exp)
		} else {
			out[i] = float64(v)
		}
	}
	return out, nil
}

// shiftCode moves code c from grid 2^(e+shift) to grid 2^e: a left shift
// (exact, overflow checked) for shift > 0, a right shift rounding half to
// even for shift < 0.
func shiftCode(c int64, shift int) (int64, error) {
	switch {
	case shift == 0:
		return c, nil
	case shift > 0:
		if shift >= 63 || c > math.MaxInt64>>shift || c < math.MinInt64>>shift {
			return 0, fmt.Errorf("code %d shifted left by %d overflows int64", c, shift)
		}
		return c << shift, nil
	}
	s := -shift
	if s >= 63 {
		return 0, nil
	}
	q := c >> s // floor
	rem := c - q<<s
	half := int64(1) << (s - 1)
	if rem > half || (rem == half && q&1 != 0) {
		q++
	}
	return q, nil
}
