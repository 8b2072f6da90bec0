//go:build amd64 && !purego

package i8gemm

import (
	"runtime"
	"sync"

	"golang.org/x/sys/cpu"
)

// hasVNNI reports whether this CPU can run the VNNI path: AVX-512 F, BW and
// VNNI, with the operating system saving the 512-bit state (x/sys/cpu sets
// the AVX-512 flags only then). Without it, vnni declines.
var hasVNNI = cpu.X86.HasAVX512 && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI

// VNNI micro-tile and blocking (doc.go, "Method"). VPDPBUSD adds, in each
// int32 lane, the 4 products of 4 unsigned bytes of its first source with 4
// signed bytes of its second, so both operands go in groups of 4 along K
// ("quads"): B is packed into panels of vnc columns, one 64-byte vector per
// 16 columns and quad; A is read in place, one quad of a row broadcast to
// all 16 lanes. A micro-tile is vmr rows of A × vnv vectors of 16 columns of
// B: 24 zmm accumulators, 4 B vectors, 3 broadcast registers and the sign
// flip constant use all 32 zmm registers.
const (
	vmr = 6        // rows of A per micro-tile
	vnv = 4        // 16-column vectors per micro-tile
	vnc = 16 * vnv // columns of B per panel
	// vkq is the K block in quads: a panel's block of packed B is vkq·256
	// bytes = 32 KiB and stays in L1 while the strips of A (vchunk rows of
	// vkq·4 bytes, 24 KiB) run past it.
	vkq = 128
	// vchunk is the rows of A per task handed to a worker (8 strips).
	vchunk = 8 * vmr
)

// vnniKernel computes one vmr×vnc micro-tile over kq K quads:
//
//	t[r][n] = init[n] + Σ_{q<kq} Σ_{j<4} a_j[q*vmr+r] · b_j[q*vnc+n]
//
// where x_j is byte j of word x, read as unsigned for a and as signed for b
// (so a and b point at kq·vmr and kq·vnc words), and writes its first rows
// rows to c (row stride ldc int32): c[r*ldc+n] = t[r][n] when add == 0,
// c[r*ldc+n] += t[r][n] otherwise. kq >= 1, 1 <= rows <= vmr; init has vnc
// elements. The sums wrap modulo 2^32 (VPDPBUSD does not saturate).
//
//go:noescape
func vnniKernel(a, b *uint32, kq int, c *int32, ldc int, init *int32, rows int, add int)

// vnniDirect is vnniKernel with A read in place, for whole K quads: byte j
// of row r's quad q is a[r*lda+4q+j] XOR flip (flip = 0x80808080 turns int8
// a into a + 128, 0 leaves uint8 a as it is). It reads only rows 0..rows-1
// and the first 4·kq bytes of each.
//
//go:noescape
func vnniDirect(a *byte, lda int, flip uint32, b *uint32, kq int, c *int32, ldc int, init *int32, rows int, add int)

// zeroInit is the init vector of vnniKernel when nothing is to be added.
var zeroInit [vnc]int32

// poolVB holds the VNNI packing buffers of B.
var poolVB sync.Pool

// vnni computes the M×N block of C = A·Bᵀ (K > 0) with AVX-512 VPDPBUSD
// and returns true, or returns false without touching anything when the CPU
// lacks AVX-512 VNNI. It writes every element of the block (C need not be
// zeroed) and nothing else.
//
// VPDPBUSD wants unsigned bytes on one side and signed on the other. NTU8's
// A (0..255) and B (-128..127) are that already. NT's A is shifted, a + 128
// in 0..255, and the shift is taken back per column:
//
//	Σ_k a·b = Σ_k (a+128)·b - 128·Σ_k b[n][k],
//
// the accumulators starting from corr[n] = -128·Σ_k B[n][k] (packBVNNI computes
// the sums). Exactness: each product (a+128)·b or a·b lies in
// [-255·128, 255·127] = [-32640, 32385], which VPDPBUSD forms exactly (as
// int16, then sign-extended); it adds the 4 products of a lane to the int32
// accumulator in wrapping, modulo 2^32, arithmetic, and so do the corr
// start value and the adds into C across K blocks. Reduction modulo 2^32 is
// a ring homomorphism, so the int32 that comes out is congruent to the exact
// Σ_k a·b modulo 2^32, and since the exact value lies in [-2^31, 2^31) (K <=
// MaxK = 131071 gives |Σ| <= 131071·16384 < 2^31 for NT, K <= MaxKU8 = 65793
// gives |Σ| <= 65793·32640 < 2^31 for NTU8) it is that value. The
// intermediate sums can wrap (NT at K = MaxK: 131071·255·128 > 2^31 before
// the correction); only the final value needs the bound.
func vnni[T elem](M, N, K int, A []T, lda int, B []int8, ldb int, C []int32, ldc int) bool {
	if !hasVNNI {
		return false
	}
	Kq := (K + 3) / 4
	panels := (N + vnc - 1) / vnc
	bufB := getBuf[uint32](&poolVB, panels*Kq*vnc)
	defer poolVB.Put(bufB)
	bp := *bufB
	var corr []int32  // -128·Σ_k B[n][k] per column (NT), padded to whole panels
	var ones []uint32 // Kq·vmr words of 1 bytes, for packBVNNI's column sums
	if offset[T]() == 0 {
		corr = make([]int32, panels*vnc)
		ones = make([]uint32, Kq*vmr)
		for i := range ones {
			ones[i] = 0x01010101
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if float64(M)*float64(N)*float64(K) < smallWork { // float64: M·N·K may overflow int
		workers = 1
	}
	parallel(workers, panels, func(p int) {
		packBVNNI(bp, corr, ones, p, N, K, Kq, B, ldb)
	})
	parallel(workers, (M+vchunk-1)/vchunk, func(i int) { // tasks of vchunk rows
		workVNNI(i*vchunk, min(M, (i+1)*vchunk), N, K, A, lda, bp, corr, C, ldc)
	})
	return true
}

// workVNNI computes rows m0..m1-1 of C from A and packed B: the first K
// block stores into C, later ones add. The kernel reads A in place
// (vnniDirect) for whole K quads; a last, partial quad (K%4 != 0) is packed
// with zero padding and run through vnniKernel.
func workVNNI[T elem](m0, m1, N, K int, A []T, lda int, bp []uint32, corr []int32, C []int32, ldc int) {
	Kq := (K + 3) / 4
	panels := (N + vnc - 1) / vnc
	var flip uint32
	if offset[T]() == 0 { // int8: a + 128 is a with its sign bit flipped
		flip = 0x80808080
	}
	a8 := bytesOf(A)
	var t [vmr * vnc]int32 // a micro-tile for the last, partial panel
	var tail [vmr]uint32   // the packed last, partial quad of a strip
	for q0 := 0; q0 < Kq; q0 += vkq {
		kqb := min(vkq, Kq-q0)
		full := kqb // whole quads in this block
		if 4*(q0+kqb) > K {
			full--
		}
		add := 0
		if q0 > 0 {
			add = 1
		}
		for p := range panels {
			bpp := bp[(p*Kq+q0)*vnc:]
			init := &zeroInit[0]
			if corr != nil && q0 == 0 {
				init = &corr[p*vnc]
			}
			n := p * vnc
			cols := min(vnc, N-n)
			for m := m0; m < m1; m += vmr {
				rows := min(vmr, m1-m)
				dst, ld, mode := &C[m*ldc+n], ldc, add
				if cols < vnc {
					dst, ld, mode = &t[0], vnc, 0
				}
				if full > 0 {
					vnniDirect(&a8[m*lda+4*q0], lda, flip, &bpp[0], full, dst, ld, init, rows, mode)
				}
				if full < kqb {
					packAVNNI(tail[:], A[m*lda:], lda, rows, 4*(q0+full), K)
					tinit, tmode := init, mode
					if full > 0 {
						tinit, tmode = &zeroInit[0], 1
					}
					vnniKernel(&tail[0], &bpp[full*vnc], 1, dst, ld, tinit, rows, tmode)
				}
				if cols == vnc {
					continue
				}
				for r := range rows {
					c := C[(m+r)*ldc+n : (m+r)*ldc+n+cols]
					if add == 0 {
						copy(c, t[r*vnc:])
						continue
					}
					for j := range c {
						c[j] += t[r*vnc+j]
					}
				}
			}
		}
	}
}
