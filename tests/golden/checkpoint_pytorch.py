"""PyTorch interop of CudaNet model files (run with /usr/bin/python3, PyTorch 1.13).

The safetensors format is parsed and written with struct + json (the `safetensors` package is not installed):
8-byte little-endian header length, JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}},
then the raw little-endian C-order bytes.

  check MODEL BATCH   builds the nn.Sequential described by MODEL's "cudanet.model" metadata, loads MODEL's state
                      dict with load_state_dict(strict=True), runs BATCH's "input" in eval mode and prints
                      "max_abs_diff <d>" against BATCH's "logits" (CudaNet's eval-mode output).
  write MODEL BATCH   trains a small Linear/BatchNorm1d/ReLU/Dropout/Linear model for a few steps, writes its state
                      dict to MODEL (metadata format "pt" only, as a PyTorch user would) and a fixed input batch with
                      the eval-mode logits to BATCH.
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
NAMES = {np.dtype(v): k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + length:]
    tensors = {}
    for name, spec in header.items():
        begin, end = spec["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=DTYPES[spec["dtype"]]).reshape(spec["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    header, chunks, offset = {"__metadata__": metadata}, [], 0
    for name, tensor in tensors.items():
        array = tensor.detach().cpu().contiguous().numpy()  # np.ascontiguousarray would make 0-d tensors 1-d
        raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": NAMES[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def activation(kind, alpha):
    return {
        "Identity": lambda: nn.Identity(), "ReLU": lambda: nn.ReLU(), "Sigmoid": lambda: nn.Sigmoid(),
        "Tanh": lambda: nn.Tanh(), "Gelu": lambda: nn.GELU(approximate="tanh"),
        "LeakyReLU": lambda: nn.LeakyReLU(alpha), "Elu": lambda: nn.ELU(alpha),
    }[kind]()


def module(layer):
    kind = layer["kind"]
    if kind == "Dense":
        return nn.Linear(layer["inputs"], layer["outputs"], bias=layer.get("bias", True))
    if kind == "BatchNorm":
        return nn.BatchNorm1d(layer["features"], eps=layer.get("eps", 1e-5), momentum=layer.get("momentum", 0.1))
    if kind == "Dropout":
        return nn.Dropout(layer.get("p", 0.5))
    if kind == "LeakyReLU":
        return nn.LeakyReLU(layer.get("negative_slope", 0.01))
    if kind == "Elu":
        return nn.ELU(layer.get("alpha", 1.0))
    if kind == "LayerNorm":
        return nn.LayerNorm(layer["features"], eps=layer.get("eps", 1e-5))
    if kind == "GroupNorm":
        return nn.GroupNorm(layer["groups"], layer["features"], eps=layer.get("eps", 1e-5))
    if kind == "PReLU":
        return nn.PReLU(layer["features"], init=layer.get("init", 0.25))
    if kind == "Softmax":
        return nn.Softmax(dim=1)
    if kind == "Activation":
        return activation(layer["function"], layer.get("alpha", 0.0))
    return activation(kind, 0.0)


def check(model_path, batch_path):
    state, metadata = read_safetensors(model_path)
    spec = json.loads(metadata["cudanet.model"])
    assert metadata["format"] == "pt"
    model = nn.Sequential(*[module(layer) for layer in spec["layers"]])
    model.load_state_dict(state, strict=True)
    model.eval()
    batch, _ = read_safetensors(batch_path)
    with torch.no_grad():
        logits = model(batch["input"])
    print(f"max_abs_diff {(logits - batch['logits']).abs().max().item():.9e}")


def write(model_path, batch_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(64, 20) * 2 + 0.5
    y = torch.randint(0, 4, (64,))
    model.train()
    for _ in range(7):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    batch = torch.randn(16, 20) * 2
    with torch.no_grad():
        logits = model(batch)
    write_safetensors(model_path, model.state_dict(), {"format": "pt"})
    write_safetensors(batch_path, {"input": batch, "logits": logits}, {})
    print(f"num_batches_tracked {model[1].num_batches_tracked.item()}")


if __name__ == "__main__":
    {"check": check, "write": write}[sys.argv[1]](sys.argv[2], sys.argv[3])
