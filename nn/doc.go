// Package nn will hold the quantized layers (Conv2d, Linear, BatchNorm2d,
// ReLU, ReLU6, pools, residual Add, Adder2d), the flat named layer list,
// per-layer bit-width settings, recipes and state dicts.
//
// Status: not implemented yet (issue "Layers and the flat network").
package nn
