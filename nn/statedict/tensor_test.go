package statedict_test

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/nn/statedict"
)

// le16 encodes uint16 values little-endian.
func le16(v ...uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}

// TestFloat32sHalf checks the F16 and BF16 conversions on the IEEE 754
// binary16 and bfloat16 reference encodings (sign, exponent and mantissa
// fields as listed in IEEE 754-2008 §3.6 and Wikipedia's "Half-precision
// floating-point format" examples), specials included.
func TestFloat32sHalf(t *testing.T) {
	tests := []struct {
		name string
		dt   statedict.DType
		bits uint16
		want float32
	}{
		{"f16 zero", statedict.F16, 0x0000, 0},
		{"f16 one", statedict.F16, 0x3c00, 1},
		{"f16 -2", statedict.F16, 0xc000, -2},
		{"f16 max", statedict.F16, 0x7bff, 65504},
		{"f16 min normal", statedict.F16, 0x0400, 0x1p-14},
		{"f16 min subnormal", statedict.F16, 0x0001, 0x1p-24},
		{"f16 max subnormal", statedict.F16, 0x03ff, 1023 * 0x1p-24},
		{"f16 -min subnormal", statedict.F16, 0x8001, -0x1p-24},
		{"f16 1/3", statedict.F16, 0x3555, 0x1.554p-2},
		{"f16 inf", statedict.F16, 0x7c00, float32(math.Inf(1))},
		{"f16 -inf", statedict.F16, 0xfc00, float32(math.Inf(-1))},
		{"bf16 one", statedict.BF16, 0x3f80, 1},
		{"bf16 max", statedict.BF16, 0x7f7f, 0x1.fep127},
		{"bf16 min subnormal", statedict.BF16, 0x0001, 0x1p-133},
		{"bf16 -inf", statedict.BF16, 0xff80, float32(math.Inf(-1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := statedict.New(tt.dt, []int{1}, le16(tt.bits))
			if err != nil {
				t.Fatal(err)
			}
			got, err := x.Float32s()
			if err != nil {
				t.Fatal(err)
			}
			if math.Float32bits(got[0]) != math.Float32bits(tt.want) {
				t.Errorf("%#04x -> %v, want %v", tt.bits, got[0], tt.want)
			}
		})
	}
	// Signed zero and NaN: compare bits (NaN payload kept, quiet bit set).
	bitsTests := []struct {
		dt   statedict.DType
		in   uint16
		want uint32
	}{
		{statedict.F16, 0x8000, 0x80000000},
		{statedict.F16, 0x7e00, 0x7fc00000},
		{statedict.F16, 0xfe01, 0xffc02000},
		{statedict.BF16, 0x8000, 0x80000000},
		{statedict.BF16, 0x7fc1, 0x7fc10000},
	}
	for _, tt := range bitsTests {
		x, err := statedict.New(tt.dt, nil, le16(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		got, err := x.Float32s()
		if err != nil || math.Float32bits(got[0]) != tt.want {
			t.Errorf("%v %#04x -> %#08x, %v; want %#08x", tt.dt, tt.in, math.Float32bits(got[0]), err, tt.want)
		}
	}
}

// TestConstructorsAndViews round-trips edge values through every From...
// constructor and the matching view.
func TestConstructorsAndViews(t *testing.T) {
	f32 := []float32{0, float32(math.Copysign(0, -1)), 1.5, math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Inf(-1))}
	x, err := statedict.FromFloat32([]int{2, 3}, f32)
	if err != nil {
		t.Fatal(err)
	}
	got, err := x.Float32s()
	if err != nil || !slices.EqualFunc(got, f32, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
		t.Errorf("F32 round trip = %v, %v; want %v", got, err, f32)
	}
	if x.DType != statedict.F32 || len(x.Data) != 24 || binary.LittleEndian.Uint32(x.Data[8:]) != 0x3fc00000 { // 1.5 = 0x3fc00000
		t.Errorf("F32 tensor %v %v % x: wrong layout", x.DType, x.Shape, x.Data)
	}

	// F64 rounds to nearest float32: 0.1 -> 0x3dcccccd; 1e300 overflows to Inf.
	x, err = statedict.FromFloat64([]int{3}, []float64{0.1, 1e300, -0.5})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := x.Float32s(); err != nil || math.Float32bits(got[0]) != 0x3dcccccd || !math.IsInf(float64(got[1]), 1) || got[2] != -0.5 {
		t.Errorf("F64 -> float32 = %v, %v", got, err)
	}

	i8 := []int8{-128, -1, 0, 127}
	x, err = statedict.FromInt8([]int{4}, i8)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := x.Int8s(); err != nil || !slices.Equal(got, i8) {
		t.Errorf("I8 round trip = %v, %v", got, err)
	}
	if got, err := x.Float32s(); err != nil || !slices.Equal(got, []float32{-128, -1, 0, 127}) {
		t.Errorf("I8 Float32s = %v, %v", got, err)
	}

	x, err = statedict.FromUint8([]int{2}, []uint8{0, 255})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := x.Int32s(); err != nil || !slices.Equal(got, []int32{0, 255}) {
		t.Errorf("U8 Int32s = %v, %v", got, err)
	}
	if _, err := x.Int8s(); !errors.Is(err, statedict.ErrRange) {
		t.Errorf("U8 255 Int8s err = %v, want ErrRange", err)
	}

	x, err = statedict.FromInt16([]int{2}, []int16{math.MinInt16, math.MaxInt16})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := x.Int32s(); err != nil || !slices.Equal(got, []int32{math.MinInt16, math.MaxInt16}) {
		t.Errorf("I16 Int32s = %v, %v", got, err)
	}

	i32 := []int32{math.MinInt32, -1, 0, 1<<24 + 1, math.MaxInt32}
	x, err = statedict.FromInt32([]int{5}, i32)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := x.Int32s(); err != nil || !slices.Equal(got, i32) {
		t.Errorf("I32 round trip = %v, %v", got, err)
	}
	// 2^24+1 is not a float32: ties-to-even gives 2^24.
	if got, err := x.Float32s(); err != nil || got[3] != 1<<24 || got[0] != -0x1p31 {
		t.Errorf("I32 Float32s = %v, %v", got, err)
	}

	x, err = statedict.FromInt64(nil, []int64{1 << 31}) // 0-d
	if err != nil {
		t.Fatal(err)
	}
	if x.Shape == nil || len(x.Shape) != 0 {
		t.Errorf("0-d shape = %#v, want []int{}", x.Shape)
	}
	if _, err := x.Int32s(); !errors.Is(err, statedict.ErrRange) {
		t.Errorf("I64 2^31 Int32s err = %v, want ErrRange", err)
	}
	if got, err := x.Int64s(); err != nil || !slices.Equal(got, []int64{1 << 31}) {
		t.Errorf("I64 Int64s = %v, %v", got, err)
	}

	x, err = statedict.FromBool([]int{3}, []bool{true, false, true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := x.Float32s(); err != nil || !slices.Equal(got, []float32{1, 0, 1}) || !slices.Equal(x.Data, []byte{1, 0, 1}) {
		t.Errorf("BOOL = % x, Float32s %v, %v", x.Data, got, err)
	}

	f, _ := statedict.FromFloat32([]int{1}, []float32{1})
	for _, view := range []func() error{
		func() error { _, err := f.Int32s(); return err },
		func() error { _, err := f.Int64s(); return err },
		func() error { _, err := f.Int8s(); return err },
	} {
		if err := view(); !errors.Is(err, statedict.ErrDType) {
			t.Errorf("integer view of F32: err = %v, want ErrDType", err)
		}
	}
}

// TestTensorErrors checks shape and dtype validation.
func TestTensorErrors(t *testing.T) {
	tests := []struct {
		name  string
		build func() error
		want  error
	}{
		{"data too short", func() error { _, err := statedict.FromFloat32([]int{2, 2}, make([]float32, 3)); return err }, statedict.ErrShape},
		{"data too long", func() error { _, err := statedict.FromInt8([]int{}, make([]int8, 2)); return err }, statedict.ErrShape},
		{"negative size", func() error { _, err := statedict.FromInt8([]int{-1}, nil); return err }, statedict.ErrShape},
		{"count overflow", func() error { _, err := statedict.FromInt8([]int{1 << 40, 1 << 40}, nil); return err }, statedict.ErrShape},
		{"byte overflow", func() error { _, err := statedict.New(statedict.F64, []int{1 << 61}, nil); return err }, statedict.ErrShape},
		{"New bytes mismatch", func() error { _, err := statedict.New(statedict.I32, []int{2}, make([]byte, 7)); return err }, statedict.ErrShape},
		{"New invalid dtype", func() error { _, err := statedict.New(statedict.Invalid, nil, []byte{0}); return err }, statedict.ErrDType},
		{"New dtype 200", func() error { _, err := statedict.New(statedict.DType(200), nil, []byte{0}); return err }, statedict.ErrDType},
		{"Float32s of bad tensor", func() error {
			_, err := statedict.Tensor{DType: statedict.F32, Shape: []int{2}, Data: make([]byte, 4)}.Float32s()
			return err
		}, statedict.ErrShape},
		{"ParseDType", func() error { _, err := statedict.ParseDType("U16"); return err }, statedict.ErrDType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.build(); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if n, err := statedict.NumElements(nil); n != 1 || err != nil {
		t.Errorf("NumElements(nil) = %d, %v; want 1 (0-d)", n, err)
	}
	if n, err := statedict.NumElements([]int{0, 5}); n != 0 || err != nil {
		t.Errorf("NumElements([0 5]) = %d, %v; want 0", n, err)
	}
}

// TestDTypeNames checks the safetensors names and sizes of every dtype.
func TestDTypeNames(t *testing.T) {
	want := map[statedict.DType]struct {
		name string
		size int
	}{
		statedict.Bool: {"BOOL", 1}, statedict.U8: {"U8", 1}, statedict.I8: {"I8", 1},
		statedict.I16: {"I16", 2}, statedict.I32: {"I32", 4}, statedict.I64: {"I64", 8},
		statedict.F16: {"F16", 2}, statedict.BF16: {"BF16", 2}, statedict.F32: {"F32", 4},
		statedict.F64: {"F64", 8},
	}
	for dt, w := range want {
		if dt.String() != w.name || dt.Size() != w.size || !dt.Valid() {
			t.Errorf("%d: %q size %d, want %q size %d", dt, dt, dt.Size(), w.name, w.size)
		}
		if p, err := statedict.ParseDType(w.name); p != dt || err != nil {
			t.Errorf("ParseDType(%q) = %v, %v", w.name, p, err)
		}
	}
	if statedict.Invalid.Valid() || statedict.Invalid.Size() != 0 || statedict.DType(99).String() != "DType(99)" {
		t.Error("invalid dtypes are not reported as invalid")
	}
}

// TestClone checks that Clone shares no memory.
func TestClone(t *testing.T) {
	x, _ := statedict.FromInt8([]int{2}, []int8{1, 2})
	c := x.Clone()
	c.Data[0], c.Shape[0] = 9, 7
	if x.Data[0] != 1 || x.Shape[0] != 2 {
		t.Errorf("Clone shares memory: %v %v", x.Shape, x.Data)
	}
}
