package dev.shears.kernels;

/**
 * The dense convolution as one GEMM over the unfolded input, forward and backward: the one place that
 * decides how a {@link ConvShape} is unfolded (row-major {@link Im2col#im2col}, transposed
 * {@link Im2col#im2colTransposed} for one-channel inputs, or not at all for pointwise convs), used by the
 * training op ({@code ConvOps.conv2d}), the inference runtime's dense conv step and the benchmarks.
 * Kernels are (patch, oc) row-major, Keras's (kh, kw, c, oc); outputs (rows, oc) row-major, i.e. NHWC.
 *
 * <pre>{@code float[] scratch = new float[DenseConv.scratchSize(n, s)];
 * DenseConv.forward(y, x, kernel, oc, n, s, scratch, false);}</pre>
 */
public final class DenseConv {
    private DenseConv() {
    }

    /** Floats of the unfolded input that {@link #forward} writes into its scratch (0 for a pointwise conv). */
    public static int scratchSize(int n, ConvShape s) {
        return s.pointwise() ? 0 : s.rows(n) * s.patch();
    }

    /**
     * y (rows, oc) (+)= unfold(x) · kernel for {@code n} images x (n, h, w, c). {@code unfolded} receives the
     * unfolded input ({@link #scratchSize} floats; unused for a pointwise conv), which {@link #backwardKernel}
     * reads back.
     */
    public static void forward(float[] y, float[] x, float[] kernel, int oc, int n, ConvShape s, float[] unfolded,
                               boolean accumulate) {
        int rows = s.rows(n);
        int k = s.patch();
        if (s.pointwise()) {
            Gemm.gemm(y, 0, x, 0, kernel, 0, rows, k, oc, accumulate);
        } else if (s.unfoldsTransposed()) {
            Im2col.im2colTransposed(unfolded, x, n, s);
            Gemm.gemmTransA(y, 0, unfolded, 0, kernel, 0, rows, k, oc, accumulate);
        } else {
            Im2col.im2col(unfolded, x, n, s);
            Gemm.gemm(y, 0, unfolded, 0, kernel, 0, rows, k, oc, accumulate);
        }
    }

    /** dKernel (patch, oc) += unfold(x)^T · dY, from the unfolded input {@link #forward} left in {@code unfolded}. */
    public static void backwardKernel(float[] dKernel, float[] dY, float[] x, float[] unfolded, int oc, int n, ConvShape s) {
        int rows = s.rows(n);
        int k = s.patch();
        if (s.pointwise()) {
            Gemm.gemmTransA(dKernel, 0, x, 0, dY, 0, k, rows, oc, true);
        } else if (s.unfoldsTransposed()) {
            Gemm.gemm(dKernel, 0, unfolded, 0, dY, 0, k, rows, oc, true);
        } else {
            Gemm.gemmTransA(dKernel, 0, unfolded, 0, dY, 0, k, rows, oc, true);
        }
    }

    /**
     * dX (n, h, w, c) += fold(dY · kernel^T). {@code dUnfolded} is scratch of {@link #scratchSize} floats,
     * fully overwritten (unused for a pointwise conv).
     */
    public static void backwardInput(float[] dX, float[] dY, float[] kernel, int oc, int n, ConvShape s, float[] dUnfolded) {
        int rows = s.rows(n);
        int k = s.patch();
        if (s.pointwise()) {
            Gemm.gemmTransB(dX, 0, dY, 0, kernel, 0, rows, oc, k, true);
        } else {
            Gemm.gemmTransB(dUnfolded, 0, dY, 0, kernel, 0, rows, oc, k, false);
            Im2col.col2im(dX, dUnfolded, n, s);
        }
    }
}
