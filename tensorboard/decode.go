package tensorboard

import (
	"encoding/binary"
	"fmt"
	"math"
)

// field is one decoded protobuf field: its number, wire type, and either
// its integer value (varint, fixed64, fixed32) or its bytes.
type field struct {
	num, wt int
	u       uint64
	b       []byte
}

// parseFields splits a protobuf message into its fields; it fails with
// ErrCorrupt on a truncated field, an unsupported wire type or field 0.
func parseFields(msg []byte) ([]field, error) {
	var out []field
	for len(msg) > 0 {
		key, n := binary.Uvarint(msg)
		if n <= 0 {
			return nil, fmt.Errorf("%w: bad field key", ErrCorrupt)
		}
		msg = msg[n:]
		f := field{num: int(key >> 3), wt: int(key & 7)}
		if f.num == 0 || key>>3 > math.MaxInt32 {
			return nil, fmt.Errorf("%w: field number %d", ErrCorrupt, key>>3)
		}
		switch f.wt {
		case wireVarint:
			v, n := binary.Uvarint(msg)
			if n <= 0 {
				return nil, fmt.Errorf("%w: bad varint in field %d", ErrCorrupt, f.num)
			}
			f.u, msg = v, msg[n:]
		case wireFixed64:
			if len(msg) < 8 {
				return nil, fmt.Errorf("%w: truncated fixed64 field %d", ErrCorrupt, f.num)
			}
			f.u, msg = binary.LittleEndian.Uint64(msg), msg[8:]
		case wireFixed32:
			if len(msg) < 4 {
				return nil, fmt.Errorf("%w: truncated fixed32 field %d", ErrCorrupt, f.num)
			}
			f.u, msg = uint64(binary.LittleEndian.Uint32(msg)), msg[4:]
		case wireBytes:
			l, n := binary.Uvarint(msg)
			if n <= 0 || l > uint64(len(msg)-n) {
				return nil, fmt.Errorf("%w: bad length in field %d", ErrCorrupt, f.num)
			}
			f.b, msg = msg[n:n+int(l)], msg[n+int(l):]
		default:
			return nil, fmt.Errorf("%w: wire type %d in field %d", ErrCorrupt, f.wt, f.num)
		}
		out = append(out, f)
	}
	return out, nil
}

// want checks that f has wire type wt.
func (f field) want(wt int) error {
	if f.wt != wt {
		return fmt.Errorf("%w: field %d has wire type %d, want %d", ErrCorrupt, f.num, f.wt, wt)
	}
	return nil
}

// decodeEvent decodes an Event message; unknown fields are skipped.
func decodeEvent(msg []byte) (Event, error) {
	var e Event
	fs, err := parseFields(msg)
	if err != nil {
		return e, err
	}
	for _, f := range fs {
		switch f.num {
		case eventWallTime:
			if err := f.want(wireFixed64); err != nil {
				return e, err
			}
			e.WallTime = math.Float64frombits(f.u)
		case eventStep:
			if err := f.want(wireVarint); err != nil {
				return e, err
			}
			e.Step = int64(f.u)
		case eventFileVersion:
			if err := f.want(wireBytes); err != nil {
				return e, err
			}
			e.FileVersion = string(f.b)
		case eventSummary:
			if err := f.want(wireBytes); err != nil {
				return e, err
			}
			vs, err := decodeSummary(f.b)
			if err != nil {
				return e, err
			}
			e.Summary = append(e.Summary, vs...)
		}
	}
	return e, nil
}

// decodeSummary decodes the values of a Summary message.
func decodeSummary(msg []byte) ([]Value, error) {
	fs, err := parseFields(msg)
	if err != nil {
		return nil, err
	}
	var out []Value
	for _, f := range fs {
		if f.num != summaryValue {
			continue
		}
		if err := f.want(wireBytes); err != nil {
			return nil, err
		}
		v, err := decodeValue(f.b)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// decodeValue decodes a Summary.Value (tag, simple_value, histo).
func decodeValue(msg []byte) (Value, error) {
	var v Value
	fs, err := parseFields(msg)
	if err != nil {
		return v, err
	}
	for _, f := range fs {
		switch f.num {
		case valueTag:
			if err := f.want(wireBytes); err != nil {
				return v, err
			}
			v.Tag = string(f.b)
		case valueSimpleValue:
			if err := f.want(wireFixed32); err != nil {
				return v, err
			}
			v.SimpleValue, v.HasSimpleValue = math.Float32frombits(uint32(f.u)), true
		case valueHisto:
			if err := f.want(wireBytes); err != nil {
				return v, err
			}
			h, err := decodeHistogram(f.b)
			if err != nil {
				return v, err
			}
			v.Histo = h
		}
	}
	return v, nil
}

// decodeHistogram decodes a HistogramProto; repeated doubles may be packed
// or not.
func decodeHistogram(msg []byte) (*Histogram, error) {
	fs, err := parseFields(msg)
	if err != nil {
		return nil, err
	}
	h := &Histogram{}
	for _, f := range fs {
		var dst *float64
		switch f.num {
		case histoMin:
			dst = &h.Min
		case histoMax:
			dst = &h.Max
		case histoNum:
			dst = &h.Num
		case histoSum:
			dst = &h.Sum
		case histoSumSquares:
			dst = &h.SumSquares
		case histoBucketLimit, histoBucket:
			rep := &h.BucketLimit
			if f.num == histoBucket {
				rep = &h.Bucket
			}
			switch f.wt {
			case wireFixed64:
				*rep = append(*rep, math.Float64frombits(f.u))
			case wireBytes:
				if len(f.b)%8 != 0 {
					return nil, fmt.Errorf("%w: packed doubles of %d bytes in field %d", ErrCorrupt, len(f.b), f.num)
				}
				for k := 0; k < len(f.b); k += 8 {
					*rep = append(*rep, math.Float64frombits(binary.LittleEndian.Uint64(f.b[k:])))
				}
			default:
				return nil, fmt.Errorf("%w: field %d has wire type %d", ErrCorrupt, f.num, f.wt)
			}
			continue
		default:
			continue
		}
		if err := f.want(wireFixed64); err != nil {
			return nil, err
		}
		*dst = math.Float64frombits(f.u)
	}
	return h, nil
}
