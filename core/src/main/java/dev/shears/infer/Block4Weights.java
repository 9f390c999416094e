package dev.shears.infer;

import dev.shears.kernels.Bsr4;
import dev.shears.kernels.SparseKernels;

/** Non-zero 1x4 blocks along the input axis, one index per block ({@link Bsr4}). */
final class Block4Weights extends SparseWeights {
    private final Bsr4 bsr4;

    Block4Weights(float[] w, float[] bias, int k, int oc) {
        super(w, bias, k, oc);
        this.bsr4 = Bsr4.ofTransposed(w, k, oc);
    }

    @Override
    WeightFormat format() {
        return WeightFormat.BLOCK4;
    }

    @Override
    float[] denseKernel() {
        return bsr4.toDenseTransposed();
    }

    @Override
    long storedValues() {
        return 4L * bsr4.blocks();
    }

    @Override
    void multiplyRows(float[] out, float[] bT, int p, int from, int to) {
        SparseKernels.bsr4(out, bsr4, bT, p, from, to);
    }
}
