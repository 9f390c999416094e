package dev.shears.kernels;

import java.util.Arrays;

/**
 * Explicit zero padding of NHWC images, Keras's {@code ZeroPadding2D}: x (n,h,w,c) -> y (n, top+h+bottom,
 * left+w+right, c) with x in the interior and zeros around it, and its backward, the interior crop.
 * Each padded row is a fill, one copy of a whole input row (w*c contiguous floats) and a fill.
 *
 * <pre>{@code Padding2D.zeroPad(y, x, n, h, w, c, 1, 1, 1, 1);}</pre>
 */
public final class Padding2D {
    private Padding2D() {
    }

    /** Below this many output floats per thread, padding stays on the calling thread: it is a memory copy. */
    private static final int MIN_FLOATS_PER_THREAD = 1 << 16;

    /**
     * y (n, h+top+bottom, w+left+right, c) = x (n,h,w,c) surrounded by zeros. Every element of y is
     * written, so y may hold anything before (a reused buffer).
     */
    public static void zeroPad(float[] y, float[] x, int n, int h, int w, int c, int top, int bottom, int left, int right) {
        int oh = h + top + bottom;
        int rowIn = w * c;
        int rowOut = (w + left + right) * c;
        int leftLen = left * c;
        int grain = Math.max(1, MIN_FLOATS_PER_THREAD / Math.max(1, oh * rowOut));
        Parallel.common().forRange(n, grain, (from, to) -> {
            for (int b = from; b < to; b++) {
                int yo = b * oh * rowOut;
                Arrays.fill(y, yo, yo + top * rowOut, 0f);
                for (int r = 0; r < h; r++) {
                    int o = yo + (top + r) * rowOut;
                    Arrays.fill(y, o, o + leftLen, 0f);
                    System.arraycopy(x, (b * h + r) * rowIn, y, o + leftLen, rowIn);
                    Arrays.fill(y, o + leftLen + rowIn, o + rowOut, 0f);
                }
                Arrays.fill(y, yo + (top + h) * rowOut, yo + oh * rowOut, 0f);
            }
        });
    }

    /**
     * Backward of {@link #zeroPad}: dX (n,h,w,c) += dY (n, h+top+bottom, w+left+right, c) cropped to the
     * interior; the padding's gradient goes nowhere.
     */
    public static void zeroPadBackward(float[] dX, float[] dY, int n, int h, int w, int c, int top, int bottom, int left, int right) {
        int oh = h + top + bottom;
        int rowIn = w * c;
        int rowOut = (w + left + right) * c;
        int leftLen = left * c;
        int grain = Math.max(1, MIN_FLOATS_PER_THREAD / Math.max(1, h * rowIn));
        Parallel.common().forRange(n, grain, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int r = 0; r < h; r++) {
                    int xo = (b * h + r) * rowIn;
                    int o = (b * oh + top + r) * rowOut + leftLen;
                    // contiguous runs on both sides: C2 vectorises this add
                    for (int i = 0; i < rowIn; i++) {
                        dX[xo + i] += dY[o + i];
                    }
                }
            }
        });
    }
}
