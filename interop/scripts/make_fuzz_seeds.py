"""Seed inputs for the interop fuzz tests (InteropFuzzTest): tiny but real files from Keras, PyTorch and NumPy.

Jazzer replays every file under src/test/resources/dev/shears/interop/InteropFuzzTestInputs/<method>/ as a
regression test in every build, and starts fuzzing from them. Run from the repository root with the venv of
make_fixtures.py:  v/bin/python interop/scripts/make_fuzz_seeds.py
"""
import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
import torch  # noqa: E402
from keras.src.legacy.saving import legacy_h5_format  # noqa: E402
import h5py  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "src/test/resources/dev/shears/interop/InteropFuzzTestInputs")


def out(method, name):
    d = os.path.join(OUT, method)
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name)


def main():
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.Input(shape=(6, 6, 1)), keras.layers.Conv2D(2, 3, activation="relu"),
                          keras.layers.MaxPooling2D(2), keras.layers.Flatten(), keras.layers.Dropout(0.1),
                          keras.layers.Dense(3, activation="softmax")])
    m.save(out("kerasModel", "seed-tiny.keras"))
    m.save(out("kerasModel", "seed-tiny.h5"))
    m.save_weights(out("kerasWeights", "seed-tiny.weights.h5"))
    with h5py.File(out("kerasWeights", "seed-tiny-legacy.h5"), "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, m)

    torch.manual_seed(1)
    t = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, stride=2, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                            torch.nn.Flatten(), torch.nn.Linear(2 * 2 * 2, 3), torch.nn.Softmax(dim=1)).eval()
    torch.onnx.export(t, torch.zeros(1, 1, 8, 8), out("onnx", "seed-tiny.onnx"), input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      opset_version=17, dynamo=False)
    np.save(out("npy", "seed-2d.npy"), np.arange(6, dtype=np.float32).reshape(2, 3))
    np.save(out("npy", "seed-4d.npy"), np.ones((1, 2, 2, 1), dtype=np.float32))
    for root, _, files in os.walk(OUT):
        for f in sorted(files):
            print(os.path.relpath(os.path.join(root, f), OUT), os.path.getsize(os.path.join(root, f)))


if __name__ == "__main__":
    main()
