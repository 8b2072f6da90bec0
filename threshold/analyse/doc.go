// Package analyse turns what the threshold package captures into pictures:
// histograms of layer outputs and of weights, as PNG files and TensorBoard
// histogram summaries (method.md B§7.7, design.md "Thresholds").
//
// # Overview
//
// [WriteHistograms] draws one histogram per [threshold.Capture] (the
// captured outputs of hooked layers); [WeightHistograms] draws one per
// "weight" parameter of a network, read back from the device. Each goes to
// a PNG file in a directory (via plot.Histogram) and, when a
// tensorboard.Writer is given, to a histogram summary tagged
// "activations/NAME" or "weights/KEY". The per-layer cosine similarity of
// a float network and its quantized twin is threshold.CosineByLayer.
//
// This is a package of its own because plot and tensorboard import
// threshold (for its Histogram), so threshold cannot import them.
//
// # Number format
//
// Values are float32: captured values as the hooks convert them, weights
// as code·2^(Exp+Scale) (int32 masters with exponent -23, or float32).
//
// # Invariants
//
// File names are the qualified layer name (or parameter key) with every
// character outside [A-Za-z0-9._-] replaced by '_', plus ".png"; two names
// that sanitise to the same file are refused rather than overwritten.
// Inputs are not modified.
//
// # Errors
//
// Errors wrap [ErrInvalid] for bad arguments, or the errors of plot,
// tensorboard and the device, prefixed "analyse: " and the name of the
// capture or parameter.
package analyse
