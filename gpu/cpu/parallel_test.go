package cpu

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestParallelTwinsMatchSerial checks the claim of parallel.go: a twin that
// runs its invocations in parallel chunks writes the words of a serial run,
// error word included. Each twin runs once with GOMAXPROCS 1 (one chunk)
// and once with 4, on inputs large enough to be split; CI runs this package
// under the race detector.
func TestParallelTwinsMatchSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	words := func(n uint32) []uint32 {
		w := make([]uint32, n)
		for i := range w {
			w[i] = rng.Uint32()
		}
		return w
	}
	ints := func(n uint32, mag int32) []uint32 {
		w := make([]uint32, n)
		for i := range w {
			w[i] = uint32(int32(rng.Int64N(2*int64(mag)+1) - int64(mag)))
		}
		return w
	}
	floats := func(n uint32) []uint32 {
		w := make([]uint32, n)
		for i := range w {
			w[i] = math.Float32bits(float32(rng.NormFloat64()))
		}
		return w
	}
	cp := ConvParams{N: 4, C: 6, H: 23, W: 21, K: 8, KH: 3, KW: 3, Stride: 1, Pad: 1, CG: 3, KG: 4, Group: 1}
	cp.OH, cp.OW = cp.H, cp.W
	ckk, np := cp.CG*cp.KH*cp.KW, cp.N*cp.OH*cp.OW
	nx, nw, ny := cp.N*cp.C*cp.H*cp.W, cp.K*ckk, cp.N*cp.K*np/cp.N
	c8, c16, cT16 := cp, cp, cp
	c8.RowWords, c16.RowWords, cT16.RowWords = (ckk+3)/4, (ckk+1)/2, (np+1)/2
	x8, x16 := words(cp.N*cp.C*cp.H*((cp.W+3)/4)), words(cp.N*cp.C*cp.H*((cp.W+1)/2))
	cols64 := words(2 * np * ckk)
	xf, wf, dyf := floats(nx), floats(nw), floats(ny)

	pool := PoolParams{Planes: 16, H: 24, W: 24, OH: 11, OW: 11, KH: 3, KW: 3, SH: 2, SW: 2}
	pd := ints(pool.Planes*pool.OH*pool.OW, math.MaxInt32) // overlapping windows: sums wrap
	parg := make([]uint32, len(pd))
	for i := range parg {
		oy, ox := uint32(i)/pool.OW%pool.OH, uint32(i)%pool.OW
		parg[i] = (oy*2+rng.Uint32N(3))*pool.W + ox*2 + rng.Uint32N(3)
	}
	split := SplitParams{Rows: 300, K: 77, KW: 20}
	splitIn := words(split.Rows * (split.K + 1) / 2)

	bf := BNFwdParams{C: 8, HW: 100, Total: 4 * 8 * 100, Shift: 3}
	sigma := ints(bf.C, 40)
	sigma[0] = 0 // flagged: σ < 1
	bfIn := [][]uint32{ints(bf.Total, 1<<20), ints(bf.C, 1<<20), sigma, ints(bf.C, 127), ints(bf.C, 127)}
	bd := BNBwdDxParams{C: 8, HW: 100, Total: 4 * 8 * 100, Count: 400}
	coef := make([]uint32, 2*bd.C)
	for c := range bd.C {
		coef[2*c], coef[2*c+1] = uint32(rng.Int32N(1<<20)-1<<19), uint32(20+rng.IntN(30))
	}
	bdIn := [][]uint32{ints(bd.Total, 1<<15), ints(bd.Total, 1<<15), words(4 * bd.C), coef}

	for _, tc := range []struct {
		name    string
		outs    []uint32 // output sizes in words
		run     func(o [][]uint32)
		flagged bool // the inputs raise a flag in the error word (the last output)
	}{
		{"im2col_i8", []uint32{np * c8.RowWords}, func(o [][]uint32) { Im2col8(c8, o[0], x8) }, false},
		{"im2col_i16", []uint32{np * c16.RowWords}, func(o [][]uint32) { Im2col16(c16, o[0], x16) }, false},
		{"im2col_t_i16", []uint32{ckk * cT16.RowWords}, func(o [][]uint32) { Im2colT16(cT16, o[0], x16) }, false},
		{"col2im_i64", []uint32{2 * nx}, func(o [][]uint32) { Col2imI64(cp, o[0], cols64) }, false},
		{"conv2d_f32", []uint32{ny}, func(o [][]uint32) { Conv2dF32(cp, o[0], xf, wf) }, false},
		{"conv2d_bwd_data_f32", []uint32{nx}, func(o [][]uint32) { Conv2dBwdDataF32(cp, o[0], dyf, wf) }, false},
		{"conv2d_bwd_weight_f32", []uint32{nw}, func(o [][]uint32) { Conv2dBwdWeightF32(cp, o[0], dyf, xf) }, false},
		{"maxpool2d_bwd", []uint32{pool.Planes * pool.H * pool.W, 1}, func(o [][]uint32) { Maxpool2dBwd(pool, o[0], pd, parg, o[1]) }, true},
		{"pack_i16_split", []uint32{2 * split.Rows * split.KW}, func(o [][]uint32) { PackI16Split(split, o[0], splitIn) }, false},
		{"bn_fwd", []uint32{bf.Total, bf.Total, 1}, func(o [][]uint32) {
			BNFwd(bf, o[0], o[1], bfIn[0], bfIn[1], bfIn[2], bfIn[3], bfIn[4], o[2])
		}, true},
		{"bn_bwd_dx", []uint32{2 * bd.Total, 1}, func(o [][]uint32) {
			BNBwdDx(bd, o[0], bdIn[0], bdIn[1], bdIn[2], bdIn[3], o[1])
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(procs int) [][]uint32 {
				o := make([][]uint32, len(tc.outs))
				for i, n := range tc.outs {
					o[i] = slices.Repeat([]uint32{0xDEADBEEF}, int(n)) // every word must be written
				}
				if i := len(o) - 1; len(o) > 1 && len(o[i]) == 1 {
					o[i][0] = 0 // the error word starts clear
				}
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				tc.run(o)
				return o
			}
			serial, parallel := run(1), run(4)
			if e := serial[len(serial)-1]; tc.flagged && e[0] == 0 {
				t.Errorf("error word 0: the inputs were chosen to raise a flag")
			}
			for i := range serial {
				if d := firstDiff(serial[i], parallel[i]); d >= 0 {
					t.Errorf("output %d word %d: serial %#x, parallel %#x", i, d, serial[i][d], parallel[i][d])
				}
			}
		})
	}
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []uint32) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
