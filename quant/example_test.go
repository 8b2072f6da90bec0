package quant_test

import (
	"fmt"

	"github.com/wageubn/wageubn/quant"
)

// ExampleDirect shows round half to even on exact ties of Q(x, 1): the
// codes are round(x), the float view code·2^0.
func ExampleDirect() {
	c, err := quant.Direct([]float32{0.5, 1.5, 2.5, -0.5, -2.5, 3.5}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Q, c.Exp, c.Float())
	// Output: [0 2 2 0 -2 4] 0 [0 2 2 0 -2 4]
}

// ExampleWeight quantizes weights to int8 codes with exponent -7
// (method.md B§2.2: Q_W(0.9999) = 127/128, Q_W(-1.3) = -127/128).
func ExampleWeight() {
	c, _ := quant.Weight([]float32{0.9999, -1.3, 0.30078125}, 8)
	fmt.Println(c.Q, c.Exp, c.Float())
	// Output: [127 -127 38] -7 [0.9921875 -0.9921875 0.296875]
}

// ExampleShift is the E1 example of method.md B§2.5: R = 2^-8.
func ExampleShift() {
	c, _ := quant.Shift([]float32{0.003, -0.0007, 0.0001}, 8)
	fmt.Println(c.Q, c.Exp, c.Float())
	// Output: [98 -23 3] -15 [0.0029907227 -0.0007019043 9.1552734e-05]
}

// ExampleFlag is the E2 example of method.md B§2.5 (k = 8): 0.5 is in
// integer mode (code 127·128), the others in fraction mode.
func ExampleFlag() {
	c, _ := quant.Flag([]float32{0.5, 0.01, -0.0001, 0.3}, 8)
	fmt.Println(c.Q, c.Exp, c.Float())
	// Output: [16256 384 -3 9856] -15 [0.49609375 0.01171875 -9.1552734e-05 0.30078125]
}

// ExampleQSigned is the TQT example of method.md B§7.1: t = 0.9 gives
// s = 1/128.
func ExampleQSigned() {
	x := []float32{0.3, 1.5}
	c, _ := quant.QSigned(x, -0.152, 8) // log2 0.9 = -0.152
	_, g, _ := quant.QSignedBackward(x, []float32{1, 0}, -0.152, 8)
	fmt.Println(c.Q, c.Exp, c.Float())
	fmt.Printf("dq(0.3)/dlog2_t = %.7f\n", g)
	// Output:
	// [38 127] -7 [0.296875 0.9921875]
	// dq(0.3)/dlog2_t = -0.0021661
}

// ExampleRNGKey shows that a draw depends on its key and index only.
func ExampleRNGKey() {
	k := quant.RNGKey{Seed: 0, Step: 0, Tensor: 0}
	fmt.Printf("%#x\n", k.Uint32(0)) // Philox4x32-10 of the zero counter and key, word 0
	// Output: 0x6627e8d5
}
