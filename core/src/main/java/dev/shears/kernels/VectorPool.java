package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2x2 stride-2 max pooling on the Vector API, for channel counts that are a multiple of the vector
 * length (16 and 32 channels on 512-bit vectors). Loaded only when {@link Kernels} found the module.
 */
final class VectorPool {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int V = S.length();

    /**
     * The even and the odd lanes of a vector pair (a, b), in order, are a.rearrange(X) for the low half of
     * the lanes and b.rearrange(X) for the high half, X = EVEN or ODD (lane i takes lane 2i (2i + 1) mod V).
     * One-vector shuffles and a blend: JDK 17's two-vector rearrange is not compiled to vector code and
     * measured slower than scalar pooling.
     */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> (2 * i) % V);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> (2 * i + 1) % V);
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(S, -1L << (V / 2));
    /** Swaps a vector's halves: for rows of V/2, the second row of a pair onto the first. */
    private static final VectorShuffle<Float> SWAP_HALVES = VectorShuffle.fromOp(S, i -> (i + V / 2) % V);

    private VectorPool() {
    }

    /**
     * 2x2 stride-2 max pooling of single-channel planes x (planes, h, w), h and w even, into y (planes, h/2,
     * w/2), through tmp (planes * h/2 * w, at least): first each pair of rows to its element-wise max, rows
     * of w wide vectors (the last one overlapping the one before), then, over the whole flat tmp at once
     * (pairs never straddle rows as w is even), each pair of neighbours to its max with the even/odd
     * shuffles above. Rows of half a vector take one vector per pair; other rows narrower than a vector
     * are maxed in scalar code.
     */
    static void forward2x2Planes(float[] y, float[] x, float[] tmp, int planes, int h, int w) {
        int rowPairs = planes * (h / 2);
        for (int q = 0; q < rowPairs; q++) {
            int r0 = 2 * q * w;
            int t = q * w;
            if (w >= V) {
                int j = 0;
                for (; j + V <= w; j += V) {
                    FloatVector.fromArray(S, x, r0 + j).max(FloatVector.fromArray(S, x, r0 + w + j)).intoArray(tmp, t + j);
                }
                if (j < w) {
                    j = w - V;
                    FloatVector.fromArray(S, x, r0 + j).max(FloatVector.fromArray(S, x, r0 + w + j)).intoArray(tmp, t + j);
                }
            } else if (2 * w == V && t + V <= tmp.length) {
                // Both rows in one vector; the upper half's result lands on the next pair's place, written later.
                FloatVector pair = FloatVector.fromArray(S, x, r0);
                pair.max(pair.rearrange(SWAP_HALVES)).intoArray(tmp, t);
            } else {
                for (int j = 0; j < w; j++) {
                    tmp[t + j] = Math.max(x[r0 + j], x[r0 + w + j]);
                }
            }
        }
        int total = rowPairs * w;
        int k = 0;
        for (; k + 2 * V <= total; k += 2 * V) {
            FloatVector a = FloatVector.fromArray(S, tmp, k);
            FloatVector b = FloatVector.fromArray(S, tmp, k + V);
            FloatVector even = a.rearrange(EVEN).blend(b.rearrange(EVEN), HIGH);
            FloatVector odd = a.rearrange(ODD).blend(b.rearrange(ODD), HIGH);
            even.max(odd).intoArray(y, k / 2);
        }
        for (; k < total; k += 2) {
            y[k / 2] = Math.max(tmp[k], tmp[k + 1]);
        }
    }

    /** Whether these kernels handle {@code c} channels. */
    static boolean supports(int c) {
        return c % V == 0;
    }

    /** Rows {@code [from, to)} of (n*oh): y (n,oh,ow,c) = max over each 2x2 window of x (n,h,w,c). */
    static void forward2x2(float[] y, float[] x, int h, int w, int c, int oh, int ow, int from, int to) {
        for (int r = from; r < to; r++) {
            int b = r / oh;
            int oy = r % oh;
            int row0 = (b * h + 2 * oy) * w * c;
            int row1 = row0 + w * c;
            int o = r * ow * c;
            for (int ox = 0; ox < ow; ox++) {
                int i0 = row0 + 2 * ox * c;
                int i1 = row1 + 2 * ox * c;
                for (int ch = 0; ch < c; ch += V) {
                    FloatVector a = FloatVector.fromArray(S, x, i0 + ch).max(FloatVector.fromArray(S, x, i0 + c + ch));
                    FloatVector d = FloatVector.fromArray(S, x, i1 + ch).max(FloatVector.fromArray(S, x, i1 + c + ch));
                    a.max(d).intoArray(y, o + ox * c + ch);
                }
            }
        }
    }

    /**
     * Images {@code [from, to)}: dX gets dY at the first of the four window positions (scan order) whose x
     * equals y; the windows do not overlap, so each dX element is written at most once.
     */
    static void backward2x2(float[] dX, float[] dY, float[] x, float[] y, int h, int w, int c, int oh, int ow,
                            int from, int to) {
        for (int b = from; b < to; b++) {
            for (int oy = 0; oy < oh; oy++) {
                int row0 = (b * h + 2 * oy) * w * c;
                int row1 = row0 + w * c;
                int o = (b * oh + oy) * ow * c;
                for (int ox = 0; ox < ow; ox++) {
                    int i0 = row0 + 2 * ox * c;
                    int i1 = row1 + 2 * ox * c;
                    for (int ch = 0; ch < c; ch += V) {
                        FloatVector t = FloatVector.fromArray(S, y, o + ox * c + ch);
                        FloatVector g = FloatVector.fromArray(S, dY, o + ox * c + ch);
                        VectorMask<Float> m0 = FloatVector.fromArray(S, x, i0 + ch).compare(VectorOperators.EQ, t);
                        VectorMask<Float> m1 = FloatVector.fromArray(S, x, i0 + c + ch).compare(VectorOperators.EQ, t).andNot(m0);
                        VectorMask<Float> taken = m0.or(m1);
                        VectorMask<Float> m2 = FloatVector.fromArray(S, x, i1 + ch).compare(VectorOperators.EQ, t).andNot(taken);
                        taken = taken.or(m2);
                        VectorMask<Float> m3 = FloatVector.fromArray(S, x, i1 + c + ch).compare(VectorOperators.EQ, t).andNot(taken);
                        addMasked(dX, i0 + ch, g, m0);
                        addMasked(dX, i0 + c + ch, g, m1);
                        addMasked(dX, i1 + ch, g, m2);
                        addMasked(dX, i1 + c + ch, g, m3);
                    }
                }
            }
        }
    }

    private static void addMasked(float[] dX, int at, FloatVector g, VectorMask<Float> m) {
        FloatVector d = FloatVector.fromArray(S, dX, at);
        d.add(g.blend(0f, m.not())).intoArray(dX, at);
    }
}
