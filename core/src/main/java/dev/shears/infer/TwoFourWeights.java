package dev.shears.infer;

import dev.shears.kernels.SparseKernels;
import dev.shears.kernels.TwoFour;

/** 2:4 structured: two values and a 4-bit position byte per group of four inputs ({@link TwoFour}). */
final class TwoFourWeights extends SparseWeights {
    private final TwoFour twoFour;

    TwoFourWeights(float[] w, float[] bias, int k, int oc) {
        super(w, bias, k, oc);
        this.twoFour = TwoFour.ofTransposed(w, k, oc);
    }

    @Override
    WeightFormat format() {
        return WeightFormat.TWO_FOUR;
    }

    @Override
    float[] denseKernel() {
        return twoFour.toDenseTransposed();
    }

    @Override
    long storedValues() {
        return twoFour.values().length;
    }

    @Override
    void multiplyRows(float[] out, float[] bT, int p, int from, int to) {
        SparseKernels.twoFour(out, twoFour, bT, p, from, to);
    }
}
