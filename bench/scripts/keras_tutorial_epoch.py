#!/usr/bin/env python3
"""Reference timing: Keras 3 (TensorFlow backend) trains the tutorial CNN on the real Fashion-MNIST, for
side-by-side comparison with Shears' seconds per epoch (same model, Adam, batch 64, same thread count).
The companion of pytorch_tutorial_epoch.py.

Usage: v/bin/python bench/scripts/keras_tutorial_epoch.py [--threads 2] [--epochs 3] [--data DIR]
Needs `v/bin/pip install tensorflow-cpu==2.21.0` (Keras 3.15) and dataset-fashion-mnist.
"""
import argparse
import gzip
import os
import struct
import time


def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import keras
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(0)
    x = read_idx(a.data + "/train-images-idx3-ubyte.gz").astype("float32")[..., None] / 255.0
    y = read_idx(a.data + "/train-labels-idx1-ubyte.gz").astype("int64")
    xt = read_idx(a.data + "/t10k-images-idx3-ubyte.gz").astype("float32")[..., None] / 255.0
    yt = read_idx(a.data + "/t10k-labels-idx1-ubyte.gz").astype("int64")
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 5, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 5, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Dropout(0.2), keras.layers.GlobalAveragePooling2D(), keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            secs = time.perf_counter() - self.t0
            print(f"keras {keras.__version__} (tensorflow {tf.__version__}) threads={a.threads} epoch {epoch + 1}: "
                  f"{secs:.2f} s, train accuracy {logs['accuracy']:.4f}", flush=True)

    model.fit(x, y, batch_size=64, epochs=a.epochs, shuffle=True, verbose=0, callbacks=[Timer()])
    print(f"test accuracy {model.evaluate(xt, yt, batch_size=256, verbose=0)[1]:.4f}")


if __name__ == "__main__":
    main()
