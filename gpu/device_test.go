package gpu

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestOpenCPUInfo(t *testing.T) {
	d := openCPUDevice(t)
	info := d.Info()
	if info.Backend != CPU || info.AdapterType != AdapterCPU || d.Backend() != CPU {
		t.Errorf("Info = %+v, want backend cpu, adapter type cpu", info)
	}
	if info.Limits.MaxStorageBufferBindingSize != DefaultMaxStorageBytes {
		t.Errorf("MaxStorageBufferBindingSize = %d, want %d", info.Limits.MaxStorageBufferBindingSize, DefaultMaxStorageBytes)
	}
	if s := info.String(); !strings.HasPrefix(s, "cpu: ") {
		t.Errorf("Info.String() = %q, want prefix \"cpu: \"", s)
	}
}

func TestOpenWebGPUInfo(t *testing.T) {
	d := openGPU(t)
	info := d.Info()
	if info.Backend != WebGPU || info.Adapter == "" || info.Limits.MaxStorageBufferBindingSize == 0 ||
		info.Limits.MaxComputeWorkgroupsPerDimension < 65535 {
		t.Errorf("Info = %+v", info)
	}
	t.Logf("%v", info)
}

func TestOpenAuto(t *testing.T) {
	d, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, gerr := Open(Options{Backend: WebGPU})
	want := WebGPU
	if errors.Is(gerr, ErrNoAdapter) {
		want = CPU
	}
	if d.Backend() != want {
		t.Errorf("Auto opened %v, want %v (WebGPU open: %v)", d.Backend(), want, gerr)
	}
}

func TestOpenUnknownBackend(t *testing.T) {
	if _, err := Open(Options{Backend: Backend(9)}); err == nil {
		t.Error("Open accepted backend 9")
	}
}

// TestPackedLayout pins the word layout of narrow and wide dtypes, worked
// out by hand from the layout rules in doc.go (little-endian lanes, each row
// of the last dimension starting a new word, zero padding).
func TestPackedLayout(t *testing.T) {
	for _, d := range devices(t) {
		i8, err := d.UploadI8([]int{2, 5}, 0, []int8{1, -1, 127, -128, 5, -2, 0, 0, 0, 3})
		check(t, err)
		// row 0: bytes 01 FF 7F 80 | 05 00 00 00; row 1: FE 00 00 00 | 03 00 00 00
		wantWords(t, d, i8, []uint32{0x807FFF01, 0x00000005, 0x000000FE, 0x00000003})

		u8, err := d.UploadU8([]int{3}, 0, []uint8{0xAB, 0, 0xFF})
		check(t, err)
		wantWords(t, d, u8, []uint32{0x00FF00AB})

		i16, err := d.UploadI16([]int{3}, 0, []int16{1, -1, -32768})
		check(t, err)
		wantWords(t, d, i16, []uint32{0xFFFF0001, 0x00008000})

		i64, err := d.UploadI64([]int{2}, 0, []int64{-2, 1 << 40})
		check(t, err)
		wantWords(t, d, i64, []uint32{0xFFFFFFFE, 0xFFFFFFFF, 0, 0x100})

		f32, err := d.UploadF32([]int{2}, 0, []float32{1, -2})
		check(t, err)
		wantWords(t, d, f32, []uint32{0x3F800000, 0xC0000000}) // IEEE 754
	}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantWords(t *testing.T, d *Device, x *Tensor, want []uint32) {
	t.Helper()
	got, err := x.DownloadWords()
	check(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%v %v words = %#x, want %#x", d.Backend(), x, got, want)
	}
}

// TestRoundTrip uploads and downloads every dtype over shapes with odd,
// empty and scalar dimensions.
func TestRoundTrip(t *testing.T) {
	shapes := [][]int{{}, {1}, {7}, {3, 5}, {2, 3, 7}, {0}, {4, 0}}
	for _, d := range devices(t) {
		for _, s := range shapes {
			n := numElems(s)
			vals := make([]int64, n)
			for i := range vals {
				vals[i] = int64(i*2654435761) ^ int64(i)<<40 // spread bits over every width
			}
			roundTrip(t, d, s, convert(vals, func(v int64) int8 { return int8(v) }), d.UploadI8, (*Tensor).DownloadI8)
			roundTrip(t, d, s, convert(vals, func(v int64) uint8 { return uint8(v) }), d.UploadU8, (*Tensor).DownloadU8)
			roundTrip(t, d, s, convert(vals, func(v int64) int16 { return int16(v) }), d.UploadI16, (*Tensor).DownloadI16)
			roundTrip(t, d, s, convert(vals, func(v int64) int32 { return int32(v) }), d.UploadI32, (*Tensor).DownloadI32)
			roundTrip(t, d, s, convert(vals, func(v int64) uint32 { return uint32(v) }), d.UploadU32, (*Tensor).DownloadU32)
			roundTrip(t, d, s, vals, d.UploadI64, (*Tensor).DownloadI64)
			roundTrip(t, d, s, convert(vals, func(v int64) float32 { return float32(v) / 3 }), d.UploadF32, (*Tensor).DownloadF32)
		}
	}
}

func roundTrip[E any](t *testing.T, d *Device, shape []int, vals []E,
	up func([]int, int, []E) (*Tensor, error), down func(*Tensor) ([]E, error)) {
	t.Helper()
	x, err := up(shape, -5, vals)
	check(t, err)
	defer x.Release()
	got, err := down(x)
	check(t, err)
	if len(got) != len(vals) || (len(vals) > 0 && !reflect.DeepEqual(got, vals)) {
		t.Errorf("%v %v: round trip = %v, want %v", d.Backend(), x, got, vals)
	}
	if x.Exp != -5 || !reflect.DeepEqual(x.Shape(), shape) {
		t.Errorf("%v: exp %d shape %v, want -5 %v", d.Backend(), x.Exp, x.Shape(), shape)
	}
}

func TestUploadErrors(t *testing.T) {
	d := openCPUDevice(t)
	if _, err := d.UploadI32([]int{2, 2}, 0, []int32{1, 2, 3}); !errors.Is(err, ErrShape) {
		t.Errorf("3 values for [2 2]: err %v, want ErrShape", err)
	}
	if _, err := d.UploadI32([]int{-1}, 0, nil); !errors.Is(err, ErrShape) {
		t.Errorf("negative dimension: err %v, want ErrShape", err)
	}
	x, err := d.UploadI32([]int{1}, 0, []int32{1})
	check(t, err)
	if _, err := x.DownloadI8(); !errors.Is(err, ErrShape) {
		t.Errorf("DownloadI8 of an i32 tensor: err %v, want ErrShape", err)
	}
	if _, err := d.Empty(DType(0), []int{1}, 0); !errors.Is(err, ErrShape) {
		t.Errorf("dtype 0: err %v, want ErrShape", err)
	}
}

// TestTooLarge checks that a tensor over maxStorageBufferBindingSize is
// refused with ErrTooLarge naming the size and the limit.
func TestTooLarge(t *testing.T) {
	d, err := Open(Options{Backend: CPU, MaxStorageBytes: 1024})
	check(t, err)
	defer d.Close()
	_, err = d.Empty(I32, []int{257}, 0)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1028") || !strings.Contains(err.Error(), "1024") {
		t.Errorf("257 words under a 1024-byte limit: err %v, want ErrTooLarge naming 1028 and 1024", err)
	}
	if _, err := d.Empty(I32, []int{256}, 0); err != nil {
		t.Errorf("256 words under a 1024-byte limit: %v", err)
	}
	g := openGPU(t)
	lim := g.Info().Limits.MaxStorageBufferBindingSize
	if _, err := g.Empty(I8, []int{int(lim) + 1}, 0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("WebGPU tensor over %d bytes: err %v, want ErrTooLarge", lim, err)
	}
}

// TestPoolReuse checks that Release returns a buffer for reuse by exact size.
func TestPoolReuse(t *testing.T) {
	for _, d := range devices(t) {
		a, err := d.Empty(I32, []int{100}, 0)
		check(t, err)
		buf := a.buf
		a.Release()
		a.Release() // idempotent
		b, err := d.Empty(U32, []int{10, 10}, 0)
		check(t, err)
		if b.buf != buf {
			t.Errorf("%v: a released 100-word buffer was not reused for 100 words", d.Backend())
		}
		c, err := d.Empty(I32, []int{101}, 0)
		check(t, err)
		if c.buf == buf {
			t.Errorf("%v: a 100-word buffer was reused for 101 words", d.Backend())
		}
	}
}

func TestClose(t *testing.T) {
	for _, d := range devices(t) {
		x, err := d.UploadI32([]int{2}, 0, []int32{1, 2})
		check(t, err)
		check(t, d.Close())
		check(t, d.Close())
		x.Release() // no-op after Close
		if _, err := d.Empty(I32, []int{1}, 0); !errors.Is(err, ErrClosed) {
			t.Errorf("%v: Empty after Close: err %v, want ErrClosed", d.Backend(), err)
		}
		if err := d.Wait(); !errors.Is(err, ErrClosed) {
			t.Errorf("%v: Wait after Close: err %v, want ErrClosed", d.Backend(), err)
		}
	}
}

func TestKernelErrorMessage(t *testing.T) {
	err := kernelErr("gemm_i8_nt", [][]int{{64, 128}, {32, 127}}, ErrShape, "inner dimensions %d and %d differ", 128, 127)
	want := "gpu: gemm_i8_nt [64 128]x[32 127]: inner dimensions 128 and 127 differ: gpu: shape mismatch"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	var ke *KernelError
	if !errors.As(err, &ke) || ke.Kernel != "gemm_i8_nt" || !errors.Is(err, ErrShape) {
		t.Errorf("errors.As/Is failed on %v", err)
	}
}

// TestInt32Extremes checks the wrappers end to end on values worked out by
// hand, including |MinInt32| = 2^31 for MaxAbs.
func TestInt32Extremes(t *testing.T) {
	for _, d := range devices(t) {
		x, err := d.UploadI32([]int{4}, -3, []int32{-7, 3, math.MinInt32, 0})
		check(t, err)
		r := d.Record()
		m := r.MaxAbs(x)
		y := r.Relu(x)
		check(t, r.Submit())
		mv, err := m.DownloadU32()
		check(t, err)
		yv, err := y.DownloadI32()
		check(t, err)
		if mv[0] != 1<<31 || m.Exp != -3 {
			t.Errorf("%v: MaxAbs = %d e%d, want 2147483648 e-3", d.Backend(), mv[0], m.Exp)
		}
		if !reflect.DeepEqual(yv, []int32{0, 3, 0, 0}) || y.Exp != -3 {
			t.Errorf("%v: Relu = %v e%d, want [0 3 0 0] e-3", d.Backend(), yv, y.Exp)
		}
	}
}
