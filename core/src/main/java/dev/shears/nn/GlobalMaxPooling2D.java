package dev.shears.nn;

import dev.shears.ops.ConvOps;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Maximum over height and width, Keras's default {@code keepdims=False}: (h, w, c) -> (c). The gradient
 * of a maximum reached at several positions is shared equally among them, as TensorFlow's.
 */
public final class GlobalMaxPooling2D extends Layer {
    @Override
    public String type() {
        return "GlobalMaxPooling2D";
    }

    @Override
    public Map<String, Object> config() {
        return configOf();
    }

    /** Output (c); no parameters. */
    @Override
    public Plan plan(int[] in) {
        if (in.length != 3) {
            throw new ShapeMismatchException("GlobalMaxPooling2D " + name() + " needs input (height, width, channels), got "
                    + Arrays.toString(in));
        }
        return Plan.of(in[2]);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        return plan(in).outputShape();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return ConvOps.globalMaxPool2d(x);
    }
}
