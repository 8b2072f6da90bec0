// Package fold folds batch normalization into the preceding convolution for
// deployment (method.md B§7.6), on float state dicts with PyTorch keys.
//
// # Overview
//
// For a convolution (or linear layer) followed by batch normalization in
// evaluation mode, per output channel c:
//
//	W'_c = W_c · γ_c / sqrt(σ²_c + ε)
//	b'_c = γ_c · (b_c − μ_c) / sqrt(σ²_c + ε) + β_c     (b_c = 0 without a bias)
//
// so that conv'(x) = bn(conv(x)) with the running statistics μ, σ². Unlike
// the reference package, the formulas are applied to the weights that are
// used afterwards (its T-15 applied a threshold initialised from W' to the
// unfolded W), and the BN shift is c = β − μ·k, not a second division by
// the standard deviation.
//
// # Errors
//
// Missing keys, shape mismatches, a non-positive σ² + ε and non-finite
// values return errors wrapping [ErrFold]; the input dict is never modified.
package fold

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/wageubn/wageubn/nn/statedict"
)

// ErrFold is wrapped by every error of this package.
var ErrFold = errors.New("fold: cannot fold")

// DefaultEps is PyTorch's BatchNorm2d eps.
const DefaultEps = 1e-5

// ConvBN returns a copy of d in which the batch norm bn (keys bn.weight,
// bn.bias, bn.running_mean, bn.running_var, and bn.num_batches_tracked if
// present) is folded into the layer conv (keys conv.weight [K, ...] and,
// if present, conv.bias [K]): conv.weight and conv.bias (created when
// absent, placed after conv.weight) hold W' and b', and the bn keys are
// removed. The folded tensors are float32; quantization exponents of the
// changed and removed tensors are dropped from the metadata.
func ConvBN(d statedict.Dict, conv, bn string, eps float64) (statedict.Dict, error) {
	if !(eps >= 0) || math.IsInf(eps, 0) {
		return statedict.Dict{}, fmt.Errorf("%w: eps %v", ErrFold, eps)
	}
	get := func(key string) ([]float32, []int, error) {
		t, ok := d.Get(key)
		if !ok {
			return nil, nil, fmt.Errorf("%w: missing key %q", ErrFold, key)
		}
		v, err := t.Float32s()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %w", ErrFold, key, err)
		}
		for i, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, nil, fmt.Errorf("%w: %s[%d] = %v", ErrFold, key, i, x)
			}
		}
		return v, t.Shape, nil
	}
	w, wShape, err := get(conv + ".weight")
	if err != nil {
		return statedict.Dict{}, err
	}
	if len(wShape) < 2 {
		return statedict.Dict{}, fmt.Errorf("%w: %s.weight has shape %v, want [out, in, ...]", ErrFold, conv, wShape)
	}
	k := wShape[0]
	per := len(w) / max(k, 1)
	vec := func(key string) ([]float32, error) {
		v, shape, err := get(key)
		if err != nil {
			return nil, err
		}
		if len(shape) != 1 || shape[0] != k {
			return nil, fmt.Errorf("%w: %s has shape %v, want [%d]", ErrFold, key, shape, k)
		}
		return v, nil
	}
	gamma, err := vec(bn + ".weight")
	if err != nil {
		return statedict.Dict{}, err
	}
	beta, err := vec(bn + ".bias")
	if err != nil {
		return statedict.Dict{}, err
	}
	mean, err := vec(bn + ".running_mean")
	if err != nil {
		return statedict.Dict{}, err
	}
	variance, err := vec(bn + ".running_var")
	if err != nil {
		return statedict.Dict{}, err
	}
	bias := make([]float32, k)
	_, hasBias := d.Get(conv + ".bias")
	if hasBias {
		if bias, err = vec(conv + ".bias"); err != nil {
			return statedict.Dict{}, err
		}
	}

	wf := make([]float32, len(w))
	bf := make([]float32, k)
	for c := range k {
		den := float64(variance[c]) + eps
		if !(den > 0) {
			return statedict.Dict{}, fmt.Errorf("%w: %s.running_var[%d] + eps = %v is not positive", ErrFold, bn, c, den)
		}
		scale := float64(gamma[c]) / math.Sqrt(den)
		for i := c * per; i < (c+1)*per; i++ {
			wf[i] = float32(float64(w[i]) * scale)
		}
		bf[c] = float32(scale*(float64(bias[c])-float64(mean[c])) + float64(beta[c]))
	}

	wt, err := statedict.FromFloat32(wShape, wf)
	if err != nil {
		return statedict.Dict{}, fmt.Errorf("%w: %w", ErrFold, err)
	}
	bt, err := statedict.FromFloat32([]int{k}, bf)
	if err != nil {
		return statedict.Dict{}, fmt.Errorf("%w: %w", ErrFold, err)
	}
	drop := map[string]bool{
		bn + ".weight": true, bn + ".bias": true, bn + ".running_mean": true,
		bn + ".running_var": true, bn + ".num_batches_tracked": true,
	}
	var out statedict.Dict
	for _, key := range d.Keys {
		switch {
		case drop[key]:
		case key == conv+".weight":
			out.Set(key, wt)
			out.Set(conv+".bias", bt)
		case key == conv+".bias":
		default:
			t, _ := d.Get(key)
			out.Set(key, t.Clone())
		}
	}
	for key, v := range d.Metadata {
		if t, ok := strings.CutSuffix(key, statedict.ExpSuffix); ok && (drop[t] || t == conv+".weight" || t == conv+".bias") {
			continue // codes became float32: their exponent no longer applies
		}
		if out.Metadata == nil {
			out.Metadata = map[string]string{}
		}
		out.Metadata[key] = v
	}
	return out, nil
}
