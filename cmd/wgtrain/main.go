// Command wgtrain will train a model (default LeNet-5 on MNIST with the full8
// recipe) and report where its outputs went.
//
// Status: not implemented yet (issue "Training: datasets, the quantized
// optimizer, the training loop ... and the wgtrain command"). Running it
// says so and exits with status 2.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "wgtrain: not implemented yet: the training loop and layers are still being built (see README.md, Status)")
	os.Exit(2)
}
