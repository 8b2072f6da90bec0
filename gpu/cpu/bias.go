package cpu

import (
	"math"

	"github.com/wageubn/wageubn/quant"
)

// This file is the twin of shaders/bias.wgsl — keep in sync: the bias of
// conv2d and linear layers per output channel, on a tensor [N, C, S]
// (element i in channel (i/S) mod C).

// BiasGroup is bias_group of bias.wgsl: the workgroup size of the
// per-channel reductions and the stride of their partial sums.
const BiasGroup = 64

// BiasParams are the params of bias_add.
type BiasParams struct {
	N     uint32 // N
	C     uint32 // channels C
	S     uint32 // S, values per channel and image
	Shift int32  // bias grid - output grid: RoundShr(b, Shift), -31..31
	Wide  uint32 // 1: z and y are int64 (two words each), 0: int32
}

// BiasGradParams are the params of bias_grad.
type BiasGradParams struct {
	N    uint32 // N
	C    uint32 // channels C
	S    uint32 // S
	I16  uint32 // 1: g is int16 codes, two per word along rows of Cols values, 0: int32
	Cols uint32 // the last dimension (int16 rows start a new word)
}

// BiasF32Params are the params of bias_add_f32 and bias_grad_f32.
type BiasF32Params struct {
	N uint32 // N
	C uint32 // channels C
	S uint32 // S
}

func biasIndex(k, c, cc, s uint32) uint32 { return (k/s*cc+c)*s + k%s }

// BiasAdd is the twin of bias_add: y[i] = z[i] + RoundShr(b[c], Shift),
// int32 (wrapping, ErrOverflow flagged on a left shift or sum that wraps)
// or int64 (ErrOverflow on a sum that leaves int64).
func BiasAdd(p BiasParams, y, z, b, errWord []uint32) {
	n := p.N * p.C * p.S
	for i := range n {
		bc := int32(b[i/p.S%p.C])
		flag := false
		if p.Wide == 0 {
			zi := int32(z[i])
			var bq int32
			if p.Shift >= 0 {
				bq = RoundShrI32(bc, p.Shift)
			} else {
				s := uint32(-p.Shift)
				flag = ShlOverflows(bc, s)
				bq = Shl(bc, s)
			}
			flag = flag || AddOverflows(zi, bq)
			y[i] = uint32(zi + bq)
		} else {
			zw := FromWideWords(z[2*i], z[2*i+1])
			var bw int64
			if p.Shift >= 0 {
				bw = quant.RoundShr(int64(bc), uint(p.Shift))
			} else {
				bw = int64(bc) << uint(-p.Shift)
			}
			s := zw + bw // wraps as in WGSL
			flag = (zw < 0) == (bw < 0) && (s < 0) != (zw < 0)
			y[2*i], y[2*i+1] = WideWords(s)
		}
		if flag {
			errWord[0] |= ErrOverflow
		}
	}
}

// BiasGrad is the twin of bias_grad: db[c] = Σ g over channel c, int64.
func BiasGrad(p BiasGradParams, db, g []uint32) {
	n := p.N * p.S
	for c := range p.C {
		var sum int64 // integer sums are exact in any order
		for k := range n {
			i := biasIndex(k, c, p.C, p.S)
			var v int32
			if p.I16 != 0 {
				j := i % p.Cols
				v = int32(int16(g[i/p.Cols*((p.Cols+1)/2)+j/2] >> (16 * (j % 2))))
			} else {
				v = int32(g[i])
			}
			sum += int64(v)
		}
		db[2*c], db[2*c+1] = WideWords(sum)
	}
}

// BiasAddF32 is the twin of bias_add_f32: y[i] = z[i] + b[c] in float32.
func BiasAddF32(p BiasF32Params, y, z, b []uint32) {
	n := p.N * p.C * p.S
	for i := range n {
		y[i] = math.Float32bits(math.Float32frombits(z[i]) + math.Float32frombits(b[i/p.S%p.C]))
	}
}

// BiasGradF32 is the twin of bias_grad_f32: the float32 sum over channel
// c in the shader's order (BiasGroup strided partial sums, then a tree).
func BiasGradF32(p BiasF32Params, db, g []uint32) {
	n := p.N * p.S
	var part [BiasGroup]float32
	for c := range p.C {
		for t := range uint32(BiasGroup) {
			var acc float32
			for k := t; k < n; k += BiasGroup {
				acc += math.Float32frombits(g[biasIndex(k, c, p.C, p.S)])
			}
			part[t] = acc
		}
		for stride := BiasGroup / 2; stride > 0; stride >>= 1 {
			for t := range stride {
				part[t] += part[t+stride]
			}
		}
		db[c] = math.Float32bits(part[0])
	}
}
