package dev.shears.nn;

import dev.shears.ops.ConvOps;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Average pooling over (h, w) windows as in Keras: strides default to the pool size, 'valid' or 'same'
 * padding; with 'same', a window that hangs over the border averages only its cells inside the image
 * (TensorFlow's rule, so border outputs are not pulled towards 0).
 *
 * <pre>{@code new AveragePooling2D(2)  // AveragePooling2D(pool_size=2)}</pre>
 */
public final class AveragePooling2D extends Layer {
    private final int poolH;
    private final int poolW;
    private final int strideH;
    private final int strideW;
    private final Padding padding;

    /** Square pool, stride = pool size, valid padding. */
    public AveragePooling2D(int poolSize) {
        this(poolSize, poolSize, poolSize, poolSize, Padding.VALID);
    }

    /** @throws IllegalArgumentException for non-positive sizes */
    public AveragePooling2D(int poolH, int poolW, int strideH, int strideW, Padding padding) {
        if (poolH <= 0 || poolW <= 0 || strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("AveragePooling2D pool size and strides must be positive, got pool "
                    + poolH + "x" + poolW + " strides " + strideH + "x" + strideW);
        }
        this.poolH = poolH;
        this.poolW = poolW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padding = Objects.requireNonNull(padding, "padding");
    }

    @Override
    public String type() {
        return "AveragePooling2D";
    }

    @Override
    public Map<String, Object> config() {
        return configOf("pool_size", List.of(poolH, poolW), "strides", List.of(strideH, strideW),
                "padding", padding.name().toLowerCase(Locale.ROOT));
    }

    /** Output (oh, ow, c), oh = {@link ConvOps#outputSize}; no parameters, no scratch. */
    @Override
    public Plan plan(int[] in) {
        if (in.length != 3) {
            throw new ShapeMismatchException("AveragePooling2D " + name() + " needs input (height, width, channels), got "
                    + Arrays.toString(in));
        }
        int oh = ConvOps.outputSize(in[0], poolH, strideH, padding);
        int ow = ConvOps.outputSize(in[1], poolW, strideW, padding);
        if (oh <= 0 || ow <= 0) {
            throw new ShapeMismatchException("AveragePooling2D " + name() + ": pool " + poolH + "x" + poolW
                    + " does not fit input " + Arrays.toString(in) + " with " + padding + " padding");
        }
        return Plan.of(oh, ow, in[2]);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        return plan(in).outputShape();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return ConvOps.avgPool2d(x, poolH, poolW, strideH, strideW, padding);
    }

    /** Pool size (h, w). */
    public int[] poolSize() {
        return new int[] {poolH, poolW};
    }

    /** Strides (h, w). */
    public int[] strides() {
        return new int[] {strideH, strideW};
    }

    /** Padding mode. */
    public Padding padding() {
        return padding;
    }
}
