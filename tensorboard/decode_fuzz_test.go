package tensorboard

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecodeEvent: any payload framed with valid CRCs decodes or fails
// with ErrCorrupt, never panics; a written event decodes to its fields.
func FuzzDecodeEvent(f *testing.F) {
	h, err := NewHistogram([]float32{1, 2, 3, -1}, 3)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(encodeEvent(1.5, 3, "", encodeScalarSummary("a", 2)))
	f.Add(encodeEvent(2, -7, "", encodeHistogramSummary("h", h)))
	f.Add(encodeEvent(0, 0, FileVersion, nil))
	f.Fuzz(func(t *testing.T, payload []byte) {
		data, err := readRecord(bytes.NewReader(appendRecord(nil, payload)))
		if err != nil {
			t.Fatalf("framing: %v", err)
		}
		if !bytes.Equal(data, payload) {
			t.Fatalf("framing changed the payload")
		}
		if _, err := decodeEvent(data); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Errorf("err %v, want ErrCorrupt", err)
		}
	})
}
