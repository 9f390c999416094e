package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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

    /** Lanes L/2 .. L-1. */
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(S, -1L << (L / 2));

    private SparseVector() {
    }

    /** Floats per vector. */
    static int lanes() {
        return L;
    }

    /**
     * Columns [0, returned) of out[outOff + r*outStride + j] = max(floor, out[..] + sum over i in
     * [ptr[ptrBase + r], ptr[ptrBase + r + 1]) of v[i] * x[off[i]*scale + j]), for j < width and rows
     * [rowFrom, rowTo) (floor 0 is a fused ReLU, -infinity none); the remaining columns are the caller's.
     * With {@code start} given, each row starts from start[r*L .. (r+1)*L) (its bias in every lane) instead of
     * out's old values, which then need not be written first.
     * Strips of four vectors keep that many independent accumulators, so the FMAs of one row's non-zeros
     * overlap instead of waiting on each other (strips of eight, reading each weight once for twice the
     * columns, measured no faster: the loads of x bound the loop); the last single vectors split the
     * non-zeros over four. Each strip of out is loaded once and stored once,
     * through the floor. One species (the preferred one, as the dense kernels use) throughout: mixing 256-
     * and 512-bit species in one JVM made both paths 10x slower.
     */
    static int csr(float[] out, int outOff, int outStride, float[] v, int[] off, int scale, int[] ptr, int ptrBase,
                   float[] x, int width, int rowFrom, int rowTo, float floor, float[] start) {
        FloatVector lo = FloatVector.broadcast(S, floor);
        int j = 0;
        for (; j + 4 * L <= width; j += 4 * L) {
            for (int r = rowFrom; r < rowTo; r++) {
                int o = outOff + r * outStride + j;
                csrStrip4(out, o, v, off, scale, ptr[ptrBase + r], ptr[ptrBase + r + 1], x, j, floor,
                        start == null ? out : start, start == null ? o : r * L, start == null ? L : 0);
            }
        }
        for (; j + L <= width; j += L) {
            for (int r = rowFrom; r < rowTo; r++) {
                int o = outOff + r * outStride + j;
                FloatVector a0 = FloatVector.fromArray(S, start == null ? out : start, start == null ? o : r * L);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = a1;
                FloatVector a3 = a1;
                int i = ptr[ptrBase + r];
                int to = ptr[ptrBase + r + 1];
                for (; i + 3 < to; i += 4) {
                    a0 = FloatVector.fromArray(S, x, off[i] * scale + j).fma(FloatVector.broadcast(S, v[i]), a0);
                    a1 = FloatVector.fromArray(S, x, off[i + 1] * scale + j).fma(FloatVector.broadcast(S, v[i + 1]), a1);
                    a2 = FloatVector.fromArray(S, x, off[i + 2] * scale + j).fma(FloatVector.broadcast(S, v[i + 2]), a2);
                    a3 = FloatVector.fromArray(S, x, off[i + 3] * scale + j).fma(FloatVector.broadcast(S, v[i + 3]), a3);
                }
                for (; i < to; i++) {
                    a0 = FloatVector.fromArray(S, x, off[i] * scale + j).fma(FloatVector.broadcast(S, v[i]), a0);
                }
                a0.add(a1).add(a2.add(a3)).max(lo).intoArray(out, o);
            }
        }
        return j;
    }

    /**
     * One row's four-vector strip of {@link #csr}: out[o .. o + 4L) = init[io + k*is] (vectors k = 0..3) plus
     * non-zeros [from, to). One set of accumulators: the loop is bound by its four vector loads per non-zero
     * (within 10% of a loads-only loop on the tutorial's second conv), and unrolling over two or four
     * non-zeros into more accumulators measured no faster.
     */
    private static void csrStrip4(float[] out, int o, float[] v, int[] off, int scale, int from, int to, float[] x, int j,
                                  float floor, float[] init, int io, int is) {
        FloatVector a0 = FloatVector.fromArray(S, init, io);
        FloatVector a1 = FloatVector.fromArray(S, init, io + is);
        FloatVector a2 = FloatVector.fromArray(S, init, io + 2 * is);
        FloatVector a3 = FloatVector.fromArray(S, init, io + 3 * is);
        for (int i = from; i < to; i++) {
            FloatVector wv = FloatVector.broadcast(S, v[i]);
            int xo = off[i] * scale + j;
            a0 = FloatVector.fromArray(S, x, xo).fma(wv, a0);
            a1 = FloatVector.fromArray(S, x, xo + L).fma(wv, a1);
            a2 = FloatVector.fromArray(S, x, xo + 2 * L).fma(wv, a2);
            a3 = FloatVector.fromArray(S, x, xo + 3 * L).fma(wv, a3);
        }
        // The floor comes as a float: a FloatVector argument of a call C2 does not inline would be boxed.
        FloatVector lo = FloatVector.broadcast(S, floor);
        a0.max(lo).intoArray(out, o);
        a1.max(lo).intoArray(out, o + L);
        a2.max(lo).intoArray(out, o + 2 * L);
        a3.max(lo).intoArray(out, o + 3 * L);
    }

    /**
     * {@link Sell#multiply} for whole slices [from, to): per slice, each step's values times x gathered at
     * its column indices, in four accumulators so consecutive steps' FMAs overlap. Kept above C2's
     * inlining size on purpose (four-way unrolled): inlined into the runtime's deep call chain, the
     * gather's own helpers passed the inlining depth limit, lost their intrinsics and ran 20x slower.
     */
    static void sell(float[] y, int yOff, float[] x, int xOff, float[] values, int[] colIdx, int[] sliceStart, int from, int to) {
        for (int s = from; s < to; s++) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int at = sliceStart[s];
            int end = sliceStart[s + 1];
            for (; at + 4 * L <= end; at += 4 * L) {
                a0 = FloatVector.fromArray(S, x, xOff, colIdx, at).fma(FloatVector.fromArray(S, values, at), a0);
                a1 = FloatVector.fromArray(S, x, xOff, colIdx, at + L).fma(FloatVector.fromArray(S, values, at + L), a1);
                a2 = FloatVector.fromArray(S, x, xOff, colIdx, at + 2 * L).fma(FloatVector.fromArray(S, values, at + 2 * L), a2);
                a3 = FloatVector.fromArray(S, x, xOff, colIdx, at + 3 * L).fma(FloatVector.fromArray(S, values, at + 3 * L), a3);
            }
            if (at + 2 * L <= end) {
                a0 = FloatVector.fromArray(S, x, xOff, colIdx, at).fma(FloatVector.fromArray(S, values, at), a0);
                a1 = FloatVector.fromArray(S, x, xOff, colIdx, at + L).fma(FloatVector.fromArray(S, values, at + L), a1);
                at += 2 * L;
            }
            if (at < end) {
                a2 = FloatVector.fromArray(S, x, xOff, colIdx, at).fma(FloatVector.fromArray(S, values, at), a2);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(y, yOff + s * L);
        }
    }

    /**
     * The vector part of {@link SparseKernels#shiftRows}: each row copied in whole vectors, the last one
     * overlapping the one before when the width is not a multiple of the vector; rows narrower than a
     * vector are copied as a whole vector whose extra lanes land on the rows after (written later, as rows
     * go in increasing order), or by the scalar loop where that would read or write past an array's end;
     * rows of exactly half a vector go two to a vector (half the stores: the tutorial's second conv, 8 wide).
     */
    static void shiftRows(float[] xs, float[] src, int srcOff, int c, int hp, int wp, int kw, int ow) {
        int d = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int kx = 0; kx < kw; kx++) {
                int s = srcOff + ch * hp * wp + kx;
                int r = 0;
                if (2 * ow == L) {
                    // Two rows per vector: the second row's run, loaded so that it lands in the upper half, blended in.
                    for (; r + 1 < hp; r += 2, s += 2 * wp, d += 2 * ow) {
                        FloatVector.fromArray(S, src, s).blend(FloatVector.fromArray(S, src, s + wp - ow), UPPER_HALF)
                                .intoArray(xs, d);
                    }
                }
                for (; r < hp; r++, s += wp, d += ow) {
                    if (ow >= L) {
                        int j = 0;
                        for (; j + L <= ow; j += L) {
                            FloatVector.fromArray(S, src, s + j).intoArray(xs, d + j);
                        }
                        if (j < ow) {
                            FloatVector.fromArray(S, src, s + ow - L).intoArray(xs, d + ow - L);
                        }
                    } else if (s + L <= src.length && d + L <= xs.length) {
                        FloatVector.fromArray(S, src, s).intoArray(xs, d);
                    } else {
                        System.arraycopy(src, s, xs, d, ow);
                    }
                }
            }
        }
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
