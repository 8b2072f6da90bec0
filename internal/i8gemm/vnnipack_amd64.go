//go:build amd64 && !purego

package i8gemm

import (
	"encoding/binary"
	"unsafe"
)

// bytesOf returns the elements of x as bytes, without copying: the bit
// patterns of int8 and uint8 are what VPDPBUSD reads.
func bytesOf[T elem](x []T) []byte {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), len(x))
}

// packBVNNI packs panel p of B (N×K, int8, K contiguous) into bp: the panel
// holds vnc columns, vnc words (4 bytes each) per K quad, column c = n - p·vnc
// in word c of the quad,
//
//	byte j of bp[(p*Kq+q)*vnc + c] = B[n*ldb + 4q + j],
//
// and 0 for k >= K and n >= N, so that padding adds nothing. If corr is not
// nil it also sets corr[n] = -128·Σ_k B[n*ldb+k] for the panel's columns (0
// for n >= N), summing with the kernel itself: ones holds at least Kq·vmr
// words 0x01010101, and VPDPBUSD of them with B's bytes adds up B's rows.
func packBVNNI(bp []uint32, corr []int32, ones []uint32, p, N, K, Kq int, B []int8, ldb int) {
	panel := bp[p*Kq*vnc : (p+1)*Kq*vnc]
	n0, n1 := p*vnc, min(N, (p+1)*vnc)
	if K%4 != 0 || n1-n0 < vnc {
		clear(panel)
	}
	for n := n0; n < n1; n++ {
		row := bytesOf(B[n*ldb : n*ldb+K])
		dst := panel[n-n0:]
		q := 0
		for ; 4*q+8 <= K; q += 2 { // two quads per 8-byte load
			w := binary.LittleEndian.Uint64(row[4*q:])
			dst[q*vnc] = uint32(w)
			dst[q*vnc+vnc] = uint32(w >> 32)
		}
		if 4*q+4 <= K {
			dst[q*vnc] = binary.LittleEndian.Uint32(row[4*q:])
			q++
		}
		if k := 4 * q; k < K {
			var w [4]byte
			copy(w[:], row[k:])
			dst[q*vnc] = binary.LittleEndian.Uint32(w[:])
		}
	}
	if corr != nil {
		c := corr[p*vnc : (p+1)*vnc]
		vnniKernel(&ones[0], &panel[0], Kq, &c[0], vnc, &zeroInit[0], 1, 0)
		for i := range c {
			c[i] *= -128
		}
	}
}

// packAVNNI packs rows (<= vmr) rows of A, columns k0..k1-1, into ap as
// unsigned bytes in K quads, vmr words (4 bytes each) per quad, row r in word
// r of the quad:
//
//	byte j of ap[q*vmr + r] = A[r*lda + k0 + 4q + j] + off,
//
// where off is 128 for int8 A (so that a + 128 is in 0..255) and 0 for
// uint8 A. Bytes for k >= k1 (the end of a last, partial quad) are off:
// B is 0 there, so they add nothing. Rows >= rows are left as they are (the
// kernel computes them but never stores them).
func packAVNNI[T elem](ap []uint32, A []T, lda, rows, k0, k1 int) {
	var flip uint32
	if offset[T]() == 0 { // int8: a + 128 is a with its sign bit flipped
		flip = 0x80808080
	}
	kb := k1 - k0
	nq := kb / 4
	for r := range rows {
		row := bytesOf(A[r*lda+k0 : r*lda+k1])
		dst := ap[r:]
		flip2 := uint64(flip) * (1 + 1<<32)
		q := 0
		for ; q+2 <= nq; q += 2 { // two quads per 8-byte load
			w := binary.LittleEndian.Uint64(row[4*q:]) ^ flip2
			dst[q*vmr] = uint32(w)
			dst[q*vmr+vmr] = uint32(w >> 32)
		}
		if q < nq {
			dst[q*vmr] = binary.LittleEndian.Uint32(row[4*q:]) ^ flip
		}
		if k := 4 * nq; k < kb {
			var w [4]byte
			copy(w[:], row[k:])
			ap[nq*vmr+r] = binary.LittleEndian.Uint32(w[:]) ^ flip
		}
	}
}
