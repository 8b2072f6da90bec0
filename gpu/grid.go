package gpu

import (
	"fmt"
	"reflect"
)

// Grid sizes a kernel's dispatch from its params.
type Grid struct {
	// WG is the workgroup size; it must equal the entry point's
	// @workgroup_size (a test checks this against the WGSL).
	WG [3]uint32
	// Size returns the invocations needed per dimension.
	Size func(params any) [3]uint32
	// Spill marks a 1-D grid whose workgroups spill from x into y when
	// there are more than the per-dimension limit; its shader must index
	// with linear_index (common.wgsl).
	Spill bool

	params reflect.Type
}

// grid1D is a 1-D grid over n(p) invocations of workgroups of wg, spilling
// into y.
func grid1D[P any](wg uint32, n func(P) uint32) Grid {
	return Grid{
		WG:     [3]uint32{wg, 1, 1},
		Size:   func(p any) [3]uint32 { return [3]uint32{n(p.(P)), 1, 1} },
		Spill:  true,
		params: reflect.TypeFor[P](),
	}
}

// grid2D is a 2-D grid of workgroups of wgx x wgy over f(p) invocations.
func grid2D[P any](wgx, wgy uint32, f func(P) (x, y uint32)) Grid {
	return Grid{
		WG: [3]uint32{wgx, wgy, 1},
		Size: func(p any) [3]uint32 {
			x, y := f(p.(P))
			return [3]uint32{x, y, 1}
		},
		params: reflect.TypeFor[P](),
	}
}

// workgroups returns the dispatch size for params p under a per-dimension
// limit, or an error wrapping ErrTooLarge.
func (g Grid) workgroups(p any, maxPerDim uint32) ([3]uint32, error) {
	s := g.Size(p)
	var n [3]uint32
	for i := range n {
		n[i] = ceilDiv(s[i], g.WG[i])
	}
	if g.Spill {
		n[0], n[1] = numWorkgroups1D(n[0], maxPerDim)
	}
	for i := range n {
		if n[i] > maxPerDim {
			return n, fmt.Errorf("grid %v workgroups exceeds %d per dimension: %w", n, maxPerDim, ErrTooLarge)
		}
	}
	return n, nil
}

// numWorkgroups1D spreads groups workgroups over x and y so that neither
// exceeds maxPerDim and x*y >= groups (cogentcore's NumWorkgroups1D).
func numWorkgroups1D(groups, maxPerDim uint32) (x, y uint32) {
	if groups <= maxPerDim {
		return groups, 1
	}
	y = ceilDiv(groups, maxPerDim)
	return ceilDiv(groups, y), y
}

// ceilDiv returns ceil(a/b) for b > 0, without overflow.
func ceilDiv(a, b uint32) uint32 { return a/b + min(a%b, 1) }
