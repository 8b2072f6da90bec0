package nn

// ConvOptions are the options of a convolution-shaped layer (Conv2d,
// Adder2d): stride (0 means 1), zero padding on each side, groups (0
// means 1) and whether the layer has a bias.
//
// Merge note: this file holds the one definition shared with conv.go;
// keep a single copy.
type ConvOptions struct {
	Stride, Padding, Groups int
	Bias                    bool
}
