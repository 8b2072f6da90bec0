package nn

import (
	"fmt"
	"io"
	"slices"
)

// MakeQuantOrNot does the switching of every layer of l that has a Config
// (method.md B§7.5, make_net_quant_or_not): SetQuant(quant) for a layer
// whose kind is not in exclude, SetQuant(false) for one whose kind is (an
// excluded kind is always float, as the reference's README example does
// with BatchNorm2d). Layers without a Config are left alone. When show is
// non-nil it receives one line per layer whose setting changes:
//
//	layer1.0.bn1 BatchNorm2d: quant true -> false
//
// Errors: ErrNetwork for a nil network; the error of a failed write to
// show (the switching is finished before show is written).
func MakeQuantOrNot(l *List, quant bool, exclude []Kind, show io.Writer) error {
	if l == nil {
		return fmt.Errorf("%w: nil network", ErrNetwork)
	}
	var changes []string
	for _, m := range l.Modules() {
		c := m.Config()
		if c == nil {
			continue
		}
		before := c.Quant
		on := quant && !slices.Contains(exclude, m.Kind())
		m.SetQuant(on)
		if before != on {
			changes = append(changes, fmt.Sprintf("%s %s: quant %t -> %t\n", m.Name(), m.Kind(), before, on))
		}
	}
	if show == nil {
		return nil
	}
	for _, s := range changes {
		if _, err := io.WriteString(show, s); err != nil {
			return fmt.Errorf("nn: show: %w", err)
		}
	}
	return nil
}
