"""Round-trip differences and file sizes of Shears' ONNX/Keras import and ONNX export, against the frameworks.

Runs the `shears` command line (bench/target/shears.jar) on the committed fixtures and compares, on the 1,000
test images of the embedded Fashion-MNIST sample:
  - import: Shears' predictions against Keras 3 (loading the same .keras/.h5) and ONNX Runtime (the PyTorch files);
  - export: ONNX Runtime on Shears-written .onnx files (dense, 80% pruned, sparse initializers, NCHW) against Shears.
Also prints the file sizes of the tutorial model, dense and 80% pruned, in every format Shears writes.

From the repository root, after `mvn -B -ntp -q -DskipTests -pl bench -am package`, with the venv of make_fixtures.py:
    v/bin/python interop/scripts/roundtrip_report.py
Needs no network; takes about a minute (the prune step fine-tunes 2 epochs on the embedded sample).
"""
import gzip
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "interop/src/test/resources/dev/shears/interop/fixtures")
JAR = os.path.join(ROOT, "bench/target/shears.jar")
SAMPLE = os.path.join(ROOT, "datasets/src/main/resources/dev/shears/datasets/fashion-mnist-sample/t10k-images-idx3-ubyte.gz")


def shears(*args):
    subprocess.run(["java", "--add-modules", "jdk.incubator.vector", "-jar", JAR, *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ort_run(path, x):
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return s.run(None, {s.get_inputs()[0].name: x})[0]


def main():
    tmp = tempfile.mkdtemp()
    t = lambda name: os.path.join(tmp, name)  # noqa: E731
    raw = gzip.open(SAMPLE).read()
    x = np.frombuffer(raw[16:], dtype=np.uint8).reshape(-1, 28, 28, 1).astype(np.float32) / np.float32(255)
    x_nchw = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    np.save(t("x.npy"), x)

    def predict(model):
        out = t(os.path.basename(model) + ".pred.npy")
        shears("predict", model, "--input", t("x.npy"), "--output", out)
        return np.load(out)

    print(f"{len(x)} real test images; max |difference| of the 10 output probabilities")
    for name in ["keras_tutorial.keras", "keras_tutorial.h5", "keras_mlp.keras", "keras_mlp.h5",
                 "keras_strided.keras", "keras_strided.h5"]:
        ref = keras.saving.load_model(os.path.join(FIX, name)).predict(x, verbose=0)
        print(f"  import {name:26s} Shears vs Keras {keras.__version__}:  {np.abs(predict(os.path.join(FIX, name)) - ref).max():.1e}")
    for name in ["torch_tutorial.onnx", "torch_tutorial_nhwc.onnx", "torch_mlp.onnx", "torch_strided.onnx"]:
        ref = ort_run(os.path.join(FIX, name), x if "nhwc" in name else x_nchw)
        print(f"  import {name:26s} Shears vs ONNX Runtime {ort.__version__}: {np.abs(predict(os.path.join(FIX, name)) - ref).max():.1e}")

    keras_tutorial = os.path.join(FIX, "keras_tutorial.keras")
    shears("prune", keras_tutorial, "--data", "fashion-mnist-sample", "--final-sparsity", "0.8", "--epochs", "2",
           "--out", t("pruned.safetensors"))
    shears("convert", keras_tutorial, t("dense.safetensors"))
    for model in ["dense", "pruned"]:
        shears("convert", t(model + ".safetensors"), t(model + ".shrs"))
        shears("convert", t(model + ".safetensors"), t(model + ".onnx"))
        shears("convert", t(model + ".safetensors"), t(model + "_sparse.onnx"), "--sparse-initializers")
        shears("convert", t(model + ".safetensors"), t(model + "_nchw.onnx"), "--nchw")
        want = predict(t(model + ".safetensors"))
        for suffix, inputs in [("", x), ("_sparse", x), ("_nchw", x_nchw)]:
            diff = np.abs(ort_run(t(model + suffix + ".onnx"), inputs) - want).max()
            print(f"  export {model + suffix + '.onnx':26s} ONNX Runtime vs Shears:  {diff:.1e}")
    print("File sizes of the tutorial model (bytes):")
    for model in ["dense", "pruned"]:
        sizes = {ext: os.path.getsize(t(model + ext)) for ext in [".safetensors", ".shrs", ".onnx", "_sparse.onnx"]}
        print(f"  {model:7s} " + "  ".join(f"{k}: {v:,}" for k, v in sizes.items()))


if __name__ == "__main__":
    sys.exit(main())
