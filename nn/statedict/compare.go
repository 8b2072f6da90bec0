package statedict

import (
	"fmt"
	"slices"
	"strings"
)

// ShapeMismatch is a key present in both the model and the state dict with
// different shapes.
type ShapeMismatch struct {
	Key  string
	Want []int // shape in the model
	Got  []int // shape in the state dict
}

// Report is the difference between the keys and shapes a model expects and
// a loaded state dict, as PyTorch's load_state_dict reports it.
type Report struct {
	Missing    []string        // expected but absent from the state dict, sorted
	Unexpected []string        // in the state dict but not expected, in Dict order
	Mismatched []ShapeMismatch // in both with different shapes, in Dict order
}

// Compare checks got against want (expected key -> shape). Shapes are
// equal when they have the same sizes; a 0-d tensor has the empty shape
// (nil and []int{} are the same).
func Compare(want map[string][]int, got Dict) Report {
	var r Report
	for k := range want {
		if _, ok := got.Tensors[k]; !ok {
			r.Missing = append(r.Missing, k)
		}
	}
	slices.Sort(r.Missing)
	for _, k := range got.Keys {
		w, ok := want[k]
		if !ok {
			r.Unexpected = append(r.Unexpected, k)
			continue
		}
		if g := got.Tensors[k].Shape; !slices.Equal(w, g) {
			r.Mismatched = append(r.Mismatched, ShapeMismatch{Key: k, Want: cloneShape(w), Got: cloneShape(g)})
		}
	}
	return r
}

// OK reports whether the state dict matches exactly: nothing missing,
// unexpected or mismatched.
func (r Report) OK() bool {
	return len(r.Missing) == 0 && len(r.Unexpected) == 0 && len(r.Mismatched) == 0
}

// Err returns nil when the state dict can be loaded, else an error
// wrapping [ErrMismatch] whose message lists the problems as [Report.String]
// does. strict (PyTorch's load_state_dict(strict=True)) treats every
// missing, unexpected or mismatched key as an error; non-strict only shape
// mismatches, as PyTorch does.
func (r Report) Err(strict bool) error {
	if !strict {
		r.Missing, r.Unexpected = nil, nil
	}
	if r.OK() {
		return nil
	}
	return fmt.Errorf("%w:\n\t%s", ErrMismatch, strings.ReplaceAll(r.String(), "\n", "\n\t"))
}

// String formats the report like PyTorch's load_state_dict error, one
// line per kind:
//
//	Missing key(s) in state_dict: "fc3.bias", "fc3.weight".
//	Unexpected key(s) in state_dict: "fc4.weight".
//	size mismatch for conv1.weight: copying a param with shape [6 1 5 5] from checkpoint, the shape in current model is [6 1 3 3].
//
// An empty report gives "state_dict matches".
func (r Report) String() string {
	if r.OK() {
		return "state_dict matches"
	}
	var lines []string
	if len(r.Missing) > 0 {
		lines = append(lines, "Missing key(s) in state_dict: "+quoteList(r.Missing)+".")
	}
	if len(r.Unexpected) > 0 {
		lines = append(lines, "Unexpected key(s) in state_dict: "+quoteList(r.Unexpected)+".")
	}
	for _, m := range r.Mismatched {
		lines = append(lines, fmt.Sprintf("size mismatch for %s: copying a param with shape %v from checkpoint, the shape in current model is %v.",
			m.Key, shapeString(m.Got), shapeString(m.Want)))
	}
	return strings.Join(lines, "\n")
}

// quoteList formats keys as "a", "b", "c".
func quoteList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(q, ", ")
}

// shapeString formats a shape as [6 1 5 5] ([] for 0-d).
func shapeString(s []int) string { return fmt.Sprint(cloneShape(s)) }
