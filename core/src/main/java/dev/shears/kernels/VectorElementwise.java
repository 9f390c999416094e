package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the frequent element-wise kernels of {@link Elementwise}, with scalar tails and
 * the same results bit for bit (NaN and -0 included). Loaded only when {@link Kernels} found the module.
 */
final class VectorElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    /** Eight floats: the length of the unfolding's typical run (an 8-wide output row), whatever the preferred width. */
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;

    private VectorElementwise() {
    }

    /** dst[to, to + len) = src[from, from + len), eight floats at a time: short runs without a call to arraycopy. */
    static void copyRun(float[] src, int from, float[] dst, int to, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            FloatVector.fromArray(S8, src, from + i).intoArray(dst, to + i);
        }
        for (; i < len; i++) {
            dst[to + i] = src[from + i];
        }
    }

    /** dst[to, to + len) += src[from, from + len), eight floats at a time. */
    static void addRun(float[] dst, int to, float[] src, int from, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            FloatVector.fromArray(S8, dst, to + i).add(FloatVector.fromArray(S8, src, from + i)).intoArray(dst, to + i);
        }
        for (; i < len; i++) {
            dst[to + i] += src[from + i];
        }
    }

    /** y = max(x, 0) like {@code x < 0 ? 0 : x}: NaN (and -0) pass through unchanged. */
    static void relu(float[] y, float[] x, int len) {
        relu(y, x, 0, len);
    }

    /** y[i] = max(x[i], 0) for i in [from, to); y may be x. */
    static void relu(float[] y, float[] x, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += V) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            v.blend(zero, v.compare(VectorOperators.LT, 0f)).intoArray(y, i);
        }
        for (; i < to; i++) {
            float v = x[i];
            y[i] = v < 0f ? 0f : v;
        }
    }

    /** dX += dY where y > 0. */
    static void reluBackward(float[] dX, float[] dY, float[] y, int len) {
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += V) {
            VectorMask<Float> on = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f);
            FloatVector dx = FloatVector.fromArray(S, dX, i);
            dx.blend(dx.add(FloatVector.fromArray(S, dY, i)), on).intoArray(dX, i);
        }
        for (; i < len; i++) {
            if (y[i] > 0f) {
                dX[i] += dY[i];
            }
        }
    }

    /** y (rows,cols) += bias (cols) on every row. */
    static void addBiasRows(float[] y, float[] bias, int rows, int cols) {
        addBiasRows(y, 0, bias, rows, cols);
    }

    /** dBias (cols) += column sums of dY (rows,cols), summed row by row like the scalar kernel. */
    static void biasBackward(float[] dBias, float[] dY, int rows, int cols) {
        int full = S.loopBound(cols);
        for (int j = 0; j < full; j += V) {
            FloatVector acc = FloatVector.fromArray(S, dBias, j);
            for (int r = 0; r < rows; r++) {
                acc = acc.add(FloatVector.fromArray(S, dY, r * cols + j));
            }
            acc.intoArray(dBias, j);
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int j = full; j < cols; j++) {
                dBias[j] += dY[o + j];
            }
        }
    }

    /** dY[i] = 0 where y[i] is not positive, for i in [from, to). */
    static void reluMask(float[] dY, float[] y, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += V) {
            VectorMask<Float> off = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f).not();
            FloatVector.fromArray(S, dY, i).blend(zero, off).intoArray(dY, i);
        }
        for (; i < to; i++) {
            if (!(y[i] > 0f)) {
                dY[i] = 0f;
            }
        }
    }

    /** y (rows,cols) starting at offset += bias on every row. */
    static void addBiasRows(float[] y, int offset, float[] bias, int rows, int cols) {
        int full = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int o = offset + r * cols;
            int j = 0;
            for (; j < full; j += V) {
                FloatVector.fromArray(S, y, o + j).add(FloatVector.fromArray(S, bias, j)).intoArray(y, o + j);
            }
            for (; j < cols; j++) {
                y[o + j] += bias[j];
            }
        }
    }
}
