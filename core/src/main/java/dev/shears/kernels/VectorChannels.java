package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per-channel multiply-adds over runs of contiguous channels on the Vector API, for {@link Depthwise} and
 * {@link BatchNorm}. C2 does not vectorise these loops by itself (an output and an input array could be the
 * same array), and a vector accumulator carried across the tap loops is not kept in a register by JDK 17
 * (it is boxed on every iteration), so each tap is one pass over the channels: load, fma, store. Loaded
 * only when {@link Kernels} found the module.
 */
final class VectorChannels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    private VectorChannels() {
    }

    /** dst[d + i] += a[ai + i] · b[bi + i] for i in [0, len). */
    static void multiplyAdd(float[] dst, int d, float[] a, int ai, float[] b, int bi, int len) {
        int i = 0;
        for (; i + V <= len; i += V) {
            FloatVector.fromArray(S, a, ai + i).fma(FloatVector.fromArray(S, b, bi + i), FloatVector.fromArray(S, dst, d + i))
                    .intoArray(dst, d + i);
        }
        for (; i < len; i++) {
            dst[d + i] += a[ai + i] * b[bi + i];
        }
    }

    /** Rows [from, to) of (rows, c): y = x · scale + shift per channel. */
    static void affineRows(float[] y, float[] x, float[] scale, float[] shift, int from, int to, int c) {
        for (int r = from; r < to; r++) {
            int o = r * c;
            int ch = 0;
            for (; ch + V <= c; ch += V) {
                FloatVector.fromArray(S, x, o + ch).fma(FloatVector.fromArray(S, scale, ch), FloatVector.fromArray(S, shift, ch))
                        .intoArray(y, o + ch);
            }
            for (; ch < c; ch++) {
                y[o + ch] = x[o + ch] * scale[ch] + shift[ch];
            }
        }
    }

    /**
     * Rows [from, to) of (rows, c), batch norm's training-mode input gradient:
     * dX += a · (dY - meanDy - (x - mean) · invStd · meanDyXhat) per channel.
     */
    static void batchNormInputGradientRows(float[] dX, float[] dY, float[] x, float[] mean, float[] invStd, float[] a,
                                           float[] meanDy, float[] meanDyXhat, int from, int to, int c) {
        for (int r = from; r < to; r++) {
            int o = r * c;
            int ch = 0;
            for (; ch + V <= c; ch += V) {
                FloatVector xhat = FloatVector.fromArray(S, x, o + ch).sub(FloatVector.fromArray(S, mean, ch))
                        .mul(FloatVector.fromArray(S, invStd, ch));
                FloatVector g = FloatVector.fromArray(S, dY, o + ch).sub(FloatVector.fromArray(S, meanDy, ch))
                        .sub(xhat.mul(FloatVector.fromArray(S, meanDyXhat, ch)));
                FloatVector.fromArray(S, a, ch).fma(g, FloatVector.fromArray(S, dX, o + ch)).intoArray(dX, o + ch);
            }
            for (; ch < c; ch++) {
                float xhat = (x[o + ch] - mean[ch]) * invStd[ch];
                dX[o + ch] += a[ch] * (dY[o + ch] - meanDy[ch] - xhat * meanDyXhat[ch]);
            }
        }
    }
}
