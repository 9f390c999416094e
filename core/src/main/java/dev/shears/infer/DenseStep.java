package dev.shears.infer;

import dev.shears.kernels.Gemm;
import dev.shears.kernels.SparseKernels;
import dev.shears.nn.Activation;

/**
 * A fused Dense + bias + activation: {@code y (n, oc) = act(x (n, k) · W (k, oc) + bias)}. Sparse kernels
 * multiply {@code W^T} by {@code x^T (k, n)}; CSR at small batches instead runs each example on the
 * {@link dev.shears.kernels.Sell} form, C outputs per vector of gathered inputs.
 */
final class DenseStep implements Step {
    /**
     * Batches up to this size run CSR layers one example at a time on the SELL slices (gathered x); larger
     * ones multiply all examples at once, each non-zero one contiguous axpy over the batch.
     */
    static final int SELL_MAX_BATCH = 8;

    private final String name;
    private final Weights w;
    private final Activation act;
    /** Scratch buffer 0: the SELL row scratch or the transposed input; 1: the product before its transpose. */
    private static final int INPUT = 0;
    private static final int PRODUCT = 1;

    DenseStep(String name, Weights w, Activation act) {
        this.name = name;
        this.w = w;
        this.act = act;
    }

    @Override
    public int scratchBuffers() {
        return 2;
    }

    @Override
    public int outSize() {
        return w.oc;
    }

    @Override
    public void run(float[] y, float[] x, int n, Arena arena) {
        if (w instanceof DenseWeights d) {
            Gemm.gemm(y, 0, x, 0, d.values, 0, n, w.k, w.oc, false);
            Epilogue.rows(y, w.bias, n, w.oc, act);
            return;
        }
        if (w instanceof CsrWeights csr && csr.hasSell() && n <= SELL_MAX_BATCH) {
            float[] scratch = arena.scratch(INPUT, w.oc);
            for (int b = 0; b < n; b++) {
                csr.multiplyOne(y, b * w.oc, x, b * w.k, scratch);
            }
            Epilogue.rows(y, w.bias, n, w.oc, act);
            return;
        }
        float[] xT = x;
        if (n > 1) {
            xT = arena.scratch(INPUT, n * w.k);
            SparseKernels.transpose(xT, x, n, w.k);
        }
        float[] t = arena.scratch(PRODUCT, n * w.oc);
        ((SparseWeights) w).multiplyTransposed(t, xT, n);
        Epilogue.transposed(y, t, w.bias, n, w.oc, act);
    }

    @Override
    public String describe() {
        return Epilogue.line(name, "Dense", w, w.k + "->" + w.oc + ", " + act.kerasName());
    }

    @Override
    public Weights weights() {
        return w;
    }
}
