package cpu

import (
	"encoding/binary"
	"runtime"
	"sync"
	"unsafe"

	"github.com/wageubn/wageubn/internal/i8gemm"
)

// Twins of shaders/gemm.wgsl — keep in sync.

// GemmParams is the uniform of gemm_i8_nt and gemm_i8_nt_k16 (struct
// GemmParams in WGSL).
type GemmParams struct {
	M  uint32 // rows of A and C
	N  uint32 // rows of B, columns of C
	KW uint32 // words per row of A and B, ceil(k/4)
}

// GemmI8NT is the twin of gemm_i8_nt and gemm_i8_nt_k16: for m < p.M,
// n < p.N,
//
//	c[m*N + n] = sum_{w < KW} Dot4I8Packed(a[m*KW + w], b[n*KW + w])
//
// with i32 wrap-around (sums mod 2^32 do not depend on their order, so any
// blocking gives the shader's integers; the gpu package keeps k <= 131071
// so that nothing wraps).
//
// The work is done by internal/i8gemm.NT on the words viewed as int8 rows
// (the packed layout is exactly row-major int8 with K padded to 4·KW), which
// is exact for 4·KW <= i8gemm.MaxK; beyond that, and on big-endian hosts,
// the portable loop below runs.
//
// The portable loop is SWAR (shared/notes.md): with a' = a+128 and b' = b+128 in
// [0, 255], sum a·b = sum a'·b' - 128·sum a' - 128·sum b' + 2^14·kp over the
// kp = 4·KW lanes, and one 64-bit multiply a'·(b'_j | b'_{j+1}<<32) forms
// two products at once. Each 32-bit lane holds at most 65536 products of at
// most 255² before it is folded into a uint32 sum, so no lane carries into
// the next. Blocks of 4 rows x 4 columns, goroutines over row blocks.
func GemmI8NT(p GemmParams, c, a, b []uint32) {
	m, n, kw := int(p.M), int(p.N), int(p.KW)
	if m == 0 || n == 0 {
		return
	}
	// Bounds are checked here, in the caller's goroutine, so that a short
	// buffer panics where the CPU backend recovers it.
	_, _, _ = c[:m*n], a[:m*kw], b[:n*kw]
	kp := 4 * kw
	if kp > 0 && kp <= i8gemm.MaxK && littleEndian {
		ci := unsafe.Slice((*int32)(unsafe.Pointer(&c[0])), m*n)
		ai := unsafe.Slice((*int8)(unsafe.Pointer(&a[0])), m*kp)
		bi := unsafe.Slice((*int8)(unsafe.Pointer(&b[0])), n*kp)
		if err := i8gemm.NT(m, n, kp, ai, kp, bi, kp, ci, n); err != nil {
			panic(err) // arguments were checked above; the CPU backend recovers it
		}
		return
	}
	gemmI8NTSWAR(c, a, b, m, n, kw)
}

// littleEndian reports whether the host stores a word's bytes in the order
// of the packed layout (byte j of a word is element j).
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// gemmI8NTSWAR is the portable loop of GemmI8NT.
func gemmI8NTSWAR(c, a, b []uint32, m, n, kw int) {
	kp := 4 * kw
	bp, colSum := packPairs(b[:n*kw], n, kp)
	blocks := (m + 3) / 4
	workers := min(runtime.GOMAXPROCS(0), blocks)
	var wg sync.WaitGroup
	for t := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			au := make([]uint64, 4*kp)
			var rowSum [4]uint32
			for blk := t; blk < blocks; blk += workers {
				m0 := 4 * blk
				for r := range 4 {
					src := a[min(m0+r, m-1)*kw:][:kw] // clamp like the shader
					rowSum[r] = unpackOffset(au[r*kp:(r+1)*kp], src)
				}
				gemmSWARRows(c, au, bp, rowSum, colSum, m0, min(4, m-m0), n, kp)
			}
		}()
	}
	wg.Wait()
}

// swarChunk is the most products one 32-bit lane accumulates before it is
// folded: 65536·255² < 2^32.
const swarChunk = 1 << 16

// gemmSWARRows computes rows m0..m0+rows-1 of c from four offset rows of A
// (au, 4*kp) and the column pairs of B (bp), 4 columns at a time.
func gemmSWARRows(c []uint32, au, bp []uint64, rowSum [4]uint32, colSum []uint32, m0, rows, n, kp int) {
	a0, a1, a2, a3 := au[0:kp], au[kp:2*kp], au[2*kp:3*kp], au[3*kp:4*kp]
	for n0 := 0; n0 < n; n0 += 4 {
		y0 := bp[(n0/2)*kp:][:kp]
		y1 := y0 // past the last column: recomputed, not stored
		if n0+2 < n {
			y1 = bp[(n0/2+1)*kp:][:kp]
		}
		var t [4][4]uint32 // folded lane sums, row r, column n0+j
		for k0 := 0; k0 < kp; k0 += swarChunk {
			k1 := min(k0+swarChunk, kp)
			var s00, s01, s10, s11, s20, s21, s30, s31 uint64
			for k := k0; k < k1; k++ {
				x0, x1, x2, x3 := a0[k], a1[k], a2[k], a3[k]
				u, v := y0[k], y1[k]
				s00 += x0 * u
				s01 += x0 * v
				s10 += x1 * u
				s11 += x1 * v
				s20 += x2 * u
				s21 += x2 * v
				s30 += x3 * u
				s31 += x3 * v
			}
			for r, s := range [4][2]uint64{{s00, s01}, {s10, s11}, {s20, s21}, {s30, s31}} {
				t[r][0] += uint32(s[0])
				t[r][1] += uint32(s[0] >> 32)
				t[r][2] += uint32(s[1])
				t[r][3] += uint32(s[1] >> 32)
			}
		}
		for r := range rows {
			for j := range min(4, n-n0) {
				c[(m0+r)*n+n0+j] = t[r][j] - 128*rowSum[r] - 128*colSum[n0+j] + 16384*uint32(kp)
			}
		}
	}
}

// unpackOffset writes a' = a+128 for the four lanes of every word of src
// into dst and returns sum a' (mod 2^32).
func unpackOffset(dst []uint64, src []uint32) uint32 {
	var sum uint32
	for w, v := range src {
		d := dst[4*w : 4*w+4]
		for l := range 4 {
			x := uint32(uint8(v>>(8*l)) ^ 0x80) // int8 + 128
			d[l] = uint64(x)
			sum += x
		}
	}
	return sum
}

// packPairs returns B' = B+128 with columns paired into 64-bit words,
// bp[(j/2)*kp + k] = b'[j][k] | b'[j+1][k]<<32 (0 past the last column),
// and the column sums sum_k b'[j][k].
func packPairs(b []uint32, n, kp int) (bp []uint64, colSum []uint32) {
	kw := kp / 4
	bp = make([]uint64, (n+1)/2*kp)
	colSum = make([]uint32, n)
	row := make([]uint64, kp)
	for j := range n {
		colSum[j] = unpackOffset(row, b[j*kw:(j+1)*kw])
		dst := bp[(j/2)*kp:][:kp]
		shift := 32 * uint(j%2)
		for k, x := range row {
			dst[k] |= x << shift
		}
	}
	return bp, colSum
}
