package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaskedConv}'s sparse kernels on the Vector API, over the kept weights only, on operands stored in
 * blocks of {@link MaskedConv#BLOCK} positions. Each output element is one chain of fused multiply-adds in
 * ascending index order from zero, the order of the dense GEMM's tiles ({@link VectorGemm}), so skipping a
 * pruned (zero) weight changes nothing but the time.
 */
final class MaskedConvVector {
    private static final VectorSpecies<Float> S = VectorGemm.S;
    private static final int V = VectorGemm.V;
    private static final int BLOCK = MaskedConv.BLOCK;
    private static final int BLOCK_SHIFT = Integer.numberOfTrailingZeros(BLOCK);

    private MaskedConvVector() {
    }

    /**
     * yT (oc, BLOCK) = kernel^T · uT for the first {@code m} positions of one block of uT (patch rows from
     * {@code uOff}, BLOCK apart): yT(o, r) = sum over kept k of W(k, o) uT(k, r).
     */
    static void forwardBlock(float[] yT, float[] uT, int uOff, float[] kernel, MaskedConv.Mask mask, int m) {
        int oc = mask.oc();
        for (int o = 0; o < oc; o++) {
            // output o: kept rows rowOf[start[o] ..], weights kernel[o + k * oc]
            sumRows(yT, o * BLOCK, uT, uOff, kernel, o, oc, mask.rowOf, mask.byOutputStart[o], mask.byOutputStart[o + 1], m);
        }
    }

    /**
     * One block of dUT (patch rows from {@code dUOff}) over its first {@code m} positions: dUT(k, r) = sum
     * over kept o of W(k, o) dYT(o, r), dYT's block rows from {@code dYOff}.
     */
    static void backwardInputBlock(float[] dUT, int dUOff, float[] dYT, int dYOff, float[] kernel, MaskedConv.Mask mask, int m) {
        int oc = mask.oc(), patch = mask.patch();
        for (int k = 0; k < patch; k++) {
            // patch row k: kept outputs outputOf[start[k] ..], weights kernel[k * oc + o]
            sumRows(dUT, dUOff + k * BLOCK, dYT, dYOff, kernel, k * oc, 1, mask.outputOf, mask.byRowStart[k], mask.byRowStart[k + 1], m);
        }
    }

    /**
     * out[outAt + r] = sum over entries i in [from, to) of kernel[wBase + idx[i] * wStride] *
     * src[srcAt + idx[i] * BLOCK + r] for r in [0, m): one chain per position, entries in order, from zero.
     * Strips of eight vectors (eight independent chains cover the FMA latency; four left the core waiting on
     * it), then single vectors, then scalar {@link Math#fma}, which rounds as a vector lane does.
     */
    private static void sumRows(float[] out, int outAt, float[] src, int srcAt, float[] kernel, int wBase, int wStride,
                                int[] idx, int from, int to, int m) {
        int r = 0;
        for (; r + 8 * V <= m; r += 8 * V) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int i = from; i < to; i++) {
                FloatVector w = FloatVector.broadcast(S, kernel[wBase + idx[i] * wStride]);
                int at = srcAt + idx[i] * BLOCK + r;
                a0 = w.fma(FloatVector.fromArray(S, src, at), a0);
                a1 = w.fma(FloatVector.fromArray(S, src, at + V), a1);
                a2 = w.fma(FloatVector.fromArray(S, src, at + 2 * V), a2);
                a3 = w.fma(FloatVector.fromArray(S, src, at + 3 * V), a3);
                a4 = w.fma(FloatVector.fromArray(S, src, at + 4 * V), a4);
                a5 = w.fma(FloatVector.fromArray(S, src, at + 5 * V), a5);
                a6 = w.fma(FloatVector.fromArray(S, src, at + 6 * V), a6);
                a7 = w.fma(FloatVector.fromArray(S, src, at + 7 * V), a7);
            }
            int o = outAt + r;
            a0.intoArray(out, o);
            a1.intoArray(out, o + V);
            a2.intoArray(out, o + 2 * V);
            a3.intoArray(out, o + 3 * V);
            a4.intoArray(out, o + 4 * V);
            a5.intoArray(out, o + 5 * V);
            a6.intoArray(out, o + 6 * V);
            a7.intoArray(out, o + 7 * V);
        }
        for (; r + V <= m; r += V) {
            FloatVector a = FloatVector.zero(S);
            for (int i = from; i < to; i++) {
                a = FloatVector.broadcast(S, kernel[wBase + idx[i] * wStride]).fma(FloatVector.fromArray(S, src, srcAt + idx[i] * BLOCK + r), a);
            }
            a.intoArray(out, outAt + r);
        }
        for (; r < m; r++) {
            float a = 0f;
            for (int i = from; i < to; i++) {
                a = Math.fma(kernel[wBase + idx[i] * wStride], src[srcAt + idx[i] * BLOCK + r], a);
            }
            out[outAt + r] = a;
        }
    }

    /**
     * dKernel(k, o) += sum over r of uT(k, r) dYT(o, r) for the kept weights of patch rows [k0, k1), both
     * operands blocked. Each sum is V lane chains over r (lane l takes r = l, l + V, ...; BLOCK is a
     * multiple of V, so a vector never straddles two blocks), the lanes added in order, then the last
     * {@code rows mod V} terms chained on. A row's kept outputs go eight at a time, sharing each load of uT.
     */
    static void backwardKernelRows(float[] dKernel, float[] uT, float[] dYT, int rows, MaskedConv.Mask mask, int k0, int k1) {
        int oc = mask.oc(), patch = mask.patch();
        int[] start = mask.byRowStart, outputOf = mask.outputOf;
        int full = rows - rows % V;
        Scratch scratch = Scratch.get();
        float[] lanes = scratch.lanes = Scratch.atLeast(scratch.lanes, 8 * V);
        int uStride = patch * BLOCK, dStride = oc * BLOCK;
        for (int k = k0; k < k1; k++) {
            for (int i = start[k], end = start[k + 1]; i < end; i += 8) {
                eight(dKernel, uT, dYT, k, oc, outputOf, i, Math.min(8, end - i), full, rows, uStride, dStride, lanes);
            }
        }
    }

    /**
     * backwardKernelRows for the {@code count} (1 to 8) kept outputs of row k at entries [i, i + count): one
     * load of uT per eight FMAs. A group of fewer than eight repeats its last output in the spare chains and
     * drops their sums: eight independent chains cost about what a single one costs, which waits on the FMA
     * latency at every step.
     */
    private static void eight(float[] dKernel, float[] uT, float[] dYT, int k, int oc, int[] outputOf, int i, int count,
                              int full, int rows, int uStride, int dStride, float[] lanes) {
        int last = i + count - 1;
        int d0 = outputOf[i] * BLOCK, d1 = outputOf[Math.min(i + 1, last)] * BLOCK;
        int d2 = outputOf[Math.min(i + 2, last)] * BLOCK, d3 = outputOf[Math.min(i + 3, last)] * BLOCK;
        int d4 = outputOf[Math.min(i + 4, last)] * BLOCK, d5 = outputOf[Math.min(i + 5, last)] * BLOCK;
        int d6 = outputOf[Math.min(i + 6, last)] * BLOCK, d7 = outputOf[Math.min(i + 7, last)] * BLOCK;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        // one flat loop over the positions (a loop nest over blocks made C2 box the accumulators)
        for (int r = 0; r < full; r += V) {
            int blk = r >>> BLOCK_SHIFT, at = r & (BLOCK - 1);
            int d = blk * dStride + at;
            FloatVector x = FloatVector.fromArray(S, uT, blk * uStride + k * BLOCK + at);
            a0 = x.fma(FloatVector.fromArray(S, dYT, d + d0), a0);
            a1 = x.fma(FloatVector.fromArray(S, dYT, d + d1), a1);
            a2 = x.fma(FloatVector.fromArray(S, dYT, d + d2), a2);
            a3 = x.fma(FloatVector.fromArray(S, dYT, d + d3), a3);
            a4 = x.fma(FloatVector.fromArray(S, dYT, d + d4), a4);
            a5 = x.fma(FloatVector.fromArray(S, dYT, d + d5), a5);
            a6 = x.fma(FloatVector.fromArray(S, dYT, d + d6), a6);
            a7 = x.fma(FloatVector.fromArray(S, dYT, d + d7), a7);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, V);
        a2.intoArray(lanes, 2 * V);
        a3.intoArray(lanes, 3 * V);
        a4.intoArray(lanes, 4 * V);
        a5.intoArray(lanes, 5 * V);
        a6.intoArray(lanes, 6 * V);
        a7.intoArray(lanes, 7 * V);
        for (int j = 0; j < count; j++) {
            int o = outputOf[i + j];
            dKernel[k * oc + o] += finish(lanes, j * V, uT, dYT, k, o * BLOCK, full, rows, uStride, dStride);
        }
    }

    /**
     * The V lanes at {@code lanes[from..from+V)} summed in lane order, then the tail positions [full, rows) (all
     * in the last block) chained on.
     */
    private static float finish(float[] lanes, int from, float[] uT, float[] dYT, int k, int dRow, int full, int rows,
                                int uStride, int dStride) {
        float s = lanes[from];
        for (int l = 1; l < V; l++) {
            s += lanes[from + l];
        }
        for (int r = full; r < rows; r++) {
            int b = r / BLOCK;
            int at = r % BLOCK;
            s = Math.fma(uT[b * uStride + k * BLOCK + at], dYT[b * dStride + dRow + at], s);
        }
        return s;
    }
}
