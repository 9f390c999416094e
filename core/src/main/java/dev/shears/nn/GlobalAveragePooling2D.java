package dev.shears.nn;

import dev.shears.ops.ConvOps;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/** Mean over height and width: (h, w, c) -> (c). */
public final class GlobalAveragePooling2D extends Layer {
    @Override
    public String type() {
        return "GlobalAveragePooling2D";
    }

    @Override
    public Map<String, Object> config() {
        return configOf();
    }

    @Override
    public Plan plan(int[] in) {
        if (in.length != 3) {
            throw new ShapeMismatchException("GlobalAveragePooling2D " + name() + " needs input (height, width, channels), got "
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
        return ConvOps.globalAvgPool2d(x);
    }
}
