package dev.shears.infer;

import dev.shears.kernels.Bsr4;
import dev.shears.kernels.TwoFour;

/**
 * The automatic per-layer kernel choice. A layer whose kernel (k, oc) has sparsity {@code s} (fraction of
 * exact zeros) runs sparse when {@code s >= threshold}, where the threshold is the JMH break-even of the
 * sparse against the dense kernel on this engine (see the bench module): {@link #CONV_THRESHOLD} for
 * convolutions, {@link #DENSE_THRESHOLD} for dense layers. Among sparse kernels the structured ones win
 * when the weights have their pattern: 2:4 when every group of four inputs has at most two non-zeros,
 * 1x4 blocks when blocks hold at least {@link #BLOCK_FILL} of their slots on average, CSR otherwise.
 *
 * <pre>{@code Kernel k = KernelRule.choose(kernel, 400, 32, true);}</pre>
 */
public final class KernelRule {
    /** Sparsity from which sparse conv beats im2col + GEMM (measured break-even, rounded up). */
    public static final double CONV_THRESHOLD = 0.5;
    /** Sparsity from which the sparse dense-layer kernel beats GEMM (measured break-even, rounded up). */
    public static final double DENSE_THRESHOLD = 0.5;
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
        double s = sparsity(w);
        if (s < (conv ? CONV_THRESHOLD : DENSE_THRESHOLD)) {
            return Kernel.DENSE;
        }
        if (TwoFour.fits(w, k, oc)) {
            return Kernel.TWO_FOUR;
        }
        long nnz = Math.round((1 - s) * w.length);
        if (k >= 4 && nnz >= BLOCK_FILL * 4L * Bsr4.countBlocks(w, k, oc)) {
            return Kernel.BLOCK4;
        }
        return Kernel.CSR;
    }
}
