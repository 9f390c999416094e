package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaskedConv}'s sparse kernels on the Vector API, over the kept weights only. Each output element is
 * one chain of fused multiply-adds in ascending index order from zero, the order of the dense GEMM's
 * tiles ({@link VectorGemm}), so skipping a pruned (zero) weight changes nothing but the time.
 */
final class MaskedConvVector {
    private static final VectorSpecies<Float> S = VectorGemm.S;
    private static final int V = VectorGemm.V;
    /** Positions per strip: four vectors, four independent chains per output. */
    static final int STRIP = 4 * V;

    private MaskedConvVector() {
    }

    /** yT (oc, rows) over positions [r0, r1): yT(o, r) = sum over kept k of W(k, o) uT(k, r). */
    static void forwardRows(float[] yT, float[] uT, float[] kernel, int rows, MaskedConv.Mask mask, int r0, int r1) {
        int oc = mask.oc();
        int[] start = mask.byOutputStart, rowOf = mask.rowOf;
        int r = r0;
        for (; r + STRIP <= r1; r += STRIP) {
            for (int o = 0; o < oc; o++) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int i = start[o], end = start[o + 1]; i < end; i++) {
                    int k = rowOf[i];
                    FloatVector w = FloatVector.broadcast(S, kernel[k * oc + o]);
                    int at = k * rows + r;
                    a0 = w.fma(FloatVector.fromArray(S, uT, at), a0);
                    a1 = w.fma(FloatVector.fromArray(S, uT, at + V), a1);
                    a2 = w.fma(FloatVector.fromArray(S, uT, at + 2 * V), a2);
                    a3 = w.fma(FloatVector.fromArray(S, uT, at + 3 * V), a3);
                }
                int to = o * rows + r;
                a0.intoArray(yT, to);
                a1.intoArray(yT, to + V);
                a2.intoArray(yT, to + 2 * V);
                a3.intoArray(yT, to + 3 * V);
            }
        }
        for (; r + V <= r1; r += V) {
            for (int o = 0; o < oc; o++) {
                FloatVector a = FloatVector.zero(S);
                for (int i = start[o], end = start[o + 1]; i < end; i++) {
                    int k = rowOf[i];
                    a = FloatVector.broadcast(S, kernel[k * oc + o]).fma(FloatVector.fromArray(S, uT, k * rows + r), a);
                }
                a.intoArray(yT, o * rows + r);
            }
        }
        for (; r < r1; r++) {
            for (int o = 0; o < oc; o++) {
                float a = 0f;
                for (int i = start[o], end = start[o + 1]; i < end; i++) {
                    int k = rowOf[i];
                    a = Math.fma(kernel[k * oc + o], uT[k * rows + r], a);
                }
                yT[o * rows + r] = a;
            }
        }
    }

    /** dUT (patch, rows) over positions [r0, r1): dUT(k, r) = sum over kept o of W(k, o) dYT(o, r). */
    static void backwardInputRows(float[] dUT, float[] dYT, float[] kernel, int rows, MaskedConv.Mask mask, int r0, int r1) {
        int oc = mask.oc(), patch = mask.patch();
        int[] start = mask.byRowStart, outputOf = mask.outputOf;
        int r = r0;
        for (; r + STRIP <= r1; r += STRIP) {
            for (int k = 0; k < patch; k++) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int i = start[k], end = start[k + 1]; i < end; i++) {
                    int o = outputOf[i];
                    FloatVector w = FloatVector.broadcast(S, kernel[k * oc + o]);
                    int at = o * rows + r;
                    a0 = w.fma(FloatVector.fromArray(S, dYT, at), a0);
                    a1 = w.fma(FloatVector.fromArray(S, dYT, at + V), a1);
                    a2 = w.fma(FloatVector.fromArray(S, dYT, at + 2 * V), a2);
                    a3 = w.fma(FloatVector.fromArray(S, dYT, at + 3 * V), a3);
                }
                int to = k * rows + r;
                a0.intoArray(dUT, to);
                a1.intoArray(dUT, to + V);
                a2.intoArray(dUT, to + 2 * V);
                a3.intoArray(dUT, to + 3 * V);
            }
        }
        for (; r + V <= r1; r += V) {
            for (int k = 0; k < patch; k++) {
                FloatVector a = FloatVector.zero(S);
                for (int i = start[k], end = start[k + 1]; i < end; i++) {
                    int o = outputOf[i];
                    a = FloatVector.broadcast(S, kernel[k * oc + o]).fma(FloatVector.fromArray(S, dYT, o * rows + r), a);
                }
                a.intoArray(dUT, k * rows + r);
            }
        }
        for (; r < r1; r++) {
            for (int k = 0; k < patch; k++) {
                float a = 0f;
                for (int i = start[k], end = start[k + 1]; i < end; i++) {
                    int o = outputOf[i];
                    a = Math.fma(kernel[k * oc + o], dYT[o * rows + r], a);
                }
                dUT[k * rows + r] = a;
            }
        }
    }

    /**
     * dKernel(k, o) += sum over r of uT(k, r) dYT(o, r) for the kept weights of patch rows [k0, k1). Each
     * sum is V lane chains over r (lane l takes r = l, l + V, ...), the lanes added in order, then the last
     * {@code rows mod V} terms chained on; four kept outputs of a row share each load of uT.
     */
    static void backwardKernelRows(float[] dKernel, float[] uT, float[] dYT, int rows, MaskedConv.Mask mask, int k0, int k1) {
        int oc = mask.oc();
        int[] start = mask.byRowStart, outputOf = mask.outputOf;
        int full = rows - rows % V;
        Scratch scratch = Scratch.get();
        float[] lanes = scratch.lanes = Scratch.atLeast(scratch.lanes, V);
        for (int k = k0; k < k1; k++) {
            int uRow = k * rows;
            int i = start[k];
            int end = start[k + 1];
            for (; i + 4 <= end; i += 4) {
                int d0 = outputOf[i] * rows, d1 = outputOf[i + 1] * rows, d2 = outputOf[i + 2] * rows, d3 = outputOf[i + 3] * rows;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int r = 0; r < full; r += V) {
                    FloatVector u = FloatVector.fromArray(S, uT, uRow + r);
                    a0 = u.fma(FloatVector.fromArray(S, dYT, d0 + r), a0);
                    a1 = u.fma(FloatVector.fromArray(S, dYT, d1 + r), a1);
                    a2 = u.fma(FloatVector.fromArray(S, dYT, d2 + r), a2);
                    a3 = u.fma(FloatVector.fromArray(S, dYT, d3 + r), a3);
                }
                a0.intoArray(lanes, 0);
                dKernel[k * oc + outputOf[i]] += finish(lanes, uT, uRow, dYT, d0, full, rows);
                a1.intoArray(lanes, 0);
                dKernel[k * oc + outputOf[i + 1]] += finish(lanes, uT, uRow, dYT, d1, full, rows);
                a2.intoArray(lanes, 0);
                dKernel[k * oc + outputOf[i + 2]] += finish(lanes, uT, uRow, dYT, d2, full, rows);
                a3.intoArray(lanes, 0);
                dKernel[k * oc + outputOf[i + 3]] += finish(lanes, uT, uRow, dYT, d3, full, rows);
            }
            for (; i < end; i++) {
                int d = outputOf[i] * rows;
                FloatVector a = FloatVector.zero(S);
                for (int r = 0; r < full; r += V) {
                    a = FloatVector.fromArray(S, uT, uRow + r).fma(FloatVector.fromArray(S, dYT, d + r), a);
                }
                a.intoArray(lanes, 0);
                dKernel[k * oc + outputOf[i]] += finish(lanes, uT, uRow, dYT, d, full, rows);
            }
        }
    }

    /** The lanes summed in lane order, then the tail positions [full, rows) chained on. */
    private static float finish(float[] lanes, float[] uT, int uRow, float[] dYT, int dRow, int full, int rows) {
        float s = lanes[0];
        for (int l = 1; l < V; l++) {
            s += lanes[l];
        }
        for (int r = full; r < rows; r++) {
            s = Math.fma(uT[uRow + r], dYT[dRow + r], s);
        }
        return s;
    }
}
