package dev.shears.kernels;

/**
 * Shared plumbing of the GEMM implementations: maps the three public products onto one strided block
 * product, transposes B for {@code gemmTransB}, and splits the work across {@link Parallel#common()}.
 *
 * <p>Work is split only when each thread gets at least {@link #MIN_FLOPS_PER_THREAD}; tiny products
 * (batch-1 inference, small dense layers) run on the calling thread. Large-m products split rows in units
 * of {@link #ROW_UNIT}; products with a long reduction and few rows (weight gradients) split k, each
 * thread summing its k chunk into its own buffer, which the caller then adds to C in chunk order, so the
 * result is deterministic for a given thread count.
 */
final class GemmDriver {
    /** Below this many flops per thread, waking another thread costs more than it saves. */
    static final double MIN_FLOPS_PER_THREAD = 1 << 20;
    /** Rows per unit of work: a multiple of every micro-kernel's row count (8, 6, 4). */
    static final int ROW_UNIT = 24;

    /**
     * C(m,n) (+)= A·B on raw strided storage: A(i,p) = a[aOff + i*ars + p*acs], B(p,j) = b[bOff + p*ldb + j],
     * C(i,j) = c[cOff + i*ldc + j]. Implementations run single-threaded; k >= 1.
     */
    interface Block {
        void multiply(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                      float[] b, int bOff, int ldb, int m, int k, int n, boolean add);
    }

    private GemmDriver() {
    }

    /** C(m,n) (+)= A(m,k) · B(k,n). */
    static void gemm(Block kernel, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                     int m, int k, int n, boolean accumulate) {
        run(kernel, c, cOff, a, aOff, k, 1, b, bOff, n, m, k, n, accumulate, false);
    }

    /** C(m,n) (+)= A^T · B, A stored (k,m), B stored (k,n). */
    static void gemmTransA(Block kernel, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                           int m, int k, int n, boolean accumulate) {
        run(kernel, c, cOff, a, aOff, 1, m, b, bOff, n, m, k, n, accumulate, true);
    }

    /**
     * C = A · B or A^T · B, overwritten, A's rows {@code lda} apart, without splitting k across threads: each
     * element of C is computed by one thread in one pass over k, whatever the thread count.
     */
    static void ordered(Block kernel, boolean transA, float[] c, int cOff, float[] a, int aOff, int lda, float[] b, int bOff,
                        int m, int k, int n) {
        run(kernel, c, cOff, a, aOff, transA ? 1 : lda, transA ? lda : 1, b, bOff, n, m, k, n, false, false, false);
    }

    /** C(m,n) (+)= A · B^T, A stored (m,k), B stored (n,k): B is transposed once into scratch. */
    static void gemmTransB(Block kernel, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                           int m, int k, int n, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        Scratch s = Scratch.get();
        float[] bt = s.transposed = Scratch.atLeast(s.transposed, k * n);
        transpose(bt, b, bOff, n, k);
        run(kernel, c, cOff, a, aOff, k, 1, bt, 0, n, m, k, n, accumulate, false);
    }

    /** dst (cols,rows) = src (rows,cols)^T, in cache-sized blocks. */
    static void transpose(float[] dst, float[] src, int srcOff, int rows, int cols) {
        transpose(dst, 0, src, srcOff, rows, cols);
    }

    /** dst[dstOff ..] (cols,rows) = src[srcOff ..] (rows,cols)^T, in cache-sized blocks. */
    static void transpose(float[] dst, int dstOff, float[] src, int srcOff, int rows, int cols) {
        final int blk = 32;
        for (int r0 = 0; r0 < rows; r0 += blk) {
            int r1 = Math.min(rows, r0 + blk);
            for (int c0 = 0; c0 < cols; c0 += blk) {
                int c1 = Math.min(cols, c0 + blk);
                for (int r = r0; r < r1; r++) {
                    int s = srcOff + r * cols;
                    for (int col = c0; col < c1; col++) {
                        dst[dstOff + col * rows + r] = src[s + col];
                    }
                }
            }
        }
    }

    private static void run(Block kernel, float[] c, int cOff, float[] a, int aOff, int ars, int acs,
                            float[] b, int bOff, int ldb, int m, int k, int n, boolean accumulate,
                            boolean preferKSplit) {
        run(kernel, c, cOff, a, aOff, ars, acs, b, bOff, ldb, m, k, n, accumulate, preferKSplit, true);
    }

    private static void run(Block kernel, float[] c, int cOff, float[] a, int aOff, int ars, int acs,
                            float[] b, int bOff, int ldb, int m, int k, int n, boolean accumulate,
                            boolean preferKSplit, boolean maySplitK) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
            }
            return;
        }
        Parallel pool = Parallel.common();
        double flops = 2.0 * m * k * n;
        int threads = (int) Math.min(pool.threads(), Math.max(1, flops / MIN_FLOPS_PER_THREAD));
        if (threads == 1) {
            kernel.multiply(c, cOff, n, a, aOff, ars, acs, b, bOff, ldb, m, k, n, accumulate);
        } else if (maySplitK && (preferKSplit || m < 4 * ROW_UNIT * threads) && k >= 128 * threads) {
            splitK(pool, threads, kernel, c, cOff, a, aOff, ars, acs, b, bOff, ldb, m, k, n, accumulate);
        } else {
            int units = (m + ROW_UNIT - 1) / ROW_UNIT;
            int grain = Math.max(1, units / threads);
            pool.forRange(units, grain, (u0, u1) -> {
                int r0 = u0 * ROW_UNIT;
                int r1 = Math.min(m, u1 * ROW_UNIT);
                kernel.multiply(c, cOff + r0 * n, n, a, aOff + r0 * ars, ars, acs, b, bOff, ldb,
                        r1 - r0, k, n, accumulate);
            });
        }
    }

    private static void splitK(Parallel pool, int chunks, Block kernel, float[] c, int cOff,
                               float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb,
                               int m, int k, int n, boolean accumulate) {
        int size = m * n;
        Scratch s = Scratch.get();
        float[] parts = s.partials = Scratch.atLeast(s.partials, (chunks - 1) * size);
        pool.forRange(chunks, 1, (ch0, ch1) -> {
            for (int ch = ch0; ch < ch1; ch++) {
                int k0 = (int) ((long) k * ch / chunks);
                int k1 = (int) ((long) k * (ch + 1) / chunks);
                int aK = aOff + k0 * acs;
                int bK = bOff + k0 * ldb;
                if (ch == 0) {
                    kernel.multiply(c, cOff, n, a, aK, ars, acs, b, bK, ldb, m, k1 - k0, n, accumulate);
                } else {
                    kernel.multiply(parts, (ch - 1) * size, n, a, aK, ars, acs, b, bK, ldb, m, k1 - k0, n, false);
                }
            }
        });
        for (int ch = 1; ch < chunks; ch++) {
            int p = (ch - 1) * size;
            for (int i = 0; i < size; i++) {
                c[cOff + i] += parts[p + i];
            }
        }
    }
}
