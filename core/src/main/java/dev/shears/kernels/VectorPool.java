package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2x2 stride-2 max pooling on the Vector API, for channel counts that are a multiple of the vector
 * length (16 and 32 channels on 512-bit vectors). Loaded only when {@link Kernels} found the module.
 */
final class VectorPool {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int V = S.length();

    private VectorPool() {
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
