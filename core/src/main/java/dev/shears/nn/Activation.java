package dev.shears.nn;

import dev.shears.ops.ActivationOps;
import dev.shears.ops.Ops;
import dev.shears.tensor.Tensor;

/**
 * Activations a layer may apply to its output, named and defined as in Keras 3 (with Keras's default
 * parameters where a function has one). All but softmax are element-wise.
 */
public enum Activation {
    /** Identity ("linear" in Keras). */
    LINEAR("linear"),
    /** max(x, 0). */
    RELU("relu"),
    /** Softmax over the last dimension. */
    SOFTMAX("softmax"),
    /** 1 / (1 + e^-x). */
    SIGMOID("sigmoid"),
    /** tanh(x). */
    TANH("tanh"),
    /** x for x > 0, else {@link #LEAKY_RELU_NEGATIVE_SLOPE} · x (Keras 3's default slope, 0.2). */
    LEAKY_RELU("leaky_relu"),
    /** x for x >= 0, else {@link #ELU_ALPHA} · (e^x - 1). */
    ELU("elu"),
    /** Exact GELU (Keras's default {@code approximate=False}): 0.5 x (1 + erf(x / √2)). */
    GELU("gelu"),
    /** x · sigmoid(x); Keras names it "silu" and accepts "swish" for it. */
    SILU("silu"),
    /** min(max(x, 0), 6). */
    RELU6("relu6");

    /** The slope of {@link #LEAKY_RELU} below 0: Keras 3's {@code leaky_relu} default. */
    public static final float LEAKY_RELU_NEGATIVE_SLOPE = 0.2f;
    /** The scale of {@link #ELU} below 0: Keras's {@code elu} default. */
    public static final float ELU_ALPHA = 1f;

    private final String kerasName;

    Activation(String kerasName) {
        this.kerasName = kerasName;
    }

    /** The Keras name, e.g. "relu". */
    public String kerasName() {
        return kerasName;
    }

    /** Parses a Keras name ("relu", "gelu", ...); "swish" is Keras's alias of "silu". */
    public static Activation fromKerasName(String name) {
        if ("swish".equals(name)) {
            return SILU;
        }
        for (Activation a : values()) {
            if (a.kerasName.equals(name)) {
                return a;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Activation a : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(a.kerasName);
        }
        throw new IllegalArgumentException("unknown activation '" + name + "', expected one of " + known + " (or swish)");
    }

    /** Applies the activation as a differentiable op. */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case LINEAR -> x;
            case RELU -> Ops.relu(x);
            case SOFTMAX -> Ops.softmax(x);
            case SIGMOID -> ActivationOps.sigmoid(x);
            case TANH -> ActivationOps.tanh(x);
            case LEAKY_RELU -> ActivationOps.leakyRelu(x, LEAKY_RELU_NEGATIVE_SLOPE);
            case ELU -> ActivationOps.elu(x, ELU_ALPHA);
            case GELU -> ActivationOps.gelu(x);
            case SILU -> ActivationOps.silu(x);
            case RELU6 -> ActivationOps.relu6(x);
        };
    }
}
