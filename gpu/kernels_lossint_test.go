package gpu

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/wageubn/wageubn/gpu/cpu"
)

func init() { caseGens["softmax_xent_i32"] = xentIntCases }

// xentIntCases: batch sizes 1, odd and power-of-two, 1, 10 and 255
// classes, logit exponents from -20 to 8, random logits of several spreads,
// equal logits, extremes, and ignored labels.
func xentIntCases(rng *rand.Rand) []kcase {
	var cs []kcase
	for _, n := range []int{1, 3, 64, 65, 1000} {
		for _, k := range []int{1, 2, 10, 255} {
			for _, exp := range []int32{-14, -20, -7, 0, 8} {
				for _, set := range []string{"spread", "narrow", "equal", "extreme"} {
					if n == 1000 && (k == 255 || set != "spread") {
						continue
					}
					logits := fillWith(n*k, func(int) uint32 {
						switch set {
						case "narrow":
							return uint32(int32(rng.IntN(4001) - 2000))
						case "equal":
							return 12345
						case "extreme":
							return []uint32{math.MaxInt32, 1 << 31, 0}[rng.IntN(3)]
						}
						return uint32(int32(rng.IntN(1<<22) - 1<<21))
					})
					labels := fillWith(n, func(int) uint32 { return uint32(rng.IntN(k + 1)) }) // k: ignored
					cs = append(cs, kcase{name: fmt.Sprintf("n=%d/k=%d/exp=%d/%s", n, k, exp, set),
						params: cpu.XentIntParams{N: uint32(n), K: uint32(k), Exp: exp, Shift: uint32(bits.Len32(uint32(n - 1)))},
						outs:   []int{n * k, n}, ins: [][]uint32{logits, labels}})
				}
			}
		}
	}
	return cs
}
