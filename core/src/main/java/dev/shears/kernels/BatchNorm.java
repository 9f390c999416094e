package dev.shears.kernels;

/**
 * Batch normalization over the last axis of row-major data {@code x (rows, c)} (Keras's
 * BatchNormalization with axis -1; for NHWC images rows = n*h*w): per-channel batch statistics, the
 * per-channel affine map that training and inference both apply, the moving-average update and the backward.
 *
 * <p>Statistics and gradient sums are accumulated in double over fixed blocks of {@link #ROWS_PER_BLOCK}
 * rows whose partial sums are added in block order, so they are the same on any number of threads. The
 * element-wise passes run on the Vector API when {@link Kernels#vectorEnabled()} ({@link VectorChannels}),
 * else as plain loops over contiguous channels.
 *
 * <pre>{@code
 * BatchNorm.moments(mean, variance, x, rows, c);
 * BatchNorm.scaleShift(scale, shift, gamma, beta, mean, variance, 1e-3f, c);
 * BatchNorm.affine(y, x, scale, shift, rows, c);
 * }</pre>
 */
public final class BatchNorm {
    /** Rows per block of the reductions: a constant, so that sums do not depend on the thread count. */
    static final int ROWS_PER_BLOCK = 512;
    /** Values per parallel chunk of the element-wise passes: below this, waking a worker costs more. */
    private static final int ELEMENTS_PER_CHUNK = 1 << 16;

    private BatchNorm() {
    }

    /**
     * Per-channel batch statistics of x (rows, c): mean[ch] = Σ_r x[r,ch] / rows and the biased variance
     * variance[ch] = Σ_r (x[r,ch] - mean[ch])² / rows (two passes, in double), which is what Keras
     * normalises with and feeds to the moving variance.
     */
    public static void moments(float[] mean, float[] variance, float[] x, int rows, int c) {
        double[] m = new double[c];
        double[] part = new double[blocks(rows) * c];
        forBlocks(rows, c, (from, to, acc, o) -> {
            for (int r = from; r < to; r++) {
                int xo = r * c;
                for (int ch = 0; ch < c; ch++) {
                    acc[o + ch] += x[xo + ch];
                }
            }
        }, part);
        addBlocks(m, part, c);
        for (int ch = 0; ch < c; ch++) {
            m[ch] /= rows;
            mean[ch] = (float) m[ch];
        }
        double[] v = new double[c];
        java.util.Arrays.fill(part, 0);
        forBlocks(rows, c, (from, to, acc, o) -> {
            for (int r = from; r < to; r++) {
                int xo = r * c;
                for (int ch = 0; ch < c; ch++) {
                    double d = x[xo + ch] - m[ch];
                    acc[o + ch] += d * d;
                }
            }
        }, part);
        addBlocks(v, part, c);
        for (int ch = 0; ch < c; ch++) {
            variance[ch] = (float) (v[ch] / rows);
        }
    }

    /**
     * invStd[ch] = 1 / sqrt(variance[ch] + ε), in float as TensorFlow's {@code rsqrt(variance + epsilon)}:
     * the sum is rounded to float first.
     */
    public static void invStd(float[] invStd, float[] variance, float epsilon, int c) {
        for (int ch = 0; ch < c; ch++) {
            invStd[ch] = (float) (1.0 / Math.sqrt(variance[ch] + epsilon));
        }
    }

    /**
     * The normalisation as one affine map per channel, y = x·scale + shift with
     * scale = γ / sqrt(σ² + ε) and shift = β - μ·scale, computed in float in the order of TensorFlow's
     * {@code batch_normalization}. A null gamma means γ = 1 (Keras's scale=False), a null beta β = 0
     * (center=False).
     */
    public static void scaleShift(float[] scale, float[] shift, float[] gamma, float[] beta, float[] mean, float[] variance,
                                  float epsilon, int c) {
        invStd(scale, variance, epsilon, c);
        for (int ch = 0; ch < c; ch++) {
            float s = gamma == null ? scale[ch] : scale[ch] * gamma[ch];
            scale[ch] = s;
            shift[ch] = (beta == null ? 0f : beta[ch]) - mean[ch] * s;
        }
    }

    /** y (rows, c) = x·scale[ch] + shift[ch] on every row; y may be x. Rows split across threads. */
    public static void affine(float[] y, float[] x, float[] scale, float[] shift, int rows, int c) {
        int grain = Math.max(1, ELEMENTS_PER_CHUNK / Math.max(1, c));
        Parallel.common().forRange(rows, grain, (from, to) -> {
            if (Kernels.VECTOR) {
                VectorChannels.affineRows(y, x, scale, shift, from, to, c);
                return;
            }
            for (int r = from; r < to; r++) {
                int o = r * c;
                for (int ch = 0; ch < c; ch++) {
                    y[o + ch] = x[o + ch] * scale[ch] + shift[ch];
                }
            }
        });
    }

    /**
     * The same map on channel-major data, y (n, c, hw) = x·scale[ch] + shift[ch] over each channel's plane
     * (as planar sparse convs write it); y may be x.
     */
    public static void affinePlanes(float[] y, float[] x, float[] scale, float[] shift, int n, int c, int hw) {
        int grain = Math.max(1, ELEMENTS_PER_CHUNK / Math.max(1, hw));
        Parallel.common().forRange(n * c, grain, (from, to) -> {
            for (int p = from; p < to; p++) {
                int ch = p % c;
                float s = scale[ch];
                float t = shift[ch];
                int o = p * hw;
                for (int i = 0; i < hw; i++) {
                    y[o + i] = x[o + i] * s + t;
                }
            }
        });
    }

    /**
     * Keras's moving-average update, moving = moving·momentum + batch·(1 - momentum), in float with
     * (1 - momentum) formed in double first, as Python does before TensorFlow casts it.
     */
    public static void updateMoving(float[] moving, float[] batch, double momentum, int c) {
        float keep = (float) momentum;
        float take = (float) (1.0 - momentum);
        for (int ch = 0; ch < c; ch++) {
            moving[ch] = moving[ch] * keep + batch[ch] * take;
        }
    }

    /**
     * The per-channel sums of the backward, with x̂ = (x - mean)·invStd: sumDy[ch] = Σ_r dY[r,ch] (= dβ) and
     * sumDyXhat[ch] = Σ_r dY[r,ch]·x̂[r,ch] (= dγ). Overwrites both.
     */
    public static void gradientSums(double[] sumDy, double[] sumDyXhat, float[] dY, float[] x, float[] mean, float[] invStd,
                                    int rows, int c) {
        double[] part = new double[blocks(rows) * 2 * c];
        forBlocks(rows, 2 * c, (from, to, acc, o) -> {
            for (int r = from; r < to; r++) {
                int xo = r * c;
                for (int ch = 0; ch < c; ch++) {
                    float g = dY[xo + ch];
                    acc[o + ch] += g;
                    acc[o + c + ch] += (double) g * ((x[xo + ch] - mean[ch]) * invStd[ch]);
                }
            }
        }, part);
        double[] both = new double[2 * c];
        addBlocks(both, part, 2 * c);
        System.arraycopy(both, 0, sumDy, 0, c);
        System.arraycopy(both, c, sumDyXhat, 0, c);
    }

    /**
     * Training-mode input gradient, where mean and variance are the batch's own and so depend on x
     * (N = rows, x̂ = (x - mean)·invStd, γ = 1 when gamma is null):
     * dX += γ·invStd · (dY - sumDy/N - x̂·sumDyXhat/N).
     */
    public static void inputGradient(float[] dX, float[] dY, float[] x, float[] mean, float[] invStd, float[] gamma,
                                     double[] sumDy, double[] sumDyXhat, int rows, int c) {
        float[] a = new float[c];
        float[] meanDy = new float[c];
        float[] meanDyXhat = new float[c];
        for (int ch = 0; ch < c; ch++) {
            a[ch] = gamma == null ? invStd[ch] : gamma[ch] * invStd[ch];
            meanDy[ch] = (float) (sumDy[ch] / rows);
            meanDyXhat[ch] = (float) (sumDyXhat[ch] / rows);
        }
        int grain = Math.max(1, ELEMENTS_PER_CHUNK / Math.max(1, c));
        Parallel.common().forRange(rows, grain, (from, to) -> {
            if (Kernels.VECTOR) {
                VectorChannels.batchNormInputGradientRows(dX, dY, x, mean, invStd, a, meanDy, meanDyXhat, from, to, c);
                return;
            }
            for (int r = from; r < to; r++) {
                int o = r * c;
                for (int ch = 0; ch < c; ch++) {
                    float xhat = (x[o + ch] - mean[ch]) * invStd[ch];
                    dX[o + ch] += a[ch] * (dY[o + ch] - meanDy[ch] - xhat * meanDyXhat[ch]);
                }
            }
        });
    }

    /** Inference-mode input gradient, statistics fixed: dX (rows, c) += dY · scale[ch]. */
    public static void scaleGradient(float[] dX, float[] dY, float[] scale, int rows, int c) {
        int grain = Math.max(1, ELEMENTS_PER_CHUNK / Math.max(1, c));
        Parallel.common().forRange(rows, grain, (from, to) -> {
            for (int r = from; r < to; r++) {
                Depthwise.multiplyAdd(dX, r * c, dY, r * c, scale, 0, c);
            }
        });
    }

    /** Accumulates rows [from, to) into acc[o .. o + width). */
    private interface BlockBody {
        void run(int from, int to, double[] acc, int o);
    }

    private static int blocks(int rows) {
        return Math.max(1, (rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK);
    }

    /** Runs body on each block of rows, block k into part[k*width ..]; blocks split across threads. */
    private static void forBlocks(int rows, int width, BlockBody body, double[] part) {
        Parallel.common().forRange(blocks(rows), 1, (from, to) -> {
            for (int k = from; k < to; k++) {
                body.run(k * ROWS_PER_BLOCK, Math.min(rows, (k + 1) * ROWS_PER_BLOCK), part, k * width);
            }
        });
    }

    /** sum[i] += part[k*width + i] over the blocks k in order. */
    private static void addBlocks(double[] sum, double[] part, int width) {
        for (int o = 0; o < part.length; o += width) {
            for (int i = 0; i < width; i++) {
                sum[i] += part[o + i];
            }
        }
    }
}
