package dev.shears.infer;

import dev.shears.kernels.Bsr4;
import dev.shears.kernels.Csr;
import dev.shears.kernels.Parallel;
import dev.shears.kernels.Sell;
import dev.shears.kernels.PlanarConv;
import dev.shears.kernels.SparseKernels;
import dev.shears.kernels.TwoFour;

/**
 * A compiled layer's kernel (k, oc) and bias (oc) in the representation its {@link WeightFormat} multiplies:
 * the dense row-major array, or one of the sparse forms over the transpose (oc, k).
 */
final class Weights {
    /** Multiply-adds per parallel chunk below which splitting costs more than it saves. */
    private static final int GRAIN_FLOPS = 1 << 15;

    final WeightFormat kernel;
    final int k;
    final int oc;
    final double sparsity;
    final float[] bias;
    final float[] dense;
    private final Csr csr;
    /** Dense layers with CSR: the same non-zeros as SELL slices, for one example at a time. */
    private final Sell sell;
    private final Bsr4 bsr4;
    private final TwoFour twoFour;
    private final long stored;

    Weights(WeightFormat kernel, float[] w, float[] bias, int k, int oc, boolean conv) {
        this.kernel = kernel;
        this.k = k;
        this.oc = oc;
        this.sparsity = WeightFormatRule.sparsity(w);
        this.bias = bias.clone();
        this.dense = kernel == WeightFormat.DENSE ? w.clone() : null;
        this.csr = kernel == WeightFormat.CSR ? Csr.ofTransposed(w, k, oc) : null;
        this.sell = kernel == WeightFormat.CSR && !conv ? Sell.of(csr) : null;
        this.bsr4 = kernel == WeightFormat.BLOCK4 ? Bsr4.ofTransposed(w, k, oc) : null;
        this.twoFour = kernel == WeightFormat.TWO_FOUR ? TwoFour.ofTransposed(w, k, oc) : null;
        this.stored = switch (kernel) {
            case DENSE -> w.length;
            case CSR -> csr.nnz();
            case BLOCK4 -> 4L * bsr4.blocks();
            case TWO_FOUR -> twoFour.values().length;
        };
    }

    /** The kernel (k, oc) as a dense row-major array (a new array for sparse forms). */
    float[] denseKernel() {
        return switch (kernel) {
            case DENSE -> dense.clone();
            case CSR -> csr.toDenseTransposed();
            case BLOCK4 -> bsr4.toDenseTransposed();
            case TWO_FOUR -> twoFour.toDenseTransposed();
        };
    }

    /** Number of weight values the kernel stores (zeros inside blocks and 2:4 padding included). */
    long storedValues() {
        return stored;
    }

    /** CSR only: this conv kernel, rows (ky, kx, ch), as {@link PlanarConv} weights for padded input planes (c, hp, wp). */
    PlanarConv planar(int c, int hp, int wp, int kh, int kw) {
        return new PlanarConv(csr, bias, c, hp, wp, kh, kw, PlanarConv.GROUP_BYTES);
    }

    /**
     * Dense layers with CSR only: y[yOff ..] (oc) = W^T x[xOff ..] (k), one example, through the SELL slices;
     * scratch holds oc floats.
     */
    void multiplyOne(float[] y, int yOff, float[] x, int xOff, float[] scratch) {
        sell.multiply(y, yOff, x, xOff, scratch);
    }

    /** Whether {@link #multiplyOne} is available. */
    boolean hasSell() {
        return sell != null;
    }

    private int grain(int p) {
        long perRow = Math.max(1, stored / oc) * (long) p;
        return (int) Math.max(1, GRAIN_FLOPS / perRow);
    }

    /** Sparse kinds only: out (oc, p) = W^T (oc, k) · bT (k, p), split over output channels. */
    void multiplyTransposed(float[] out, float[] bT, int p) {
        Parallel.common().forRange(oc, grain(p), (from, to) -> {
            switch (kernel) {
                case CSR -> SparseKernels.csr(out, csr, bT, p, from, to);
                case BLOCK4 -> SparseKernels.bsr4(out, bsr4, bT, p, from, to);
                case TWO_FOUR -> SparseKernels.twoFour(out, twoFour, bT, p, from, to);
                case DENSE -> throw new IllegalStateException("dense weights have no transposed sparse multiply");
            }
        });
    }
}
