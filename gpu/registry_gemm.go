package gpu

import "github.com/wageubn/wageubn/gpu/cpu"

// gemmKernels: GEMM variants beyond gemm_i8_nt: wide, mixed-width, float, tiled.
// gemm_ext.wgsl — gpu/cpu/gemm_ext.go.
var gemmKernels = []Kernel{
	{Name: "gemm_u8i8_nt", File: "gemm_ext.wgsl", Twin: cpu.GemmU8I8NT, Outputs: 1,
		Words: gemmWords, Grid: gemmGrid8x8},
	{Name: "gemm_u8i8_nt_k16", File: "gemm_ext.wgsl", Twin: cpu.GemmU8I8NT, Outputs: 1,
		Words: gemmWords, Grid: gemmGrid8x8, Check: checkKW4},
	{Name: "gemm_i8_nt_wide", File: "gemm_ext.wgsl", Twin: cpu.GemmI8NTWide, Outputs: 1,
		Words: gemmWideWords, Grid: gemmGrid8x8},
	{Name: "gemm_u8i8_nt_wide", File: "gemm_ext.wgsl", Twin: cpu.GemmU8I8NTWide, Outputs: 1,
		Words: gemmWideWords, Grid: gemmGrid8x8},
	{Name: "gemm_i8_nt_wide_k16", File: "gemm_ext.wgsl", Twin: cpu.GemmI8NTWide, Outputs: 1,
		Words: gemmWideWords, Grid: gemmGrid8x8, Check: checkKW4},
	{Name: "gemm_u8i8_nt_wide_k16", File: "gemm_ext.wgsl", Twin: cpu.GemmU8I8NTWide, Outputs: 1,
		Words: gemmWideWords, Grid: gemmGrid8x8, Check: checkKW4},
	{Name: "gemm_i16i8_nt", File: "gemm_ext.wgsl", Twin: cpu.GemmI16I8NT, Outputs: 1,
		Words: gemmPlanesWords, Grid: gemmGrid8x8},
	{Name: "gemm_i16i8_nt_k16", File: "gemm_ext.wgsl", Twin: cpu.GemmI16I8NT, Outputs: 1,
		Words: gemmPlanesWords, Grid: gemmGrid8x8, Check: checkKW4},
	{Name: "gemm_i16u8_nt", File: "gemm_ext.wgsl", Twin: cpu.GemmI16U8NT, Outputs: 1,
		Words: gemmPlanesWords, Grid: gemmGrid8x8},
	{Name: "gemm_i16u8_nt_k16", File: "gemm_ext.wgsl", Twin: cpu.GemmI16U8NT, Outputs: 1,
		Words: gemmPlanesWords, Grid: gemmGrid8x8, Check: checkKW4},
	{Name: "pack_i16_split", File: "gemm_ext.wgsl", Twin: cpu.PackI16Split, Outputs: 1,
		Words: words(func(p cpu.SplitParams) []uint64 {
			return []uint64{2 * mul(p.Rows, p.KW), mul(p.Rows, (p.K+1)/2)}
		}),
		Grid: grid1D(64, func(p cpu.SplitParams) uint32 { return p.Rows * p.KW })},
	{Name: "gemm_f32_nt", File: "gemm_ext.wgsl", Twin: cpu.GemmF32NT, Outputs: 1,
		Words: gemmWords, Grid: gemmGrid8x8},
	{Name: "gemm_f32_nt_k4", File: "gemm_ext.wgsl", Twin: cpu.GemmF32NT, Outputs: 1,
		Words: gemmWords, Grid: gemmGrid8x8, Check: checkKW4},
	{Name: "gemm_i8_nt_tiled", File: "gemm_ext.wgsl", Twin: cpu.GemmI8NT, Outputs: 1,
		Words: gemmWords,
		Grid: grid2D(16, 16, func(p cpu.GemmParams) (uint32, uint32) {
			return ceilDiv(p.N, gemmTile) * 16, ceilDiv(p.M, gemmTile) * 16
		})},
}

// gemmTile is GXT_TILE of gemm_ext.wgsl: the C tile of one workgroup of
// gemm_i8_nt_tiled is gemmTile x gemmTile.
const gemmTile = 128

// gemmGrid8x8: one invocation per 8x8 block of C, workgroups of 8x8.
var gemmGrid8x8 = grid2D(8, 8, func(p cpu.GemmParams) (uint32, uint32) { return ceilDiv(p.N, 8), ceilDiv(p.M, 8) })

// gemmWideWords: C is M·N int64 (2 words each), A is M·KW and B is N·KW.
var gemmWideWords = words(func(p cpu.GemmParams) []uint64 {
	return []uint64{2 * mul(p.M, p.N), mul(p.M, p.KW), mul(p.N, p.KW)}
})

// gemmPlanesWords: C is M·N int64, A the two int8 planes of pack_i16_split
// (2·M·KW words), B is N·KW.
var gemmPlanesWords = words(func(p cpu.GemmParams) []uint64 {
	return []uint64{2 * mul(p.M, p.N), 2 * mul(p.M, p.KW), mul(p.N, p.KW)}
})

// checkKW4 admits the vec4 variants (_k16, _k4): KW a positive multiple of 4.
var checkKW4 = checkParams(func(p cpu.GemmParams) bool { return p.KW > 0 && p.KW%4 == 0 }, "KW must be a positive multiple of 4")
