package dev.shears.infer;

import dev.shears.kernels.Bsr4;
import dev.shears.kernels.TwoFour;

/**
 * The automatic per-layer kernel choice, from the layer's sparsity {@code s} (fraction of exact zeros in its
 * kernel) and shape, at break-evens measured with JMH on this engine:
 * <ul>
 * <li>Stride-1 convolutions run the planar CSR kernel (direct, channel-major, see {@link ConvStep}) when
 * {@code s >= }{@link #PLANAR_THRESHOLD}, or always when they have one input channel: there the planar
 * kernel beats unfolding + GEMM even with no zeros at all, because a GEMM with 25 inputs per output keeps
 * the FMA units idle.</li>
 * <li>Strided convolutions unfold for CSR too and need {@code s >= }{@link #CONV_THRESHOLD}.</li>
 * <li>Dense layers: CSR when {@code s >= }{@link #DENSE_THRESHOLD} and they have at least
 * {@link #DENSE_MIN_WEIGHTS} weights (below that the sparse kernel's fixed costs exceed the GEMM).</li>
 * </ul>
 * The 2:4 and 1x4-block kernels are chosen only when forced through {@link InferenceModel.Options}: they
 * measured no faster than CSR on the same weights (they unfold where CSR convs run directly).
 * {@link #structured} reports which pattern a kernel has, for describing a layer or forcing a kernel.
 * The timings behind the constants, and how to re-measure them ({@code ConvKernelBench},
 * {@code DenseLayerBench}, {@code SparseLayerBench}), are in the README's inference runtime and benchmark
 * sections; they are machine-specific.
 *
 * <pre>{@code WeightFormat k = WeightFormatRule.chooseConv(kernel, 16, true);}</pre>
 */
public final class WeightFormatRule {
    /** Sparsity from which a stride-1 conv with several input channels runs the planar CSR kernel. */
    public static final double PLANAR_THRESHOLD = 0.6;
    /** Sparsity from which a strided conv runs CSR (unfolded) instead of im2col + GEMM. */
    public static final double CONV_THRESHOLD = 0.9;
    /** Sparsity from which the sparse dense-layer kernel beats GEMM (measured break-even, rounded up). */
    public static final double DENSE_THRESHOLD = 0.7;
    /** Dense layers with fewer weights than this stay dense at any sparsity (measured on 32x128). */
    public static final int DENSE_MIN_WEIGHTS = 16384;
    /** Minimum average fill of 1x4 blocks (non-zeros / block slots) for the block kernel. */
    public static final double BLOCK_FILL = 0.75;

    private WeightFormatRule() {
    }

    /** Fraction of exact zeros in {@code w}. */
    public static double sparsity(float[] w) {
        int zeros = 0;
        for (float v : w) {
            zeros += v == 0f ? 1 : 0;
        }
        return w.length == 0 ? 0 : (double) zeros / w.length;
    }

    /** The kernel for a dense layer's weights {@code w (k, oc)}, by the rule above. */
    public static WeightFormat chooseDense(float[] w) {
        if (w.length < DENSE_MIN_WEIGHTS) {
            return WeightFormat.DENSE;
        }
        return sparsity(w) < DENSE_THRESHOLD - 1e-9 ? WeightFormat.DENSE : WeightFormat.CSR;
    }

    /**
     * The kernel for a conv's weights {@code w (kh*kw*c, oc)} with {@code c} input channels, stride 1 in both
     * directions or not ({@code stride1}), by the rule above.
     */
    public static WeightFormat chooseConv(float[] w, int c, boolean stride1) {
        double s = sparsity(w);
        if (stride1) {
            return c == 1 || s >= PLANAR_THRESHOLD - 1e-9 ? WeightFormat.CSR : WeightFormat.DENSE;
        }
        return s >= CONV_THRESHOLD - 1e-9 ? WeightFormat.CSR : WeightFormat.DENSE;
    }

    /**
     * The structured pattern {@code w (k, oc)} has along its input axis: TWO_FOUR when every aligned group of
     * four inputs of an output has at most two non-zeros, BLOCK4 when its non-zero 1x4 blocks are at least
     * {@link #BLOCK_FILL} full on average, else CSR (unstructured).
     */
    public static WeightFormat structured(float[] w, int k, int oc) {
        if (TwoFour.fits(w, k, oc)) {
            return WeightFormat.TWO_FOUR;
        }
        long nnz = Math.round((1 - sparsity(w)) * w.length);
        if (k >= 4 && nnz >= BLOCK_FILL * 4L * Bsr4.countBlocks(w, k, oc)) {
            return WeightFormat.BLOCK4;
        }
        return WeightFormat.CSR;
    }
}
