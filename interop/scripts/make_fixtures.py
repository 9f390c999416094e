#!/usr/bin/env python3
"""Generate the Keras / ONNX test fixtures for the Shears `interop` module.

Run from the repository root:

    python3 -m venv v
    v/bin/pip install tensorflow-cpu==2.21.0 h5py torch==2.13.0+cpu numpy onnx onnxruntime
    v/bin/python interop/scripts/make_fixtures.py

Writes into interop/src/test/resources/dev/shears/interop/fixtures/ (created if missing).
The fixtures are committed; CI has no Python. Everything is seeded and run on
CPU with single-threaded, deterministic TF ops, so weights and the *_expected.npy
files are reproducible on the same versions. Container bytes (.keras zip entry
times, metadata.json "date_saved") are not byte-identical between runs.
"""

import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")

import gzip
import io
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import tensorflow as tf

tf.config.threading.set_inter_op_parallelism_threads(1)
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.experimental.enable_op_determinism()

import h5py
import keras
import onnx
import onnxruntime as ort
import torch
from torch import nn

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=UserWarning)

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "datasets/src/main/resources/dev/shears/datasets/fashion-mnist-sample"
OUT = REPO / "interop/src/test/resources/dev/shears/interop/fixtures"

KERAS_TOL = 1e-6
TORCH_TOL = 1e-5


# --------------------------------------------------------------------------- data

def read_idx(path):
    """Parse a gzip'd IDX file (big-endian header: magic, then one u32 per dim)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    assert raw[0] == 0 and raw[1] == 0 and raw[2] == 0x08, f"bad IDX magic {magic:#x} in {path}"
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    assert data.size == int(np.prod(dims)), (path, dims, data.size)
    return data.reshape(dims)


def load_data():
    xtr = read_idx(DATA / "train-images-idx3-ubyte.gz")
    ytr = read_idx(DATA / "train-labels-idx1-ubyte.gz")
    xte = read_idx(DATA / "t10k-images-idx3-ubyte.gz")
    assert xtr.shape == (2000, 28, 28) and ytr.shape == (2000,), (xtr.shape, ytr.shape)
    assert xte.shape[1:] == (28, 28) and xte.shape[0] >= 100, xte.shape
    xtr = (xtr.astype(np.float32) / np.float32(255))[..., None]   # NHWC [2000,28,28,1]
    xte = (xte[:100].astype(np.float32) / np.float32(255))[..., None]  # NHWC [100,28,28,1]
    return xtr, ytr.astype(np.int64), xte


def maxdiff(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def check(name, got, want, tol):
    d = maxdiff(got, want)
    print(f"  check {name}: max abs diff {d:.3e} (tol {tol:g})")
    assert d < tol, f"{name}: max abs diff {d} >= {tol}"


def save_npy(name, arr):
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    assert arr.shape == (100, 10), arr.shape
    np.save(OUT / name, arr)


# -------------------------------------------------------------------------- keras

def keras_layers(name):
    L = keras.layers
    if name == "tutorial":
        return [L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(2),
                L.Conv2D(32, 5, activation="relu"), L.MaxPooling2D(2),
                L.Dropout(0.2), L.GlobalAveragePooling2D(), L.Flatten(),
                L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")]
    if name == "mlp":
        return [L.Flatten(), L.Dense(16, activation="relu"), L.Dropout(0.1),
                L.Dense(10, activation="softmax")]
    if name == "strided":
        return [L.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
                L.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
                L.Flatten(), L.Dense(10, activation="softmax")]
    if name == "layers":
        # The layers and activations beyond the tutorial's, each as Keras writes it.
        return [L.Conv2D(6, 3), L.BatchNormalization(), L.Activation("gelu"),
                L.AveragePooling2D(3, strides=2, padding="same"),
                L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", use_bias=False, activation="relu"),
                L.BatchNormalization(center=False),
                L.Reshape((13, 26, 6)), L.Conv2D(8, 3, activation="silu"), L.AveragePooling2D(2),
                L.Conv2D(8, 3, activation="elu"), L.GlobalMaxPooling2D(), L.Dense(16, activation="leaky_relu"),
                L.Dense(12, activation="relu6"), L.Dense(12, activation="tanh"), L.Dense(10, activation="sigmoid"),
                L.Dense(10), L.Activation("softmax")]
    if name == "unsupported":
        # Conv(4,3) -> 26x26x4; upsampling that directly would make a 52*52*4 x 10
        # Dense (~433 KB per file). MaxPooling2D(4) first (26 -> 6, upsampled to 12)
        # keeps the file ~25 KB; UpSampling2D stays the only unsupported layer.
        return [L.Conv2D(4, 3, activation="relu"), L.MaxPooling2D(4),
                L.UpSampling2D(2), L.Flatten(), L.Dense(10, activation="softmax")]
    raise ValueError(name)


def build_keras(name, xtr, ytr, train=True):
    # clear_session resets the auto-naming counters, so every model gets the
    # default names (sequential, conv2d, conv2d_1, ...) independent of build order.
    keras.backend.clear_session()
    keras.utils.set_random_seed(42)
    model = keras.Sequential([keras.Input(shape=(28, 28, 1))] + keras_layers(name))
    model.compile(optimizer=keras.optimizers.Adam(),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if train:
        hist = model.fit(xtr, ytr, epochs=1, batch_size=64, shuffle=True, verbose=0)
        print(f"  trained keras {name}: loss {hist.history['loss'][-1]:.4f} "
              f"acc {hist.history['accuracy'][-1]:.4f}")
    return model


def legacy_h5():
    try:
        from keras.src.legacy.saving import legacy_h5_format
        return legacy_h5_format
    except ImportError:
        return None


def make_keras(xtr, ytr, xte):
    models = {}
    for name in ("tutorial", "mlp", "strided", "layers"):
        print(f"keras {name}")
        trained = build_keras(name, xtr, ytr)
        expected = trained.predict(xte, batch_size=100, verbose=0)
        # Size budget: saving the trained model directly stores Adam's two moment
        # tensors per weight (3x the weight bytes; the whole dir came to 2.14 MiB).
        # So copy the trained weights into a freshly built + compiled model with
        # the same default layer names: its optimizer is unbuilt and is saved as
        # just the `iterations` and `learning_rate` scalars (the "optimizer"
        # groups / "optimizer_weights" / training_config are all still present).
        model = build_keras(name, xtr, ytr, train=False)
        model.set_weights(trained.get_weights())
        check(f"keras {name} weight transfer", model.predict(xte, batch_size=100, verbose=0),
              expected, KERAS_TOL)
        stem = f"keras_{name}"

        model.save(OUT / f"{stem}.keras")
        model.save(OUT / f"{stem}.h5")             # legacy full-model HDF5
        model.save_weights(OUT / f"{stem}.weights.h5")
        save_npy(f"{stem}_expected.npy", expected)

        # --- reload checks
        for ext in (".keras", ".h5"):
            m2 = keras.models.load_model(OUT / f"{stem}{ext}")
            check(f"{stem}{ext} reload", m2.predict(xte, batch_size=100, verbose=0), expected, KERAS_TOL)
        m3 = build_keras(name, xtr, ytr, train=False)
        m3.load_weights(OUT / f"{stem}.weights.h5")
        check(f"{stem}.weights.h5 reload", m3.predict(xte, batch_size=100, verbose=0), expected, KERAS_TOL)

        if name == "tutorial":
            lh5 = legacy_h5()
            if lh5 is None or not hasattr(lh5, "save_weights_to_hdf5_group"):
                print("  SKIP keras_tutorial_legacy_weights.h5: "
                      "keras.src.legacy.saving.legacy_h5_format.save_weights_to_hdf5_group missing")
            else:
                path = OUT / "keras_tutorial_legacy_weights.h5"
                with h5py.File(path, "w") as f:
                    lh5.save_weights_to_hdf5_group(f, model)
                m4 = build_keras(name, xtr, ytr, train=False)
                with h5py.File(path, "r") as f:
                    lh5.load_weights_from_hdf5_group(f, m4)
                check("keras_tutorial_legacy_weights.h5 reload (legacy loader)",
                      m4.predict(xte, batch_size=100, verbose=0), expected, KERAS_TOL)
                m5 = build_keras(name, xtr, ytr, train=False)
                m5.load_weights(path)
                check("keras_tutorial_legacy_weights.h5 reload (model.load_weights)",
                      m5.predict(xte, batch_size=100, verbose=0), expected, KERAS_TOL)
        models[name] = (model, expected)

    print("keras unsupported")
    model = build_keras("unsupported", xtr, ytr, train=False)
    ref = model.predict(xte, batch_size=100, verbose=0)
    model.save(OUT / "keras_unsupported.keras")
    model.save(OUT / "keras_unsupported.h5")
    for ext in (".keras", ".h5"):
        m2 = keras.models.load_model(OUT / f"keras_unsupported{ext}")
        check(f"keras_unsupported{ext} reload", m2.predict(xte, batch_size=100, verbose=0), ref, KERAS_TOL)
    return models


# -------------------------------------------------------------------------- torch

class TutorialNet(nn.Module):
    def __init__(self, nhwc=False):
        super().__init__()
        self.nhwc = nhwc
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout(0.2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 10), nn.Softmax(dim=1))

    def forward(self, x):
        if self.nhwc:
            x = x.permute(0, 3, 1, 2)
        return self.body(x)


def mlp_net():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Dropout(0.1),
                         nn.Linear(16, 10), nn.Softmax(dim=1))


def strided_net():
    return nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Linear(16 * 7 * 7, 10), nn.Softmax(dim=1))


def unsupported_net():
    # Without the MaxPool2d(4) the Linear is 4*52*52 x 10 (~433 KB ONNX > 200 KB),
    # so shrink: 26x26 -> MaxPool(4) -> 6x6 -> Upsample(2) -> 12x12.
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(4),
                         nn.Upsample(scale_factor=2), nn.Flatten(),
                         nn.Linear(4 * 12 * 12, 10), nn.Softmax(dim=1))


def copy_conv(keras_layer, conv):
    k, b = [np.asarray(v) for v in keras_layer.get_weights()]
    assert conv.weight.shape == (k.shape[3], k.shape[2], k.shape[0], k.shape[1])
    conv.weight.data = torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1)))
    conv.bias.data = torch.from_numpy(b.copy())


def copy_dense(keras_layer, lin):
    k, b = [np.asarray(v) for v in keras_layer.get_weights()]
    assert lin.weight.shape == (k.shape[1], k.shape[0])
    lin.weight.data = torch.from_numpy(np.ascontiguousarray(k.T))
    lin.bias.data = torch.from_numpy(b.copy())


def keras_by_type(model, cls):
    return [l for l in model.layers if isinstance(l, cls)]


def export_onnx(module, name, x_np, ref_out=None):
    module.eval()
    x = torch.from_numpy(x_np)
    with torch.no_grad():
        torch_out = module(x).numpy()
    if ref_out is not None:
        check(f"{name} torch vs keras", torch_out, ref_out, TORCH_TOL)
    path = OUT / f"{name}.onnx"
    dummy = torch.from_numpy(x_np[:1].copy())
    buf = io.BytesIO()
    torch.onnx.export(module, (dummy,), buf, dynamo=False, export_params=True,
                      opset_version=17, do_constant_folding=True,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    model = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(model, full_check=True)
    for init in model.graph.initializer:
        assert init.data_location != onnx.TensorProto.EXTERNAL, f"{name}: external data"
    path.write_bytes(buf.getvalue())
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ort_out = sess.run(["output"], {"input": x_np})[0]
    check(f"{name} onnxruntime vs torch", ort_out, torch_out, TORCH_TOL)
    save_npy(f"{name}_expected.npy", ort_out)
    return ort_out


def make_torch(kmodels, xte_nhwc):
    xte_nchw = np.ascontiguousarray(xte_nhwc.transpose(0, 3, 1, 2))
    torch.manual_seed(42)

    # tutorial (weights copied from keras tutorial)
    ktut, kexp = kmodels["tutorial"]
    kconvs = keras_by_type(ktut, keras.layers.Conv2D)
    kdense = keras_by_type(ktut, keras.layers.Dense)
    for nhwc in (False, True):
        net = TutorialNet(nhwc=nhwc)
        copy_conv(kconvs[0], net.body[0])
        copy_conv(kconvs[1], net.body[3])
        copy_dense(kdense[0], net.body[9])
        copy_dense(kdense[1], net.body[11])
        name = "torch_tutorial_nhwc" if nhwc else "torch_tutorial"
        print(name)
        out = export_onnx(net, name, xte_nhwc if nhwc else xte_nchw, ref_out=kexp)
        check(f"{name} onnxruntime vs keras", out, kexp, TORCH_TOL)

    # mlp (weights copied from keras mlp; C=1 so flatten order is identical)
    kmlp, kexp = kmodels["mlp"]
    kdense = keras_by_type(kmlp, keras.layers.Dense)
    net = mlp_net()
    copy_dense(kdense[0], net[1])
    copy_dense(kdense[1], net[4])
    print("torch_mlp")
    out = export_onnx(net, "torch_mlp", xte_nchw, ref_out=kexp)
    check("torch_mlp onnxruntime vs keras", out, kexp, TORCH_TOL)

    print("torch_strided")
    torch.manual_seed(42)
    export_onnx(strided_net(), "torch_strided", xte_nchw)

    print("torch_unsupported")
    torch.manual_seed(42)
    export_onnx(unsupported_net(), "torch_unsupported", xte_nchw)
    size = (OUT / "torch_unsupported.onnx").stat().st_size
    assert size <= 200 * 1024, size


# --------------------------------------------------------------------- readme

DESCRIPTIONS = {
    "keras_tutorial": "Keras Sequential: Conv2D(16,5,relu) MaxPool(2) Conv2D(32,5,relu) MaxPool(2) "
                      "Dropout(0.2) GlobalAveragePooling2D Flatten Dense(128,relu) Dense(10,softmax)",
    "keras_mlp": "Keras Sequential: Flatten Dense(16,relu) Dropout(0.1) Dense(10,softmax)",
    "keras_strided": "Keras Sequential: Conv2D(8,3,s2,same,relu) Conv2D(16,3,s2,same,relu) Flatten "
                     "Dense(10,softmax)",
    "keras_unsupported": "Keras Sequential: Conv2D(4,3,relu) MaxPooling2D(4) UpSampling2D(2) Flatten "
                         "Dense(10,softmax); untrained; must be rejected (UpSampling2D)",
    "torch_tutorial": "PyTorch tutorial CNN (NCHW input [N,1,28,28]), weights copied from keras_tutorial",
    "torch_tutorial_nhwc": "same as torch_tutorial with a leading permute: NHWC input [N,28,28,1] "
                           "(leading Transpose node)",
    "torch_mlp": "PyTorch Flatten Linear(784,16) ReLU Dropout Linear(16,10) Softmax, weights copied "
                 "from keras_mlp",
    "torch_strided": "PyTorch Conv2d(1,8,3,s2,p1) ReLU Conv2d(8,16,3,s2,p1) ReLU Flatten Linear(784,10) "
                     "Softmax; own seeded init",
    "torch_unsupported": "PyTorch Conv2d(1,4,3) ReLU MaxPool2d(4) Upsample(x2) Flatten Linear(576,10) "
                         "Softmax; contains a Resize node, must be rejected",
}

SUFFIXES = [
    (".keras", "Keras 3 zip archive (config.json, metadata.json, model.weights.h5), `model.save`"),
    (".h5", "legacy full-model HDF5 (`model.save(\"x.h5\")`: model_config / training_config attrs, "
            "model_weights, optimizer_weights)"),
    (".weights.h5", "Keras 3 weights-only HDF5 (`model.save_weights`)"),
    ("_legacy_weights.h5", "TF-2.x-style weights-only HDF5 (`legacy_h5_format.save_weights_to_hdf5_group`: "
                           "root attr layer_names, per-layer group with attr weight_names)"),
    (".onnx", "ONNX, opset 17, classic TorchScript exporter (dynamo=False), input \"input\", "
              "output \"output\", dynamic batch axis 0"),
    ("_expected.npy", "float32 [100,10] reference output on the first 100 t10k test images"),
]


def stem_and_suffix(fname):
    for suffix, _ in sorted(SUFFIXES, key=lambda t: -len(t[0])):
        if fname.endswith(suffix):
            return fname[: -len(suffix)], suffix
    return fname, ""


def write_readme(v):
    files = sorted(p.name for p in OUT.iterdir() if p.name != "README.md")
    lines = [
        "# Interop test fixtures",
        "",
        "Generated by `interop/scripts/make_fixtures.py` from the real frameworks; do not edit by hand.",
        "CI has no Python, so these files are committed.",
        "",
        "Regenerate (from the repository root):",
        "",
        "```",
        "python3 -m venv v && v/bin/pip install tensorflow-cpu==2.21.0 h5py torch==2.13.0+cpu numpy onnx "
        "onnxruntime && v/bin/python interop/scripts/make_fixtures.py",
        "```",
        "",
        "## Inputs",
        "",
        "- Data: the Fashion-MNIST sample in `datasets/src/main/resources/dev/shears/datasets/"
        "fashion-mnist-sample/` (2,000 train / 1,000 test, gzip'd IDX).",
        "- Pixels scaled in float32: `images.astype(np.float32) / np.float32(255)`.",
        "- Keras models: channels_last, input (28,28,1), `keras.utils.set_random_seed(42)`, "
        "Adam + sparse_categorical_crossentropy, 1 epoch, batch 64 on the 2,000 train images.",
        "  The trained weights are then copied into a freshly compiled model before saving, so the "
        "files carry only the unbuilt optimizer's `iterations`/`learning_rate` scalars, not Adam's "
        "moment tensors (size budget).",
        "- `keras_unsupported` is not trained. It has MaxPooling2D(4) before UpSampling2D to keep the "
        "Dense small.",
        "- PyTorch models: `torch.manual_seed(42)`, eval mode (Dropout is dropped from the ONNX graph).",
        "- `*_expected.npy`: Keras `model.predict` (keras_*) or onnxruntime output (torch_*) on the "
        "first 100 t10k images, NHWC for Keras and `torch_tutorial_nhwc`, NCHW [100,1,28,28] otherwise. "
        "torch_tutorial/torch_tutorial_nhwc/torch_mlp match the corresponding Keras expected output "
        "to < 1e-5.",
        "",
        "## Models (file stem)",
        "",
    ]
    lines += [f"- `{stem}`: {what}" for stem, what in DESCRIPTIONS.items()]
    lines += ["", "## Formats (file suffix)", ""]
    lines += [f"- `{suffix}`: {what}" for suffix, what in SUFFIXES]
    lines += ["", "## Files", "", "| file | bytes | model | format |", "|---|---:|---|---|"]
    for f in files:
        stem, suffix = stem_and_suffix(f)
        lines.append(f"| `{f}` | {(OUT / f).stat().st_size:,d} | `{stem}` | `{suffix}` |")
    total = sum((OUT / f).stat().st_size for f in files)
    lines.append(f"| (total, without this README) | {total:,d} | | |")
    lines += ["", "## Versions used", ""]
    lines += [f"- {k}: {val}" for k, val in v.items()]
    lines.append("")
    (OUT / "README.md").write_text("\n".join(lines))


# ----------------------------------------------------------------------- main

def versions():
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": ort.__version__,
        "h5py": h5py.__version__,
        "hdf5": h5py.version.hdf5_version,
        "numpy": np.__version__,
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    v = versions()
    print("versions:", ", ".join(f"{k} {val}" for k, val in v.items()))
    xtr, ytr, xte = load_data()
    print(f"data: train {xtr.shape} test[:100] {xte.shape}")
    kmodels = make_keras(xtr, ytr, xte)
    make_torch(kmodels, xte)

    write_readme(v)
    total = 0
    print("files:")
    for p in sorted(OUT.iterdir()):
        s = p.stat().st_size
        total += s
        print(f"  {s:>9,d}  {p.name}")
    print(f"  {total:>9,d}  TOTAL ({total / 1024 / 1024:.2f} MiB)")
    assert total < 2 * 1024 * 1024, "fixtures dir must stay under 2 MB"
    return 0


if __name__ == "__main__":
    sys.exit(main())
