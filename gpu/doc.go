// Package gpu runs the integer kernels of wageubn-go on a device: WebGPU
// (WGSL compute shaders through github.com/oliverbestmann/webgpu, on any
// Vulkan/Metal/DX12 GPU or on lavapipe) or the CPU, where every kernel's Go
// twin (package gpu/cpu) gives the same integers, bit for bit.
//
// # Overview
//
// A training step is a fixed sequence of kernels on integer tensors. The
// pieces, from the bottom up:
//
//   - [Open] returns a [Device]. [Options].Backend picks [WebGPU], [CPU] or
//     [Auto] (WebGPU when an adapter exists, else CPU). [Device.Info] prints
//     the backend, adapter, adapter type, driver and limits.
//   - A [Tensor] is a device buffer of 32-bit words with a [DType], a shape
//     and an exponent Exp. [Device.UploadI32], [Tensor.DownloadI32] and
//     friends move data explicitly; nothing else crosses to the host.
//   - The registry is one table (registry.go) of [Kernel] rows: name = WGSL
//     entry point, WGSL file, Go twin, params struct, outputs, grid.
//   - A [Recorder] collects dispatches and submits them as one command
//     buffer: r := dev.Record(); y := r.Relu(x); ...; err := r.Submit().
//     Typed wrappers (one per kernel family: Relu, Add, GemmU8I8NT,
//     Conv2dI8, QuantShift, BNForward, ActReluQ, OptimWageubn, ...)
//     validate shapes and dtypes; [Recorder.Run] records any kernel by name.
//
// The kernels, by family (shaders/FILE.wgsl, twins in gpu/cpu/FILE.go;
// the shared WGSL libraries common.wgsl, lib_wide.wgsl (exact 64-bit
// integers) and lib_philox.wgsl (Philox4x32-10) are spliced ahead of every
// family file):
//
//	elementwise  fill_u32, relu_i32, add_i32 (residual add, exponent alignment)
//	reduce       max_abs_i32 (max |x| for R(x), accumulating; cleared by MaxAbs)
//	pack         pack_i8, pack_i8_t (int32 codes -> int8 packed along K)
//	gemm         gemm_i8_nt, gemm_i8_nt_k16 (int8 x int8 -> int32, C = A·Bᵀ)
//	gemm_ext     gemm_u8i8_nt(_k16), gemm_{i8,u8i8}_nt_wide(_k16) (int64 C),
//	             pack_i16_split, gemm_i16i8_nt(_k16), gemm_i16u8_nt(_k16),
//	             gemm_f32_nt(_k4), gemm_i8_nt_tiled (workgroup tiles, real GPUs)
//	conv         im2col_{i8,u8,i16}, im2col_t_{i8,u8,i16}, nhwc_to_nchw_{i32,i64},
//	             col2im_{i32,i64}, conv2d_f32, conv2d_bwd_{data,weight}_f32
//	quant        rng_u32, rng_philox4x32, max_abs_{i64,f32}, quant_weight,
//	             quant_regrid_{i32,i64}, quant_shift(_i64) (E1), quant_flag(_i64,
//	             _f32) (E2), quant_const(_i64) (G), quant_const_mag(_i64)
//	             (full8plus G), quant_decay(_i64), tqt_q{signed,unsigned}_f32
//	             (+_bwd), tqt_sum_f32
//	bn           bn_stats, bn_fwd, bn_running_update, bn_eval_stats,
//	             bn_bwd_reduce, bn_bwd_grads, bn_bwd_dx
//	act          act_relu_q, act_relu6_q (Q_A and its saturation mask), act_bwd
//	pool         maxpool2d_{fwd,bwd}, avgpool2d_{fwd,bwd}
//	loss         softmax_xent_f32, xent_correct
//	loss_int     softmax_xent_i32 (integer softmax: a bit-identical gradient)
//	optim        optim_wageubn (A8), optim_wageubn_plus (A15), optim_sgd_f32,
//	             optim_adam_f32
//	stats        sum_i32_wide, sumsq_i32_wide, histogram_i32
//	cast         cast_f32_i32, cast_i32_f32, widen_i32
//	reshape      reshape_b8, reshape_b16, reshape_b32
//	bias         bias_add (per-channel bias master onto the output grid, I32 or
//	             I64), bias_grad (channel sums of I16/I32 codes, I64),
//	             bias_add_f32, bias_grad_f32
//	float        relu_f32, relu6_f32, relu_bwd_f32, add_f32, quant_direct_f32,
//	             quant_alldirect_f32, bn_f32, bn_eval_f32, bn_bwd_f32,
//	             maxpool2d_{f32,bwd_f32}, avgpool2d_{f32,bwd_f32},
//	             adder2d_f32, adder2d_bwd_{data,weight}_f32, adder_grad_scale_f32
//	nnadder      adder2d_i32, adder2d_bwd_{data,weight}_i32 (exact AdderNet)
//	nngrad       grad_add_i64 (exact sum of two gradients with Scales)
//	nnshift      shift_f32_i8 (E1 from float32 bits)
//
// Only gpu/webgpu.go and gpu/staging.go import the binding, under the cgo
// build tag; built with CGO_ENABLED=0 the package has the CPU backend only
// and WebGPU reports ErrNoAdapter ("built without cgo").
//
// Shape letters: M, N, K for GEMM (C[M,N] = A[M,K]·B[N,K]ᵀ).
//
// # Number format
//
// Every buffer, on both backends, is a sequence of little-endian 32-bit
// words (the CPU backend holds a []uint32), so a Go twin sees exactly the
// bytes the shader sees:
//
//	I8, U8  4 per word, element j of a word in bits 8j..8j+7
//	I16     2 per word, element j in bits 16j..16j+15
//	I32     one word, two's complement
//	U32     one word
//	I64     two words per element, (lo, hi), for wide exact sums
//	F32     one word, IEEE 754 bits
//
// Narrow types pack along the last dimension, and each row (the last
// dimension) starts a new word; padding lanes are zero. An I8 tensor [M, K]
// is thus exactly a GEMM operand "packed along K, K padded to a multiple of
// 4 with zeros".
//
// A tensor's value is code·2^Exp (Exp = -frac in method.md's terms). Kernels
// carry exponents along: Relu keeps x.Exp, GemmI8NT gives A.Exp + B.Exp, Add
// gives min(a.Exp, b.Exp), shifting the other operand's codes left (exact
// while they fit).
//
// # Recorder
//
// Run and the wrappers validate their arguments, compile the kernel's
// pipeline on first use (one per kernel per device, cached) and append a
// dispatch. Nothing runs before Submit, on either backend: WebGPU encodes
// all dispatches into one compute pass of one command buffer, with every
// dispatch's params in one uniform arena (a slot per dispatch at the
// uniform offset alignment), and submits it; the CPU backend runs the Go
// twins in order. Submit does not wait; [Tensor.DownloadWords] (and the
// typed downloads) and [Device.Wait] do. Uploads happen immediately;
// downloads see only work that was submitted.
//
// The Recorder's error is sticky, like bufio.Writer's: after the first
// failure every wrapper returns nil, Run and Submit return that error, and
// the recorded work is dropped. Check r.Submit() (or r.Err()) once.
//
// 1-D grids (Grid.Spill) spill from x into y beyond 65535 workgroups;
// their shaders index with linear_index from common.wgsl.
//
// # Error word
//
// Kernels cannot return errors, so a kernel that can meet bad data (an
// integer overflow) ORs a flag (ERR_OVERFLOW of common.wgsl, cpu.ErrOverflow)
// into the device's error word, the way ggml's set_rows reports bad rows.
// Its registry row sets ErrorWord; its last binding (and its twin's last
// buffer) is that word, which Run binds itself. With [Options].Debug,
// Submit waits for the work, reads and clears the word and returns a
// [*KernelError] wrapping [ErrOverflow] naming the flagging kernels of the
// batch; without it the flags accumulate until [Device.ErrorWord] reads
// them. add_i32 uses it for shifts and sums that wrap.
//
// # Adding a kernel
//
// A kernel pair is five pieces (style.md 6.1), named alike everywhere:
//
//  1. Shader: an entry point "@compute @workgroup_size(...) fn
//     family_op(...)" in shaders/family.wgsl, with a header naming its twin.
//     Bindings in group 0: @binding(0) var<uniform> of the params struct,
//     @binding(1..) the storage buffers, outputs first (read_write), then
//     inputs (read); every binding must be used by the entry point. Use the
//     helpers of the libraries shaders/common.wgsl and shaders/lib_*.wgsl,
//     spliced ahead of every family file (never redeclare them); guard
//     every index against the params' length. WGSL has no i64: wide values
//     are vec2<u32> (lo, hi), see lib_wide.wgsl.
//  2. Go twin: func FamilyOp(p FamilyOpParams, out, in ...[]uint32) in
//     gpu/cpu/family.go, the shader's loop in plain Go, with WGSL integer
//     semantics (cpu.Shl, cpu.DivI32, ...) and no float arithmetic in
//     integer kernels. The params struct has only uint32/int32/float32
//     fields, and the WGSL struct of the same name has the same fields in
//     the same order (Go ShiftA = WGSL shift_a).
//  3. Registry row in registry.go: {Name, File, Twin, Outputs, Grid,
//     Words} (and ErrorWord, Check where needed): grid1D/grid2D sized from
//     the params, Words the words each buffer needs for them (Run refuses
//     shorter buffers, so no backend goes out of range); Grid.WG must equal the entry's
//     @workgroup_size (override defaults count: the binding cannot set
//     pipeline constants, so `override wg_size: u32 = 64u;` is used as is).
//     The params type and the number of storage bindings come from the
//     twin's signature ([Kernel.ParamsType], [Kernel.Buffers]). A faster
//     variant that handles only some params (gemm_i8_nt_k16) is its own row
//     named family_op_variant with a Check on the params; the typed wrapper
//     picks it (by params, or by Info().AdapterType for CPU adapters versus
//     real GPUs), and the cross-check covers each row.
//  4. A case generator in caseGens (kernels_test.go): shapes 1, odd, tile
//     edges and large; value sets random, all -128, all 127, extremes and
//     ties. TestKernels fails for a row without one.
//  5. A typed wrapper on Recorder that validates shapes and dtypes and sets
//     the output's exponent, and a benchmark reporting GOP/s or GB/s.
//
// The registry tests check both directions (every row's entry point exists
// in its file; every @compute entry point has a row), workgroup sizes and
// params structs against the WGSL.
//
// # Invariants
//
// Inputs are never modified; outputs come first. Tensors stay on the device
// until downloaded. A tensor must not be Released before the Submit that
// uses it (Submit refuses released tensors). Device methods are safe for
// concurrent use; a Recorder is not.
//
// # Errors
//
// Nothing in the public API panics on user data. Sentinels, for errors.Is:
// [ErrNoAdapter] (no WebGPU adapter, or no cgo), [ErrShape] (shape, dtype or
// argument mismatch), [ErrTooLarge] (a tensor over the device's
// maxStorageBufferBindingSize, a grid over the workgroup limit, a GEMM K over
// the exact int32 bound [MaxGemmK]), [ErrOverflow] (a kernel flagged an
// overflow in the error word), [ErrDeviceLost] and [ErrClosed].
// Failures of one kernel (validation, WGSL compilation, bind groups, a
// panicking twin) come as a [*KernelError] naming the kernel and the
// shapes: "gpu: gemm_i8_nt [64 128]x[32 127]: inner dimensions 128 and 127
// differ: gpu: shape mismatch".
//
// Two pitfalls of the binding are contained in webgpu.go: after a failed
// Try... call its error pool keeps the stale error, so every fallible call
// goes through one helper that flushes it (two runtime.GC calls), and the
// device keeps working after, say, an invalid shader; and Queue.Submit
// aborts the process on invalid work, so mapping happens only inside the
// staging helper (readback), which unmaps before returning, and only
// successfully finished command buffers are submitted. The binding's device
// lost callback cannot be used (it trips cgocheck), so a lost device shows
// up as errors of later calls, marked with ErrDeviceLost where recognizable.
package gpu
