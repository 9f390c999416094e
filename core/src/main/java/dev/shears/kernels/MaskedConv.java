package dev.shears.kernels;

/**
 * Convolution training under a pruning mask, on the transposed unfolded input: the one kernel family
 * behind sparse training. The kernel (patch, oc) carries a {@link Mask} (true = kept); pruned weights are
 * zero and get no gradient.
 *
 * <p>Operands are transposed so that every product runs along the output positions, where the sparse
 * kernels can skip whole rows: the unfolded input {@code uT} is (patch, rows) ({@link Im2col#im2colTransposed}),
 * the output gradient {@code dYT} is (oc, rows), and the input gradient comes back as {@code dUT} (patch,
 * rows) for {@link Im2col#col2imTransposed}.
 * <ul>
 *   <li>forward: y(r, o) = sum over k of W(k, o) uT(k, r);</li>
 *   <li>input gradient: dUT(k, r) = sum over o of W(k, o) dYT(o, r);</li>
 *   <li>kernel gradient, kept weights only: dW(k, o) += sum over r of uT(k, r) dYT(o, r).</li>
 * </ul>
 * The forward and input-gradient products run either dense over the masked kernel ({@link
 * Gemm#gemmOrdered}, the dense-masked path) or over the kept weights only (sparse), chosen by {@link
 * Mask#sparse()}. Both compute each output as one chain of fused multiply-adds in ascending index order
 * starting from zero, and a pruned weight's term adds exactly nothing to such a chain, so the two give
 * bit-identical results: switching to the sparse kernels changes the speed of a pruning run, never its
 * weights. The kernel gradient is always computed for kept weights only, as lane-parallel dot products
 * over the positions ({@code MaskedConvVector}).
 *
 * <p>Needs the Vector API kernels ({@link Kernels#vectorEnabled()}): with the scalar fallback the
 * training op runs the ordinary convolution and masks the kernel gradient instead.
 *
 * <pre>{@code MaskedConv.Mask mask = new MaskedConv.Mask(keep, patch, oc, MaskedConv.SPARSE_FROM);
 * mask.refresh();                                   // after the mask changed
 * MaskedConv.forward(y, uT, kernel, rows, mask);    // y (rows, oc)}</pre>
 */
public final class MaskedConv {
    /**
     * Sparsity from which the forward and input-gradient products skip pruned weights. Measured with
     * {@code MaskedConvBench} on the tutorial's convolutions: the sparse kernels cost about as much as the
     * dense GEMM at 25-35% sparsity (they load one input vector per multiply-add, the GEMM's register tile
     * about a quarter of one), and pruning schedules start at 50%.
     */
    public static final double SPARSE_FROM = 0.4;

    private MaskedConv() {
    }

    /**
     * The kept weights of a (patch, oc) kernel, indexed by output channel (for the forward) and by patch
     * row (for the input and kernel gradients). Wraps the live mask array, which a pruning wrapper updates
     * in place; {@link #refresh} re-reads it into index arrays allocated once.
     */
    public static final class Mask {
        private final boolean[] keep;
        private final int patch;
        private final int oc;
        private final double sparseFrom;
        /** By output: entries [byOutputStart[o], byOutputStart[o+1]) hold patch rows {@code rowOf}, ascending. */
        final int[] byOutputStart;
        final int[] rowOf;
        /** By patch row: entries [byRowStart[k], byRowStart[k+1]) hold output channels {@code outputOf}, ascending. */
        final int[] byRowStart;
        final int[] outputOf;
        private int kept;

        /**
         * @param keep       the mask, (patch, oc) row-major like the kernel, true = kept; read, not copied
         * @param sparseFrom sparsity from which {@link #sparse()} is true ({@link #SPARSE_FROM}; above 1: never)
         * @throws IllegalArgumentException if {@code keep} is not {@code patch * oc} long
         */
        public Mask(boolean[] keep, int patch, int oc, double sparseFrom) {
            if (keep.length != patch * oc || patch < 1 || oc < 1) {
                throw new IllegalArgumentException("mask of " + keep.length + " entries for a (" + patch + ", " + oc + ") kernel");
            }
            this.keep = keep;
            this.patch = patch;
            this.oc = oc;
            this.sparseFrom = sparseFrom;
            byOutputStart = new int[oc + 1];
            rowOf = new int[patch * oc];
            byRowStart = new int[patch + 1];
            outputOf = new int[patch * oc];
            refresh();
        }

        /** Re-reads the mask array. O(patch * oc), no allocation. */
        public void refresh() {
            int at = 0;
            for (int k = 0; k < patch; k++) {
                byRowStart[k] = at;
                for (int o = 0; o < oc; o++) {
                    if (keep[k * oc + o]) {
                        outputOf[at++] = o;
                    }
                }
            }
            byRowStart[patch] = at;
            kept = at;
            at = 0;
            for (int o = 0; o < oc; o++) {
                byOutputStart[o] = at;
                for (int k = 0; k < patch; k++) {
                    if (keep[k * oc + o]) {
                        rowOf[at++] = k;
                    }
                }
            }
            byOutputStart[oc] = at;
        }

        /** Rows of the kernel: kh * kw * c. */
        public int patch() {
            return patch;
        }

        /** Output channels. */
        public int oc() {
            return oc;
        }

        /** Kept weights as of the last {@link #refresh}. */
        public int kept() {
            return kept;
        }

        /** Fraction of pruned weights as of the last {@link #refresh}. */
        public double sparsity() {
            return 1.0 - (double) kept / ((double) patch * oc);
        }

        /** Whether the forward and input gradient skip pruned weights: {@link #sparsity()} >= the threshold. */
        public boolean sparse() {
            return sparsity() >= sparseFrom;
        }

        /** Whether weight {@code i} (row-major (patch, oc)) is kept. */
        public boolean kept(int i) {
            return keep[i];
        }
    }

    /** Below this many multiply-adds per thread, the work stays on the calling thread. */
    static final long MIN_FMAS_PER_THREAD = 1 << 19;

    /**
     * y (rows, oc) = unfold(x) · kernel from {@code uT} (patch, rows): dense over the masked kernel, or over
     * the kept weights into {@code yT} (oc, rows) scratch and transposed, as {@link Mask#sparse()} says.
     * {@code y} is overwritten; {@code yT} is needed only on the sparse path (may be null otherwise).
     */
    public static void forward(float[] y, float[] yT, float[] uT, float[] kernel, int rows, Mask mask) {
        int patch = mask.patch(), oc = mask.oc();
        if (!mask.sparse()) {
            Gemm.gemmOrdered(true, y, 0, uT, 0, kernel, 0, rows, patch, oc, false);
            return;
        }
        overPositions(rows, (long) mask.kept() * rows, (r0, r1) -> MaskedConvVector.forwardRows(yT, uT, kernel, rows, mask, r0, r1));
        GemmDriver.transpose(y, yT, 0, oc, rows);
    }

    /**
     * dUT (patch, rows) = kernel · dYT, overwritten, from the output gradient dYT (oc, rows): dense over
     * the masked kernel, or over the kept weights.
     */
    public static void backwardInput(float[] dUT, float[] dYT, float[] kernel, int rows, Mask mask) {
        int patch = mask.patch(), oc = mask.oc();
        if (!mask.sparse()) {
            Gemm.gemmOrdered(false, dUT, 0, kernel, 0, dYT, 0, patch, oc, rows, false);
            return;
        }
        overPositions(rows, (long) mask.kept() * rows, (r0, r1) -> MaskedConvVector.backwardInputRows(dUT, dYT, kernel, rows, mask, r0, r1));
    }

    /** dKernel (patch, oc) += uT · dYT^T at the kept weights only; pruned weights' entries are left alone. */
    public static void backwardKernel(float[] dKernel, float[] uT, float[] dYT, int rows, Mask mask) {
        int patch = mask.patch();
        Parallel pool = Parallel.common();
        int threads = (int) Math.min(pool.threads(), Math.max(1, (long) mask.kept() * rows / MIN_FMAS_PER_THREAD));
        if (threads == 1) {
            MaskedConvVector.backwardKernelRows(dKernel, uT, dYT, rows, mask, 0, patch);
        } else {
            pool.forRange(patch, Math.max(1, patch / (4 * threads)),
                    (k0, k1) -> MaskedConvVector.backwardKernelRows(dKernel, uT, dYT, rows, mask, k0, k1));
        }
    }

    /** Splits [0, rows) into blocks of whole vectors-wide strips over the pool when the work is large enough. */
    private static void overPositions(int rows, long fmas, Parallel.RangeBody body) {
        Parallel pool = Parallel.common();
        int threads = (int) Math.min(pool.threads(), Math.max(1, fmas / MIN_FMAS_PER_THREAD));
        int strip = MaskedConvVector.STRIP;
        int strips = (rows + strip - 1) / strip;
        if (threads == 1 || strips < 2) {
            body.run(0, rows);
            return;
        }
        pool.forRange(strips, Math.max(1, strips / (4 * threads)), (s0, s1) -> body.run(s0 * strip, Math.min(rows, s1 * strip)));
    }
}
