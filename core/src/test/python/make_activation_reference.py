"""Prints the Keras reference values pasted into ActivationKerasReferenceTest and PoolingLayersTest (nn), and
the erf / erfc values pasted into ActivationsTest (kernels): CI has no Python, so the values live in the tests.

Keras 3 with the TensorFlow backend, float32, CPU. For each activation, by its Keras name as a layer's
activation string would resolve it (keras.activations.get), the values at POINTS and the derivatives
there (tf.GradientTape of the sum); softmax over one row; AveragePooling2D 'valid' and 'same' and
GlobalMaxPooling2D on a small image; and erf / erfc in double (Python's math) for the Java oracle.

Usage: CUDA_VISIBLE_DEVICES="" TF_CPP_MIN_LOG_LEVEL=2 python make_activation_reference.py
Made with tensorflow-cpu 2.21.0, keras 3.15.1.
"""
import math

import keras
import numpy as np
import tensorflow as tf

POINTS = [-20.0, -6.0, -3.0, -1.5, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 3.0, 6.0, 20.0]
NAMES = ["sigmoid", "tanh", "leaky_relu", "elu", "gelu", "silu", "swish", "relu6", "relu", "linear"]


def java(values):
    # str of a float32 is the shortest decimal that reads back as the same float, in Java too
    return "{" + ", ".join(str(v) + "f" for v in np.asarray(values, dtype=np.float32).ravel()) + "}"


print("// keras %s, tensorflow %s" % (keras.__version__, tf.__version__))
x = tf.constant(POINTS, dtype=tf.float32)
print("static final float[] POINTS = %s;" % java(POINTS))
for name in NAMES:
    fn = keras.activations.get(name)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
        total = tf.reduce_sum(y)
    dy = tape.gradient(total, x)
    print("// %s (keras resolves it to %s)" % (name, keras.activations.serialize(fn)))
    print("static final float[] %s = %s;" % (name.upper(), java(y.numpy())))
    print("static final float[] D_%s = %s;" % (name.upper(), java(dy.numpy())))

row = tf.constant([[1.0, -2.0, 0.5, 3.0]])
print("// softmax of {1, -2, 0.5, 3}")
print("static final float[] SOFTMAX = %s;" % java(keras.activations.get("softmax")(row).numpy()))

img = np.arange(1, 1 + 1 * 5 * 4 * 2, dtype=np.float32).reshape(1, 5, 4, 2)
img[0, :, :, 1] *= -0.5
print("// image x (1, 5, 4, 2): channel 0 = 1, 3, 5, ... row-major, channel 1 = -0.5 * (2, 4, 6, ...)")
print("static final float[] IMAGE = %s;" % java(img))
for pool, strides, padding in [((2, 2), (2, 2), "valid"), ((2, 2), (2, 2), "same"), ((3, 3), (2, 1), "same"),
                               ((3, 2), (1, 2), "valid")]:
    layer = keras.layers.AveragePooling2D(pool_size=pool, strides=strides, padding=padding)
    out = layer(img).numpy()
    print("// AveragePooling2D(pool_size=%s, strides=%s, padding='%s') -> %s" % (pool, strides, padding, out.shape))
    print("static final float[] AVG_%dx%d_S%dx%d_%s = %s;" % (pool + strides + (padding.upper(),) + (java(out),)))
gmp = keras.layers.GlobalMaxPooling2D()(img).numpy()
print("// GlobalMaxPooling2D -> %s" % (gmp.shape,))
print("static final float[] GLOBAL_MAX = %s;" % java(gmp))

erf_points = [0.0, 1e-6, 0.01, 0.3, 0.49, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 9.0, 10.0]
print("// math.erf and math.erfc in double")
print("static final double[] ERF_X = {%s};" % ", ".join(repr(v) for v in erf_points))
print("static final double[] ERF = {%s};" % ", ".join(repr(math.erf(v)) for v in erf_points))
print("static final double[] ERFC = {%s};" % ", ".join(repr(math.erfc(v)) for v in erf_points))
