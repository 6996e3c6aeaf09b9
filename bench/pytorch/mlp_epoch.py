#!/usr/bin/env python3
"""PyTorch side of the end-to-end comparison (run with Debian's python3-torch: /usr/bin/python3).

Trains the same model as `cudanet train` — 784-512-512-10 MLP, BatchNorm, ReLU, Dropout 0.2, Adam lr 1e-3,
batch 128, cosine schedule over the epochs, the same 10% validation hold-out size — on Fashion-MNIST with the
data already in memory as float32 tensors, and prints JSON: seconds per epoch (mean over epochs after the first,
and every epoch), samples per second and test accuracy. Usage:

    /usr/bin/python3 bench/pytorch/mlp_epoch.py [--data DIR] [--epochs 10] [--threads 2] [--device cpu|cuda]
"""
import argparse, gzip, json, os, struct, time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">i", raw[:4])[0]
    dims = struct.unpack(">" + "i" * (magic & 0xFF), raw[4:4 + 4 * (magic & 0xFF)])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)

    def load(prefix):
        x = read_idx(os.path.join(args.data, f"{prefix}-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
        y = read_idx(os.path.join(args.data, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
        return x, y

    x_all, y_all = load("train")
    x_test, y_test = load("t10k")
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(x_all))
    held = round(0.1 * len(x_all))
    x_train, y_train = x_all[order[held:]], y_all[order[held:]]
    mean, std = x_train.mean(0), x_train.std(0)
    std[std < 1e-6] = 1.0
    to = lambda a: torch.from_numpy(a).to(device)
    x_train, x_test = to((x_train - mean) / std), to((x_test - mean) / std)
    y_train, y_test = to(y_train), to(y_test)

    model = nn.Sequential(nn.Linear(784, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(512, 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    n = len(x_train)
    seconds = []
    for _ in range(args.epochs):
        model.train()
        start = time.perf_counter()
        perm = torch.randperm(n, device=device)
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
        scheduler.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    steady = seconds[1:] if len(seconds) > 1 else seconds
    print(json.dumps({
        "framework": f"pytorch {torch.__version__}", "device": args.device, "threads": args.threads,
        "epochs": args.epochs, "batch_size": args.batch_size, "train_examples": n,
        "seconds_per_epoch": sum(steady) / len(steady), "epoch_seconds": seconds,
        "samples_per_second": n * len(steady) / sum(steady), "test_accuracy": accuracy,
    }, indent=2))


if __name__ == "__main__":
    main()
