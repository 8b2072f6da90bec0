package main

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
)

// buildModel builds the named model (nn.Models).
func buildModel(name string, dev *gpu.Device, recipe nn.Recipe, seed uint64) (*nn.List, error) {
	b, ok := nn.Models[name]
	if !ok {
		return nil, fmt.Errorf("unknown model %q", name)
	}
	return b(dev, recipe, seed)
}
