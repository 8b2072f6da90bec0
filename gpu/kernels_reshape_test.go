package gpu

import (
	"fmt"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

func init() {
	caseGens["reshape_b8"] = func(rng *rand.Rand) []kcase { return reshapeCases(rng, 4) }
	caseGens["reshape_b16"] = func(rng *rand.Rand) []kcase { return reshapeCases(rng, 2) }
	caseGens["reshape_b32"] = func(rng *rand.Rand) []kcase { return reshapeCases(rng, 1) }
}

// reshapeCases moves n elements from rows of oldLast to rows of newLast,
// including rows that do not fill their last word, a partial last row, and
// a grid past 65535 workgroups.
func reshapeCases(rng *rand.Rand, per int) []kcase {
	var cs []kcase
	for _, g := range [][3]int{
		{1, 1, 1}, {5, 5, 1}, {25, 5, 25}, {400, 25, 400}, {400, 5, 80}, {30, 3, 10},
		{7, 7, 3}, {64, 16, 4}, {1000, 1000, 1}, {65535*64*per + per + 1, 64, 65535*64*per + per + 1},
	} {
		n, oldLast, newLast := g[0], g[1], g[2]
		rowsIn := (n + oldLast - 1) / oldLast
		inWords := rowsIn * ((oldLast + per - 1) / per)
		rowsOut := (n + newLast - 1) / newLast
		outWords := rowsOut * ((newLast + per - 1) / per)
		p := cpu.ReshapeParams{N: uint32(n), OldLast: uint32(oldLast), NewLast: uint32(newLast), OutWords: uint32(outWords)}
		if per == 1 {
			p = cpu.ReshapeParams{N: uint32(inWords), OldLast: uint32(inWords), NewLast: uint32(inWords), OutWords: uint32(inWords)}
		}
		cs = append(cs, kcase{name: fmt.Sprintf("n=%d/%d->%d", n, oldLast, newLast), params: p,
			outs: []int{int(p.OutWords)}, ins: [][]uint32{fillWith(inWords, func(int) uint32 { return rng.Uint32() })}})
	}
	return cs
}
