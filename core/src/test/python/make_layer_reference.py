#!/usr/bin/env python3
"""Print Keras 3's own numbers for Shears's BatchNormalization and DepthwiseConv2D tests.

Run from anywhere (tensorflow-cpu 2.21 / Keras 3.15 were used):

    CUDA_VISIBLE_DEVICES="" TF_CPP_MIN_LOG_LEVEL=2 python3 core/src/test/python/make_layer_reference.py

The numbers it prints are pasted into BatchNormalizationTest and DepthwiseConv2DTest (CI has no Python).
Inputs are small formulas of the flat index, so Java rebuilds them exactly: a double division rounded to
float32 gives the same value on both sides.
"""

import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import tensorflow as tf
import keras


def pattern(n, mul, mod, sub, div):
    """float32(((i * mul) % mod - sub) / div) for i in [0, n): the same formula as the Java tests' pattern()."""
    return np.array([((i * mul) % mod - sub) / div for i in range(n)], dtype=np.float32)


def show(name, a):
    flat = np.asarray(a, dtype=np.float32).reshape(-1)
    # str(np.float32) is the shortest text that reads back as the same float32, as Java's Float.parseFloat does
    print(f"{name} ({', '.join(str(d) for d in np.shape(a))}) = {{" + ", ".join(str(v) + "f" for v in flat) + "};")


def batch_norm():
    print("# BatchNormalization, x (4, 2, 3, 3) = pattern(72, 37, 101, 50, 25)")
    x = pattern(72, 37, 101, 50, 25).reshape(4, 2, 3, 3)
    r = pattern(72, 53, 97, 48, 50).reshape(4, 2, 3, 3)
    weights = [np.array([1.5, -0.5, 2.0], np.float32), np.array([0.1, -0.2, 0.3], np.float32),
               np.array([0.05, -0.1, 0.2], np.float32), np.array([0.8, 1.2, 2.0], np.float32)]
    for label, kwargs in [("defaults", {}), ("momentum 0.9, epsilon 0.01, center False", dict(momentum=0.9, epsilon=0.01, center=False))]:
        print(f"## {label}")
        bn = keras.layers.BatchNormalization(**kwargs)
        bn.build(x.shape)
        bn.set_weights([w for w, keep in zip(weights, [True, bn.center, True, True]) if keep])
        show("training", bn(x, training=True))
        show("movingMean", bn.moving_mean.numpy())
        show("movingVariance", bn.moving_variance.numpy())
        show("inference", bn(x, training=False))
        fresh = keras.layers.BatchNormalization(**kwargs)
        fresh.build(x.shape)
        fresh.set_weights([w for w, keep in zip(weights, [True, bn.center, True, True]) if keep])
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            loss = tf.reduce_sum(fresh(xt, training=True) * r)
        grads = tape.gradient(loss, [xt] + fresh.trainable_weights)
        show("dX", grads[0])
        for w, g in zip(fresh.trainable_weights, grads[1:]):
            show("d_" + w.name, g)


def depthwise():
    print("# DepthwiseConv2D")
    x = pattern(120, 37, 101, 50, 25).reshape(2, 5, 4, 3)
    layer = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2)
    layer.build(x.shape)
    layer.set_weights([pattern(54, 29, 31, 15, 20).reshape(3, 3, 3, 2), pattern(6, 7, 11, 5, 10)])
    show("sameStride2Dm2 x pattern(120, 37, 101, 50, 25), kernel pattern(54, 29, 31, 15, 20), bias pattern(6, 7, 11, 5, 10)",
         layer(x))
    x2 = pattern(32, 37, 101, 50, 25).reshape(1, 4, 4, 2)
    relu = keras.layers.DepthwiseConv2D(3, activation="relu", use_bias=False)
    relu.build(x2.shape)
    relu.set_weights([pattern(18, 29, 31, 15, 20).reshape(3, 3, 2, 1)])
    show("validRelu x pattern(32, 37, 101, 50, 25), kernel pattern(18, 29, 31, 15, 20), no bias", relu(x2))


def summary():
    print("# summary of Input(8, 8, 3), Conv2D(4, 3), BatchNormalization, DepthwiseConv2D(3, depth_multiplier=2), "
          "BatchNormalization(center=False), GlobalAveragePooling2D, Dense(5)")
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        keras.layers.Conv2D(4, 3),
        keras.layers.BatchNormalization(),
        keras.layers.DepthwiseConv2D(3, depth_multiplier=2, activation="relu"),
        keras.layers.BatchNormalization(center=False),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(5),
    ])
    for layer in model.layers:
        print(f"{layer.name}: {layer.count_params()}")
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    print(f"total {model.count_params()}, trainable {trainable}, non-trainable {non_trainable}")


if __name__ == "__main__":
    print(f"# Keras {keras.__version__}, TensorFlow {tf.__version__}")
    batch_norm()
    depthwise()
    summary()
