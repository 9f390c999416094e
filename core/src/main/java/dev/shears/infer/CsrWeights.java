package dev.shears.infer;

import dev.shears.kernels.Csr;
import dev.shears.kernels.PlanarConv;
import dev.shears.kernels.Sell;
import dev.shears.kernels.SparseKernels;

/** The non-zeros in CSR over output channels ({@link Csr}); a dense layer's also as SELL slices ({@link Sell}). */
final class CsrWeights extends SparseWeights {
    private final Csr csr;
    /** The same non-zeros for one example at a time; built for dense layers only (convs use {@link #planar}). */
    private final Sell sell;

    CsrWeights(float[] w, float[] bias, int k, int oc, boolean withSell) {
        super(w, bias, k, oc);
        this.csr = Csr.ofTransposed(w, k, oc);
        this.sell = withSell ? Sell.of(csr) : null;
    }

    @Override
    WeightFormat format() {
        return WeightFormat.CSR;
    }

    @Override
    float[] denseKernel() {
        return csr.toDenseTransposed();
    }

    @Override
    long storedValues() {
        return csr.nnz();
    }

    @Override
    void multiplyRows(float[] out, float[] bT, int p, int from, int to) {
        SparseKernels.csr(out, csr, bT, p, from, to);
    }

    /** This conv kernel, rows (ky, kx, ch), as {@link PlanarConv} weights for padded input planes (c, hp, wp). */
    PlanarConv planar(int c, int hp, int wp, int kh, int kw) {
        return new PlanarConv(csr, bias, c, hp, wp, kh, kw, PlanarConv.GROUP_BYTES);
    }

    /** Whether {@link #multiplyOne} is available (a dense layer's weights). */
    boolean hasSell() {
        return sell != null;
    }

    /** y[yOff ..] (oc) = W^T x[xOff ..] (k), one example, through the SELL slices; scratch holds oc floats. */
    void multiplyOne(float[] y, int yOff, float[] x, int xOff, float[] scratch) {
        sell.multiply(y, yOff, x, xOff, scratch);
    }
}
