package dev.shears.data;

import java.util.Arrays;

/** A data set holds NaN or an infinity; thrown by {@link Dataset#checkFinite()}, naming where. */
public class NonFiniteValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int example;
    private final int feature;
    private final float value;

    /**
     * @param example      the example's position in the checked view
     * @param feature      the value's flat (row-major) index within the example
     * @param featureShape one example's shape, to name the value's coordinates
     * @param value        the value found
     */
    public NonFiniteValueException(int example, int feature, int[] featureShape, float value) {
        super("example " + example + " holds " + value + " at feature " + feature + " (position "
                + Arrays.toString(coordinates(feature, featureShape)) + " of shape " + Arrays.toString(featureShape)
                + "); the data must hold finite values only");
        this.example = example;
        this.feature = feature;
        this.value = value;
    }

    /** Row-major coordinates of a flat index within a shape. */
    private static int[] coordinates(int flat, int[] shape) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = flat % shape[d];
            flat /= shape[d];
        }
        return at;
    }

    /** The first bad example's position in the checked view. */
    public int exampleIndex() {
        return example;
    }

    /** The bad value's flat index within its example. */
    public int featureIndex() {
        return feature;
    }

    /** The bad value (NaN or an infinity). */
    public float value() {
        return value;
    }
}
