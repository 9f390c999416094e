package dev.shears.nn;

import dev.shears.ops.Ops;
import dev.shears.tensor.Tensor;

/** Activations a layer may apply to its output, named as in Keras. */
public enum Activation {
    /** Identity ("linear" in Keras). */
    LINEAR("linear"),
    /** max(x, 0). */
    RELU("relu"),
    /** Softmax over the last dimension. */
    SOFTMAX("softmax");

    private final String kerasName;

    Activation(String kerasName) {
        this.kerasName = kerasName;
    }

    /** The Keras name, e.g. "relu". */
    public String kerasName() {
        return kerasName;
    }

    /** Parses a Keras name ("relu", "softmax", "linear"). */
    public static Activation fromKerasName(String name) {
        for (Activation a : values()) {
            if (a.kerasName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "', expected linear, relu or softmax");
    }

    /** Applies the activation as a differentiable op. */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case LINEAR -> x;
            case RELU -> Ops.relu(x);
            case SOFTMAX -> Ops.softmax(x);
        };
    }
}
