package dev.shears.nn;

import dev.shears.ops.ConvOps;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Zero padding of images as in Keras: input (h, w, c), output (top + h + bottom, left + w + right, c),
 * zeros around the input. No parameters. With a 'valid' {@link Conv2D} after it, it expresses explicit
 * convolution pads that TensorFlow's 'same' rule does not give (e.g. PyTorch's {@code padding=1} with
 * stride 2).
 *
 * <pre>{@code new ZeroPadding2D(1)  // ZeroPadding2D(padding=1)}</pre>
 */
public final class ZeroPadding2D extends Layer {
    private final int top;
    private final int bottom;
    private final int left;
    private final int right;

    /** The same pad on all four sides. */
    public ZeroPadding2D(int padding) {
        this(padding, padding, padding, padding);
    }

    /** {@code padH} rows above and below, {@code padW} columns left and right. */
    public ZeroPadding2D(int padH, int padW) {
        this(padH, padH, padW, padW);
    }

    /**
     * Full form, Keras's {@code padding=((top, bottom), (left, right))}.
     *
     * @throws IllegalArgumentException for a negative pad
     */
    public ZeroPadding2D(int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("ZeroPadding2D pads must be >= 0, got ((top " + top + ", bottom " + bottom
                    + "), (left " + left + ", right " + right + "))");
        }
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    @Override
    public String type() {
        return "ZeroPadding2D";
    }

    @Override
    public Map<String, Object> config() {
        return configOf("padding", List.of(List.of(top, bottom), List.of(left, right)));
    }

    @Override
    public Plan plan(int[] in) {
        if (in.length != 3) {
            throw new ShapeMismatchException("ZeroPadding2D " + name() + " needs input (height, width, channels), got "
                    + Arrays.toString(in) + (in.length == 1 ? " (a flat vector: ZeroPadding2D cannot follow Flatten or Dense)" : ""));
        }
        return Plan.of(Plan.dim((long) in[0] + top + bottom, "ZeroPadding2D " + name() + " output height"),
                Plan.dim((long) in[1] + left + right, "ZeroPadding2D " + name() + " output width"), in[2]);
    }

    @Override
    protected int[] doBuild(int[] in, Random rng) {
        return plan(in).outputShape();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return ConvOps.zeroPad2d(x, top, bottom, left, right);
    }

    /** Rows added above. */
    public int top() {
        return top;
    }

    /** Rows added below. */
    public int bottom() {
        return bottom;
    }

    /** Columns added on the left. */
    public int left() {
        return left;
    }

    /** Columns added on the right. */
    public int right() {
        return right;
    }
}
