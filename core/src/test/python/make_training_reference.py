#!/usr/bin/env python3
"""Keras 3 reference values for the Shears training tools (optimizers, schedules, regularizers, callbacks).

Run from the repository root (tensorflow-cpu 2.21 / Keras 3.15):

    CUDA_VISIBLE_DEVICES= TF_CPP_MIN_LOG_LEVEL=2 python core/src/test/python/make_training_reference.py

It prints Java constants, section by section; they are pasted into
core/src/test/java/dev/shears/optim/KerasOptimizerReference.java and
core/src/test/java/dev/shears/train/KerasTrainingReference.java (CI has no Python). Everything below is
deterministic: fixed tensors and gradients, no random numbers.
"""

import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import tempfile
import warnings

import numpy as np
import tensorflow as tf
import keras

warnings.filterwarnings("ignore")

# Two variables, so that per-variable clipnorm and global_clipnorm differ. b's second gradient has a zero.
W0 = [1.0, -2.0, 0.5]
B0 = [0.3, -0.1]
W_GRADS = [[0.1, -0.2, 0.3], [-0.5, 0.4, 1.5], [0.2, 0.2, -0.1]]
B_GRADS = [[1.0, -1.0], [0.05, 0.0], [-2.0, 0.5]]


def f(v):
    """A float32 value as a Java float literal (9 significant digits round-trip)."""
    return f"{float(np.float32(v)):.9g}f"


def floats(values):
    return "{" + ", ".join(f(v) for v in values) + "}"


def run_optimizer(opt):
    """Three steps on (w, b); returns [[w after step 1, b after step 1], ...] flattened per step."""
    w = keras.Variable(np.array(W0, np.float32), name="w")
    b = keras.Variable(np.array(B0, np.float32), name="b")
    out = []
    for gw, gb in zip(W_GRADS, B_GRADS):
        opt.apply_gradients([(tf.constant(gw, tf.float32), w), (tf.constant(gb, tf.float32), b)])
        out.append(list(w.numpy()) + list(b.numpy()))
    return out


OPTIMIZERS = {
    "SGD_PLAIN": 'keras.optimizers.SGD(learning_rate=0.1)',
    "SGD_MOMENTUM": 'keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)',
    "SGD_NESTEROV": 'keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)',
    "RMSPROP_DEFAULT": 'keras.optimizers.RMSprop()',
    "RMSPROP": 'keras.optimizers.RMSprop(learning_rate=0.01)',
    "RMSPROP_MOMENTUM": 'keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.9)',
    "RMSPROP_CENTERED": 'keras.optimizers.RMSprop(learning_rate=0.01, centered=True)',
    "RMSPROP_ALL": 'keras.optimizers.RMSprop(learning_rate=0.01, rho=0.8, momentum=0.5, epsilon=1e-3, centered=True)',
    "ADAM": 'keras.optimizers.Adam(learning_rate=0.01)',
    "ADAMW_DEFAULT": 'keras.optimizers.AdamW()',
    "ADAMW": 'keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.1)',
    "SGD_CLIPNORM": 'keras.optimizers.SGD(learning_rate=0.1, clipnorm=0.25)',
    "SGD_GLOBAL_CLIPNORM": 'keras.optimizers.SGD(learning_rate=0.1, global_clipnorm=0.5)',
    "SGD_CLIPVALUE": 'keras.optimizers.SGD(learning_rate=0.1, clipvalue=0.25)',
    "ADAM_CLIPNORM": 'keras.optimizers.Adam(learning_rate=0.01, clipnorm=1.0)',
    "RMSPROP_CLIPVALUE": 'keras.optimizers.RMSprop(learning_rate=0.01, clipvalue=0.3)',
    "SGD_EXPONENTIAL": 'keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5))',
    "ADAMW_COSINE": 'keras.optimizers.AdamW(learning_rate=keras.optimizers.schedules.CosineDecay(0.1, decay_steps=4), weight_decay=0.5)',
}


def optimizer_section():
    print("    // ---- optimizers: w0 = " + floats(W0) + ", b0 = " + floats(B0))
    print("    static final float[] W0 = " + floats(W0) + ";")
    print("    static final float[] B0 = " + floats(B0) + ";")
    print("    static final float[][] W_GRADS = {" + ", ".join(floats(g) for g in W_GRADS) + "};")
    print("    static final float[][] B_GRADS = {" + ", ".join(floats(g) for g in B_GRADS) + "};")
    for name, source in OPTIMIZERS.items():
        steps = run_optimizer(eval(source))
        print(f"    /** {source.replace('keras.optimizers.', '')}: (w, b) after steps 1, 2 and 3. */")
        print(f"    static final float[][] {name} = {{")
        for s in steps:
            print(f"        {floats(s)},")
        print("    };")


SCHEDULE_STEPS = list(range(0, 17))
SCHEDULES = {
    "EXPONENTIAL": 'keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5)',
    "EXPONENTIAL_STAIRCASE": 'keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5, staircase=True)',
    "PIECEWISE": 'keras.optimizers.schedules.PiecewiseConstantDecay([3, 6], [1.0, 0.5, 0.1])',
    "COSINE": 'keras.optimizers.schedules.CosineDecay(0.1, decay_steps=10)',
    "COSINE_ALPHA": 'keras.optimizers.schedules.CosineDecay(0.1, decay_steps=10, alpha=0.1)',
    "COSINE_WARMUP": 'keras.optimizers.schedules.CosineDecay(0.0, decay_steps=8, warmup_target=0.1, warmup_steps=4)',
    "COSINE_WARMUP_ALPHA": 'keras.optimizers.schedules.CosineDecay(0.01, decay_steps=8, alpha=0.2, warmup_target=0.1, warmup_steps=4)',
}


def schedule_section():
    print("    // ---- schedules at steps 0.." + str(SCHEDULE_STEPS[-1]))
    for name, source in SCHEDULES.items():
        s = eval(source)
        vals = [float(s(tf.constant(t, tf.int64))) for t in SCHEDULE_STEPS]
        print(f"    /** {source.replace('keras.optimizers.schedules.', '')} */")
        print(f"    static final float[] {name} = {floats(vals)};")


# ------------------------------------------------------------------ regularizers and a regularized Dense step
X = np.array([[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 1.0], [-1.0, 0.75, 0.5, -2.0],
              [0.0, 1.0, 1.0, 1.0], [2.0, -0.5, 0.0, 0.5]], np.float32)
Y = np.array([0, 2, 1, 2, 0], np.int32)
KERNEL = np.array([[0.2, -0.4, 0.1], [0.0, 0.3, -0.2], [-0.5, 0.1, 0.4], [0.3, 0.0, -0.1]], np.float32)
BIAS = np.array([0.05, -0.05, 0.0], np.float32)


def regularizer_section():
    print("    // ---- regularizers on KERNEL, and one SGD(0.1) step of Dense(3, softmax) with each of them")
    print("    static final float[][] X = {" + ", ".join(floats(r) for r in X) + "};")
    print("    static final int[] Y = {" + ", ".join(str(int(v)) for v in Y) + "};")
    print("    static final float[] KERNEL = " + floats(KERNEL.reshape(-1)) + ";")
    print("    static final float[] BIAS = " + floats(BIAS) + ";")
    regs = {
        "L1": keras.regularizers.L1(),
        "L2": keras.regularizers.L2(),
        "L1L2": keras.regularizers.L1L2(l1=0.01, l2=0.02),
    }
    for name, reg in regs.items():
        print(f"    static final float {name}_PENALTY = {f(float(reg(tf.constant(KERNEL))))};")
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax",
                                                                         kernel_regularizer=reg)])
        model.layers[0].set_weights([KERNEL, BIAS])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        loss_before = model.evaluate(X, Y, batch_size=5, verbose=0)
        train_loss = model.train_on_batch(X, Y)
        k, bias = model.layers[0].get_weights()
        print(f"    static final float {name}_EVAL_LOSS = {f(loss_before)};")
        print(f"    static final float {name}_TRAIN_LOSS = {f(train_loss)};")
        print(f"    static final float[] {name}_KERNEL_AFTER = {floats(k.reshape(-1))};")
        print(f"    static final float[] {name}_BIAS_AFTER = {floats(bias)};")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.layers[0].set_weights([KERNEL, BIAS])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    print(f"    static final float PLAIN_EVAL_LOSS = {f(model.evaluate(X, Y, batch_size=5, verbose=0))};")


# ------------------------------------------------------------------ callbacks driven by scripted logs
VAL_LOSS = [1.0, 0.8, 0.85, 0.79995, 0.9, 0.7, 0.75, 0.76, 0.77, 0.78, 0.69, 0.8]


def tiny_model(lr=0.1):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    model.layers[0].set_weights([np.zeros((1, 1), np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return model


def drive(cb, model, values, key="val_loss", on_begin=None):
    """Runs the callback over epochs with scripted logs; the model's weight is set to the epoch number before
    each epoch end, so restored weights say which epoch they come from. Returns (epochs run, per-epoch lr)."""
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_begin()
    lrs = []
    epochs_run = 0
    for epoch, v in enumerate(values):
        cb.on_epoch_begin(epoch)
        model.layers[0].set_weights([np.full((1, 1), epoch, np.float32)])
        logs = {key: v}
        cb.on_epoch_end(epoch, logs)
        lrs.append(float(model.optimizer.learning_rate.numpy()))
        epochs_run += 1
        if model.stop_training:
            break
    cb.on_train_end()
    return epochs_run, lrs


def callback_section():
    print("    // ---- callbacks driven by scripted logs; the model weight is the epoch index at each epoch end")
    print("    static final double[] VAL_LOSS = {" + ", ".join(repr(v) for v in VAL_LOSS) + "};")
    early = {
        "ES_DEFAULT": dict(),
        "ES_PATIENCE2": dict(patience=2),
        "ES_PATIENCE2_RESTORE": dict(patience=2, restore_best_weights=True),
        "ES_MIN_DELTA": dict(patience=1, min_delta=0.06),
        "ES_BASELINE": dict(patience=3, baseline=0.75, restore_best_weights=True),
        "ES_START_FROM": dict(patience=1, start_from_epoch=4, restore_best_weights=True),
        "ES_LONG_PATIENCE_RESTORE": dict(patience=20, restore_best_weights=True),
    }
    for name, kw in early.items():
        model = tiny_model()
        cb = keras.callbacks.EarlyStopping(**kw)
        epochs_run, _ = drive(cb, model, VAL_LOSS)
        weight = float(model.layers[0].get_weights()[0][0, 0])
        print(f"    /** EarlyStopping({kw}): epochs run, stopped_epoch, best_epoch, final weight. */")
        print(f"    static final int[] {name} = {{{epochs_run}, {cb.stopped_epoch}, {cb.best_epoch}, {int(weight)}}};")
    acc = [0.5, 0.6, 0.6, 0.55, 0.7]
    model = tiny_model()
    cb = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=1)
    epochs_run, _ = drive(cb, model, acc, key="val_accuracy")
    weight = float(model.layers[0].get_weights()[0][0, 0])
    print("    static final double[] VAL_ACCURACY = {" + ", ".join(repr(v) for v in acc) + "};")
    print("    /** EarlyStopping(monitor='val_accuracy', mode='max', patience=1) on VAL_ACCURACY: as above. */")
    print(f"    static final int[] ES_ACCURACY_MAX = {{{epochs_run}, {cb.stopped_epoch}, {cb.best_epoch}, {int(weight)}}};")

    plateau = {
        "RLR_PATIENCE2": dict(patience=2, factor=0.5),
        "RLR_COOLDOWN": dict(patience=1, factor=0.5, cooldown=2),
        "RLR_MIN_LR": dict(patience=1, factor=0.1, min_lr=0.005),
        "RLR_MIN_DELTA": dict(patience=1, factor=0.5, min_delta=0.06),
    }
    for name, kw in plateau.items():
        model = tiny_model(0.1)
        _, lrs = drive(keras.callbacks.ReduceLROnPlateau(**kw), model, VAL_LOSS)
        print(f"    /** ReduceLROnPlateau({kw}) from lr 0.1: the lr after each epoch end. */")
        print(f"    static final float[] {name} = {floats(lrs)};")

    with tempfile.TemporaryDirectory() as d:
        model = tiny_model()
        cb = keras.callbacks.ModelCheckpoint(os.path.join(d, "ckpt_{epoch}.keras"), save_best_only=True)
        drive(cb, model, VAL_LOSS)
        saved = sorted(int(n[len("ckpt_"):-len(".keras")]) for n in os.listdir(d))
        print("    /** ModelCheckpoint('ckpt_{epoch}.keras', save_best_only=True): the epochs in saved names. */")
        print("    static final int[] CHECKPOINT_SAVED = {" + ", ".join(map(str, saved)) + "};")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "log.csv")
        logs = [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.5},
                {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.375, "val_accuracy": 1.0}]
        for append, sep in ((False, ","), (True, ";")):
            cb = keras.callbacks.CSVLogger(path, separator=sep, append=append)
            cb.set_model(tiny_model())
            cb.on_train_begin()
            for e, l in enumerate(logs):
                cb.on_epoch_end(e, dict(l))
            cb.on_train_end()
        csv_val = open(path, newline="").read()
        cb = keras.callbacks.CSVLogger(path)
        cb.set_model(tiny_model())
        cb.on_train_begin()
        cb.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
        cb.on_train_end()
        csv_train_only = open(path, newline="").read()
        print("    /** CSVLogger: two epochs with ',', then the same two appended with ';'. */")
        print("    static final String CSV_APPENDED = " + java_string(csv_val) + ";")
        print("    /** CSVLogger without validation keys: Keras adds val_ columns filled with NA. */")
        print("    static final String CSV_TRAIN_ONLY = " + java_string(csv_train_only) + ";")


def java_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n") + '"'


if __name__ == "__main__":
    print(f"    // generated by core/src/test/python/make_training_reference.py with Keras {keras.__version__},"
          f" TensorFlow {tf.__version__}")
    optimizer_section()
    schedule_section()
    regularizer_section()
    callback_section()
