package dev.shears.infer;

import dev.shears.kernels.Bsr4;
import dev.shears.kernels.TwoFour;

/**
 * The automatic per-layer kernel choice. A layer whose kernel (k, oc) has sparsity {@code s} (fraction of
 * exact zeros) runs sparse when {@code s >= threshold}, where the threshold is the JMH break-even of the
 * sparse against the dense kernel on this engine (see the bench module): {@link #CONV_THRESHOLD} for
 * convolutions, {@link #DENSE_THRESHOLD} for dense layers (which also need {@link #DENSE_MIN_WEIGHTS}
 * weights), and then with CSR. The 2:4 and 1x4-block kernels
 * are chosen only when forced through {@link InferenceModel.Options}: on this machine they measured no
 * faster than CSR on the same weights (conv2 batch 1: BLOCK4 at 80% 64 us vs CSR 50 us, TWO_FOUR 92 us vs
 * CSR at 50% 57 us; dense 1024x1024: 143 vs 138 us and 393 vs 268 us), because CSR convs run directly
 * without im2col while the structured ones still unfold, and CSR's dot product keeps four accumulators.
 * {@link #structured} reports which pattern a kernel has, for describing a layer or forcing a kernel.
 *
 * <p>Measured break-even (JMH, one thread, this 2-core shared machine, so +-30% noise; dense path = the
 * Vector API GEMM of main 0aac729): conv2 (16->32 5x5 on 12x12) about 80% at batch 1 and 85% at batch 64
 * (later dense-path improvements moved both up: see {@link #CONV_THRESHOLD});
 * conv1 (1->16 5x5 on 28x28) below 80% at batch 64; dense 1024x1024 about 65% at batch 1 and 60% at batch
 * 64; dense 32x128 never (the sparse kernel's fixed costs exceed a 4096-weight GEMM). Against the old
 * scalar GEMM every break-even was below 50%. Re-measure with {@code DenseLayerBench} and
 * {@code SparseLayerBench -p sparsity=50,70,80,95} and adjust the constants.
 *
 * <pre>{@code Kernel k = KernelRule.choose(kernel, 400, 32, true);}</pre>
 */
public final class KernelRule {
    /**
     * Sparsity from which sparse conv beats im2col + GEMM. Re-measured after the transposed one-channel
     * unfolding and inline small batches made the dense path faster: the 80%-pruned tutorial model ran
     * 26.2 vs 30.6 us/image at batch 1 with CSR conv2 but 60.8 vs 32.1 us/image at batch 64, so at 80% the
     * dense kernel is the safer choice; at 95% CSR conv2 is 3.6x faster at batch 1 (QuickBench).
     */
    public static final double CONV_THRESHOLD = 0.9;
    /** Sparsity from which the sparse dense-layer kernel beats GEMM (measured break-even, rounded up). */
    public static final double DENSE_THRESHOLD = 0.7;
    /** Dense layers with fewer weights than this stay dense at any sparsity (measured on 32x128). */
    public static final int DENSE_MIN_WEIGHTS = 16384;
    /** Minimum average fill of 1x4 blocks (non-zeros / block slots) for the block kernel. */
    public static final double BLOCK_FILL = 0.75;

    private KernelRule() {
    }

    /** Fraction of exact zeros in {@code w}. */
    public static double sparsity(float[] w) {
        int zeros = 0;
        for (float v : w) {
            zeros += v == 0f ? 1 : 0;
        }
        return w.length == 0 ? 0 : (double) zeros / w.length;
    }

    /** The kernel for weights {@code w (k, oc)} of a conv ({@code conv}) or dense layer, by the rule above. */
    public static Kernel choose(float[] w, int k, int oc, boolean conv) {
        if (!conv && w.length < DENSE_MIN_WEIGHTS) {
            return Kernel.DENSE;
        }
        return sparsity(w) < (conv ? CONV_THRESHOLD : DENSE_THRESHOLD) - 1e-9 ? Kernel.DENSE : Kernel.CSR;
    }

    /**
     * The structured pattern {@code w (k, oc)} has along its input axis: TWO_FOUR when every aligned group of
     * four inputs of an output has at most two non-zeros, BLOCK4 when its non-zero 1x4 blocks are at least
     * {@link #BLOCK_FILL} full on average, else CSR (unstructured).
     */
    public static Kernel structured(float[] w, int k, int oc) {
        if (TwoFour.fits(w, k, oc)) {
            return Kernel.TWO_FOUR;
        }
        long nnz = Math.round((1 - sparsity(w)) * w.length);
        if (k >= 4 && nnz >= BLOCK_FILL * 4L * Bsr4.countBlocks(w, k, oc)) {
            return Kernel.BLOCK4;
        }
        return Kernel.CSR;
    }
}
