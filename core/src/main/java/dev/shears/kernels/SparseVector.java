package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the {@link SparseKernels} multiplies, register-blocked: for a strip of
 * {@code 4 * lanes} output columns, one output row's non-zeros accumulate in four vector registers and
 * the row is stored once, instead of loading and storing {@code out} for every non-zero. Loaded only
 * when the {@code jdk.incubator.vector} module is present ({@link SparseKernels#VECTOR}); columns left
 * over after whole vectors go to the scalar code.
 */
final class SparseVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private SparseVector() {
    }

    /**
     * Columns [0, returned) of out[r*outStride + j] = sum over i in row r of v[i] * x[off[i]*scale + j],
     * for j < width and rows [rowFrom, rowTo); the remaining columns are the caller's. Strips of eight,
     * then four, vectors keep that many independent accumulators, so the adds of one row's non-zeros
     * overlap instead of waiting on each other; the last single vectors split the non-zeros over four. One species (the preferred one, as the
     * dense kernels use) throughout: mixing 256- and 512-bit species in one JVM made both paths 10x slower.
     */
    static int csr(float[] out, int outStride, float[] v, int[] off, int scale, int[] ptr, float[] x, int width,
                   int rowFrom, int rowTo) {
        int j = 0;
        for (; j + 8 * L <= width; j += 8 * L) {
            for (int r = rowFrom; r < rowTo; r++) {
                csrStrip8(out, r * outStride + j, v, off, scale, ptr[r], ptr[r + 1], x, j);
            }
        }
        for (; j + 4 * L <= width; j += 4 * L) {
            for (int r = rowFrom; r < rowTo; r++) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int i = ptr[r]; i < ptr[r + 1]; i++) {
                    FloatVector wv = FloatVector.broadcast(S, v[i]);
                    int xo = off[i] * scale + j;
                    a0 = FloatVector.fromArray(S, x, xo).fma(wv, a0);
                    a1 = FloatVector.fromArray(S, x, xo + L).fma(wv, a1);
                    a2 = FloatVector.fromArray(S, x, xo + 2 * L).fma(wv, a2);
                    a3 = FloatVector.fromArray(S, x, xo + 3 * L).fma(wv, a3);
                }
                int o = r * outStride + j;
                a0.intoArray(out, o);
                a1.intoArray(out, o + L);
                a2.intoArray(out, o + 2 * L);
                a3.intoArray(out, o + 3 * L);
            }
        }
        for (; j + L <= width; j += L) {
            for (int r = rowFrom; r < rowTo; r++) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                int i = ptr[r];
                for (; i + 3 < ptr[r + 1]; i += 4) {
                    a0 = FloatVector.fromArray(S, x, off[i] * scale + j).fma(FloatVector.broadcast(S, v[i]), a0);
                    a1 = FloatVector.fromArray(S, x, off[i + 1] * scale + j).fma(FloatVector.broadcast(S, v[i + 1]), a1);
                    a2 = FloatVector.fromArray(S, x, off[i + 2] * scale + j).fma(FloatVector.broadcast(S, v[i + 2]), a2);
                    a3 = FloatVector.fromArray(S, x, off[i + 3] * scale + j).fma(FloatVector.broadcast(S, v[i + 3]), a3);
                }
                for (; i < ptr[r + 1]; i++) {
                    a0 = FloatVector.fromArray(S, x, off[i] * scale + j).fma(FloatVector.broadcast(S, v[i]), a0);
                }
                a0.add(a1).add(a2.add(a3)).intoArray(out, r * outStride + j);
            }
        }
        return j;
    }

    /** One row's eight-vector strip of {@link #csr}: out[o .. o + 8L) from non-zeros [from, to). */
    private static void csrStrip8(float[] out, int o, float[] v, int[] off, int scale, int from, int to, float[] x, int j) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        for (int i = from; i < to; i++) {
            FloatVector wv = FloatVector.broadcast(S, v[i]);
            int xo = off[i] * scale + j;
            a0 = FloatVector.fromArray(S, x, xo).fma(wv, a0);
            a1 = FloatVector.fromArray(S, x, xo + L).fma(wv, a1);
            a2 = FloatVector.fromArray(S, x, xo + 2 * L).fma(wv, a2);
            a3 = FloatVector.fromArray(S, x, xo + 3 * L).fma(wv, a3);
            a4 = FloatVector.fromArray(S, x, xo + 4 * L).fma(wv, a4);
            a5 = FloatVector.fromArray(S, x, xo + 5 * L).fma(wv, a5);
            a6 = FloatVector.fromArray(S, x, xo + 6 * L).fma(wv, a6);
            a7 = FloatVector.fromArray(S, x, xo + 7 * L).fma(wv, a7);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + L);
        a2.intoArray(out, o + 2 * L);
        a3.intoArray(out, o + 3 * L);
        a4.intoArray(out, o + 4 * L);
        a5.intoArray(out, o + 5 * L);
        a6.intoArray(out, o + 6 * L);
        a7.intoArray(out, o + 7 * L);
    }

    /** As {@link #csr} for 1x4 blocks: four input rows per stored index. */
    static int bsr4(float[] out, float[] v, int[] start, int[] ptr, float[] bT, int p, int rowFrom, int rowTo) {
        int j = 0;
        for (; j + 2 * L <= p; j += 2 * L) {
            for (int r = rowFrom; r < rowTo; r++) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                for (int b = ptr[r]; b < ptr[r + 1]; b++) {
                    int x = start[b] * p + j;
                    for (int t = 0; t < 4; t++) {
                        FloatVector wv = FloatVector.broadcast(S, v[4 * b + t]);
                        a0 = FloatVector.fromArray(S, bT, x + t * p).fma(wv, a0);
                        a1 = FloatVector.fromArray(S, bT, x + t * p + L).fma(wv, a1);
                    }
                }
                a0.intoArray(out, r * p + j);
                a1.intoArray(out, r * p + j + L);
            }
        }
        return j;
    }

    /** As {@link #csr} for 2:4: the two positions of each group come from its metadata byte. */
    static int twoFour(float[] out, float[] v, byte[] meta, int groups, float[] bT, int p, int rowFrom, int rowTo) {
        int j = 0;
        for (; j + 2 * L <= p; j += 2 * L) {
            for (int r = rowFrom; r < rowTo; r++) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                for (int g = 0; g < groups; g++) {
                    int q = r * groups + g;
                    int m = meta[q];
                    int xa = (4 * g + (m & 3)) * p + j;
                    int xb = (4 * g + ((m >> 2) & 3)) * p + j;
                    FloatVector wa = FloatVector.broadcast(S, v[2 * q]);
                    FloatVector wb = FloatVector.broadcast(S, v[2 * q + 1]);
                    a0 = FloatVector.fromArray(S, bT, xb).fma(wb, FloatVector.fromArray(S, bT, xa).fma(wa, a0));
                    a1 = FloatVector.fromArray(S, bT, xb + L).fma(wb, FloatVector.fromArray(S, bT, xa + L).fma(wa, a1));
                }
                a0.intoArray(out, r * p + j);
                a1.intoArray(out, r * p + j + L);
            }
        }
        return j;
    }
}
