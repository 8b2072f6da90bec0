// Package plot writes PNG charts of training runs and tensor statistics: a
// thin layer over gonum.org/v1/plot.
//
// # Overview
//
// [Histogram] draws the distribution of a tensor (weights, activations,
// gradients), binned exactly as internal/hist.Histogram, so that a chart and a
// calibrator see the same bins. [Curves] draws named series of (x, y)
// points, such as loss or accuracy against the step, one colour each with
// a legend. Both write a [Width]×[Height] (576×384 pixel) PNG atomically: to
// a temporary file in the target directory, then renamed over the target,
// so a viewer never sees half an image.
//
// # Invariants
//
// Input slices are never modified. Rendering is deterministic for the same
// input.
//
// # Errors
//
// Bad arguments (a path not ending in .png, no values, NaN or infinite
// values, bins < 1, a series without points) wrap [ErrInvalid]; file
// errors are returned with a "plot: " prefix and leave no temporary file
// behind.
package plot
