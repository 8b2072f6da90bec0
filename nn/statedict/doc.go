// Package statedict does read and write state dicts on the host: named
// tensors with PyTorch's key names, loaded from PyTorch checkpoints and
// saved to and loaded from safetensors files.
//
// # Overview
//
// A [Dict] holds tensors in a fixed order (Keys, as PyTorch's
// state_dict().keys() lists them), a map from key to [Tensor], and string
// metadata. Keys are never renamed: "conv1.weight", "layer1.0.conv1.weight",
// "bn1.running_mean" and "bn1.num_batches_tracked" come out of a file exactly
// as PyTorch wrote them, so the layers of package nn can look their
// parameters up by their PyTorch names.
//
// A [Tensor] is a dtype, a shape and raw little-endian bytes in row-major
// order; [FromFloat32], [FromInt8] and friends build one, [Tensor.Float32s],
// [Tensor.Int32s], [Tensor.Int64s] and [Tensor.Int8s] read one back.
// [Compare] checks a Dict against the keys and shapes a model expects and
// reports like torch.nn.Module.load_state_dict.
//
//	d, err := statedict.LoadPyTorch("lenet.pt")
//	if err != nil { ... }
//	if err := statedict.Compare(want, d).Err(true); err != nil { ... } // want: key -> shape
//	err = statedict.SaveSafetensors("lenet.safetensors", d)
//
// # Formats
//
// safetensors ([SaveSafetensors], [LoadSafetensors]; github.com/nlpodyssey/
// safetensors parses the header): an 8-byte little-endian header length, a
// JSON header {"__metadata__": {...}, key: {"dtype", "shape",
// "data_offsets"}}, then the data. Every [DType] is stored under its
// safetensors name. Files are written in Keys order and read back in data
// order, so a round trip keeps the order; writes are atomic (temporary file,
// fsync, rename). Other writers' files load too; their order is their data
// order (usually dtype, then name).
//
// PyTorch ([LoadPyTorch]; github.com/nlpodyssey/gopickle's pickle machine):
// the torch.save zip archive (torch >= 1.6) and the legacy format, holding a
// state dict or a checkpoint dict with a "state_dict" or "model" entry.
// Storages are read as raw bytes and looked up by key; strided tensors are
// copied out through their storage offset and strides. gopickle's own
// pytorch package is not used: it converts float16 storages to float32
// wrongly (-0, subnormals and +Inf), keeps no raw bytes, and panics on some
// inputs. The pickle stream is checked opcode by opcode before it runs, so
// that a declared length can never allocate more than the file holds.
//
// # Quantization exponents
//
// A quantized tensor is stored as its integer codes q (I8, I16 or I32) plus
// an exponent e with value = q·2^e; design.md's frac is -e. The exponent
// lives in Metadata under key + ".exp" ([ExpSuffix]) as a decimal string:
// "conv1.weight.exp" -> "-7". [Dict.SetExp] writes it, [Dict.Exp] reads it.
// Other tools see it as ordinary safetensors metadata.
//
// # Invariants
//
// Inputs are never modified. Loaded tensors always satisfy
// [Tensor.Validate]; a 0-d tensor has Shape []int{} and one element. Loaders
// read the whole file into memory; tensors may share that buffer (each Data
// slice is capped to its own bytes).
//
// # Errors
//
// No function panics on file contents. Every error starts with
// "statedict: ". Errors about content wrap one sentinel for errors.Is:
// [ErrFormat] (truncated or corrupt file), [ErrUnsupported] (valid but
// unread content, such as TorchScript or quantized torch tensors),
// [ErrDType], [ErrShape], [ErrRange], [ErrKey], [ErrMetadata] and
// [ErrMismatch] (from [Report.Err]); I/O errors wrap the *os.PathError
// underneath instead. Messages name the file and the tensor key where
// known.
package statedict
