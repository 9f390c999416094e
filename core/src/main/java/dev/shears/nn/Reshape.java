package dev.shears.nn;

import dev.shears.ops.Ops;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Shapes;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Keras's Reshape: each example's values, in row-major (NHWC) order, under a new shape. The target shape
 * excludes the batch; one entry may be -1, inferred from the input's size. No parameters, no copy.
 *
 * <pre>{@code new Reshape(7, 7, 16)  // Reshape((7, 7, 16)); new Reshape(-1, 8) infers the first entry}</pre>
 */
public final class Reshape extends Layer {
    private final int[] targetShape;

    /**
     * @throws IllegalArgumentException for an empty shape, an entry that is neither positive nor -1, or
     *                                  more than one -1
     */
    public Reshape(int... targetShape) {
        if (targetShape.length == 0) {
            throw new IllegalArgumentException("Reshape target_shape must have at least one entry");
        }
        int unknown = 0;
        for (int d : targetShape) {
            if (d == -1) {
                unknown++;
            } else if (d <= 0) {
                throw new IllegalArgumentException("Reshape target_shape entries must be positive or -1, got "
                        + Arrays.toString(targetShape));
            }
        }
        if (unknown > 1) {
            throw new IllegalArgumentException("Reshape target_shape may have only one -1, got " + Arrays.toString(targetShape));
        }
        this.targetShape = targetShape.clone();
    }

    @Override
    public String type() {
        return "Reshape";
    }

    @Override
    public Map<String, Object> config() {
        List<Integer> shape = new ArrayList<>();
        for (int d : targetShape) {
            shape.add(d);
        }
        return configOf("target_shape", shape);
    }

    /** Output the target shape, its -1 inferred from the input's size, which must match exactly; no parameters. */
    @Override
    public Plan plan(int[] in) {
        long size = Plan.count(in, "Reshape " + name() + " input");
        long known = 1;
        int unknownAt = -1;
        for (int i = 0; i < targetShape.length; i++) {
            if (targetShape[i] == -1) {
                unknownAt = i;
            } else {
                known = Plan.product(known, targetShape[i]); // saturates: a product above the input's size fails below
            }
        }
        int[] out = targetShape.clone();
        boolean fits = unknownAt < 0 ? known == size : size % known == 0;
        if (!fits) {
            throw new ShapeMismatchException("Reshape " + name() + ": input " + Arrays.toString(in) + " has " + size
                    + " values, which target_shape " + Arrays.toString(targetShape) + " cannot hold");
        }
        if (unknownAt >= 0) {
            out[unknownAt] = (int) (size / known); // at most size, an int
        }
        return Plan.of(out);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        return plan(in).outputShape();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireBuilt();
        return Ops.reshape(x, Shapes.prepend(x.shape(0), outputShape()));
    }

    /** The target shape as given, -1 included; {@link #outputShape()} has the inferred entry. */
    public int[] targetShape() {
        return targetShape.clone();
    }
}
