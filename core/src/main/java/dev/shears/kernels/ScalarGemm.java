package dev.shears.kernels;

/**
 * Plain-Java GEMM, the fallback when the Vector API is not available: i-k-j order, so the inner loop
 * is a contiguous axpy over a row of B and C.
 */
final class ScalarGemm {
    static final GemmDriver.Block BLOCK = ScalarGemm::multiply;

    private ScalarGemm() {
    }

    /** See {@link GemmDriver.Block}. */
    static void multiply(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                         float[] b, int bOff, int ldb, int m, int k, int n, boolean add) {
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * ldc;
            if (!add) {
                java.util.Arrays.fill(c, cRow, cRow + n, 0f);
            }
            int aRow = aOff + i * ars;
            for (int p = 0; p < k; p++) {
                float av = a[aRow + p * acs];
                int bRow = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += av * b[bRow + j];
                }
            }
        }
    }
}
