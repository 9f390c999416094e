package dev.shears.kernels;

/**
 * Dense single-precision matrix multiply, row-major, the hot kernel of training and dense inference.
 * Every method computes into {@code c} starting at {@code cOff}; with {@code accumulate} the product is
 * added to what {@code c} holds, otherwise it overwrites it.
 *
 * <pre>{@code Gemm.gemm(c, 0, a, 0, b, 0, m, k, n, false); // C(m,n) = A(m,k) B(k,n)}</pre>
 */
public final class Gemm {
    private Gemm() {
    }

    /** C(m,n) (+)= A(m,k) · B(k,n). */
    public static void gemm(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                            int m, int k, int n, boolean accumulate) {
        Parallel.common().forRange(m, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                int cRow = cOff + i * n;
                if (!accumulate) {
                    java.util.Arrays.fill(c, cRow, cRow + n, 0f);
                }
                int aRow = aOff + i * k;
                for (int p = 0; p < k; p++) {
                    float av = a[aRow + p];
                    if (av == 0f) {
                        continue;
                    }
                    int bRow = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += av * b[bRow + j];
                    }
                }
            }
        });
    }

    /** C(m,n) (+)= A^T · B with A stored as (k,m) and B as (k,n): the weight-gradient product. */
    public static void gemmTransA(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                  int m, int k, int n, boolean accumulate) {
        Parallel.common().forRange(m, 4, (from, to) -> {
            for (int i = from; i < to; i++) {
                int cRow = cOff + i * n;
                if (!accumulate) {
                    java.util.Arrays.fill(c, cRow, cRow + n, 0f);
                }
                for (int p = 0; p < k; p++) {
                    float av = a[aOff + p * m + i];
                    if (av == 0f) {
                        continue;
                    }
                    int bRow = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += av * b[bRow + j];
                    }
                }
            }
        });
    }

    /** C(m,n) (+)= A · B^T with A stored as (m,k) and B as (n,k): the input-gradient product. */
    public static void gemmTransB(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                                  int m, int k, int n, boolean accumulate) {
        Parallel.common().forRange(m, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                int aRow = aOff + i * k;
                for (int j = 0; j < n; j++) {
                    int bRow = bOff + j * k;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s += a[aRow + p] * b[bRow + p];
                    }
                    int ci = cOff + i * n + j;
                    c[ci] = accumulate ? c[ci] + s : s;
                }
            }
        });
    }
}
