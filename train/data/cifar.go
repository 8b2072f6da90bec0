package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html,
// "binary version"): each record is 1 label byte followed by 3072 pixel
// bytes, the 1024 red, then 1024 green, then 1024 blue values of a 32x32
// image in row-major order, i.e. CHW. Each of the six files holds 10000
// records (30730000 bytes).
const (
	cifarC, cifarH, cifarW = 3, 32, 32
	cifarPixels            = cifarC * cifarH * cifarW // 3072
	cifarRecord            = 1 + cifarPixels          // 3073
	cifarPerFile           = 10000
	cifarClasses           = 10
	cifarFormat            = "cifar-10"
)

// CIFAR10ClassNames lists the CIFAR-10 classes by label (batches.meta.txt).
var CIFAR10ClassNames = [cifarClasses]string{
	"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
}

// The CIFAR-10 file names: five training batches and one test batch.
var (
	cifarTrainFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	cifarTestFiles  = []string{"test_batch.bin"}
)

const cifarHint = "download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, extract it, and pass the cifar-10-batches-bin folder (or the folder holding it)"

// ReadCIFAR10 reads CIFAR-10 binary records from r until EOF into a
// dataset with C = 3, H = W = 32, Classes = 10. The stream must hold a whole
// number of 3073-byte records with labels in [0, 10); anything else gives a
// *FormatError wrapping [ErrCorrupt]. It reads at most 2 GiB.
func ReadCIFAR10(r io.Reader) (*Dataset, error) {
	buf, err := io.ReadAll(io.LimitReader(r, maxBodyBytes+1))
	if err != nil {
		return nil, withFile("", readFailure(cifarFormat, "records", err))
	}
	if len(buf) > maxBodyBytes {
		return nil, withFile("", corrupt(cifarFormat, "more than the %d-byte limit", int64(maxBodyBytes)))
	}
	ds := &Dataset{Name: "cifar-10", C: cifarC, H: cifarH, W: cifarW, Classes: cifarClasses}
	return ds, withFile("", appendCIFAR(ds, buf))
}

// CIFAR10 reads the CIFAR-10 training set (data_batch_1.bin ..
// data_batch_5.bin, 50000 images) and test set (test_batch.bin, 10000) from
// dir, or from dir/cifar-10-batches-bin when dir does not hold them. Each
// file must hold exactly 10000 records. A missing file gives an error
// wrapping [ErrNotFound]; a file of the wrong size or with a label outside
// [0, 10) a *FormatError naming the file.
func CIFAR10(dir string) (train, test *Dataset, err error) {
	return loadCIFAR10(dir, cifarPerFile)
}

// loadCIFAR10 is CIFAR10 with the number of records per file as a parameter,
// so tests can use small files.
func loadCIFAR10(dir string, perFile int) (train, test *Dataset, err error) {
	if _, err := os.Stat(filepath.Join(dir, cifarTrainFiles[0])); err != nil {
		if sub := filepath.Join(dir, "cifar-10-batches-bin"); fileExists(filepath.Join(sub, cifarTrainFiles[0])) {
			dir = sub
		}
	}
	if train, err = loadCIFARFiles(dir, "cifar-10/train", cifarTrainFiles, perFile); err != nil {
		return nil, nil, err
	}
	if test, err = loadCIFARFiles(dir, "cifar-10/test", cifarTestFiles, perFile); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// folderName names dir in a message, "" as the current folder.
func folderName(dir string) string {
	if dir == "" {
		return "the current folder"
	}
	return dir
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func loadCIFARFiles(dir, name string, files []string, perFile int) (*Dataset, error) {
	n := len(files) * perFile
	ds := &Dataset{
		Name: name, C: cifarC, H: cifarH, W: cifarW, Classes: cifarClasses,
		Pixels: make([]uint8, 0, n*cifarPixels),
		Labels: make([]uint8, 0, n),
	}
	want := int64(perFile) * cifarRecord
	for _, f := range files {
		path := filepath.Join(dir, f)
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %s is missing in %s; %s", ErrNotFound, f, folderName(dir), cifarHint)
		}
		if st.Size() != want {
			return nil, withFile(path, corrupt(cifarFormat, "file has %d bytes, want %d (%d records of %d bytes)", st.Size(), want, perFile, cifarRecord))
		}
		err = readFile(path, func(f *os.File) error {
			buf := make([]byte, want)
			if _, err := io.ReadFull(f, buf); err != nil {
				return readFailure(cifarFormat, "records", err)
			}
			return appendCIFAR(ds, buf)
		})
		if err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// appendCIFAR splits whole records from buf into ds.Labels and ds.Pixels
// and updates ds.N; labels are checked against [0, 10).
func appendCIFAR(ds *Dataset, buf []byte) error {
	if extra := len(buf) % cifarRecord; extra != 0 {
		return corrupt(cifarFormat, "%d bytes is %d whole records of %d bytes and %d bytes over (truncated or not CIFAR-10)", len(buf), len(buf)/cifarRecord, cifarRecord, extra)
	}
	for i := 0; i < len(buf); i += cifarRecord {
		if l := buf[i]; l >= cifarClasses {
			return corrupt(cifarFormat, "record %d: label %d is out of range [0, %d)", i/cifarRecord, l, cifarClasses)
		}
	}
	for i := 0; i < len(buf); i += cifarRecord {
		ds.Labels = append(ds.Labels, buf[i])
		ds.Pixels = append(ds.Pixels, buf[i+1:i+cifarRecord]...)
	}
	ds.N = len(ds.Labels)
	return nil
}
