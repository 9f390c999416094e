package dev.shears.infer;

import dev.shears.kernels.Parallel;

/** Weights that skip zeros, stored over the transpose (oc, k): each multiplies {@code out (oc, p) = W^T · bT}. */
abstract sealed class SparseWeights extends Weights permits CsrWeights, Block4Weights, TwoFourWeights {
    /** Multiply-adds per parallel chunk below which splitting costs more than it saves. */
    private static final int GRAIN_FLOPS = 1 << 15;

    SparseWeights(float[] w, float[] bias, int k, int oc) {
        super(w, bias, k, oc);
    }

    /** out (oc, p) = W^T (oc, k) · bT (k, p), for output rows [from, to) only. */
    abstract void multiplyRows(float[] out, float[] bT, int p, int from, int to);

    /** out (oc, p) = W^T (oc, k) · bT (k, p), split over output channels. */
    final void multiplyTransposed(float[] out, float[] bT, int p) {
        long perRow = Math.max(1, storedValues() / oc) * (long) p;
        int grain = (int) Math.max(1, GRAIN_FLOPS / perRow);
        Parallel.common().forRange(oc, grain, (from, to) -> multiplyRows(out, bT, p, from, to));
    }
}
