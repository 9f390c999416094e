package dev.shears.kernels;

/**
 * Convolution training under a pruning mask, on the transposed unfolded input: the one kernel family
 * behind sparse training. The kernel (patch, oc) carries a {@link Mask} (true = kept); pruned weights are
 * zero and get no gradient.
 *
 * <p>Operands are transposed so that every product runs along the output positions, where the sparse
 * kernels can skip whole rows, and stored in blocks of {@link #BLOCK} positions: the unfolded input
 * {@code uT} is (patch, rows) ({@link Im2col#im2colBlocked}), the output gradient {@code dYT} is (oc, rows)
 * ({@link #toBlocked}), and the input gradient comes back as {@code dUT} (patch, rows) for {@link
 * Im2col#col2imTransposed(float[], float[], int, ConvShape, boolean)}.
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
 * MaskedConv.forward(y, uT, kernel, rows, mask);   // y (rows, oc)}</pre>
 */
public final class MaskedConv {
    /**
     * Sparsity from which the forward and input-gradient products skip pruned weights. Measured with
     * {@code MaskedConvBench} on the tutorial's convolutions (one thread, 2026-12-02): at 20% the sparse
     * kernels already matched the dense-masked GEMMs (forward plus input gradient of conv2 10.2 against 11.8
     * ms, conv1 3.3 against 4.6 ms; the GEMMs run a block of positions at a time), at 40% they were ahead;
     * 0.3 leaves a margin for the timings' noise. Pruning schedules start at 50% (tfmot's default).
     */
    public static final double SPARSE_FROM = 0.3;

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

        /** Multiply-adds of the forward or the input gradient over {@code rows} positions, on the path {@link #sparse()} picks. */
        long multiplyAdds(int rows) {
            return (sparse() ? kept : (long) patch * oc) * rows;
        }

        /** Whether weight {@code i} (row-major (patch, oc)) is kept. */
        public boolean kept(int i) {
            return keep[i];
        }
    }

    /** Below this many multiply-adds per thread, the work stays on the calling thread. */
    static final long MIN_FMAS_PER_THREAD = 1 << 19;
    /**
     * Positions per block of the transposed operands. A (height, rows) operand is stored as blocks of
     * BLOCK positions, each block (height, BLOCK) row-major: element (k, r) at
     * {@code ((r / BLOCK) * height + k) * BLOCK + r % BLOCK}. Row-major (height, rows), a kernel that reads
     * one strip of positions from each of 400 rows touches 400 pages and 400 prefetch streams, and ran at a
     * third of its speed with a 6 MiB unfolded input; a block of 400 rows is 400 KiB, read from L2.
     */
    public static final int BLOCK = 256;

    /** Floats of a blocked (height, rows) operand, its last block padded to {@link #BLOCK} positions. */
    public static int blockedSize(int height, int rows) {
        return blocks(rows) * height * BLOCK;
    }

    static int blocks(int rows) {
        return (rows + BLOCK - 1) / BLOCK;
    }

    /** Positions of block {@code b}: BLOCK, or fewer for the last one. */
    static int blockRows(int rows, int b) {
        return Math.min(BLOCK, rows - b * BLOCK);
    }

    /**
     * y (rows, oc) = unfold(x) · kernel from the blocked {@code uT} (patch, rows) ({@link
     * Im2col#im2colBlocked}): dense over the masked kernel, or over the kept weights, as {@link Mask#sparse()}
     * says. {@code y} is overwritten.
     */
    public static void forward(float[] y, float[] uT, float[] kernel, int rows, Mask mask) {
        int patch = mask.patch(), oc = mask.oc();
        boolean sparse = mask.sparse();
        long fmas = mask.multiplyAdds(rows);
        overBlocks(rows, fmas, b -> {
            int m = blockRows(rows, b);
            int block = b * patch * BLOCK;
            if (sparse) {
                Scratch scratch = Scratch.get();
                float[] yT = scratch.strip = Scratch.atLeast(scratch.strip, oc * BLOCK);
                MaskedConvVector.forwardBlock(yT, uT, block, kernel, mask, m);
                for (int r = 0; r < m; r++) {
                    int to = (b * BLOCK + r) * oc;
                    for (int o = 0; o < oc; o++) {
                        y[to + o] = yT[o * BLOCK + r];
                    }
                }
            } else {
                Gemm.gemmOrdered(true, y, b * BLOCK * oc, uT, block, BLOCK, kernel, 0, m, patch, oc);
            }
        });
    }

    /**
     * The blocked dUT (patch, rows) = kernel · dYT, overwritten, from the blocked output gradient dYT (oc,
     * rows) ({@link #toBlocked}): dense over the masked kernel, or over the kept weights.
     */
    public static void backwardInput(float[] dUT, float[] dYT, float[] kernel, int rows, Mask mask) {
        int patch = mask.patch(), oc = mask.oc();
        boolean sparse = mask.sparse();
        long fmas = mask.multiplyAdds(rows);
        overBlocks(rows, fmas, b -> {
            if (sparse) {
                MaskedConvVector.backwardInputBlock(dUT, b * patch * BLOCK, dYT, b * oc * BLOCK, kernel, mask, blockRows(rows, b));
            } else {
                // the whole block, padding included (dYT's padding is zero; dUT's is never read)
                Gemm.gemmOrdered(false, dUT, b * patch * BLOCK, kernel, 0, oc, dYT, b * oc * BLOCK, patch, oc, BLOCK);
            }
        });
    }

    /** dKernel (patch, oc) += uT · dYT^T (both blocked) at the kept weights only; pruned weights' entries are left alone. */
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

    /** The blocked dYT (oc, rows) = dY (rows, oc) transposed, the last block's padding zeroed. */
    public static void toBlocked(float[] dYT, float[] dY, int rows, int oc) {
        for (int b = 0; b < blocks(rows); b++) {
            int m = blockRows(rows, b);
            for (int o = 0; o < oc; o++) {
                int to = (b * oc + o) * BLOCK;
                int from = b * BLOCK * oc + o;
                for (int r = 0; r < m; r++) {
                    dYT[to + r] = dY[from + r * oc];
                }
                if (m < BLOCK) {
                    java.util.Arrays.fill(dYT, to + m, to + BLOCK, 0f);
                }
            }
        }
    }

    /** A loop body over one block of positions. */
    @FunctionalInterface
    interface BlockBody {
        void run(int block);
    }

    /**
     * Runs {@code body} for every block of positions, shared out over the pool when the work is large enough;
     * loops the body starts run on its own thread.
     */
    private static void overBlocks(int rows, long fmas, BlockBody body) {
        Parallel pool = Parallel.common();
        int blocks = blocks(rows);
        int threads = (int) Math.min(pool.threads(), Math.max(1, fmas / MIN_FMAS_PER_THREAD));
        if (threads == 1 || blocks < 2) {
            Parallel.inline(() -> {
                for (int b = 0; b < blocks; b++) {
                    body.run(b);
                }
            });
            return;
        }
        pool.forRange(blocks, 1, (b0, b1) -> Parallel.inline(() -> {
            for (int b = b0; b < b1; b++) {
                body.run(b);
            }
        }));
    }
}
