// Package train will hold the datasets, the quantized optimizer, the
// training loop, checkpoints and progress reporting.
//
// Status: the loop, optimizer and checkpoints are not implemented yet; the
// datasets are in subpackage data.
package train
