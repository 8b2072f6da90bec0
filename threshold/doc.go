// Package threshold calibrates TQT clipping thresholds: it captures layer
// outputs with hooks, turns captures and weights into log2_t, initialises
// a quantized network from its float twin, and compares the two.
//
// # Overview
//
// The workflow of the PyTorch package's README (method.md B§7.9):
//
//  1. [AddHooks] on a float [nn.List] (default kinds Conv2d, Linear, ReLU,
//     BatchNorm2d, ReLU6, or named layers), run calibration batches and
//     call [Hooks.Capture] after each submitted forward pass: every batch
//     is kept, up to a memory bound ([ErrMemoryBound] refuses the batch
//     that would exceed it; nothing is dropped silently);
//  2. nn.MakeQuantOrNot on the quantized twin (e.g. excluding BatchNorm2d);
//  3. [InitNetwork](float, quant, captures, options) sets every quantized
//     layer's weight_log2_t, bias_log2_t and acti_log2_t with the chosen
//     methods, refusing mismatched networks ([ErrMismatch] names the first
//     difference);
//  4. [CosineByLayer] compares the captures of both networks layer by
//     layer; package threshold/analyse writes histograms as PNG and
//     TensorBoard files.
//
// A calibrator turns a sample of a tensor (a []float32 read back from the
// device, or a captured batch of activations) into log2_t, the log2 of the
// clipping threshold t that sets a TQT quantizer's power-of-two step
// (method.md A5, A10, B§7.1, B§7.3):
//
//   - [Max]: log2(max|x| + 1e-8), the addition in float32 (init_max);
//   - [ThreeSD]: log2(|mean| + 3·std), unbiased std (init_3sd);
//   - [KL]: entropy calibration minimising KL(P‖Q) (TensorRT's choice);
//   - [KLJ]: entropy calibration minimising the Jeffreys divergence
//     KL(P‖Q) + KL(Q‖P) (method.md A10, the default for activations).
//
// [Method] names them ("max", "3sd", "kl", "kl_j") and dispatches through
// [Method.Calibrate] with one [Options] struct; [Entropy] returns the
// entropy calibration with its diagnostics. By default the entropy
// calibrators histogram the non-zero |x| over [0, max|x|] into 2048 bins
// and merge candidates into 2^(b−1) levels for signed and 2^b for unsigned
// tensors, in chunks of equal width (see [Entropy] for why zeros are left
// out and why the chunks differ from TensorRT's).
// Options{HistogramRange: MinMaxRaw, Levels: 128} reproduces the reference
// package's entropy_calibration with its quirks (T-11: raw values over
// [min, max], 1e-12 per bin, the last chunk divided by w, the threshold
// measured from min x); the golden init_kl_j cases run in that mode.
//
// [Histogram] bins float32 data the way the reference does (the same
// binning as the TensorBoard and plot writers, internal/hist); [Cosine]
// compares a float tensor with its quantized twin (B§7.7).
//
// # Number format
//
// Inputs are float32. Every calibrator returns log2_t as float64 (the
// reference computes in float32; golden log2_t values are compared with
// abs 1e-5). Sums and divergences are accumulated in float64; the
// histogram binning is float32 exactly as the golden README writes it.
//
// # Invariants
//
// Inputs are never modified. Results depend only on the input and the
// options (no randomness, no globals). Ties in the divergence go to the
// first (smallest) candidate.
//
// # Errors
//
// Functions return errors wrapping the sentinels [ErrEmpty],
// [ErrNonFinite], [ErrOptions], [ErrThreshold], [ErrLength],
// [ErrZeroNorm], [ErrMemoryBound], [ErrHook] and [ErrMismatch] (for
// errors.Is), with a "threshold: " prefix; they never
// panic on user data. A calibrated threshold that is not positive (an
// all-zero tensor for 3sd and the entropy methods, or the raw mode on
// negative data) is ErrThreshold; Max of an all-zero tensor is
// log2(1e-8), as the reference gives.
package threshold
