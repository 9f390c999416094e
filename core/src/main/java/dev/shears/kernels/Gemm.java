package dev.shears.kernels;

/**
 * Dense single-precision matrix multiply, row-major, the hot kernel of training and dense inference.
 * Every method computes into {@code c} starting at {@code cOff}; with {@code accumulate} the product is
 * added to what {@code c} holds, otherwise it overwrites it.
 *
 * <p>Runs {@link VectorGemm} when {@link Kernels#vectorEnabled()}, else {@link ScalarGemm}; both split
 * large products over {@link Parallel#common()} and keep small ones on the calling thread.
 *
 * <pre>{@code Gemm.gemm(c, 0, a, 0, b, 0, m, k, n, false); // C(m,n) = A(m,k) B(k,n)}</pre>
 */
public final class Gemm {
    private Gemm() {
    }

    /** C(m,n) (+)= A(m,k) · B(k,n). */
    public static void gemm(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                            int m, int k, int n, boolean accumulate) {
        GemmDriver.gemm(block(), c, cOff, a, aOff, b, bOff, m, k, n, accumulate);
    }

    /** C(m,n) (+)= A^T · B with A stored as (k,m) and B as (k,n): the weight-gradient product. */
    public static void gemmTransA(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                  int m, int k, int n, boolean accumulate) {
        GemmDriver.gemmTransA(block(), c, cOff, a, aOff, b, bOff, m, k, n, accumulate);
    }

    /** C(m,n) (+)= A · B^T with A stored as (m,k) and B as (n,k): the input-gradient product. */
    public static void gemmTransB(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                  int m, int k, int n, boolean accumulate) {
        GemmDriver.gemmTransB(block(), c, cOff, a, aOff, b, bOff, m, k, n, accumulate);
    }

    /**
     * C(m,n) = A · B (A stored (m,k)) or A^T · B (A stored (k,m), {@code transA}), overwritten, with A's rows
     * {@code lda} apart and B (k,n) and C (m,n) packed; each element of C is one chain over k in ascending
     * order from zero: the threads split rows, never the reduction. With the Vector API kernels each step of
     * the chain is one fused multiply-add, which the masked convolution's sparse kernels reproduce bit for bit
     * ({@link MaskedConv}).
     */
    public static void gemmOrdered(boolean transA, float[] c, int cOff, float[] a, int aOff, int lda, float[] b, int bOff,
                                   int m, int k, int n) {
        GemmDriver.ordered(block(), transA, c, cOff, a, aOff, lda, b, bOff, m, k, n);
    }

    /** The block product of the selected implementation; VectorGemm is touched only when enabled. */
    private static GemmDriver.Block block() {
        return Kernels.VECTOR ? VectorGemm.BLOCK : ScalarGemm.BLOCK;
    }
}
