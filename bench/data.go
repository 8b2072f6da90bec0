package bench

import "math/rand/v2"

// seed is the fixed seed of every input; the size is the second word of
// the PCG state, so that each size has its own data and every backend the
// same.
const seed = 0x5eed_bec4

// randI8 returns len int8 values, uniform over -128..127, for size n and
// stream s.
func randI8(len, n int, s uint64) []int8 {
	r := rand.New(rand.NewPCG(seed+s, uint64(n)))
	x := make([]int8, len)
	for i := range x {
		x[i] = int8(r.IntN(256) - 128)
	}
	return x
}

// randI32 returns len int32 values, uniform over [-lim, lim], for size n
// and stream s.
func randI32(len, n int, s uint64, lim int32) []int32 {
	r := rand.New(rand.NewPCG(seed+s, uint64(n)))
	x := make([]int32, len)
	for i := range x {
		x[i] = r.Int32N(2*lim+1) - lim
	}
	return x
}

// samples returns count (row, col) positions (repeats possible) of an
// rows×cols result: the four corners, then positions drawn from a fixed
// seed. Checking samples keeps the check of a large GEMM cheap while a
// wrong tile, edge or stride still shows.
func samples(rows, cols, count int) [][2]int {
	ps := [][2]int{{0, 0}, {0, cols - 1}, {rows - 1, 0}, {rows - 1, cols - 1}}
	r := rand.New(rand.NewPCG(seed, uint64(rows*cols)))
	for len(ps) < count {
		ps = append(ps, [2]int{r.IntN(rows), r.IntN(cols)})
	}
	return ps
}

// toF32 converts int8 values to float32 (exactly).
func toF32(x []int8) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}
