package dev.shears.kernels;

/**
 * Pooling kernels over NHWC images.
 *
 * <pre>{@code Pool.maxPool(y, argmax, x, n, h, w, c, 2, 2, 2, 2, oh, ow);}</pre>
 */
public final class Pool {
    private Pool() {
    }

    /** Below this many window reads per thread, pooling stays on the calling thread. */
    private static final int MIN_READS_PER_THREAD = 1 << 15;

    /**
     * Max pooling, no padding: x (n,h,w,c) -> y (n,oh,ow,c). {@code argmax} (may be null at inference)
     * receives for each output the flat index into x of the first maximum in (ky,kx) scan order.
     */
    public static void maxPool(float[] y, int[] argmax, float[] x, int n, int h, int w, int c,
                               int ph, int pw, int sh, int sw, int oh, int ow) {
        // Scalar on purpose: a Vector API version (compare/blend with an IntVector argmax) measured 2-30x
        // slower than this loop on JDK 17.
        int grain = Math.max(1, MIN_READS_PER_THREAD / Math.max(1, ow * c * ph * pw));
        Parallel.common().forRange(n * oh, grain, (from, to) -> {
            for (int r = from; r < to; r++) {
                int b = r / oh;
                int oy = r % oh;
                for (int ox = 0; ox < ow; ox++) {
                    maxPoolPixel(y, argmax, x, w, c, ph, pw, (r * ow + ox) * c, ((b * h + oy * sh) * w + ox * sw) * c, 0);
                }
            }
        });
    }

    /**
     * One output pixel, channels {@code [ch0, c)}: y[o+ch] = max over the window starting at x[base+ch],
     * scanned in (ky,kx) order, the first maximum winning.
     */
    private static void maxPoolPixel(float[] y, int[] argmax, float[] x, int w, int c, int ph, int pw,
                             int o, int base, int ch0) {
        // Channel outer, window inner: the running maximum stays in a register instead of being
        // stored and reloaded from y for every window element.
        for (int ch = ch0; ch < c; ch++) {
            float best = x[base + ch];
            int bestIdx = base + ch;
            for (int ky = 0; ky < ph; ky++) {
                int rowStart = base + ky * w * c + ch;
                for (int kx = 0; kx < pw; kx++) {
                    int in = rowStart + kx * c;
                    float v = x[in];
                    if (v > best) {
                        best = v;
                        bestIdx = in;
                    }
                }
            }
            y[o + ch] = best;
            if (argmax != null) {
                argmax[o + ch] = bestIdx;
            }
        }
    }

    /** Backward of {@link #maxPool}: dX[argmax[i]] += dY[i] for each of the {@code count} outputs. */
    public static void maxPoolBackward(float[] dX, float[] dY, int[] argmax, int count) {
        for (int i = 0; i < count; i++) {
            dX[argmax[i]] += dY[i];
        }
    }

    /** Global average pooling: x (n,hw,c) -> y (n,c), the mean over the hw positions. */
    public static void globalAvgPool(float[] y, float[] x, int n, int hw, int c) {
        float scale = 1f / hw;
        for (int b = 0; b < n; b++) {
            int yo = b * c;
            java.util.Arrays.fill(y, yo, yo + c, 0f);
            for (int p = 0; p < hw; p++) {
                int xo = (b * hw + p) * c;
                for (int ch = 0; ch < c; ch++) {
                    y[yo + ch] += x[xo + ch];
                }
            }
            for (int ch = 0; ch < c; ch++) {
                y[yo + ch] *= scale;
            }
        }
    }

    /** Backward of {@link #globalAvgPool}: dX (n,hw,c) += dY (n,c) / hw. */
    public static void globalAvgPoolBackward(float[] dX, float[] dY, int n, int hw, int c) {
        float scale = 1f / hw;
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < hw; p++) {
                int xo = (b * hw + p) * c;
                for (int ch = 0; ch < c; ch++) {
                    dX[xo + ch] += dY[b * c + ch] * scale;
                }
            }
        }
    }
}
