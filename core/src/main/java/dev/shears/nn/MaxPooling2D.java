package dev.shears.nn;

import dev.shears.ops.ConvOps;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Max pooling over (h, w) windows, valid padding; stride defaults to the pool size as in Keras.
 *
 * <pre>{@code new MaxPooling2D(2)}</pre>
 */
public final class MaxPooling2D extends Layer {
    private final int poolH;
    private final int poolW;
    private final int strideH;
    private final int strideW;

    /** Square pool, stride = pool size. */
    public MaxPooling2D(int poolSize) {
        this(poolSize, poolSize, poolSize, poolSize);
    }

    /** @throws IllegalArgumentException for non-positive sizes */
    public MaxPooling2D(int poolH, int poolW, int strideH, int strideW) {
        if (poolH <= 0 || poolW <= 0 || strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("MaxPooling2D pool size and strides must be positive, got pool "
                    + poolH + "x" + poolW + " strides " + strideH + "x" + strideW);
        }
        this.poolH = poolH;
        this.poolW = poolW;
        this.strideH = strideH;
        this.strideW = strideW;
    }

    @Override
    public String type() {
        return "MaxPooling2D";
    }

    @Override
    public Map<String, Object> config() {
        return configOf("pool_size", List.of(poolH, poolW), "strides", List.of(strideH, strideW), "padding", "valid");
    }

    @Override
    public Plan plan(int[] in) {
        if (in.length != 3 || in[0] < poolH || in[1] < poolW) {
            throw new ShapeMismatchException("MaxPooling2D " + name() + " needs input (height, width, channels) of at least "
                    + poolH + "x" + poolW + ", got " + Arrays.toString(in));
        }
        return Plan.of((in[0] - poolH) / strideH + 1, (in[1] - poolW) / strideW + 1, in[2]);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        return plan(in).outputShape();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return ConvOps.maxPool2d(x, poolH, poolW, strideH, strideW);
    }

    /** Pool size (h, w). */
    public int[] poolSize() {
        return new int[] {poolH, poolW};
    }

    /** Strides (h, w). */
    public int[] strides() {
        return new int[] {strideH, strideW};
    }
}
