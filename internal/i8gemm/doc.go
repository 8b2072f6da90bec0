// Package i8gemm does the CPU backend's int8 matrix product, exactly, in
// int32: the twin that the GPU runtime's CPU path calls for gemm_i8_nt.
//
// # Overview
//
// [NT] and [NTU8] compute
//
//	C[m*ldc+n] = Σ_{k<K} A[m*lda+k] · B[n*ldb+k]   for m < M, n < N,
//
// with A M×K (int8 weights or error codes for NT, uint8 activation codes
// 0..255 for NTU8), B N×K int8, and C M×N int32. Both operands are row-major
// with K contiguous, the "NT" layout (B is stored transposed), which is how
// a linear layer's weight [out, in] and a batch of inputs [batch, in] are
// stored. Leading dimensions may exceed the row length (padded rows).
//
// Three implementations sit behind the same functions, the first that the
// build and CPU offer taking the call:
//
//   - the VNNI path (vnni_amd64.go, kernel_vnni_amd64.s), Go assembly built
//     on amd64 unless the purego tag is set (`//go:build amd64 &&
//     !purego`), which uses AVX-512 VPDPBUSD when golang.org/x/sys/cpu
//     reports AVX-512 F, BW and VNNI (with the OS saving the 512-bit state);
//   - the archsimd path (fast_simd.go), built only with GOEXPERIMENT=simd on
//     amd64 (`//go:build goexperiment.simd && amd64`), which uses
//     simd/archsimd's 512-bit DotProductPairs (VPMADDWD) when the CPU has
//     archsimd's AVX512 bundle (F+CD+BW+DQ+VL);
//   - the portable path, pure Go, on every GOARCH: SWAR (SIMD within a
//     register) on int64 and float64 words, described below.
//
// All give the same integers: the tests run every case through each path
// that the build and CPU have (and log which those are).
//
// # Number format
//
// Inputs are int8 (-128..127) or uint8 (0..255); every product and sum is
// an exact integer and C holds the exact sum as int32. An int8·int8 product
// lies in [-16256, 16384] and a uint8·int8 product in [-32640, 32385], so the
// sums fit int32 when K·16384 <= 2^31-1, that is K <= [MaxK] = 131071 (NT),
// and when K·32640 <= 2^31-1, that is K <= [MaxKU8] = 65793 (NTU8). Larger K
// is refused with [ErrK] rather than wrapped.
//
// # Invariants
//
//   - A and B are never modified; C is the destination and comes last.
//   - Only the M×N block of C is written: the padding between N and ldc is
//     never touched.
//   - The result is exact, so it is the same for any blocking, any number
//     of goroutines (runtime.GOMAXPROCS workers over row strips) and either
//     implementation.
//   - Everything is checked before anything is written: on error, C is
//     unchanged.
//
// # Errors
//
// Errors wrap one of the sentinels, for errors.Is: [ErrShape] for a negative
// dimension or a leading dimension shorter than its row (lda or ldb < K, ldc
// < N; all must be >= 1), [ErrLength] for a slice shorter than (rows-1)·ld +
// cols, [ErrK] for K beyond the bound. M = 0 or N = 0 is a no-op and K = 0
// sets the block to 0 (the empty sum). Nothing panics on user data.
//
// # SWAR: why the portable path is exact
//
// Go's compiler emits no vector instructions, so the portable kernel packs
// several columns of B into one machine word and multiplies them by one
// element of A at once.
//
// Integer words. Three columns b0, b1, b2 of B at step k are packed as the
// int64 w = b0 + b1·2^21 + b2·2^42 (computed in wrapping int64 arithmetic, so
// negative values are fine). For a in -128..127, a·w = a·b0 + a·b1·2^21 +
// a·b2·2^42, and summing over k gives S = s0 + s1·2^21 + s2·2^42 with s_l =
// Σ_k a_k·b_l,k, the three wanted dot products. Go's int64 arithmetic is
// arithmetic modulo 2^64, and reduction modulo 2^64 is a ring homomorphism,
// so the machine word equals S mod 2^64 exactly, whatever overflows along
// the way. The lanes are recovered from the bottom: if s0 lies in the
// window [L, L + 2^21) with L = -(2^20 - 1), it is the one value of the
// window congruent to the word modulo 2^21, s0 = ((S - L) mod 2^21) + L;
// then (S - s0)/2^21 = s1 + s2·2^21 is an exact arithmetic shift, s1 is
// recovered the same way, and s2 is what remains, which needs -2^21 <= s2 <
// 2^21 (the top lane has 22 bits). Each product lies in [-16256, 16384], so
// a sum of 64 lies in [-1040384, 1048576], inside the window (the window is
// placed one higher than two's complement's [-2^20, 2^20) to admit
// 64·(-128)·(-128) = 2^20): the kernel sums 64 steps in a word, decodes it
// into int64 partial sums, and starts again.
//
// Unsigned A. NTU8 first shifts A to int8, a' = a - 128, so that the same
// kernel and the same 64-step bound apply, and adds the correction back:
// Σ_k a·b = Σ_k a'·b + 128·Σ_k b, where Σ_k B[n][k] is computed once per
// column while B is packed.
//
// Floating-point words. The integer multiplier is the bottleneck (one IMULQ
// per cycle), while the floating-point units idle. So each panel also packs
// 2 columns per float64 word, w = b0 + b1·2^26, multiplied by MULSD and
// summed by ADDSD. Every value that occurs is an integer of magnitude below
// 2^53 (a K block has at most 256 steps: |s0| <= 256·16384 = 2^22 and
// |s1·2^26| <= 2^48), and float64 represents all such integers exactly, so
// no operation rounds. The sum converts exactly to int64, where the lanes
// come apart as above with a 26-bit low lane (|s0| < 2^25). For the same
// reason a compiler that fuses a·w + s into one FMA (allowed by the Go spec,
// done on arm64 and with GOAMD64=v3) gives the same result.
//
// # Method
//
// The portable path (driver.go, swar.go) packs B into panels of 16 columns:
// 12 in four int64 words and 4 in two float64 words per K step. Each worker
// goroutine takes tasks of 32 rows of A, walks K in blocks of at most 256
// steps (K split evenly, 4 flushes each), packs each 4-row strip (as int64
// and float64) and runs
// the 4×16 micro-kernel (dot) against every panel: per step 16 IMULQ and 16
// add-to-memory for the int64 words and 8 MULSD and 8 ADDSD for the float64
// words, 64 multiply-adds in all. The int64 sums stay in memory on purpose:
// with 16 register accumulators Go's instruction scheduler computes every
// product before any add (adds feed only loop phis) and the register
// allocator then spills inside the loop, while add-to-memory keeps the loop
// at loads, IMULQ and ADDQ-to-memory.
//
// The archsimd path (fast_simd.go) packs A and B as int16 pairs along K and
// computes 2-row × 48-column micro-tiles: per K pair, three 32×int16 loads of
// B, two 32-bit broadcasts of A, and six VPMADDWD (16 lanes × 2 products
// each) and six VPADDD into six Int32x16 accumulators: 192 multiply-adds. Each
// VPMADDWD lane is a0·b0 + a1·b1, at most 2·255·128 = 65280 in magnitude, and
// every int32 sum is a partial sum of an output, within the bound above, so
// it is exact too. Six accumulators and three B vectors fit the 15 vector
// registers Go allocates without spilling (8×2 tiles spilled and ran at half
// the speed). A K block of 128 pairs keeps a panel's 24 KiB of packed B in L1
// while the strips of A run past it. There is no VNNI (VPDPBUSD/VPDPWSSD) in
// archsimd's API yet, which is why that path stops at VPMADDWD.
//
// # The VNNI path
//
// VPDPBUSD multiplies, in each of the 16 int32 lanes of a zmm register, 4
// unsigned bytes of one source with 4 signed bytes of the other and adds the
// 4 products to the lane: 64 multiply-adds per instruction. B is packed once
// per call into panels of 64 columns, K in groups of 4 ("quads"): per quad a
// panel is four 64-byte vectors, lane c of vector v holding B[16v+c][4q..4q+3]
// (zero past K and past N). A is read in place. The micro-kernel computes a
// 6-row × 64-column tile in 24 zmm accumulators: per quad it loads the 4 B
// vectors and, for each of the 6 rows, broadcasts the row's 4 bytes of A to
// all lanes (VPXORD with an embedded broadcast, which also applies the
// offset below) and issues 4 VPDPBUSD: 24 instructions, 1536 multiply-adds.
// The accumulators start from a per-column value and are stored to C at the
// end (added to it for K blocks after the first), 6 rows × 4 full vectors,
// so C needs no zeroing pass; a partial last panel goes through a small tile
// in Go. Workers take tasks of 48 rows; K blocks of 128 quads keep a panel's
// 32 KiB block of packed B in L1 while the task's strips run past it. A last,
// partial quad (K%4 != 0) is packed with zero padding and run through a
// second entry point of the kernel that reads packed A, so that nothing past
// a row of A is read.
//
// Signs. NTU8's A (0..255) and B (-128..127) are what VPDPBUSD takes. NT's
// A is int8, so the kernel uses a + 128 (the sign bit flipped: XOR 0x80)
// and starts each accumulator at -128·Σ_k B[n][k], the column sums coming
// from the kernel itself (a row of A of all ones):
//
//	Σ_k a·b = Σ_k (a+128)·b - 128·Σ_k b.
//
// Exactness. Each product (a+128)·b or a·b has |·| <= 255·128 = 32640 and
// VPDPBUSD forms it exactly (the products lie in [-32640, 32385], inside
// int16), then adds the lane's 4 products and the accumulator in wrapping
// int32 arithmetic, without saturation. The correction and the adds into C
// across K blocks wrap the same way. Reduction modulo 2^32 is a ring
// homomorphism, so the int32 that comes out is congruent to the exact sum
// modulo 2^32; the exact sum lies in [-2^31, 2^31) by the bounds above (K <=
// MaxK for NT, K <= MaxKU8 for NTU8), so it is the exact sum. Intermediate
// sums may wrap (for NT at K = MaxK, Σ_k (a+128)·b reaches 131071·255·128 >
// 2^31 before the correction is added): only the final value needs the
// bound.
//
// # Performance
//
// Measured on the 2-core AMD EPYC (Zen 5, AVX-512 VNNI) development VM,
// which other work shares; ratios are taken within one run:
//
//	go test -run XXX -bench . -benchtime 2x ./internal/i8gemm/
//	GOEXPERIMENT=simd go test -run XXX -bench . -benchtime 2x ./internal/i8gemm/
//
// GOP/s = 2·M·N·K / time with n = M = N = K, medians of 3 runs of each
// command (-count 3) on 2026-11-27; each case makes one untimed call first.
// i8gemm and i8gemm_u8 take the VNNI path; i8gemm_novnni is NT without it
// (NTNoVNNI in export_test.go: the portable path in the plain build, the
// archsimd path in the GOEXPERIMENT=simd build), i8gemm_portable is
// NTPortable. Plain build:
//
//	n      i8gemm   i8gemm_u8   i8gemm_novnni   sgemm_gonum   ratio VNNI / gonum
//	256    264.2     269.5        26.7            23.5          11.2
//	512    615.1     682.0        28.6            21.4          28.8
//	1024   722.7     749.8        24.3            27.2          26.6
//
// GOEXPERIMENT=simd build:
//
//	n      i8gemm   i8gemm_u8   i8gemm_novnni   i8gemm_portable   sgemm_gonum   VNNI / gonum   VNNI / archsimd
//	256    368.0     372.8        135.3             28.2              23.8           15.5            2.7
//	512    591.4     598.0        215.2             23.0              27.2           21.7            2.7
//	1024   637.0     660.6        232.4             35.6              21.4           29.8            2.7
//
// Under load from other processes single runs swing by up to ±30% (the two
// builds run the same VNNI code: their i8gemm columns differ by that).
//
// Ceilings. The micro-kernel alone on one core with its operands in L1
// (BenchmarkVNNIKernel) runs at 440-460 GOP/s, and a loop of 24
// independent register-only VPDPBUSD zmm (no loads) at 455-470 GOP/s, about
// 3.6·10^9 VPDPBUSD per second: one per cycle, the same instruction rate as
// with ymm operands (half the GOP/s). So the kernel runs at about 98% of
// what this VM issues, the 2-core ceiling is about 930 GOP/s, and n = 1024
// reaches about 78% of it (the rest: packing B, storing C, scheduling). The
// 2150 GOP/s "int8 VNNI peak" in notes.md assumes two VPDPBUSD zmm per
// cycle, which these measurements do not reproduce; against it, n = 1024 is
// at 30-35%. The archsimd path reached about a tenth of that figure (225-235
// GOP/s).
//
// How the portable kernel got there (GOP/s per core, thread CPU time, K block
// 256, microbenchmarks of the inner loop alone; IMULQ peaks at 3.6 G/s per
// core here, 21.6 GOP/s with 3 lanes):
//
//	3 lanes, 3×2 words, register accumulators (spilled)      10.5
//	3 lanes, 4×2 words, register accumulators (spilled)      10.0
//	2 lanes float64, 4×2 words, registers                     9.4
//	3 lanes, 4×2 words, accumulators in memory               14.5
//	3 lanes, 4×4 words, accumulators in memory               20.5
//	4×4 int64 words in memory + 4×2 float64 words (chosen)   24.4
//
// and, end to end at n = 512 on 2 cores against gonum in the same run: the
// 4×2 register kernel ran at 0.6-0.7× gonum, the 4×4 memory kernel at 1.1×,
// the mixed int64/float64 kernel with the uint8 offset and pooled buffers at
// 1.3× (unloaded) but below gonum under load, until rows were handed out as
// 32-row tasks from a shared counter instead of one fixed half per core
// (gonum hands out blocks dynamically too, which is why it degraded less);
// the 64-step flush (instead of 63) with K split evenly into blocks of at
// most 256 is the last step. Unrolling, larger tiles and float64-only words
// were slower: the kernel is bounded by IMULQ (one per cycle) and the front
// end, not by memory.
//
// The archsimd micro-kernel (per core, same method): 2×3 vectors 140-165
// (chosen), 3×2 140-146, 1×4 105-120, 2×2 88-125, 8×2 (spills) 57-80, 2×3
// unrolled by two K pairs (spills) 71-74, and accumulators in memory 6×2 84,
// 4×4 85, 8×4 95-105 GOP/s. End to end, static halves per core gave 130-158
// GOP/s at n = 512; 32-row tasks from a shared counter gave the table above.
// VPMADDWD + VPADDD do a quarter of the work of one VPDPBUSD, archsimd
// offers no VNNI operation yet, and Go's code generation (address
// arithmetic, 15 vector registers) costs the rest, which is why the VNNI
// path is written in assembly.
//
// The VNNI path, end to end at n = 256 (CPU profile): first with A packed
// in Go like B, 160-180 GOP/s, packing A and B taking 40% of the CPU time;
// reading A in place (the XOR with embedded broadcast costs nothing
// measurable in the kernel) and summing B's columns with the kernel brought
// it to 270-370.
package i8gemm
