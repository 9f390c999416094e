package dev.shears.tensor;

import java.util.Arrays;

/** Small helpers for shapes ({@code int[]}, row-major). */
public final class Shapes {
    private Shapes() {
    }

    /** Product of the dimensions, checked: every dimension must be positive. */
    public static long size(int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive, got " + Arrays.toString(shape));
            }
            size = Math.multiplyExact(size, d);
        }
        return size;
    }

    /** {@code prepend} followed by {@code shape}. */
    public static int[] prepend(int prepend, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = prepend;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    /** The shape without its first dimension. */
    public static int[] tail(int[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** Keras-style rendering: {@code (None, 24, 24, 16)}. */
    public static String describe(int[] shape, boolean withBatch) {
        StringBuilder sb = new StringBuilder("(");
        if (withBatch) {
            sb.append("None");
        }
        for (int i = 0; i < shape.length; i++) {
            if (withBatch || i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(")").toString();
    }
}
