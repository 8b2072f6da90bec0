package gpu

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu/cpu"
)

// convKernels: conv2d forward, backward-data, backward-weight (im2col/col2im).
// conv.wgsl — gpu/cpu/conv.go. The per-group kernels (im2col*, nhwc_to_nchw*,
// col2im*) work on group p.Group; the float kernels on all groups at once.
var convKernels = []Kernel{
	im2colRow("im2col_i8", cpu.Im2col8, 4, false),
	im2colRow("im2col_u8", cpu.Im2col8, 4, false),
	im2colRow("im2col_i16", cpu.Im2col16, 2, false),
	im2colRow("im2col_t_i8", cpu.Im2colT8, 4, true),
	im2colRow("im2col_t_u8", cpu.Im2colT8, 4, true),
	im2colRow("im2col_t_i16", cpu.Im2colT16, 2, true),
	{Name: "nhwc_to_nchw_i32", File: "conv.wgsl", Twin: cpu.NhwcToNchwI32, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{mulSat(p.N, p.K, p.OH, p.OW), mulSat(p.N, p.OH, p.OW, p.KG)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.N * p.KG * p.OH * p.OW }),
		Check: checkConv(true, false)},
	{Name: "nhwc_to_nchw_i64", File: "conv.wgsl", Twin: cpu.NhwcToNchwI64, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{mulSat(2, p.N, p.K, p.OH, p.OW), mulSat(2, p.N, p.OH, p.OW, p.KG)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.N * p.KG * p.OH * p.OW }),
		Check: checkConv(true, false)},
	{Name: "col2im_i32", File: "conv.wgsl", Twin: cpu.Col2imI32, Outputs: 1, ErrorWord: true,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{mulSat(p.N, p.C, p.H, p.W), mulSat(p.N, p.OH, p.OW, p.CG, p.KH, p.KW)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.N * p.CG * p.H * p.W }),
		Check: checkConv(false, true)},
	{Name: "col2im_i64", File: "conv.wgsl", Twin: cpu.Col2imI64, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{mulSat(2, p.N, p.C, p.H, p.W), mulSat(2, p.N, p.OH, p.OW, p.CG, p.KH, p.KW)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.N * p.CG * p.H * p.W }),
		Check: checkConv(false, true)},
	{Name: "conv2d_f32", File: "conv.wgsl", Twin: cpu.Conv2dF32, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{mulSat(p.N, p.K, p.OH, p.OW), mulSat(p.N, p.C, p.H, p.W), mulSat(p.K, p.CG, p.KH, p.KW)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.N * p.K * p.OH * p.OW }),
		Check: checkConv(true, true)},
	{Name: "conv2d_bwd_data_f32", File: "conv.wgsl", Twin: cpu.Conv2dBwdDataF32, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{mulSat(p.N, p.C, p.H, p.W), mulSat(p.N, p.K, p.OH, p.OW), mulSat(p.K, p.CG, p.KH, p.KW)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.N * p.C * p.H * p.W }),
		Check: checkConv(true, true)},
	{Name: "conv2d_bwd_weight_f32", File: "conv.wgsl", Twin: cpu.Conv2dBwdWeightF32, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{mulSat(p.K, p.CG, p.KH, p.KW), mulSat(p.N, p.K, p.OH, p.OW), mulSat(p.N, p.C, p.H, p.W)}
		}),
		Grid:  grid1D(64, func(p cpu.ConvParams) uint32 { return p.K * p.CG * p.KH * p.KW }),
		Check: checkConv(true, true)},
}

// im2colRow is the row of an im2col kernel with per codes to a word,
// transposed (im2col_t_*: [CKK, NP] packed along NP) or not ([NP, CKK]
// packed along CKK).
func im2colRow(name string, twin func(cpu.ConvParams, []uint32, []uint32), per uint32, transposed bool) Kernel {
	out := func(p cpu.ConvParams) uint64 {
		np, ckk := mulSat(p.N, p.OH, p.OW), mulSat(p.CG, p.KH, p.KW)
		if transposed {
			np, ckk = ckk, np
		}
		return np * uint64(p.RowWords) // < 2^63: np <= 2^31 (mulSat)
	}
	minWords := func(p cpu.ConvParams) uint64 {
		vals := mulSat(p.CG, p.KH, p.KW)
		if transposed {
			vals = mulSat(p.N, p.OH, p.OW)
		}
		return (vals + uint64(per) - 1) / uint64(per)
	}
	check := checkConv(false, true)
	return Kernel{Name: name, File: "conv.wgsl", Twin: twin, Outputs: 1,
		Words: words(func(p cpu.ConvParams) []uint64 {
			return []uint64{min(out(p), 1<<62), mulSat(p.N, p.C, p.H, (p.W+per-1)/per)}
		}),
		Grid: grid1D(64, func(p cpu.ConvParams) uint32 { return uint32(min(out(p), 1<<32-1)) }),
		Check: func(a any) error {
			if err := check(a); err != nil {
				return err
			}
			if p := a.(cpu.ConvParams); uint64(p.RowWords) < minWords(p) {
				return fmt.Errorf("params %+v: RowWords below %d, the words of a row: %w", p, minWords(p), ErrShape)
			}
			return nil
		}}
}

// mulSat returns the product of xs, saturated at 2^31 (far beyond any
// buffer: Run then refuses the binding as too short).
func mulSat(xs ...uint32) uint64 {
	p := uint64(1)
	for _, x := range xs {
		p *= uint64(x)
		if p > 1<<31 {
			return 1 << 31
		}
	}
	return p
}

// checkConv builds the Check of a conv kernel: every dimension and the
// stride positive, and the group's channels inside the tensor: (Group+1)·KG
// <= K when output channels are grouped (outK), (Group+1)·CG <= C when input
// channels are (inC). Kernels that handle all groups at once (outK and inC)
// need instead C = G·CG and K = G·KG for one G.
func checkConv(outK, inC bool) func(any) error {
	return func(a any) error {
		p := a.(cpu.ConvParams)
		for _, d := range []uint32{p.N, p.C, p.H, p.W, p.K, p.KH, p.KW, p.OH, p.OW, p.Stride, p.CG, p.KG} {
			if d == 0 {
				return fmt.Errorf("params %+v: a dimension or the stride is 0: %w", p, ErrShape)
			}
		}
		g := uint64(p.Group) + 1
		switch {
		case outK && inC:
			if p.C%p.CG != 0 || p.K%p.KG != 0 || p.C/p.CG != p.K/p.KG {
				return fmt.Errorf("params %+v: C/CG and K/KG must be the same whole number of groups: %w", p, ErrShape)
			}
		case outK:
			if g*uint64(p.KG) > uint64(p.K) {
				return fmt.Errorf("params %+v: group %d's output channels exceed K: %w", p, p.Group, ErrShape)
			}
		case inC:
			if g*uint64(p.CG) > uint64(p.C) {
				return fmt.Errorf("params %+v: group %d's input channels exceed C: %w", p, p.Group, ErrShape)
			}
		}
		return nil
	}
}
