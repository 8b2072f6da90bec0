// Package nn holds the quantized layers of wageubn-go and their settings.
//
// # Overview
//
// A layer's quantization setting is a [Config]: quant on/off, iostrict,
// retrain, every bit width of the PyTorch package's config ([Bits], dec and
// all widths) and the WAGEUBN backward and update widths. [Recipe] names
// the documented presets of method.md A7 and A15: full8 (default),
// full8plus, wageubn, float and pytorch. Invalid settings are rejected by
// [Config.Validate] with errors wrapping [ErrConfig].
//
// State dicts (safetensors and PyTorch .pt, keys unchanged) are in
// subpackage statedict.
//
// Status: the layers (Conv2d, Linear, BatchNorm2d, ReLU, ReLU6, pools,
// residual Add, Adder2d), the flat named layer list and the models are not
// implemented yet (issue "Layers and the flat network").
package nn
