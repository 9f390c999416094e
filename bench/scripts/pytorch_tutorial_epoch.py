#!/usr/bin/python3
"""Reference timing: PyTorch trains the tutorial CNN on the real Fashion-MNIST, for side-by-side
comparison with Shears' seconds per epoch (same model, Adam, batch 64, same thread count).

Usage: /usr/bin/python3 bench/scripts/pytorch_tutorial_epoch.py [--threads 2] [--epochs 1] [--data DIR]
Needs Debian's python3-torch (apt-get install python3-torch) and dataset-fashion-mnist.
"""
import argparse
import gzip
import struct
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.tensor(read_idx(a.data + "/train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255.0
    y = torch.tensor(read_idx(a.data + "/train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xt = torch.tensor(read_idx(a.data + "/t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255.0
    yt = torch.tensor(read_idx(a.data + "/t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(x.shape[0])
        t0 = time.perf_counter()
        for i in range(0, x.shape[0], 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        secs = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            acc = (model(xt).argmax(1) == yt).float().mean().item()
        print(f"pytorch {torch.__version__} threads={a.threads} epoch {epoch + 1}: {secs:.2f} s, test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
