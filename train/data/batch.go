package data

import (
	"fmt"
	"iter"
	"math/bits"
	"math/rand/v2"
)

// Sampler cuts a dataset into batches, in an order that is a pure
// function of (Seed, epoch): a run resumed at epoch e, batch b sees exactly
// the batches an uninterrupted run would have seen.
//
// Final partial batch: when N is not a multiple of BatchSize the last batch
// of an epoch holds the N mod BatchSize remaining samples (every sample is
// seen once per epoch); set DropLast to leave it out instead (every batch
// then has exactly BatchSize samples, and the samples left over differ from
// epoch to epoch when Shuffle is set).
type Sampler struct {
	BatchSize int    // samples per batch, >= 1
	Shuffle   bool   // permute the samples each epoch; false keeps 0, 1, ..., N-1
	Seed      uint64 // with the epoch number, fixes the permutation
	DropLast  bool   // leave out a final batch smaller than BatchSize
}

// Batches returns the batches of one epoch of ds with the final partial
// batch kept; it is Sampler{batchSize, shuffle, seed, false}.Epoch(ds, epoch).
func Batches(ds *Dataset, batchSize int, shuffle bool, seed uint64, epoch int) (*Epoch, error) {
	return Sampler{BatchSize: batchSize, Shuffle: shuffle, Seed: seed}.Epoch(ds, epoch)
}

// Epoch fixes the sample order of epoch number epoch (>= 0) of ds. The
// order is [Permutation](ds.N, s.Seed, epoch) when s.Shuffle is set, else
// 0, 1, ..., N-1. It returns an error wrapping [ErrArgument] when BatchSize
// < 1, epoch < 0, or ds fails [Dataset.Validate].
func (s Sampler) Epoch(ds *Dataset, epoch int) (*Epoch, error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	if s.BatchSize < 1 {
		return nil, fmt.Errorf("%w: batch size %d < 1", ErrArgument, s.BatchSize)
	}
	if epoch < 0 {
		return nil, fmt.Errorf("%w: epoch %d < 0", ErrArgument, epoch)
	}
	var order []int
	if s.Shuffle {
		order = Permutation(ds.N, s.Seed, epoch)
	} else {
		order = make([]int, ds.N)
		for i := range order {
			order[i] = i
		}
	}
	nb := ds.N / s.BatchSize
	if !s.DropLast && ds.N%s.BatchSize != 0 {
		nb++
	}
	return &Epoch{ds: ds, order: order, size: s.BatchSize, batches: nb}, nil
}

// Permutation returns the sample order of epoch number epoch: a
// Fisher-Yates shuffle of 0, 1, ..., n-1 driven by math/rand/v2's PCG
// (PCG-DXSM, 128-bit state) seeded with rand.NewPCG(seed, uint64(epoch)).
//
//	for i := n-1; i > 0; i-- { swap(p[i], p[j]) with j = bounded(i+1) }
//
// where bounded(m) is Lemire's unbiased multiply-and-reject reduction of
// pcg.Uint64() to [0, m). The algorithm is written out here rather than taken
// from rand.Rand.Shuffle, so that the order depends only on this code and on
// PCG, whose output math/rand/v2 fixes. For n <= 0 it returns an empty slice.
func Permutation(n int, seed uint64, epoch int) []int {
	p := make([]int, max(n, 0))
	for i := range p {
		p[i] = i
	}
	src := rand.NewPCG(seed, uint64(epoch))
	for i := len(p) - 1; i > 0; i-- {
		j := bounded(src, uint64(i)+1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// bounded returns a uniform integer in [0, m), m >= 1, by Lemire's
// method ("Fast Random Integer Generation in an Interval", 2019): the high
// word of x*m, rejecting x whose low word falls below 2^64 mod m.
func bounded(src *rand.PCG, m uint64) int {
	hi, lo := bits.Mul64(src.Uint64(), m)
	if lo < m {
		thresh := -m % m // 2^64 mod m
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), m)
		}
	}
	return int(hi)
}

// Epoch is the fixed batch order of one epoch; see [Sampler.Epoch]. It is
// read-only once made and safe for concurrent use.
type Epoch struct {
	ds      *Dataset
	order   []int
	size    int
	batches int
}

// Len returns the number of batches in the epoch: ceil(N/BatchSize), or
// floor(N/BatchSize) with DropLast.
func (e *Epoch) Len() int { return e.batches }

// Indices returns the dataset indices of batch i (0 <= i < Len), in
// batch order; the slice is a copy. It returns nil for i out of range.
func (e *Epoch) Indices(i int) []int {
	if i < 0 || i >= e.batches {
		return nil
	}
	lo := i * e.size
	hi := min(lo+e.size, len(e.order))
	return append([]int(nil), e.order[lo:hi]...)
}

// Batch is a copy of some samples of a dataset: Pixels (len N*C*H*W, NCHW
// uint8 codes, value = code*2^-8) and Labels (len N) of the samples
// Indices name, in that order.
type Batch struct {
	Index      int   // batch number within its epoch
	Indices    []int // dataset indices of the samples
	N, C, H, W int
	Pixels     []uint8
	Labels     []uint8
}

// Batch fills dst with copies of the samples of batch i, reusing dst's
// slices when they are large enough. It returns an error wrapping
// [ErrArgument] when i is out of [0, Len).
func (e *Epoch) Batch(i int, dst *Batch) error {
	if i < 0 || i >= e.batches {
		return fmt.Errorf("%w: batch %d out of range [0, %d)", ErrArgument, i, e.batches)
	}
	ds := e.ds
	lo := i * e.size
	idx := e.order[lo:min(lo+e.size, len(e.order))]
	n, ss := len(idx), ds.SampleSize()
	dst.Index, dst.N, dst.C, dst.H, dst.W = i, n, ds.C, ds.H, ds.W
	dst.Indices = append(dst.Indices[:0], idx...)
	dst.Labels = grow(dst.Labels, n)
	dst.Pixels = grow(dst.Pixels, n*ss)
	for k, j := range idx {
		dst.Labels[k] = ds.Labels[j]
		copy(dst.Pixels[k*ss:(k+1)*ss], ds.Pixels[j*ss:(j+1)*ss])
	}
	return nil
}

// grow returns s resized to length n, reallocating only when its
// capacity is too small.
func grow(s []uint8, n int) []uint8 {
	if cap(s) < n {
		return make([]uint8, n)
	}
	return s[:n]
}

// All yields every batch of the epoch in order; it is From(0).
func (e *Epoch) All() iter.Seq[*Batch] { return e.From(0) }

// From yields batches first, first+1, ..., Len-1, each a fresh *Batch
// that the caller may keep. A run resumed at (epoch, batch) uses
// Sampler.Epoch(ds, epoch) and From(batch). A first outside [0, Len) yields
// nothing.
func (e *Epoch) From(first int) iter.Seq[*Batch] {
	return func(yield func(*Batch) bool) {
		for i := max(first, 0); i < e.batches; i++ {
			b := new(Batch)
			if err := e.Batch(i, b); err != nil || !yield(b) {
				return
			}
		}
	}
}
