package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The twins run a dispatch's invocations in parallel where each output is
// computed on its own (as a shader invocation computes it), so the words
// are those of a serial loop; flags raised by the invocations (ErrOverflow
// and friends) are ORed into the error word once per chunk.

// parallelItems calls f(i) for i < total, spread over GOMAXPROCS goroutines
// in contiguous chunks (each output is computed on its own, so the order
// does not matter); below 4096 items it runs them in order.
func parallelItems(total uint32, f func(i uint32)) { parallelFor(total, 4096, f) }

// parallelRows is parallelItems for items of a row of outputs each, worth a
// goroutine from 16 rows.
func parallelRows(rows uint32, f func(r uint32)) { parallelFor(rows, 16, f) }

// parallelFor calls f(i) for each i < total, in chunks (parallelChunks).
func parallelFor(total, grain uint32, f func(i uint32)) {
	parallelChunks(total, grain, func(lo, hi uint32) {
		for i := lo; i < hi; i++ {
			f(i)
		}
	})
}

// parallelChunks calls f(lo, hi) over contiguous chunks covering [0,
// total), one per goroutine, or f(0, total) alone below grain items.
func parallelChunks(total, grain uint32, f func(lo, hi uint32)) {
	workers := uint32(min(runtime.GOMAXPROCS(0), 64))
	if total < grain || workers < 2 {
		f(0, total)
		return
	}
	chunk := (total + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := uint32(0); lo < total; lo += chunk {
		wg.Go(func() { f(lo, min(lo+chunk, total)) })
	}
	wg.Wait()
}

// flaggedChunks is parallelChunks for a twin that raises error flags: each
// chunk gathers its own and they are ORed into errWord[0].
func flaggedChunks(total, grain uint32, errWord []uint32, f func(lo, hi uint32, flag *uint32)) {
	parallelChunks(total, grain, func(lo, hi uint32) {
		var flag uint32
		f(lo, hi, &flag)
		if flag != 0 {
			atomic.OrUint32(&errWord[0], flag)
		}
	})
}
