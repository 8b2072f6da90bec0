package i8gemm_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/wageubn/wageubn/internal/i8gemm"
)

// guard fills the padding of C; a write outside the M×N block shows up as a
// changed guard.
const guard = int32(0x5A5A5A5A)

// refNT is the definition: a naive triple loop in int64, narrowed at the end
// (the callers keep K within the bound, so the narrowing is exact).
func refNT[T int8 | uint8](M, N, K int, A []T, lda int, B []int8, ldb int) []int64 {
	C := make([]int64, M*N)
	for m := range M {
		for n := range N {
			var s int64
			for k := range K {
				s += int64(A[m*lda+k]) * int64(B[n*ldb+k])
			}
			C[m*N+n] = s
		}
	}
	return C
}

// fill sets the M×K block of x (leading dimension ld) by kind, and the
// padding to a recognizable value.
func fill[T int8 | uint8](x []T, rows, cols, ld int, kind string, r *rand.Rand) {
	lo, hi := -128, 127 // int8
	var z T
	if z-1 > 0 { // uint8
		lo, hi = 0, 255
	}
	for i := range x {
		x[i] = T(0x33) // padding: must never be read into a result
	}
	for i := range rows {
		for j := range cols {
			var v int
			switch kind {
			case "random":
				v = lo + r.IntN(hi-lo+1)
			case "min":
				v = lo
			case "max":
				v = hi
			case "alternate": // extremes alternating along K and rows
				v = lo
				if (i+j)%2 == 1 {
					v = hi
				}
			}
			x[i*ld+j] = T(v)
		}
	}
}

type shape struct{ M, N, K, padA, padB, padC int }

// shapes covers odd sizes around the tile sizes (SWAR: 4 rows × 16
// columns, flush period 64, K blocks of at most 256; archsimd: 2 rows × 48
// columns, K pairs; VNNI: 6 rows × 64 columns, tasks of 48 rows, K quads and
// blocks of 512), K = 1 and a large K, and padded leading dimensions.
func shapes() []shape {
	odd := []int{1, 3, 5, 17, 63, 65}
	var s []shape
	for _, m := range odd {
		for _, n := range odd {
			for _, k := range odd {
				s = append(s, shape{m, n, k, 0, 0, 0})
			}
		}
	}
	return append(s,
		shape{127, 129, 127, 0, 0, 0},
		shape{129, 127, 129, 0, 0, 0},
		shape{64, 64, 64, 0, 0, 0},
		shape{7, 13, 4099, 0, 0, 0},
		shape{33, 35, 4099, 0, 0, 0},
		shape{5, 7, 300, 3, 5, 7},
		shape{65, 17, 129, 1, 9, 2},
		shape{17, 65, 4099, 13, 1, 3},
		shape{128, 96, 520, 0, 0, 0}, // large enough for several goroutines
	)
}

// runCase runs one shape and value kind through gemm and compares with refNT,
// including guards in C's padding and unchanged inputs.
func runCase[T int8 | uint8](t *testing.T, name string, gemm func(M, N, K int, A []T, lda int, B []int8, ldb int, C []int32, ldc int) error, s shape, kindA, kindB string, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	lda, ldb, ldc := s.K+s.padA, s.K+s.padB, s.N+s.padC
	A := make([]T, (s.M-1)*lda+s.K+s.padA) // trailing padding too
	B := make([]int8, (s.N-1)*ldb+s.K+s.padB)
	C := make([]int32, (s.M-1)*ldc+s.N+s.padC)
	fill(A, s.M, s.K, lda, kindA, r)
	fill(B, s.N, s.K, ldb, kindB, r)
	for i := range C {
		C[i] = guard
	}
	A0, B0 := slices.Clone(A), slices.Clone(B)
	if err := gemm(s.M, s.N, s.K, A, lda, B, ldb, C, ldc); err != nil {
		t.Fatalf("%s %+v: %v", name, s, err)
	}
	if !slices.Equal(A, A0) || !slices.Equal(B, B0) {
		t.Fatalf("%s %+v: inputs modified", name, s)
	}
	want := refNT(s.M, s.N, s.K, A, lda, B, ldb)
	bad, first := 0, ""
	for i := range C {
		m, n := i/ldc, i%ldc
		exp := int64(guard)
		if n < s.N {
			exp = want[m*s.N+n]
		}
		if int64(C[i]) != exp {
			if bad < 5 {
				first += fmt.Sprintf(" [m=%d n=%d got %d want %d]", m, n, C[i], exp)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s %+v A=%s B=%s seed=%d: %d mismatches:%s", name, s, kindA, kindB, seed, bad, first)
	}
}

var kinds = [][2]string{{"random", "random"}, {"min", "min"}, {"max", "max"}, {"min", "max"}, {"max", "min"}, {"alternate", "alternate"}}

type gemmI8 = func(M, N, K int, A []int8, lda int, B []int8, ldb int, C []int32, ldc int) error
type gemmU8 = func(M, N, K int, A []uint8, lda int, B []int8, ldb int, C []int32, ldc int) error

// The exported functions take the VNNI assembly path where the build and CPU
// have it (i8gemm.VNNI()); the NoVNNI ones take the archsimd path where the
// build and CPU have that (i8gemm.SIMD()), and the Portable ones always run
// the SWAR code. Each test runs every case through all three.
var (
	implsI8 = []struct {
		name string
		f    gemmI8
	}{{"NT", i8gemm.NT}, {"NT/novnni", i8gemm.NTNoVNNI}, {"NT/portable", i8gemm.NTPortable}}
	implsU8 = []struct {
		name string
		f    gemmU8
	}{{"NTU8", i8gemm.NTU8}, {"NTU8/novnni", i8gemm.NTU8NoVNNI}, {"NTU8/portable", i8gemm.NTU8Portable}}
)

// TestPaths logs which implementation each entry point runs on this build
// and CPU, and checks that a CPU with VNNI (x/sys/cpu) gets the VNNI path on
// amd64 builds that have it.
func TestPaths(t *testing.T) {
	t.Logf("NT, NTU8: VNNI assembly path: %v; NoVNNI: archsimd path: %v; Portable: SWAR", i8gemm.VNNI(), i8gemm.SIMD())
	if runtime.GOARCH == "amd64" && cpuHasVNNI() && !i8gemm.VNNI() && !purego {
		t.Error("the CPU has AVX-512 VNNI and BW but NT does not take the VNNI path")
	}
}

func TestNTExact(t *testing.T) {
	for _, impl := range implsI8 {
		n := 0
		for i, s := range shapes() {
			for _, k := range kinds {
				runCase(t, impl.name, impl.f, s, k[0], k[1], uint64(i))
				n++
			}
		}
		t.Logf("%s: %d cases compared with the naive loop", impl.name, n)
	}
}

func TestNTU8Exact(t *testing.T) {
	for _, impl := range implsU8 {
		n := 0
		for i, s := range shapes() {
			for _, k := range kinds {
				runCase(t, impl.name, impl.f, s, k[0], k[1], uint64(i))
				n++
			}
		}
		t.Logf("%s: %d cases compared with the naive loop", impl.name, n)
	}
}

// TestBound checks K at the exactness bound with the extreme products; the
// expected values are K times the extreme product, worked out by hand. With
// a = 127 the VNNI path's shifted sum Σ (a+128)·b wraps int32 before its
// correction is added, which the result must not show.
func TestBound(t *testing.T) {
	tests := []struct {
		name string
		u8   bool
		K    int
		a, b int
		want int32
	}{
		{"NT (-128)·(-128) at MaxK", false, i8gemm.MaxK, -128, -128, 2147467264},   // 131071·16384
		{"NT (-128)·127 at MaxK", false, i8gemm.MaxK, -128, 127, -2130690176},      // 131071·(-16256)
		{"NT 127·(-128) at MaxK", false, i8gemm.MaxK, 127, -128, -2130690176},      // 131071·(-16256)
		{"NT 127·127 at MaxK", false, i8gemm.MaxK, 127, 127, 2114044159},           // 131071·16129
		{"NTU8 255·(-128) at MaxKU8", true, i8gemm.MaxKU8, 255, -128, -2147483520}, // 65793·(-32640)
		{"NTU8 255·127 at MaxKU8", true, i8gemm.MaxKU8, 255, 127, 2130706305},      // 65793·32385
	}
	for _, tc := range tests {
		for impl := range implsI8 {
			name := implsI8[impl].name
			if tc.u8 {
				name = implsU8[impl].name
			}
			t.Run(fmt.Sprintf("%s/%s", tc.name, name), func(t *testing.T) {
				testBound(t, impl, tc.u8, tc.K, tc.a, tc.b, tc.want)
			})
		}
	}
}

// testBound runs M×N outputs of K products a·b through implsI8[impl] or
// implsU8[impl] and checks every output against want.
func testBound(t *testing.T, impl int, u8 bool, K, a, b int, want int32) {
	const M, N = 5, 71 // a partial strip of rows; a full and a partial panel
	B := make([]int8, N*K)
	for i := range B {
		B[i] = int8(b)
	}
	C := make([]int32, M*N)
	var err error
	if u8 {
		A := make([]uint8, M*K)
		for i := range A {
			A[i] = uint8(a)
		}
		err = implsU8[impl].f(M, N, K, A, K, B, K, C, N)
	} else {
		A := make([]int8, M*K)
		for i := range A {
			A[i] = int8(a)
		}
		err = implsI8[impl].f(M, N, K, A, K, B, K, C, N)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range C {
		if c != want {
			t.Fatalf("C[%d] = %d, want %d", i, c, want)
		}
	}
}

func TestErrors(t *testing.T) {
	a := make([]int8, 100)
	u := make([]uint8, 100)
	b := make([]int8, 100)
	c := make([]int32, 100)
	huge := int(^uint(0) >> 2)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"negative M", i8gemm.NT(-1, 2, 2, a, 2, b, 2, c, 2), i8gemm.ErrShape},
		{"negative N", i8gemm.NT(2, -1, 2, a, 2, b, 2, c, 2), i8gemm.ErrShape},
		{"negative K", i8gemm.NTU8(2, 2, -1, u, 2, b, 2, c, 2), i8gemm.ErrShape},
		{"lda < K", i8gemm.NT(2, 2, 3, a, 2, b, 3, c, 2), i8gemm.ErrShape},
		{"ldb < K", i8gemm.NT(2, 2, 3, a, 3, b, 2, c, 2), i8gemm.ErrShape},
		{"ldc < N", i8gemm.NT(2, 3, 2, a, 2, b, 2, c, 2), i8gemm.ErrShape},
		{"lda = 0 with K = 0", i8gemm.NT(2, 2, 0, a, 0, b, 1, c, 2), i8gemm.ErrShape},
		{"short A", i8gemm.NT(10, 2, 10, a[:99], 10, b, 10, c, 2), i8gemm.ErrLength},
		{"short A U8", i8gemm.NTU8(10, 2, 10, u[:99], 10, b, 10, c, 2), i8gemm.ErrLength},
		{"short B", i8gemm.NT(2, 10, 10, a, 10, b[:95], 10, c, 10), i8gemm.ErrLength},
		{"short C", i8gemm.NT(10, 10, 1, a, 1, b, 1, c[:99], 10), i8gemm.ErrLength},
		{"padded short C", i8gemm.NT(2, 2, 1, a, 1, b, 1, c[:50], 50), i8gemm.ErrLength},
		{"overflowing span", i8gemm.NT(huge, 1, 4, a, huge, b, 4, c, 1), i8gemm.ErrLength},
		{"K > MaxK", i8gemm.NT(1, 1, i8gemm.MaxK+1, a, i8gemm.MaxK+1, b, i8gemm.MaxK+1, c, 1), i8gemm.ErrK},
		{"K > MaxKU8", i8gemm.NTU8(1, 1, i8gemm.MaxKU8+1, u, i8gemm.MaxKU8+1, b, i8gemm.MaxKU8+1, c, 1), i8gemm.ErrK},
		{"nil C", i8gemm.NT(1, 1, 1, a, 1, b, 1, nil, 1), i8gemm.ErrLength},
		{"M = 0 is fine", i8gemm.NT(0, 5, 5, nil, 5, nil, 5, nil, 5), nil},
		{"N = 0 is fine", i8gemm.NTU8(5, 0, 5, nil, 5, nil, 5, nil, 1), nil},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.want) || (tc.want == nil) != (tc.err == nil) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.err, tc.want)
		}
	}
}

// TestNoWriteOnError checks that a rejected call leaves C untouched.
func TestNoWriteOnError(t *testing.T) {
	C := []int32{1, 2, 3, 4}
	if err := i8gemm.NT(2, 2, 3, make([]int8, 5), 3, make([]int8, 6), 3, C, 2); !errors.Is(err, i8gemm.ErrLength) {
		t.Fatalf("got %v, want ErrLength", err)
	}
	if !slices.Equal(C, []int32{1, 2, 3, 4}) {
		t.Errorf("C = %v after an error, want it unchanged", C)
	}
}

// TestKZero checks that K = 0 gives the empty sum, 0, and keeps the padding.
func TestKZero(t *testing.T) {
	C := []int32{9, 9, guard, 9, 9, guard}
	if err := i8gemm.NT(2, 2, 0, nil, 1, nil, 1, C, 3); err != nil {
		t.Fatal(err)
	}
	if want := []int32{0, 0, guard, 0, 0, guard}; !slices.Equal(C, want) {
		t.Errorf("C = %v, want %v", C, want)
	}
}

func FuzzNT(f *testing.F) {
	f.Add(uint8(3), uint8(5), uint8(7), uint64(1), false)
	f.Add(uint8(1), uint8(1), uint8(64), uint64(2), true)
	f.Add(uint8(9), uint8(13), uint8(200), uint64(3), false)
	f.Fuzz(func(t *testing.T, m, n, k uint8, seed uint64, u8 bool) {
		s := shape{int(m%40) + 1, int(n%40) + 1, int(k) + 1, int(seed % 3), int(seed % 5), int(seed % 2)}
		kind := kinds[seed%uint64(len(kinds))]
		for i := range implsI8 {
			if u8 {
				runCase(t, implsU8[i].name, implsU8[i].f, s, kind[0], kind[1], seed)
			} else {
				runCase(t, implsI8[i].name, implsI8[i].f, s, kind[0], kind[1], seed)
			}
		}
	})
}

func ExampleNT() {
	// A = [1 2; 3 4] and B = [5 6; 7 8] stored as rows of Bᵀ's columns:
	// C = A·Bᵀ = [1·5+2·6 1·7+2·8; 3·5+4·6 3·7+4·8].
	A := []int8{1, 2, 3, 4}
	B := []int8{5, 6, 7, 8}
	C := make([]int32, 4)
	if err := i8gemm.NT(2, 2, 2, A, 2, B, 2, C, 2); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(C)
	// Output: [17 23 39 53]
}
