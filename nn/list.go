package nn

import (
	"fmt"
	"strings"

	"github.com/wageubn/wageubn/gpu"
)

// Input is the name by which an entry of a [List] refers to the network's
// input.
const Input = "input"

// List is a network: a flat list of named layers run in order. An entry
// reads the previous entry's output by default, or the outputs of the
// earlier entries (or [Input]) it names, so residual networks stay flat:
//
//	l.Add(conv1)                             // reads the input
//	l.Add(bn1)                               // reads conv1
//	l.Add(add, "layer1.0.bn2", "layer1.0.relu0") // a residual add
//
// Layer names are the PyTorch module paths ("layer1.0.conv1"), so that
// parameter keys are name + "." + local key.
type List struct {
	entries []entry
	index   map[string]int

	// outputs of the last Forward, by entry; grads accumulates Backward.
	outputs []*gpu.Tensor
	// sums holds the gradient sums of the last Backward (sumGrads),
	// released at the next one.
	sums []*gpu.Tensor
}

type entry struct {
	m      Module
	inputs []int // entry indexes; -1 is the network input
}

// Add appends m, reading the named earlier outputs (none: the previous
// entry's output, or the input for the first entry). It fails with
// ErrNetwork for an empty or duplicate name or an unknown input.
func (l *List) Add(m Module, inputs ...string) error {
	name := m.Name()
	if name == "" || name == Input || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
		return fmt.Errorf("%w: layer name %q", ErrNetwork, name)
	}
	if _, dup := l.index[name]; dup {
		return fmt.Errorf("%w: duplicate layer name %q", ErrNetwork, name)
	}
	var in []int
	if len(inputs) == 0 {
		in = []int{len(l.entries) - 1} // -1 (the input) for the first entry
	}
	for _, s := range inputs {
		if s == Input {
			in = append(in, -1)
			continue
		}
		i, ok := l.index[s]
		if !ok {
			return fmt.Errorf("%w: layer %q reads %q, which is not an earlier layer or %q", ErrNetwork, name, s, Input)
		}
		in = append(in, i)
	}
	if l.index == nil {
		l.index = map[string]int{}
	}
	l.index[name] = len(l.entries)
	l.entries = append(l.entries, entry{m: m, inputs: in})
	return nil
}

// Len returns the number of layers.
func (l *List) Len() int { return len(l.entries) }

// Modules returns the layers in order.
func (l *List) Modules() []Module {
	out := make([]Module, len(l.entries))
	for i, e := range l.entries {
		out[i] = e.m
	}
	return out
}

// Module returns the layer named name.
func (l *List) Module(name string) (Module, bool) {
	i, ok := l.index[name]
	if !ok {
		return nil, false
	}
	return l.entries[i].m, true
}

// Inputs returns the names of the outputs the layer named name reads
// ([Input] for the network input).
func (l *List) Inputs(name string) []string {
	i, ok := l.index[name]
	if !ok {
		return nil
	}
	var out []string
	for _, j := range l.entries[i].inputs {
		if j < 0 {
			out = append(out, Input)
		} else {
			out = append(out, l.entries[j].m.Name())
		}
	}
	return out
}

// NamedParam is a parameter with its full PyTorch key.
type NamedParam struct {
	Key string
	*Param
}

// Params returns every parameter and buffer with its full key, in network
// order (the order of PyTorch's state_dict for the same architecture).
func (l *List) Params() []NamedParam {
	var out []NamedParam
	for _, e := range l.entries {
		for _, p := range e.m.Params() {
			out = append(out, NamedParam{Key: e.m.Name() + "." + p.Name, Param: p})
		}
	}
	return out
}

// Forward records the whole network on p.R for input x and returns the last
// layer's output (nil after an error, which sticks in p.R). The outputs of
// every layer are kept for Backward and for hooks ([List.Output]).
func (l *List) Forward(p *Pass, x *gpu.Tensor) *gpu.Tensor {
	if len(l.entries) == 0 {
		p.R.Fail(fmt.Errorf("%w: empty network", ErrNetwork))
		return nil
	}
	l.outputs = make([]*gpu.Tensor, len(l.entries))
	for i, e := range l.entries {
		in := make([]*gpu.Tensor, len(e.inputs))
		for j, k := range e.inputs {
			if k < 0 {
				in[j] = x
			} else {
				in[j] = l.outputs[k]
			}
		}
		y := e.m.Forward(p, in...)
		if y == nil {
			if p.R.Err() == nil {
				p.R.Fail(fmt.Errorf("%w: layer %s returned no output", ErrNetwork, e.m.Name()))
			}
			return nil
		}
		l.outputs[i] = y
	}
	return l.outputs[len(l.outputs)-1]
}

// Output returns the output of the named layer from the last Forward.
func (l *List) Output(name string) *gpu.Tensor {
	i, ok := l.index[name]
	if !ok || i >= len(l.outputs) {
		return nil
	}
	return l.outputs[i]
}

// Backward records the backward pass for the gradient of the loss with
// respect to the network's output and returns the gradient with respect
// to its input (nil when the first layer returns none). Where an output
// feeds several layers (a residual branch), their gradients are summed
// with the exact residual add.
func (l *List) Backward(p *Pass, grad *gpu.Tensor) *gpu.Tensor {
	if len(l.outputs) != len(l.entries) {
		p.R.Fail(fmt.Errorf("%w: Backward before Forward", ErrNetwork))
		return nil
	}
	for _, t := range l.sums {
		t.Release()
	}
	l.sums = l.sums[:0]
	grads := make([]*gpu.Tensor, len(l.entries))
	grads[len(grads)-1] = grad
	var inGrad *gpu.Tensor
	for i := len(l.entries) - 1; i >= 0; i-- {
		e := l.entries[i]
		if grads[i] == nil {
			continue // no loss gradient reaches this layer
		}
		gs := e.m.Backward(p, grads[i])
		if p.R.Err() != nil {
			return nil
		}
		for j, k := range e.inputs {
			if j >= len(gs) || gs[j] == nil {
				continue
			}
			g := gs[j]
			acc := &inGrad
			if k >= 0 {
				acc = &grads[k]
			}
			if *acc == nil {
				*acc = g
			} else {
				*acc = sumGrads(p.R, *acc, g, &l.sums)
			}
		}
	}
	return inGrad
}
