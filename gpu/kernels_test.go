package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// The cross-check test: one table of case generators, one per registry
// row, each run on both backends and compared word for word. A registry row
// without a generator fails the test.

// kcase is one run of a kernel on raw words.
type kcase struct {
	name    string
	params  any
	outs    []int      // words per output binding
	outInit [][]uint32 // initial output words (nil: fill with outSentinel)
	ins     [][]uint32 // input words, one slice per input binding
	tol     float32    // > 0: outputs are float32, compared within tol
}

const (
	seed        = 20261127 // fixed seed of every generator
	guardWords  = 64       // guard band before and after each output (256 bytes, the storage offset alignment)
	guardWord   = 0x5A5A5A5A
	outSentinel = 0xA5A5A5A5
)

// caseGens has one case generator per kernel.
var caseGens = map[string]func(rng *rand.Rand) []kcase{
	"fill_u32":       fillCases,
	"relu_i32":       reluCases,
	"add_i32":        addCases,
	"max_abs_i32":    maxAbsCases,
	"pack_i8":        func(rng *rand.Rand) []kcase { return packCases(rng, false) },
	"pack_i8_t":      func(rng *rand.Rand) []kcase { return packCases(rng, true) },
	"gemm_i8_nt":     func(rng *rand.Rand) []kcase { return gemmCases(rng, gemmShapes) },
	"gemm_i8_nt_k16": func(rng *rand.Rand) []kcase { return gemmCases(rng, gemmK16Shapes) },
}

// elemSizes are the 1-D lengths tried: 1, odd sizes, workgroup edges, and one
// past 65535 workgroups of 64 so that the grid spills into y.
var elemSizes = []int{1, 3, 63, 64, 65, 255, 257, 1000, 4097, 65535*64 + 1}

// valueSets generate int32 inputs of length n.
var valueSets = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []uint32
}{
	{"random", func(rng *rand.Rand, n int) []uint32 { return fillWith(n, func(int) uint32 { return rng.Uint32() }) }},
	{"int8", func(rng *rand.Rand, n int) []uint32 {
		return fillWith(n, func(int) uint32 { return uint32(int32(rng.IntN(256) - 128)) })
	}},
	{"all-128", func(_ *rand.Rand, n int) []uint32 { return fillWith(n, func(int) uint32 { return uint32(0xFFFFFF80) }) }},
	{"all127", func(_ *rand.Rand, n int) []uint32 { return fillWith(n, func(int) uint32 { return 127 }) }},
	{"extremes", func(_ *rand.Rand, n int) []uint32 {
		ext := []int32{math.MinInt32, math.MaxInt32, 0, -1, 1, -129, 128, -128, 127}
		return fillWith(n, func(i int) uint32 { return uint32(ext[i%len(ext)]) })
	}},
}

func fillWith(n int, f func(i int) uint32) []uint32 {
	w := make([]uint32, n)
	for i := range w {
		w[i] = f(i)
	}
	return w
}

func fillCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range elemSizes {
		v := rng.Uint32()
		cs = append(cs, kcase{name: fmt.Sprintf("n=%d", n), params: cpu.FillParams{N: uint32(n), Value: v}, outs: []int{n}})
	}
	return cs
}

func reluCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range elemSizes {
		for _, vs := range valueSets {
			if n > 5000 && vs.name != "random" {
				continue
			}
			cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s", n, vs.name), params: cpu.ReluParams{N: uint32(n)},
				outs: []int{n}, ins: [][]uint32{vs.gen(rng, n)}})
		}
	}
	return cs
}

func addCases(rng *rand.Rand) []kcase {
	var cs []kcase
	shifts := [][2]uint32{{0, 0}, {3, 0}, {0, 7}, {30, 0}, {0, 31}, {33, 35}}
	for _, n := range elemSizes[:len(elemSizes)-1] {
		for _, vs := range valueSets {
			for _, s := range shifts {
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/shift=%d,%d", n, vs.name, s[0], s[1]),
					params: cpu.AddParams{N: uint32(n), ShiftA: s[0], ShiftB: s[1]},
					outs:   []int{n}, ins: [][]uint32{vs.gen(rng, n), valueSets[0].gen(rng, n)}})
			}
		}
	}
	return cs
}

func maxAbsCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range append(elemSizes, 100003) {
		for _, vs := range valueSets {
			if n > 5000 && vs.name != "random" {
				continue
			}
			// The output accumulates: start from 0 and from a value above
			// every |x| of the int8 sets.
			for _, init := range []uint32{0, 1000} {
				cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%s/init=%d", n, vs.name, init),
					params: cpu.MaxAbsParams{N: uint32(n)}, outs: []int{1}, outInit: [][]uint32{{init}},
					ins: [][]uint32{vs.gen(rng, n)}})
			}
		}
	}
	return cs
}

func packCases(rng *rand.Rand, transpose bool) []kcase {
	var cs []kcase
	for _, s := range [][2]int{{1, 1}, {1, 4}, {3, 5}, {7, 13}, {4, 16}, {64, 64}, {65, 127}, {1, 1000}, {257, 3}} {
		rows, k := s[0], s[1]
		kw := (k + 3) / 4
		for _, vs := range valueSets {
			cs = append(cs, kcase{name: fmt.Sprintf("rows=%d/k=%d/%s", rows, k, vs.name),
				params: cpu.PackParams{Rows: uint32(rows), K: uint32(k), KW: uint32(kw)},
				outs:   []int{rows * kw}, ins: [][]uint32{vs.gen(rng, rows*k)}})
		}
	}
	return cs
}

// i8Sets generate int8 matrices [rows, k] packed along k.
var i8Sets = []struct {
	name string
	gen  func(rng *rand.Rand, rows, k int) []uint32
}{
	{"random", func(rng *rand.Rand, rows, k int) []uint32 {
		return packI8Words(rows, k, func(int) int8 { return int8(rng.IntN(256) - 128) })
	}},
	{"all-128", func(_ *rand.Rand, rows, k int) []uint32 { return packI8Words(rows, k, func(int) int8 { return -128 }) }},
	{"all127", func(_ *rand.Rand, rows, k int) []uint32 { return packI8Words(rows, k, func(int) int8 { return 127 }) }},
}

func packI8Words(rows, k int, f func(i int) int8) []uint32 {
	v := make([]int8, rows*k)
	for i := range v {
		v[i] = f(i)
	}
	return packNarrow[int8](4)([]int{rows, k}, v)
}

// gemmShapes are (m, n, k) for gemm_i8_nt: 1, odd sizes, block edges (8)
// and the exactness bound, where all -128 sums to 131071·2^14 = 2^31 - 2^14.
var gemmShapes = [][3]int{
	{1, 1, 1}, {1, 1, 4}, {3, 5, 7}, {4, 4, 4}, {5, 3, 9}, {8, 8, 16}, {7, 9, 17}, {31, 33, 65},
	{64, 64, 64}, {65, 63, 129}, {1, 17, 1000}, {33, 1, 515}, {3, 2, 4099}, {2, 3, MaxGemmK},
}

// gemmK16Shapes are (m, n, k) with ceil(k/4) a multiple of 4, for
// gemm_i8_nt_k16 (k = 13 pads to 16).
var gemmK16Shapes = [][3]int{
	{1, 1, 16}, {1, 1, 13}, {3, 5, 16}, {8, 8, 32}, {7, 9, 61}, {31, 33, 64},
	{64, 64, 64}, {65, 63, 128}, {1, 17, 1024}, {33, 1, 512}, {3, 2, 4096}, {2, 3, MaxGemmK},
}

func gemmCases(rng *rand.Rand, shapes [][3]int) []kcase {
	var cs []kcase
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		kw := (k + 3) / 4
		for _, vs := range i8Sets {
			if k == MaxGemmK && vs.name == "random" {
				continue
			}
			cs = append(cs, kcase{name: fmt.Sprintf("m=%d/n=%d/k=%d/%s", m, n, k, vs.name),
				params: cpu.GemmParams{M: uint32(m), N: uint32(n), KW: uint32(kw)},
				outs:   []int{m * n}, ins: [][]uint32{vs.gen(rng, m, k), i8Sets[0].gen(rng, n, k)}})
			if vs.name != "random" { // both operands extreme
				cs = append(cs, kcase{name: fmt.Sprintf("m=%d/n=%d/k=%d/%s-both", m, n, k, vs.name),
					params: cpu.GemmParams{M: uint32(m), N: uint32(n), KW: uint32(kw)},
					outs:   []int{m * n}, ins: [][]uint32{vs.gen(rng, m, k), vs.gen(rng, n, k)}})
			}
		}
	}
	return cs
}

// runCase runs one case on a device through raw bindings: each output sits
// between guard bands, inputs are bound whole. It returns the outputs, then
// the device's error word (read and cleared), and fails the test when a
// guard word or an input word changed.
func runCase(t *testing.T, d *Device, k *Kernel, c kcase) [][]uint32 {
	t.Helper()
	var binds []binding
	var shapes [][]int
	var outT, inT []*Tensor
	for i, n := range c.outs {
		w := fillWith(guardWords+n+guardWords, func(int) uint32 { return guardWord })
		for j := range n {
			w[guardWords+j] = outSentinel
		}
		if c.outInit != nil {
			copy(w[guardWords:], c.outInit[i])
		}
		tt, err := d.UploadU32([]int{len(w)}, 0, w)
		if err != nil {
			t.Fatalf("%v: %v", d.Backend(), err)
		}
		defer tt.Release()
		outT = append(outT, tt)
		binds = append(binds, binding{buf: tt.buf, off: guardWords, n: n})
		shapes = append(shapes, []int{n})
	}
	for _, in := range c.ins {
		tt, err := d.UploadU32([]int{len(in)}, 0, in)
		if err != nil {
			t.Fatalf("%v: %v", d.Backend(), err)
		}
		defer tt.Release()
		inT = append(inT, tt)
		binds = append(binds, binding{buf: tt.buf, off: 0, n: len(in)})
		shapes = append(shapes, []int{len(in)})
	}
	r := d.Record()
	if err := r.run(k.Name, c.params, binds, shapes, nil); err != nil {
		t.Fatalf("%v: %v", d.Backend(), err)
	}
	if err := r.Submit(); err != nil {
		t.Fatalf("%v: %v", d.Backend(), err)
	}
	var outs [][]uint32
	for i, tt := range outT {
		w, err := tt.DownloadU32()
		if err != nil {
			t.Fatalf("%v: %v", d.Backend(), err)
		}
		n := c.outs[i]
		for j := range guardWords {
			if w[j] != guardWord || w[guardWords+n+j] != guardWord {
				t.Fatalf("%v: output %d: guard word overwritten (before[%d]=%#x after[%d]=%#x)",
					d.Backend(), i, j, w[j], j, w[guardWords+n+j])
			}
		}
		outs = append(outs, w[guardWords:guardWords+n])
	}
	for i, tt := range inT {
		w, err := tt.DownloadU32()
		if err != nil {
			t.Fatalf("%v: %v", d.Backend(), err)
		}
		if idx := firstDiff(w, c.ins[i], 0); len(idx) > 0 {
			t.Fatalf("%v: input %d modified at word %d", d.Backend(), i, idx[0])
		}
	}
	d.mu.Lock()
	ew, err := d.readErrorWord()
	d.mu.Unlock()
	if err != nil {
		t.Fatalf("%v: %v", d.Backend(), err)
	}
	return append(outs, []uint32{ew})
}

// firstDiff returns up to five indices where a and b differ (floats within
// tol when tol > 0) and the total count as the last element when non-empty.
func firstDiff(a, b []uint32, tol float32) []int {
	var idx []int
	count := 0
	for i := range a {
		same := a[i] == b[i]
		if tol > 0 {
			fa, fb := math.Float32frombits(a[i]), math.Float32frombits(b[i])
			same = same || math.Abs(float64(fa-fb)) <= float64(tol)
		}
		if !same {
			count++
			if len(idx) < 5 {
				idx = append(idx, i)
			}
		}
	}
	if count > 0 {
		idx = append(idx, count)
	}
	return idx
}

// TestKernels walks the registry and, for every kernel, runs each of its
// generated cases on the CPU twin and the WGSL shader, demanding identical
// words (floats within the case's tolerance).
func TestKernels(t *testing.T) {
	gpuDev := openGPU(t)
	cpuDev := openCPUDevice(t)
	for name := range caseGens {
		if _, ok := Lookup(name); !ok {
			t.Errorf("case generator for %q, which is not in the registry", name)
		}
	}
	compared := 0
	for _, name := range KernelNames() {
		k, _ := Lookup(name)
		gen, ok := caseGens[name]
		if !ok {
			t.Errorf("kernel %s has no case generator in caseGens (kernels_test.go): add one", name)
			continue
		}
		cases := gen(rand.New(rand.NewPCG(seed, 0)))
		if len(cases) == 0 {
			t.Errorf("kernel %s: its generator made no cases", name)
			continue
		}
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				want := runCase(t, cpuDev, k, c)
				got := runCase(t, gpuDev, k, c)
				for i := range want {
					tol := c.tol
					if i == len(want)-1 {
						tol = 0 // the error word
					}
					if d := firstDiff(got[i], want[i], tol); len(d) > 0 {
						n := d[len(d)-1]
						var pairs []string
						for _, j := range d[:len(d)-1] {
							pairs = append(pairs, fmt.Sprintf("[%d] webgpu %#x cpu %#x", j, got[i][j], want[i][j]))
						}
						t.Errorf("kernel %s case %s seed %d: output %d: %d of %d words differ: %v",
							name, c.name, seed, i, n, len(want[i]), pairs)
					}
				}
			})
		}
		compared++
	}
	t.Logf("kernels: %d compared", compared)
}
