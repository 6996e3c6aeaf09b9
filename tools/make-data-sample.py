#!/usr/bin/env python3
"""Cuts the Fashion-MNIST sample in data/fashion-mnist-sample/ from the full data set (Debian's
dataset-fashion-mnist): the first TRAIN training images and the first TEST test images, same IDX format,
gzip-compressed with a fixed mtime so the output is reproducible."""
import gzip, struct, sys, os

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
TARGET = os.path.join(os.path.dirname(__file__), "..", "data", "fashion-mnist-sample")
TRAIN, TEST = 3000, 1000

def cut(name, count):
    with gzip.open(os.path.join(SOURCE, name)) as f:
        raw = f.read()
    magic = struct.unpack(">i", raw[:4])[0]
    dims = struct.unpack(">" + "i" * (magic & 0xFF), raw[4:4 + 4 * (magic & 0xFF)])
    item = 1
    for d in dims[1:]:
        item *= d
    header = struct.pack(">i", magic) + struct.pack(">" + "i" * len(dims), count, *dims[1:])
    body = raw[4 + 4 * len(dims):][:count * item]
    with open(os.path.join(TARGET, name), "wb") as out:
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as z:
            z.write(header + body)

for prefix, count in (("train", TRAIN), ("t10k", TEST)):
    cut(f"{prefix}-images-idx3-ubyte.gz", count)
    cut(f"{prefix}-labels-idx1-ubyte.gz", count)
