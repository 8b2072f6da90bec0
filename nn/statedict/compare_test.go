package statedict_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wageubn/wageubn/nn/statedict"
)

// dictOf builds a Dict of zero F32 tensors with the given keys and
// shapes, in order.
func dictOf(t *testing.T, kv ...any) statedict.Dict {
	t.Helper()
	var d statedict.Dict
	for i := 0; i < len(kv); i += 2 {
		shape := kv[i+1].([]int)
		n, _ := statedict.NumElements(shape)
		x, err := statedict.FromFloat32(shape, make([]float32, n))
		if err != nil {
			t.Fatal(err)
		}
		d.Set(kv[i].(string), x)
	}
	return d
}

// TestCompare checks Compare, Report.String and Report.Err against the
// wording of PyTorch's Module.load_state_dict (torch/nn/modules/module.py:
// "Missing key(s) in state_dict: {}. ", "Unexpected key(s) in state_dict:
// {}. ", "size mismatch for {}: copying a param with shape {} from
// checkpoint, the shape in current model is {}.").
func TestCompare(t *testing.T) {
	lenet := map[string][]int{
		"conv1.weight":            {6, 1, 5, 5},
		"bn1.num_batches_tracked": {},
		"fc3.weight":              {10, 24},
		"fc3.bias":                {10},
	}
	tests := []struct {
		name       string
		got        statedict.Dict
		text       string
		strict     bool // error expected with strict=true
		nonStrict  bool // error expected with strict=false
		mismatched []statedict.ShapeMismatch
	}{
		{
			name: "match, 0-d nil vs []int{}",
			got:  dictOf(t, "conv1.weight", []int{6, 1, 5, 5}, "bn1.num_batches_tracked", []int(nil), "fc3.weight", []int{10, 24}, "fc3.bias", []int{10}),
			text: "state_dict matches",
		},
		{
			name:   "missing sorted",
			got:    dictOf(t, "conv1.weight", []int{6, 1, 5, 5}, "bn1.num_batches_tracked", []int{}),
			text:   `Missing key(s) in state_dict: "fc3.bias", "fc3.weight".`,
			strict: true,
		},
		{
			name: "unexpected in dict order",
			got: dictOf(t, "conv1.weight", []int{6, 1, 5, 5}, "zz", []int{1}, "bn1.num_batches_tracked", []int{},
				"fc3.weight", []int{10, 24}, "aa", []int{1}, "fc3.bias", []int{10}),
			text:   `Unexpected key(s) in state_dict: "zz", "aa".`,
			strict: true,
		},
		{
			name: "all three",
			got: dictOf(t, "conv1.weight", []int{6, 1, 3, 3}, "bn1.num_batches_tracked", []int{1},
				"fc4.weight", []int{10, 24}),
			text: `Missing key(s) in state_dict: "fc3.bias", "fc3.weight".` + "\n" +
				`Unexpected key(s) in state_dict: "fc4.weight".` + "\n" +
				`size mismatch for conv1.weight: copying a param with shape [6 1 3 3] from checkpoint, the shape in current model is [6 1 5 5].` + "\n" +
				`size mismatch for bn1.num_batches_tracked: copying a param with shape [1] from checkpoint, the shape in current model is [].`,
			strict: true, nonStrict: true,
			mismatched: []statedict.ShapeMismatch{
				{Key: "conv1.weight", Want: []int{6, 1, 5, 5}, Got: []int{6, 1, 3, 3}},
				{Key: "bn1.num_batches_tracked", Want: []int{}, Got: []int{1}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := statedict.Compare(lenet, tt.got)
			if got := r.String(); got != tt.text {
				t.Errorf("String =\n%s\nwant\n%s", got, tt.text)
			}
			if !slices.EqualFunc(r.Mismatched, tt.mismatched, func(a, b statedict.ShapeMismatch) bool {
				return a.Key == b.Key && slices.Equal(a.Want, b.Want) && slices.Equal(a.Got, b.Got)
			}) {
				t.Errorf("Mismatched = %v, want %v", r.Mismatched, tt.mismatched)
			}
			for _, strict := range []bool{true, false} {
				err := r.Err(strict)
				want := tt.strict
				if !strict {
					want = tt.nonStrict
				}
				if want != (err != nil) || (err != nil && !errors.Is(err, statedict.ErrMismatch)) {
					t.Errorf("Err(strict=%v) = %v, want error %v", strict, err, want)
				}
				if err != nil && !strict && strings.Contains(err.Error(), "Missing") {
					t.Errorf("non-strict Err mentions missing keys: %v", err)
				}
				if err != nil && !strings.HasPrefix(err.Error(), "statedict: error(s) in loading state_dict:\n\t") {
					t.Errorf("Err = %q, want PyTorch's heading", err)
				}
			}
		})
	}
}
