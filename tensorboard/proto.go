package tensorboard

import (
	"encoding/binary"
	"math"
)

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// Field numbers of tensorflow/core/util/event.proto, summary.proto and
// histogram.proto.
const (
	eventWallTime    = 1 // double
	eventStep        = 2 // int64
	eventFileVersion = 3 // string
	eventSummary     = 5 // Summary

	summaryValue = 1 // repeated Summary.Value

	valueTag         = 1 // string
	valueSimpleValue = 2 // float
	valueHisto       = 5 // HistogramProto

	histoMin         = 1 // double
	histoMax         = 2 // double
	histoNum         = 3 // double
	histoSum         = 4 // double
	histoSumSquares  = 5 // double
	histoBucketLimit = 6 // repeated double, packed
	histoBucket      = 7 // repeated double, packed
)

// appendTag appends the key of field num with wire type wt.
func appendTag(b []byte, num, wt int) []byte {
	return binary.AppendUvarint(b, uint64(num)<<3|uint64(wt))
}

// appendDouble appends a double field (fixed64, little-endian IEEE 754).
func appendDouble(b []byte, num int, v float64) []byte {
	b = appendTag(b, num, wireFixed64)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// appendFloat appends a float field (fixed32).
func appendFloat(b []byte, num int, v float32) []byte {
	b = appendTag(b, num, wireFixed32)
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
}

// appendInt64 appends an int64 field as a varint (negative values take ten
// bytes, two's complement, as protobuf's int64).
func appendInt64(b []byte, num int, v int64) []byte {
	b = appendTag(b, num, wireVarint)
	return binary.AppendUvarint(b, uint64(v))
}

// appendBytes appends a length-delimited field (string or message).
func appendBytes(b []byte, num int, v []byte) []byte {
	b = appendTag(b, num, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendPackedDoubles appends a packed repeated double field.
func appendPackedDoubles(b []byte, num int, v []float64) []byte {
	b = appendTag(b, num, wireBytes)
	b = binary.AppendUvarint(b, uint64(8*len(v)))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// encodeEvent encodes an Event with its wall time, step, and either a file
// version (non-empty) or a summary (non-nil encoded Summary message).
func encodeEvent(wall float64, step int64, fileVersion string, summary []byte) []byte {
	b := appendDouble(nil, eventWallTime, wall)
	b = appendInt64(b, eventStep, step)
	if fileVersion != "" {
		b = appendBytes(b, eventFileVersion, []byte(fileVersion))
	}
	if summary != nil {
		b = appendBytes(b, eventSummary, summary)
	}
	return b
}

// encodeScalarSummary encodes Summary{value: [{tag, simple_value}]}.
func encodeScalarSummary(tag string, v float32) []byte {
	val := appendBytes(nil, valueTag, []byte(tag))
	val = appendFloat(val, valueSimpleValue, v)
	return appendBytes(nil, summaryValue, val)
}

// encodeHistogramSummary encodes Summary{value: [{tag, histo}]}.
func encodeHistogramSummary(tag string, h *Histogram) []byte {
	hb := appendDouble(nil, histoMin, h.Min)
	hb = appendDouble(hb, histoMax, h.Max)
	hb = appendDouble(hb, histoNum, h.Num)
	hb = appendDouble(hb, histoSum, h.Sum)
	hb = appendDouble(hb, histoSumSquares, h.SumSquares)
	hb = appendPackedDoubles(hb, histoBucketLimit, h.BucketLimit)
	hb = appendPackedDoubles(hb, histoBucket, h.Bucket)
	val := appendBytes(nil, valueTag, []byte(tag))
	val = appendBytes(val, valueHisto, hb)
	return appendBytes(nil, summaryValue, val)
}
