// Package train will hold the datasets, the quantized optimizer, the
// training loop, checkpoints and progress reporting.
//
// Status: not implemented yet (issue "Training: datasets, ...").
package train
