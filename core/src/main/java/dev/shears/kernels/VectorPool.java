package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API max pooling over the channel axis of NHWC images: one vector holds V channels of one
 * output pixel; the window is scanned in (ky,kx) order and a lane is replaced only by a strictly greater
 * value, so the argmax is the first maximum, as in {@link ReferenceKernels#maxPool}.
 */
final class VectorPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int V = S.length();
    private static final IntVector IOTA = IntVector.zero(I).addIndex(1);

    private VectorPool() {
    }

    /** Rows {@code [from, to)} of {@code n*oh} output rows; see {@link Pool#maxPool}. */
    static void maxPoolRows(float[] y, int[] argmax, float[] x, int h, int w, int c,
                            int ph, int pw, int sh, int sw, int oh, int ow, int from, int to) {
        int full = S.loopBound(c);
        for (int r = from; r < to; r++) {
            int b = r / oh;
            int oy = r % oh;
            for (int ox = 0; ox < ow; ox++) {
                int o = (r * ow + ox) * c;
                int base = ((b * h + oy * sh) * w + ox * sw) * c;
                for (int ch = 0; ch < full; ch += V) {
                    FloatVector best = FloatVector.fromArray(S, x, base + ch);
                    IntVector bestIdx = IOTA.add(base + ch);
                    for (int ky = 0; ky < ph; ky++) {
                        for (int kx = 0; kx < pw; kx++) {
                            int in = base + (ky * w + kx) * c + ch;
                            FloatVector v = FloatVector.fromArray(S, x, in);
                            VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
                            best = best.blend(v, gt);
                            if (argmax != null) {
                                bestIdx = bestIdx.blend(IOTA.add(in), gt.cast(I));
                            }
                        }
                    }
                    best.intoArray(y, o + ch);
                    if (argmax != null) {
                        bestIdx.intoArray(argmax, o + ch);
                    }
                }
                if (full < c) {
                    Pool.maxPoolPixel(y, argmax, x, w, c, ph, pw, o, base, full);
                }
            }
        }
    }
}
