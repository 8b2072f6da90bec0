package nn

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// InitWeights returns n initial weights of the parameter key (the full
// PyTorch key, "layer1.0.conv1.weight") with fan-in fanIn, [OFF]'s
// initialiser (method.md B§2.1): Q(TruncNormal(0, 1/sqrt(fanIn)), 16),
// normal draws beyond two standard deviations redrawn, each value rounded
// half to even onto the 2^-15 grid. The draws come from a PCG seeded by
// (seed, FNV-1a 64 of key), so a network is reproducible from its seed and
// each parameter's values do not depend on the other layers.
func InitWeights(seed uint64, key string, n, fanIn int) []float32 {
	h := fnv.New64a()
	h.Write([]byte(key))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	sd := 1 / math.Sqrt(float64(max(fanIn, 1)))
	w := make([]float32, n)
	for i := range w {
		v := rng.NormFloat64()
		for math.Abs(v) > 2 {
			v = rng.NormFloat64()
		}
		w[i] = float32(math.RoundToEven(v*sd*(1<<15)) / (1 << 15))
	}
	return w
}

// ParamTensorID is the tensor id of the parameter key in the stochastic
// rounding stream of its gradient (quant.RNGKey.Tensor, method.md A3):
// FNV-1a 32 of the full key, stable across runs and layer orders.
func ParamTensorID(key string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(key))
	return h.Sum32()
}

// masterCodes returns the integer master codes (exponent -23, method.md A8)
// of the float values w: w·2^23, exact for values on the 2^-15 grid of
// InitWeights, rounded half to even otherwise, saturating at int32.
func masterCodes(w []float32) []int32 {
	out := make([]int32, len(w))
	for i, v := range w {
		c := math.RoundToEven(float64(v) * (1 << 23))
		out[i] = int32(max(min(c, math.MaxInt32), math.MinInt32))
	}
	return out
}
