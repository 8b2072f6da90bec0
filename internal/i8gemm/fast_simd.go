//go:build goexperiment.simd && amd64

package i8gemm

import (
	"runtime"
	"simd/archsimd"
	"sync"
)

// hasSIMD reports whether this CPU can run the AVX-512 path: archsimd's
// AVX512 bundle (F, CD, BW, DQ, VL). Without it, fast declines and the
// portable SWAR path runs. Tests may clear it to check that path.
var hasSIMD = archsimd.X86.AVX512()

// SIMD micro-tile and blocking (doc.go, "Method"). VPMADDWD multiplies
// int16 pairs and adds each pair into one int32 lane, so A and B are packed
// as int16 pairs along K. A micro-tile is smr rows × snv vectors of 16
// columns: 6 accumulators, 3 B vectors and the products fit the 15 vector
// registers that the Go register allocator uses without spilling.
const (
	smr = 2        // rows of A per micro-tile
	snv = 3        // 16-column vectors per micro-tile
	snc = 16 * snv // columns of B per panel
	// skp is the K block in pairs: a panel's block of packed B is
	// skp·192 bytes = 24 KiB and stays in L1 while every strip of A runs past it.
	skp = 128
)

// sbStep is one K pair of a packed B panel: s[v][2c+j] = B[n=16v+c][2kp+j].
type sbStep [snv][32]int16

// saStep is one K pair of a packed A strip: s[r] holds A[r][2kp] in its low
// 16 bits and A[r][2kp+1] in its high 16 bits, both as int16.
type saStep [smr]int32

// Pools of SIMD packing buffers.
var poolSA, poolSB sync.Pool

// fast computes C += A·Bᵀ (C is zeroed, K > 0) with AVX-512 VPMADDWD and
// returns true, or returns false without touching anything when the CPU
// lacks AVX-512. It is exact: each VPMADDWD lane is a0·b0 + a1·b1 with
// |a|·|b| <= 255·128, at most 65280 in magnitude, and the int32 sums are
// partial sums of C, bounded by MaxK / MaxKU8.
func fast[T elem](M, N, K int, A []T, lda int, B []int8, ldb int, C []int32, ldc int) bool {
	if !hasSIMD {
		return false
	}
	Kp := (K + 1) / 2
	panels := (N + snc - 1) / snc
	bufB := getBuf[sbStep](&poolSB, panels*Kp)
	defer poolSB.Put(bufB)
	bp := *bufB
	workers := runtime.GOMAXPROCS(0)
	if float64(M)*float64(N)*float64(K) < smallWork { // float64: M·N·K may overflow int
		workers = 1
	}
	parallel(workers, panels, func(p int) {
		packBSIMD(bp, p, p+1, N, K, Kp, B, ldb)
	})
	parallel(workers, (M+chunkRows-1)/chunkRows, func(i int) {
		workSIMD(i*chunkRows, min(M, (i+1)*chunkRows), N, K, A, lda, bp, C, ldc)
	})
	return true
}

// packBSIMD zeroes panels p0..p1-1 of bp and packs B's columns into them:
// panel p, pair kp is bp[p*Kp+kp], and bp[p*Kp+kp][v][2c+j] =
// B[(p*snc+16v+c)*ldb + 2kp+j]; columns n >= N and k >= K stay 0.
func packBSIMD(bp []sbStep, p0, p1, N, K, Kp int, B []int8, ldb int) {
	clear(bp[p0*Kp : p1*Kp])
	for n := p0 * snc; n < min(N, p1*snc); n++ {
		p, c := n/snc, n%snc
		v, i := c/16, 2*(c%16)
		dst := bp[p*Kp : p*Kp+K/2]
		row := B[n*ldb : n*ldb+K]
		for kk := range dst {
			dst[kk][v][i] = int16(row[2*kk])
			dst[kk][v][i+1] = int16(row[2*kk+1])
		}
		if K%2 == 1 {
			bp[p*Kp+K/2][v][i] = int16(row[K-1])
		}
	}
}

// workSIMD computes rows m0..m1-1 of C (zeroed) from A and packed B.
func workSIMD[T elem](m0, m1, N, K int, A []T, lda int, bp []sbStep, C []int32, ldc int) {
	Kp := (K + 1) / 2
	panels := (N + snc - 1) / snc
	strips := (m1 - m0 + smr - 1) / smr
	bufA := getBuf[saStep](&poolSA, strips*skp)
	defer poolSA.Put(bufA)
	ap := *bufA
	var t [smr][snv][16]int32
	for kp0 := 0; kp0 < Kp; kp0 += skp {
		kpb := min(skp, Kp-kp0)
		for s := range strips {
			m := m0 + s*smr
			packASIMD(ap[s*skp:s*skp+kpb], A[m*lda:], lda, min(smr, m1-m), 2*kp0, K)
		}
		for p := range panels {
			bpp := bp[p*Kp+kp0 : p*Kp+kp0+kpb]
			n := p * snc
			cols := min(snc, N-n)
			for s := range strips {
				m := m0 + s*smr
				sdot(ap[s*skp:s*skp+kpb], bpp, &t)
				for r := range min(smr, m1-m) {
					c := C[(m+r)*ldc+n : (m+r)*ldc+n+cols]
					for v := 0; v < snv && 16*v < len(c); v++ {
						seg := c[16*v : min(16*v+16, len(c))]
						archsimd.LoadInt32x16SlicePart(seg).Add(archsimd.LoadInt32x16(&t[r][v])).StoreSlicePart(seg)
					}
				}
			}
		}
	}
}

// packASIMD packs len(ap) K pairs of rows (< smr, the rest 0) of A, from
// column k0 on, into ap: ap[kk][r] = int16(A[r][k0+2kk]) in the low half and
// int16(A[r][k0+2kk+1]) in the high half, with columns >= K taken as 0.
func packASIMD[T elem](ap []saStep, A []T, lda, rows, k0, K int) {
	if rows < smr {
		clear(ap)
	}
	for r := range rows {
		row := A[r*lda+k0 : r*lda+min(K, k0+2*len(ap))]
		for kk := range ap {
			var lo, hi int16
			if 2*kk < len(row) {
				lo = int16(row[2*kk])
			}
			if 2*kk+1 < len(row) {
				hi = int16(row[2*kk+1])
			}
			ap[kk][r] = int32(uint16(lo)) | int32(hi)<<16
		}
	}
}

// sdot sets t[r][v][c] = Σ_kp Σ_j A(r, 2kp+j)·B(16v+c, 2kp+j) over the packed
// pairs, for kp < len(b) <= len(a): one VPMADDWD (DotProductPairs) and one
// VPADDD per row and vector per K pair, 2·3·32 = 192 MACs per pair.
//
//go:noinline
func sdot(a []saStep, b []sbStep, t *[smr][snv][16]int32) {
	var c00, c01, c02, c10, c11, c12 archsimd.Int32x16
	a = a[:len(b)]
	for k := range b {
		bk := &b[k]
		b0 := archsimd.LoadInt16x32(&bk[0])
		b1 := archsimd.LoadInt16x32(&bk[1])
		b2 := archsimd.LoadInt16x32(&bk[2])
		x := archsimd.BroadcastInt32x16(a[k][0]).AsInt16x32()
		c00 = c00.Add(x.DotProductPairs(b0))
		c01 = c01.Add(x.DotProductPairs(b1))
		c02 = c02.Add(x.DotProductPairs(b2))
		y := archsimd.BroadcastInt32x16(a[k][1]).AsInt16x32()
		c10 = c10.Add(y.DotProductPairs(b0))
		c11 = c11.Add(y.DotProductPairs(b1))
		c12 = c12.Add(y.DotProductPairs(b2))
	}
	c00.Store(&t[0][0])
	c01.Store(&t[0][1])
	c02.Store(&t[0][2])
	c10.Store(&t[1][0])
	c11.Store(&t[1][1])
	c12.Store(&t[1][2])
}
