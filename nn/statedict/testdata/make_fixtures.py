#!/usr/bin/env python3
"""make_fixtures.py writes the PyTorch fixtures of package statedict.

It saves small state dicts with torch.save (zip and legacy formats), writes a
safetensors file by hand from the format specification, and records what
PyTorch itself holds for every tensor in expected.json, so the Go tests compare
against values written by PyTorch, not by the code under test.

Rerun (from the repository root, with Debian's python3-torch 1.13 installed:
`apt-get install -y python3-torch`; it runs with /usr/bin/python3):

    /usr/bin/python3 nn/statedict/testdata/make_fixtures.py

Rerunning rewrites every file. The legacy files and the TorchScript archive
differ byte-wise between runs (legacy storage keys are memory addresses); the
tensors and expected.json do not.

expected.json lists, per file, the tensors in PyTorch's order with:
  dtype        safetensors dtype name (F32, F16, BF16, F64, I8, U8, I16, I32,
               I64, BOOL)
  shape        list of sizes ([] for a 0-d tensor)
  data_hex     the tensor's elements in row-major (contiguous) order, raw
               little-endian bytes, hex
  float32_hex  the same elements after tensor.to(torch.float32), hex
and "metadata": the non-tensor entries of a checkpoint dict, as strings.
"unsupported" maps files the loader must refuse to a word its error names.
"pickles" holds plain pickles of protocols 0 to 5 (hex) for the opcode scanner.
"""
import collections
import json
import os
import pickle
import struct
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))

DTYPE_NAMES = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.int16: "I16",
    torch.int32: "I32",
    torch.int64: "I64",
    torch.bool: "BOOL",
}

# Raw-bits views: numpy has no bfloat16, so 2-byte floats go through int16.
BITS_VIEW = {torch.float16: torch.int16, torch.bfloat16: torch.int16}


def raw_hex(t):
    t = t.detach().contiguous()
    if t.dtype in BITS_VIEW:
        t = t.view(BITS_VIEW[t.dtype])
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    assert sys.byteorder == "little"
    return t.numpy().tobytes().hex()


def describe(sd):
    out = []
    for key, t in sd.items():
        out.append({
            "key": key,
            "dtype": DTYPE_NAMES[t.dtype],
            "shape": list(t.shape),
            "data_hex": raw_hex(t),
            "float32_hex": raw_hex(t.to(torch.float32)),
        })
    return out


class LeNetLike(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.bn1 = nn.BatchNorm2d(6)
        self.fc3 = nn.Linear(24, 10)


class BasicBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)


class ResNetLike(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(BasicBlock(2))
        self.fc = nn.Linear(2, 3)


def lenet_state():
    torch.manual_seed(0)
    m = LeNetLike()
    m.train()
    for _ in range(2):  # two batches: num_batches_tracked = 2, stats not 0/1
        m.bn1(m.conv1(torch.randn(4, 1, 8, 8)))
    return m.state_dict()


def resnet_state():
    torch.manual_seed(1)
    m = ResNetLike()
    m.train()
    m.layer1[0].bn1(m.layer1[0].conv1(torch.randn(2, 2, 4, 4)))
    return m.state_dict()


def dtypes_state():
    sd = collections.OrderedDict()
    sd["f32"] = torch.tensor([[0.0, -0.0, 1.5], [-2.25, 3.4028234663852886e38,
                                                  1e-45]], dtype=torch.float32)
    sd["f64"] = torch.tensor([0.1, -1e300, 2.0 ** -1074, 1.0 / 3.0], dtype=torch.float64)
    # 2^-24 is the smallest float16 subnormal, 6.1035e-05 the smallest normal.
    sd["f16"] = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 2.0 ** -24,
                              6.103515625e-05, float("inf"), float("-inf")],
                             dtype=torch.float16)
    sd["bf16"] = torch.tensor([1.0, -3.0, 3.0e38, 2.0 ** -133, 0.1], dtype=torch.bfloat16)
    sd["i8"] = torch.tensor([[-128, -1, 0], [1, 64, 127]], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 1, 128, 255], dtype=torch.uint8)
    sd["i16"] = torch.tensor([-32768, -1, 0, 32767], dtype=torch.int16)
    sd["i32"] = torch.tensor([-2 ** 31, -1, 0, 2 ** 24 + 1, 2 ** 31 - 1], dtype=torch.int32)
    sd["i64"] = torch.tensor([-1, 0, 2 ** 31, 2 ** 53 + 1, 2 ** 63 - 1], dtype=torch.int64)
    sd["bool"] = torch.tensor([True, False, True])
    sd["scalar_f32"] = torch.tensor(2.5)  # 0-d
    sd["scalar_i64"] = torch.tensor(7)    # 0-d, like num_batches_tracked
    sd["empty"] = torch.zeros(0, 3)
    base = torch.arange(20, dtype=torch.float32).reshape(4, 5)
    sd["transposed"] = base.t()            # strides (1, 5): non-contiguous
    sd["sliced"] = base[1:, 2:]            # storage offset 7, strides (5, 1)
    sd["stepped"] = base[::2, ::2]         # strides (10, 2)
    sd["expanded"] = torch.tensor([1.0, 2.0, 3.0]).expand(2, 3)  # stride 0
    sd["i8_transposed"] = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.int8).t()
    for k, t in sd.items():
        assert t.dtype in DTYPE_NAMES, k
    assert not sd["transposed"].is_contiguous()
    assert sd["sliced"].storage_offset() == 7
    assert sd["expanded"].stride() == (0, 1)
    return sd


def save(name, obj, legacy=False):
    path = os.path.join(HERE, name)
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
    return path


def write_safetensors(name, sd, metadata):
    """write_safetensors follows https://github.com/huggingface/safetensors
    (8-byte little-endian header size, JSON header, data). Like the reference
    writer it orders tensors by dtype size, largest first, then by name."""
    items = sorted(sd.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header = {"__metadata__": metadata}
    blobs, off = [], 0
    for k, t in items:
        b = bytes.fromhex(raw_hex(t))
        header[k] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                     "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return [k for k, _ in items]


def main():
    lenet, resnet, dtypes = lenet_state(), resnet_state(), dtypes_state()
    expected = {"torch_version": torch.__version__, "files": {}}

    def record(name, sd, fmt, metadata=None, keys=None):
        desc = describe(sd)
        if keys is not None:
            order = {k: i for i, k in enumerate(keys)}
            desc.sort(key=lambda d: order[d["key"]])
        expected["files"][name] = {"format": fmt, "metadata": metadata or {},
                                   "tensors": desc}

    save("lenet.pt", lenet)
    record("lenet.pt", lenet, "zip")
    save("resnet.pt", resnet)
    record("resnet.pt", resnet, "zip")
    save("dtypes.pt", dtypes)
    record("dtypes.pt", dtypes, "zip")
    save("checkpoint.pt", {"state_dict": lenet, "epoch": 3, "lr": 0.05, "arch": "lenet"})
    record("checkpoint.pt", lenet, "zip", {"epoch": "3", "lr": "0.05", "arch": "lenet"})
    save("wrapped_model.pt", {"model": resnet, "step": 10})
    record("wrapped_model.pt", resnet, "zip", {"step": "10"})
    path = os.path.join(HERE, "lenet_proto4.pt")  # pickle frames, SHORT_BINUNICODE, MEMOIZE
    torch.save(lenet, path, pickle_protocol=4)
    record("lenet_proto4.pt", lenet, "zip")
    save("lenet_legacy.pt", lenet, legacy=True)
    record("lenet_legacy.pt", lenet, "legacy")
    save("dtypes_legacy.pt", dtypes, legacy=True)
    record("dtypes_legacy.pt", dtypes, "legacy")

    # Files LoadPyTorch must refuse with ErrUnsupported; the value is a
    # substring the Go test expects in the error message.
    unsupported = {}
    save("unsupported_module.pt", LeNetLike())  # torch.save(model), not a state dict
    unsupported["unsupported_module.pt"] = "LeNetLike"
    save("unsupported_tensor.pt", torch.ones(2))
    unsupported["unsupported_tensor.pt"] = "single tensor"
    q = collections.OrderedDict()
    q["w"] = torch.quantize_per_tensor(torch.tensor([0.5, -1.0]), 0.5, 0, torch.qint8)
    save("unsupported_qtensor.pt", q)
    unsupported["unsupported_qtensor.pt"] = "QInt8Storage"
    save("unsupported_nested.pt", {"net": resnet})
    unsupported["unsupported_nested.pt"] = '"net"'
    torch.jit.save(torch.jit.script(nn.Linear(2, 1)), os.path.join(HERE, "unsupported_torchscript.pt"))
    unsupported["unsupported_torchscript.pt"] = "TorchScript"
    expected["unsupported"] = unsupported

    quant = collections.OrderedDict()
    quant["conv1.weight"] = torch.tensor([[-128, 5], [17, 127]], dtype=torch.int8)
    quant["bn1.running_mean"] = torch.tensor([0.5, -0.25], dtype=torch.float32)
    quant["bn1.num_batches_tracked"] = torch.tensor(2)
    meta = {"format": "pt", "conv1.weight.exp": "-7"}
    keys = write_safetensors("python_written.safetensors", quant, meta)
    record("python_written.safetensors", quant, "safetensors", meta, keys)

    # Plain pickles of every protocol, for the Go opcode scanner: each must
    # scan to exactly its own length.
    big = 2 ** 70
    sample = [None, True, False, 0, 255, 65535, -1, 2 ** 31, -big, big ** 40,
              0.5, "", "short", "\u00fc" * 130, b"", b"\x00" * 256, (), (1,),
              (1, 2), (1, 2, 3), tuple(range(9)), [], [None] * 1001, {},
              {"a": 1}, {1, 2}, frozenset({3}), collections.OrderedDict(a=1)]
    shared = ["same"]
    sample.append([shared, shared])  # memo GET/PUT
    pickles = []
    for proto in range(0, 6):
        pickles.append({"protocol": proto, "hex": pickle.dumps(sample, protocol=proto).hex()})
    pickles.append({"protocol": 5, "hex": pickle.dumps(bytearray(b"ab"), protocol=5).hex()})
    expected["pickles"] = pickles

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
