package dev.shears.nn;

import dev.shears.tensor.Tensor;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Keras's {@code Activation} layer: applies an {@link Activation} to its input, any shape in, the same
 * shape out, no parameters. Its {@link #type()} and file name are Keras's "Activation", config
 * {@code {"activation": "relu"}}; the Java class has another name only because {@link Activation} is the
 * enum of functions that Conv2D and Dense take too. Softmax works over the last dimension (the channels
 * of an image).
 *
 * <pre>{@code new ActivationLayer(Activation.GELU)  // keras.layers.Activation("gelu")}</pre>
 */
public final class ActivationLayer extends Layer {
    private final Activation activation;

    public ActivationLayer(Activation activation) {
        this.activation = Objects.requireNonNull(activation, "activation");
    }

    @Override
    public String type() {
        return "Activation";
    }

    @Override
    public Map<String, Object> config() {
        return configOf("activation", activation.kerasName());
    }

    /** Output the input's shape; no parameters. */
    @Override
    public Plan plan(int[] in) {
        return Plan.of(in);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        return plan(in).outputShape();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return activation.apply(x);
    }

    /** The function applied. */
    public Activation activation() {
        return activation;
    }
}
