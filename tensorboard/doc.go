// Package tensorboard writes and reads TensorBoard event files (scalars and
// histograms) without a protobuf dependency.
//
// # Overview
//
// [NewWriter] creates dir/events.out.tfevents.<unix seconds>.<hostname>
// and writes its first record, Event{wall_time, step 0, file_version
// "brain.Event:2"}. [Writer.AddScalar] and [Writer.AddHistogram] append
// one Event each; [Writer.Flush] pushes buffered records to the file and
// [Writer.Close] ends it. Point TensorBoard at dir (tensorboard --logdir).
// [Reader] and [ReadFile] read the records back, check every CRC and decode
// the Event fields this package writes; the tests use them, and so can
// tools that plot a run.
//
// # Number format
//
// Each record is framed as TensorFlow's TFRecord:
//
//	uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)
//
// little-endian, with masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8 and
// CRC-32C the Castagnoli polynomial (hash/crc32). data is a hand-encoded
// tensorflow.Event protobuf: wall_time = 1 (double), step = 2 (int64
// varint), file_version = 3 (string), summary = 5; Summary.value = 1;
// Summary.Value tag = 1, simple_value = 2 (float), histo = 5;
// HistogramProto min = 1, max = 2, num = 3, sum = 4, sum_squares = 5
// (doubles), bucket_limit = 6 and bucket = 7 (packed doubles). Histogram
// buckets are equal-width over [min, max], binned as internal/hist.Histogram;
// bucket_limit holds the right edges.
//
// # Invariants
//
// A Writer is safe for concurrent use; records are written whole, in call
// order. Input slices are never modified.
//
// # Errors
//
// Errors wrap [ErrInvalid] (empty tag, no or non-finite histogram values,
// bins < 1), [ErrClosed] (use after Close) and [ErrCorrupt] (a CRC
// mismatch, a truncated record or a malformed message), with a
// "tensorboard: " prefix. A Writer's first write error sticks and is
// returned by every later call.
package tensorboard
