package cpu

// Twins of shaders/reduce.wgsl — keep in sync.

// MaxAbsParams is the uniform of max_abs_i32 (struct MaxAbsParams in WGSL).
type MaxAbsParams struct {
	N uint32 // elements
}

// MaxAbsChunk is max_abs_chunk of reduce.wgsl: the elements one invocation
// scans, which sets the grid size.
const MaxAbsChunk = 64

// MaxAbsI32 is the twin of max_abs_i32: out[0] = max(out[0], max_{i<p.N}
// AbsU32(in[i])). The output accumulates; clear it first for max|x| alone.
func MaxAbsI32(p MaxAbsParams, out, in []uint32) {
	m := out[0]
	for _, v := range in[:p.N] {
		m = max(m, AbsU32(int32(v)))
	}
	out[0] = m
}
