"""Writes the seed inputs of IdxFuzzTest (tiny IDX files, plain, gzip'd and float). Run from the repository root:
    python3 datasets/src/test/python/make_idx_seeds.py
"""
import gzip
import os
import struct

OUT = "datasets/src/test/resources/dev/shears/datasets/IdxFuzzTestInputs/idx"


def idx(type_code, dims, payload):
    return struct.pack(">BBBB", 0, 0, type_code, len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + payload


def main():
    os.makedirs(OUT, exist_ok=True)
    images = idx(0x08, [2, 3, 3], bytes(range(18)))
    labels = idx(0x08, [2], bytes([3, 7]))
    floats = idx(0x0D, [2, 2], struct.pack(">4f", 0.5, -1.0, 2.25, 0.0))
    for name, data in [("seed-images", images), ("seed-labels", labels), ("seed-floats", floats)]:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    with open(os.path.join(OUT, "seed-images.gz"), "wb") as f:
        f.write(gzip.compress(images, mtime=0))


if __name__ == "__main__":
    main()
