package statedict_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/wageubn/wageubn/nn/statedict"
)

// ExampleSaveSafetensors saves quantized codes with their exponent and a
// BatchNorm counter, then loads them back in the same order.
func ExampleSaveSafetensors() {
	dir, err := os.MkdirTemp("", "statedict")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "lenet.safetensors")

	var d statedict.Dict
	w, _ := statedict.FromInt8([]int{2, 2}, []int8{-128, 5, 17, 127})
	d.Set("conv1.weight", w)
	d.SetExp("conv1.weight", -7) // value = code·2^-7
	n, _ := statedict.FromInt64(nil, []int64{2})
	d.Set("bn1.num_batches_tracked", n)
	if err := statedict.SaveSafetensors(path, d); err != nil {
		fmt.Println(err)
		return
	}

	got, err := statedict.LoadSafetensors(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range got.Keys {
		t := got.Tensors[k]
		fmt.Println(k, t.DType, t.Shape)
	}
	codes, _ := got.Tensors["conv1.weight"].Int8s()
	exp, _, _ := got.Exp("conv1.weight")
	fmt.Print("codes ", codes, " exp ", exp, " values")
	for _, q := range codes {
		fmt.Print(" ", math.Ldexp(float64(q), exp))
	}
	fmt.Println()
	// Output:
	// conv1.weight I8 [2 2]
	// bn1.num_batches_tracked I64 []
	// codes [-128 5 17 127] exp -7 values -1 0.0390625 0.1328125 0.9921875
}

// ExampleCompare reports the differences between a checkpoint and a model
// the way PyTorch's load_state_dict does.
func ExampleCompare() {
	d, err := statedict.LoadPyTorch(filepath.Join("testdata", "lenet.pt"))
	if err != nil {
		fmt.Println(err)
		return
	}
	model := map[string][]int{
		"conv1.weight": {6, 1, 3, 3},
		"conv1.bias":   {6},
		"fc3.weight":   {10, 24},
		"fc3.bias":     {10},
		"fc4.weight":   {2, 10},
	}
	r := statedict.Compare(model, d)
	fmt.Println(r)
	fmt.Println("strict:", r.Err(true) != nil, "non-strict:", r.Err(false) != nil)
	// Output:
	// Missing key(s) in state_dict: "fc4.weight".
	// Unexpected key(s) in state_dict: "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked".
	// size mismatch for conv1.weight: copying a param with shape [6 1 5 5] from checkpoint, the shape in current model is [6 1 3 3].
	// strict: true non-strict: true
}
