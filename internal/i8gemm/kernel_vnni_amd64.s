//go:build amd64 && !purego

#include "textflag.h"

// AVX-512 VNNI micro-kernels of the int8 GEMM (vnni_amd64.go; doc.go, "The
// VNNI path"). Both compute a 6-row × 64-column tile of C in Z0..Z23
// (Z(4r+v) = row r, columns 16v..16v+15) with one VPDPBUSD per row and
// 16-column vector per K quad, B's four 64-byte vectors of a quad in
// Z24..Z27. Go assembly lists operands source first: VPDPBUSD b, a, acc
// adds the products of a's unsigned bytes and b's signed bytes to acc.

// ROWADD adds four accumulators to one row of C (64 int32 at DX) and
// stores them; ROWSTORE stores them without reading C.
#define ROWADD(z0, z1, z2, z3) \
	VPADDD 0(DX), z0, z0; \
	VPADDD 64(DX), z1, z1; \
	VPADDD 128(DX), z2, z2; \
	VPADDD 192(DX), z3, z3; \
	ROWSTORE(z0, z1, z2, z3)

#define ROWSTORE(z0, z1, z2, z3) \
	VMOVDQU32 z0, 0(DX); \
	VMOVDQU32 z1, 64(DX); \
	VMOVDQU32 z2, 128(DX); \
	VMOVDQU32 z3, 192(DX)

// QUADROW multiplies row r's 4 bytes of A (unsigned, broadcast to all 16
// lanes) with the 4 B vectors Z24..Z27 (signed) into accumulators z0..z3.
#define QUADROW(off, za, z0, z1, z2, z3) \
	VPBROADCASTD off(AX), za; \
	VPDPBUSD Z24, za, z0; \
	VPDPBUSD Z25, za, z1; \
	VPDPBUSD Z26, za, z2; \
	VPDPBUSD Z27, za, z3

// INITACC sets the 24 accumulators to the vnc int32 at DI.
#define INITACC \
	VMOVDQU32 0(DI), Z0; \
	VMOVDQU32 64(DI), Z1; \
	VMOVDQU32 128(DI), Z2; \
	VMOVDQU32 192(DI), Z3; \
	VMOVDQA32 Z0, Z4; \
	VMOVDQA32 Z1, Z5; \
	VMOVDQA32 Z2, Z6; \
	VMOVDQA32 Z3, Z7; \
	VMOVDQA32 Z0, Z8; \
	VMOVDQA32 Z1, Z9; \
	VMOVDQA32 Z2, Z10; \
	VMOVDQA32 Z3, Z11; \
	VMOVDQA32 Z0, Z12; \
	VMOVDQA32 Z1, Z13; \
	VMOVDQA32 Z2, Z14; \
	VMOVDQA32 Z3, Z15; \
	VMOVDQA32 Z0, Z16; \
	VMOVDQA32 Z1, Z17; \
	VMOVDQA32 Z2, Z18; \
	VMOVDQA32 Z3, Z19; \
	VMOVDQA32 Z0, Z20; \
	VMOVDQA32 Z1, Z21; \
	VMOVDQA32 Z2, Z22; \
	VMOVDQA32 Z3, Z23

// ROWDIRECT broadcasts row r's 4 bytes of A (at off(AX), XORed with Z30)
// to all 16 lanes and multiplies them with the 4 B vectors Z24..Z27.
#define ROWDIRECT(ptr, za, z0, z1, z2, z3) \
	VPXORD.BCST (ptr)(AX*1), Z30, za; \
	VPDPBUSD Z24, za, z0; \
	VPDPBUSD Z25, za, z1; \
	VPDPBUSD Z26, za, z2; \
	VPDPBUSD Z27, za, z3

#define LOADB \
	VMOVDQU32 0(BX), Z24; \
	VMOVDQU32 64(BX), Z25; \
	VMOVDQU32 128(BX), Z26; \
	VMOVDQU32 192(BX), Z27

// func vnniKernel(a, b *uint32, kq int, c *int32, ldc int, init *int32, rows int, add int)
//
// Accumulator Z(4r+v) holds C[r][16v : 16v+16] of the 6×64 micro-tile; a
// is the packed strip of A, 6 words per K quad.
TEXT ·vnniKernel(SB), NOSPLIT, $0-64
	MOVQ a+0(FP), AX
	MOVQ b+8(FP), BX
	MOVQ kq+16(FP), CX
	MOVQ init+40(FP), DI
	INITACC

loop:
	LOADB
	QUADROW(0, Z28, Z0, Z1, Z2, Z3)
	QUADROW(4, Z29, Z4, Z5, Z6, Z7)
	QUADROW(8, Z30, Z8, Z9, Z10, Z11)
	QUADROW(12, Z31, Z12, Z13, Z14, Z15)
	QUADROW(16, Z28, Z16, Z17, Z18, Z19)
	QUADROW(20, Z29, Z20, Z21, Z22, Z23)
	ADDQ $24, AX
	ADDQ $256, BX
	DECQ CX
	JNZ  loop

	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), SI
	SHLQ $2, SI
	MOVQ rows+48(FP), R8
	MOVQ add+56(FP), R9
	TESTQ R9, R9
	JZ    store

	ROWADD(Z0, Z1, Z2, Z3)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWADD(Z4, Z5, Z6, Z7)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWADD(Z8, Z9, Z10, Z11)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWADD(Z12, Z13, Z14, Z15)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWADD(Z16, Z17, Z18, Z19)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWADD(Z20, Z21, Z22, Z23)
	JMP  done

store:
	ROWSTORE(Z0, Z1, Z2, Z3)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWSTORE(Z4, Z5, Z6, Z7)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWSTORE(Z8, Z9, Z10, Z11)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWSTORE(Z12, Z13, Z14, Z15)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWSTORE(Z16, Z17, Z18, Z19)
	DECQ R8
	JZ   done
	ADDQ SI, DX
	ROWSTORE(Z20, Z21, Z22, Z23)

done:
	VZEROUPPER
	RET

// func vnniDirect(a *byte, lda int, flip uint32, b *uint32, kq int, c *int32, ldc int, init *int32, rows int, add int)
//
// vnniDirect is vnniKernel with A read in place: row r's quad q is the 4
// bytes at a + r·lda + 4q, XORed with flip; rows >= rows reread the last
// row, so that nothing past it is read.
TEXT ·vnniDirect(SB), NOSPLIT, $0-80
	MOVQ a+0(FP), R10
	MOVQ lda+8(FP), R9
	MOVQ rows+64(FP), R8
	LEAQ (R10)(R9*1), R11
	CMPQ R8, $1
	CMOVQLE R10, R11
	LEAQ (R11)(R9*1), R12
	CMPQ R8, $2
	CMOVQLE R11, R12
	LEAQ (R12)(R9*1), R13
	CMPQ R8, $3
	CMOVQLE R12, R13
	LEAQ (R13)(R9*1), R14
	CMPQ R8, $4
	CMOVQLE R13, R14
	LEAQ (R14)(R9*1), R15
	CMPQ R8, $5
	CMOVQLE R14, R15
	MOVL flip+16(FP), DX
	VPBROADCASTD DX, Z30
	MOVQ b+24(FP), BX
	MOVQ kq+32(FP), CX
	MOVQ init+56(FP), DI
	INITACC
	XORQ AX, AX

loopd:
	LOADB
	ROWDIRECT(R10, Z28, Z0, Z1, Z2, Z3)
	ROWDIRECT(R11, Z29, Z4, Z5, Z6, Z7)
	ROWDIRECT(R12, Z31, Z8, Z9, Z10, Z11)
	ROWDIRECT(R13, Z28, Z12, Z13, Z14, Z15)
	ROWDIRECT(R14, Z29, Z16, Z17, Z18, Z19)
	ROWDIRECT(R15, Z31, Z20, Z21, Z22, Z23)
	ADDQ $4, AX
	ADDQ $256, BX
	DECQ CX
	JNZ  loopd

	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), SI
	SHLQ $2, SI
	MOVQ add+72(FP), R9
	TESTQ R9, R9
	JZ    stored

	ROWADD(Z0, Z1, Z2, Z3)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWADD(Z4, Z5, Z6, Z7)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWADD(Z8, Z9, Z10, Z11)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWADD(Z12, Z13, Z14, Z15)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWADD(Z16, Z17, Z18, Z19)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWADD(Z20, Z21, Z22, Z23)
	JMP  doned

stored:
	ROWSTORE(Z0, Z1, Z2, Z3)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWSTORE(Z4, Z5, Z6, Z7)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWSTORE(Z8, Z9, Z10, Z11)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWSTORE(Z12, Z13, Z14, Z15)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWSTORE(Z16, Z17, Z18, Z19)
	DECQ R8
	JZ   doned
	ADDQ SI, DX
	ROWSTORE(Z20, Z21, Z22, Z23)

doned:
	VZEROUPPER
	RET
