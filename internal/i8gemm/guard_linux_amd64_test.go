//go:build linux && amd64 && !purego

package i8gemm

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// fenced returns n bytes that end exactly where an inaccessible page
// begins, so that reading or writing one byte past them faults, and a
// function that unmaps them.
func fenced(t *testing.T, n int) ([]byte, func()) {
	t.Helper()
	page := syscall.Getpagesize()
	size := (n+page-1)/page*page + page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	if err := syscall.Mprotect(mem[size-page:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	return mem[size-page-n : size-page], func() { _ = syscall.Munmap(mem) }
}

// TestVNNIFence runs NT and NTU8 with A and C each ending at an inaccessible
// page: the assembly reads A in place and writes C directly, so an access
// past either slice (a row of a partial strip, a byte past the last quad, a
// column past a full panel) would crash the test. It also compares with the
// naive loop.
func TestVNNIFence(t *testing.T) {
	if !hasVNNI {
		t.Skip("no AVX-512 VNNI")
	}
	shapes := []struct{ M, N, K, lda int }{
		{1, 64, 4, 4}, {5, 64, 12, 12}, {7, 128, 516, 516}, {6, 64, 8, 9}, {11, 64, 7, 7}, {13, 65, 600, 601},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range shapes {
		for _, u8 := range []bool{false, true} {
			nA := (s.M-1)*s.lda + s.K
			memA, freeA := fenced(t, nA)
			memC, freeC := fenced(t, 4*s.M*s.N)
			for i := range memA {
				memA[i] = byte(r.IntN(256))
			}
			B := make([]int8, s.N*s.K)
			for i := range B {
				B[i] = int8(r.IntN(256) - 128)
			}
			C := unsafe.Slice((*int32)(unsafe.Pointer(&memC[0])), s.M*s.N)
			var err error
			if u8 {
				err = NTU8(s.M, s.N, s.K, memA, s.lda, B, s.K, C, s.N)
			} else {
				A := unsafe.Slice((*int8)(unsafe.Pointer(&memA[0])), nA)
				err = NT(s.M, s.N, s.K, A, s.lda, B, s.K, C, s.N)
			}
			if err != nil {
				t.Fatal(err)
			}
			for m := range s.M {
				for n := range s.N {
					var want int32
					for k := range s.K {
						a := int32(memA[m*s.lda+k])
						if !u8 {
							a = int32(int8(memA[m*s.lda+k]))
						}
						want += a * int32(B[n*s.K+k])
					}
					if C[m*s.N+n] != want {
						t.Fatalf("%+v u8=%v: C[%d][%d] = %d, want %d", s, u8, m, n, C[m*s.N+n], want)
					}
				}
			}
			freeA()
			freeC()
		}
	}
}
