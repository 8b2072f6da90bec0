package data

import (
	"fmt"
	"os"
	"path/filepath"
)

// idxSplit names the two files of one split of an idx dataset, without the
// optional ".gz" suffix.
type idxSplit struct {
	name           string // "train" or "test"
	images, labels string
}

// The standard file names of MNIST and Fashion-MNIST.
var (
	idxTrain = idxSplit{"train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"}
	idxTest  = idxSplit{"test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}
)

// findFile returns dir/name.gz or dir/name, whichever exists (the .gz
// first). When neither exists the error wraps [ErrNotFound] and ends with
// hint, which says how to get the dataset.
func findFile(dir, name, hint string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name+".gz"), filepath.Join(dir, name)} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s: neither %s.gz nor %s exists; %s", ErrNotFound, dir, name, name, hint)
}

// loadIDX reads one split of an idx dataset from dir and pair images
// with labels: the counts must agree and every label must be below classes.
func loadIDX(dir, dataset string, split idxSplit, classes int, hint string) (*Dataset, error) {
	ipath, err := findFile(dir, split.images, hint)
	if err != nil {
		return nil, err
	}
	lpath, err := findFile(dir, split.labels, hint)
	if err != nil {
		return nil, err
	}
	var im *Images
	if err := readFile(ipath, func(f *os.File) (err error) { im, err = readIDXImages(f); return err }); err != nil {
		return nil, err
	}
	var labels []uint8
	if err := readFile(lpath, func(f *os.File) (err error) { labels, err = readIDXLabels(f); return err }); err != nil {
		return nil, err
	}
	if len(labels) != im.N {
		return nil, withFile(lpath, corrupt("idx labels", "%d labels, but %s holds %d images", len(labels), filepath.Base(ipath), im.N))
	}
	if i, l := firstBadLabel(labels, classes); i >= 0 {
		return nil, withFile(lpath, corrupt("idx labels", "label %d at index %d is out of range [0, %d)", l, i, classes))
	}
	return &Dataset{
		Name: dataset + "/" + split.name,
		N:    im.N, C: 1, H: im.H, W: im.W,
		Pixels:  im.Pixels,
		Labels:  labels,
		Classes: classes,
	}, nil
}

// readFile opens path, run read on it and close it; any error names the
// file.
func readFile(path string, read func(*os.File) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("data: %w", err) // *PathError already names the file
	}
	defer f.Close()
	return withFile(path, read(f))
}
