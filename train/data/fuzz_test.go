package data_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/wageubn/wageubn/train/data"
)

// The fuzz targets check that the parsers never panic and return either an
// error wrapping ErrCorrupt (or nothing else) or a result consistent with
// its header. Seed corpora live in testdata/fuzz/<FuzzName>/.

func FuzzIDXImages(f *testing.F) {
	f.Add(idxFile([]uint32{0x803, 2, 2, 3}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
	f.Add(gz(f, idxFile([]uint32{0x803, 1, 2, 2}, []byte{1, 2, 3, 4})))
	f.Add(idxFile([]uint32{0x803, 0, 28, 28}, nil))
	f.Add(idxFile([]uint32{0x803, 0xffffffff, 28, 28}, []byte{1}))
	f.Add(idxFile([]uint32{0x801, 2}, []byte{1, 2}))
	f.Fuzz(func(t *testing.T, in []byte) {
		im, err := data.ReadIDXImages(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, data.ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if im.N < 0 || im.H < 1 || im.W < 1 || len(im.Pixels) != im.N*im.H*im.W {
			t.Fatalf("inconsistent images: N=%d H=%d W=%d, %d pixels", im.N, im.H, im.W, len(im.Pixels))
		}
		// A raw (not gzip) input must be exactly header + body.
		if len(in) > 1 && in[0] != 0x1f && len(in) != 16+len(im.Pixels) {
			t.Fatalf("accepted %d raw bytes for a 16-byte header and %d pixels", len(in), len(im.Pixels))
		}
	})
}

func FuzzIDXLabels(f *testing.F) {
	f.Add(idxFile([]uint32{0x801, 5}, []byte{5, 0, 4, 1, 9}))
	f.Add(gz(f, idxFile([]uint32{0x801, 3}, []byte{7, 2, 1})))
	f.Add(idxFile([]uint32{0x801, 0}, nil))
	f.Add(idxFile([]uint32{0x801, 0x7fffffff}, []byte{1}))
	f.Add(idxFile([]uint32{0x803, 1, 1, 1}, []byte{1}))
	f.Fuzz(func(t *testing.T, in []byte) {
		labels, err := data.ReadIDXLabels(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, data.ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if len(in) > 1 && in[0] != 0x1f && len(in) != 8+len(labels) {
			t.Fatalf("accepted %d raw bytes for an 8-byte header and %d labels", len(in), len(labels))
		}
	})
}

func FuzzCIFAR(f *testing.F) {
	f.Add(cifarRecords(2, 0))
	f.Add(cifarRecords(1, 9))
	f.Add([]byte{})
	f.Add([]byte{10})
	f.Add(cifarRecords(1, 0)[:100])
	f.Fuzz(func(t *testing.T, in []byte) {
		ds, err := data.ReadCIFAR10(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, data.ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		if err := ds.Validate(); err != nil {
			t.Fatalf("accepted an inconsistent dataset: %v", err)
		}
		if len(in) != ds.N*3073 {
			t.Fatalf("accepted %d bytes as %d records", len(in), ds.N)
		}
		for n := range ds.N { // the label byte leads each record
			if ds.Labels[n] != in[n*3073] || ds.Pixels[n*3072] != in[n*3073+1] {
				t.Fatalf("record %d decoded wrongly", n)
			}
		}
	})
}
