package i8gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Blocking of the portable path (doc.go, "Method"): B is packed once into
// panels of nc columns of SWAR words; workers take tasks of chunkRows rows of
// A, and for each walk K in blocks of kc steps and the rows in mr-row strips,
// so that the block of packed B they stream (kc·48 bytes per panel, 384 KiB
// at N = 512) stays in L2 and the packed A strip (kc·64 bytes) in L1.
const (
	// flush is the number of K steps summed in a 21-bit lane between
	// decodes: with A shifted to int8 every product is in [-16256, 16384],
	// so 64 of them sum to within [-1040384, 1048576], inside the lane's
	// decoding range [laneLo, laneLo+2^21) = [-1048575, 1048576] (swar.go).
	flush = 64
	// kc is the largest K block. It also bounds the float64 lanes:
	// 256·16384 = 2^22 < 2^25.
	kc = 4 * flush
	// smallWork is the M·N·K below which one goroutine does everything: the
	// cost of starting a worker (a few µs) exceeds the work it would share.
	smallWork = 1 << 18
	// chunkRows is the number of rows of A per task handed to a worker.
	chunkRows = 32
)

// elem is the element type of A: signed weights or unsigned activation codes.
type elem interface{ int8 | uint8 }

// offset returns what packA subtracts from each element of A so that it
// becomes an int8: 128 for uint8 (0..255 → -128..127), 0 for int8.
func offset[T elem]() int64 {
	var z T
	if z-1 > 0 { // T is unsigned
		return 128
	}
	return 0
}

// path selects the implementations that run may use, for the tests: the
// exported functions use pathAuto.
type path int

const (
	pathAuto     path = iota // VNNI assembly, else archsimd, else SWAR
	pathNoVNNI               // archsimd, else SWAR
	pathPortable             // SWAR only
)

// run computes C = A·Bᵀ for checked arguments with the fastest path that
// pth allows and the build and CPU offer: the VNNI assembly (vnni), the
// archsimd VPMADDWD path (fast), or the portable SWAR path.
func run[T elem](pth path, M, N, K int, A []T, lda int, B []int8, ldb int, C []int32, ldc int) {
	if M == 0 || N == 0 {
		return
	}
	if K > 0 && pth == pathAuto && vnni(M, N, K, A, lda, B, ldb, C, ldc) {
		return // vnni writes the whole block itself
	}
	for m := range M {
		clear(C[m*ldc : m*ldc+N])
	}
	if K == 0 || (pth <= pathNoVNNI && fast(M, N, K, A, lda, B, ldb, C, ldc)) {
		return
	}
	swar(M, N, K, A, lda, B, ldb, C, ldc)
}

// swar computes C += A·Bᵀ with the portable SWAR kernel (C is zeroed, K > 0).
func swar[T elem](M, N, K int, A []T, lda int, B []int8, ldb int, C []int32, ldc int) {
	panels := (N + nc - 1) / nc
	bufB := getBuf[bStep](&poolB, panels*K)
	defer poolB.Put(bufB)
	bp := *bufB
	var bsum []int64 // Σ_k B[n][k], for the uint8 offset
	off := offset[T]()
	if off != 0 {
		bsum = make([]int64, N)
	}
	workers := runtime.GOMAXPROCS(0)
	if float64(M)*float64(N)*float64(K) < smallWork { // float64: M·N·K may overflow int
		workers = 1
	}
	parallel(workers, panels, func(p int) {
		clear(bp[p*K : p*K+K])
		packB(bp, bsum, p, p+1, N, K, B, ldb)
	})
	parallel(workers, (M+chunkRows-1)/chunkRows, func(i int) {
		m0, m1 := i*chunkRows, min(M, (i+1)*chunkRows)
		work(m0, m1, N, K, A, lda, bp, C, ldc)
		if off == 0 {
			return
		}
		// A·Bᵀ = (A - off)·Bᵀ + off·(row sums of B), broadcast down columns.
		for m := m0; m < m1; m++ {
			c := C[m*ldc : m*ldc+N]
			for n, s := range bsum[:len(c)] {
				c[n] += int32(off * s)
			}
		}
	})
}

// Pools of packing buffers, so that repeated calls (a training loop) reuse
// warm memory instead of allocating, zeroing and faulting in fresh pages.
var poolA, poolB sync.Pool

// getBuf returns a buffer from pool with length n, allocating one if the
// pool is empty or its buffer is too small. Its contents are arbitrary.
func getBuf[E any](pool *sync.Pool, n int) *[]E {
	if b, ok := pool.Get().(*[]E); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]E, n)
	return &b
}

// parallel runs f(0), ..., f(tasks-1) on min(workers, tasks) goroutines
// that take the next task as they finish one (so that a worker slowed by
// another process on its core does not hold up the others), and waits for
// all of them. With one worker it runs them in order on the caller's
// goroutine.
func parallel(workers, tasks int, f func(task int)) {
	workers = min(workers, tasks)
	if workers <= 1 {
		for i := range tasks {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= tasks {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

// work computes rows m0..m1-1 of C (already zeroed) from A and packed B.
func work[T elem](m0, m1, N, K int, A []T, lda int, bp []bStep, C []int32, ldc int) {
	panels := (N + nc - 1) / nc
	bufA := getBuf[aStep](&poolA, kc)
	defer poolA.Put(bufA)
	ap := *bufA
	var t tile
	blocks := (K + kc - 1) / kc
	kbMax := (K + blocks - 1) / blocks // K split evenly into blocks of at most kc
	for k0 := 0; k0 < K; k0 += kbMax {
		kb := min(kbMax, K-k0)
		for m := m0; m < m1; m += mr {
			rows := min(mr, m1-m)
			packA(ap[:kb], A[m*lda:], lda, rows, k0, kb)
			for p := range panels {
				t = tile{}
				kernel(ap[:kb], bp[p*K+k0:p*K+k0+kb], &t)
				n := p * nc
				cols := min(nc, N-n)
				for r := range rows {
					c := C[(m+r)*ldc+n : (m+r)*ldc+n+cols]
					for j := range c {
						c[j] += int32(t[r][j])
					}
				}
			}
		}
	}
}

// packA copies rows×kb elements of A, starting at column k0 of its first
// row, into ap, k-major, shifted into int8 range: ap[kk].i[r] =
// A[r*lda+k0+kk] - offset, and ap[kk].f[r] the same value as a float64.
// Rows >= rows are 0.
func packA[T elem](ap []aStep, A []T, lda, rows, k0, kb int) {
	if rows < mr {
		clear(ap)
	}
	off := offset[T]()
	for r := range rows {
		row := A[r*lda+k0 : r*lda+k0+kb]
		for kk, v := range row {
			x := int64(v) - off
			ap[kk].i[r] = x
			ap[kk].f[r] = float64(x)
		}
	}
}

// packB packs panels p0..p1-1 of B (N×K, int8, K contiguous) into bp, which
// has been zeroed there. A panel holds nc columns, one bStep per K step:
// panel p, step k is bp[p*K+k]. Column c = n - p·nc of the panel goes to lane c%3 of
// int64 word c/3 for c < 3·nr, and to lane (c-3·nr)%2 of float64 word
// (c-3·nr)/2 after that:
//
//	bp[p*K+k].i[j] = Σ_{l<3} B[(p*nc+3j+l)*ldb+k] · 2^(21·l)
//	bp[p*K+k].f[j] = Σ_{l<2} B[(p*nc+3nr+2j+l)*ldb+k] · 2^(26·l)
//
// Columns n >= N stay 0. If bsum is not nil, packB also sets bsum[n] =
// Σ_k B[n*ldb+k] for those columns.
func packB(bp []bStep, bsum []int64, p0, p1, N, K int, B []int8, ldb int) {
	for n := p0 * nc; n < min(N, p1*nc); n++ {
		p, c := n/nc, n%nc
		dst := bp[p*K : p*K+K]
		row := B[n*ldb : n*ldb+K]
		if bsum != nil {
			var s int64
			for _, v := range row {
				s += int64(v)
			}
			bsum[n] = s
		}
		if c < 3*nr {
			j, l := c/3, c%3
			for k, v := range row {
				dst[k].i[j] += int64(v) << (laneBits * l)
			}
			continue
		}
		j, l := (c-3*nr)/2, (c-3*nr)%2
		scale := float64(1)
		if l == 1 {
			scale = fLane
		}
		for k, v := range row {
			dst[k].f[j] += float64(v) * scale
		}
	}
}
