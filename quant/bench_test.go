package quant_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wageubn/wageubn/quant"
)

// benchSizes are the tensor lengths of every quantizer benchmark: a bias,
// a LeNet-5 activation batch, a large conv activation.
var benchSizes = []int{1 << 10, 1 << 16, 1 << 20}

// benchQuant runs q over each size and reports ns/elem.
func benchQuant(b *testing.B, q func(x []float32) error) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, uint64(n)))
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * 0.1)
			}
			b.SetBytes(int64(4 * n))
			b.ResetTimer()
			for b.Loop() {
				if err := q(x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
		})
	}
}

func errOnly[T any](_ T, err error) error { return err }

func BenchmarkDirect(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.Direct(x, 8)) })
}

func BenchmarkAllDirect(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.AllDirect(x, 8, 8)) })
}

func BenchmarkWeight(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.Weight(x, 8)) })
}

func BenchmarkShift(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.Shift(x, 8)) })
}

func BenchmarkFlag(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.Flag(x, 8)) })
}

func BenchmarkGradBN(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.GradBN(x, 15)) })
}

func BenchmarkConst(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.Const(x, 8, 8, key0)) })
}

func BenchmarkGradWeight(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.GradWeight(x, 15, 8, key0)) })
}

func BenchmarkConstMag(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.ConstMag(x, 8, key0)) })
}

func BenchmarkQSigned(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.QSigned(x, 0.3, 8)) })
}

func BenchmarkQUnsigned(b *testing.B) {
	benchQuant(b, func(x []float32) error { return errOnly(quant.QUnsigned(x, 0.3, 8)) })
}

func BenchmarkQSignedBackward(b *testing.B) {
	g := make([]float32, benchSizes[len(benchSizes)-1])
	for i := range g {
		g[i] = 1
	}
	benchQuant(b, func(x []float32) error {
		_, _, err := quant.QSignedBackward(x, g[:len(x)], 0.3, 8)
		return err
	})
}

// BenchmarkPhilox reports the cost of one draw.
func BenchmarkPhilox(b *testing.B) {
	k := quant.RNGKey{Seed: 1}
	var sink uint32
	i := uint32(0)
	for b.Loop() {
		sink ^= k.Uint32(i)
		i++
	}
	_ = sink
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/elem")
}
