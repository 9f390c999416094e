package dev.shears.kernels;

import java.util.Arrays;

/**
 * Plain-Java GEMM, the fallback when the Vector API is not available, written so that HotSpot's C2
 * auto-vectorizer (SuperWord) turns its inner loop into SIMD code.
 *
 * <p>C2 vectorizes a simple counted loop over separate arrays indexed from 0; the same loop over one flat
 * array at computed offsets runs scalar, since C2 cannot rule out that the rows overlap. So a product of
 * any size copies its operands, a block at a time, into per-thread row arrays ({@link Scratch#inRows},
 * {@link Scratch#outRows}) and runs {@link #accumulateRows}, whose inner loop adds four products into an
 * output row per pass: one load and store of the output for four multiply-adds. The rows run along the
 * longer of C's two dimensions, so the loop stays long for the thin products of convolution (n = 16 or
 * 32 output channels against thousands of positions): C^T = B^T A^T when m >= n. Copying costs one pass
 * over A (or B) and C per block, against k multiply-adds per element of C.
 *
 * <p>Products whose longer side is below {@link #MIN_ROW_LENGTH} (batch-1 dense layers) keep the direct
 * i-k-j loop, where copying would cost more than it saves.
 */
final class ScalarGemm {
    static final GemmDriver.Block BLOCK = ScalarGemm::multiply;
    /** Below this row length the copies outweigh the vectorized loop. */
    static final int MIN_ROW_LENGTH = 32;
    /** Row length of a block: 512 floats (2 KiB) per row keeps k input rows plus the output rows in L2. */
    static final int BLOCK_LENGTH = 512;

    private ScalarGemm() {
    }

    /** See {@link GemmDriver.Block}. */
    static void multiply(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                         float[] b, int bOff, int ldb, int m, int k, int n, boolean add) {
        if (m >= n && m >= MIN_ROW_LENGTH) {
            alongRows(c, cOff, ldc, a, aOff, ars, acs, b, bOff, ldb, m, k, n, add);
        } else if (n >= MIN_ROW_LENGTH) {
            alongColumns(c, cOff, ldc, a, aOff, ars, acs, b, bOff, ldb, m, k, n, add);
        } else {
            direct(c, cOff, ldc, a, aOff, ars, acs, b, bOff, ldb, m, k, n, add);
        }
    }

    /**
     * C^T = B^T A^T, a block of C's rows at a time: A's block is copied transposed into k rows, C^T's block
     * is computed into n rows, then written back transposed.
     */
    private static void alongRows(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                                  float[] b, int bOff, int ldb, int m, int k, int n, boolean add) {
        Scratch s = Scratch.get();
        int length = Math.min(BLOCK_LENGTH, m);
        float[][] in = s.inRows = Scratch.atLeast(s.inRows, k, length);
        float[][] out = s.outRows = Scratch.atLeast(s.outRows, n, length);
        for (int i0 = 0; i0 < m; i0 += length) {
            int rows = Math.min(length, m - i0);
            for (int p = 0; p < k; p++) {
                float[] row = in[p];
                int from = aOff + i0 * ars + p * acs;
                for (int i = 0; i < rows; i++) {
                    row[i] = a[from + i * ars];
                }
            }
            for (int j = 0; j < n; j++) {
                Arrays.fill(out[j], 0, rows, 0f);
            }
            // out(j, i) += B(p, j) * A(i, p): the coefficient of output row j, input row p is b[bOff + j + p*ldb]
            accumulateRows(out, n, b, bOff, 1, ldb, in, k, rows);
            for (int j = 0; j < n; j++) {
                float[] row = out[j];
                int to = cOff + i0 * ldc + j;
                if (add) {
                    for (int i = 0; i < rows; i++) {
                        c[to + i * ldc] += row[i];
                    }
                } else {
                    for (int i = 0; i < rows; i++) {
                        c[to + i * ldc] = row[i];
                    }
                }
            }
        }
    }

    /** C = A B, a block of C's columns at a time: B's block is copied into k rows, C's into m rows. */
    private static void alongColumns(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                                     float[] b, int bOff, int ldb, int m, int k, int n, boolean add) {
        Scratch s = Scratch.get();
        int length = Math.min(BLOCK_LENGTH, n);
        float[][] in = s.inRows = Scratch.atLeast(s.inRows, k, length);
        float[][] out = s.outRows = Scratch.atLeast(s.outRows, m, length);
        for (int j0 = 0; j0 < n; j0 += length) {
            int cols = Math.min(length, n - j0);
            for (int p = 0; p < k; p++) {
                System.arraycopy(b, bOff + p * ldb + j0, in[p], 0, cols);
            }
            for (int i = 0; i < m; i++) {
                if (add) {
                    System.arraycopy(c, cOff + i * ldc + j0, out[i], 0, cols);
                } else {
                    Arrays.fill(out[i], 0, cols, 0f);
                }
            }
            accumulateRows(out, m, a, aOff, ars, acs, in, k, cols);
            for (int i = 0; i < m; i++) {
                System.arraycopy(out[i], 0, c, cOff + i * ldc + j0, cols);
            }
        }
    }

    /**
     * out[r][0, length) += sum over p of coef(r, p) * in[p][0, length), where coef(r, p) =
     * coef[coefOff + r*rowStride + p*colStride]. Four input rows per pass over the output row.
     */
    static void accumulateRows(float[][] out, int outRows, float[] coef, int coefOff, int rowStride,
                               int colStride, float[][] in, int k, int length) {
        for (int r = 0; r < outRows; r++) {
            float[] o = out[r];
            int base = coefOff + r * rowStride;
            int p = 0;
            for (; p + 3 < k; p += 4) {
                int at = base + p * colStride;
                float c0 = coef[at];
                float c1 = coef[at + colStride];
                float c2 = coef[at + 2 * colStride];
                float c3 = coef[at + 3 * colStride];
                float[] x0 = in[p];
                float[] x1 = in[p + 1];
                float[] x2 = in[p + 2];
                float[] x3 = in[p + 3];
                for (int i = 0; i < length; i++) {
                    o[i] += c0 * x0[i] + c1 * x1[i] + c2 * x2[i] + c3 * x3[i];
                }
            }
            for (; p < k; p++) {
                float c0 = coef[base + p * colStride];
                float[] x0 = in[p];
                for (int i = 0; i < length; i++) {
                    o[i] += c0 * x0[i];
                }
            }
        }
    }

    /** i-k-j order on the flat arrays: the inner loop is a contiguous axpy over a row of B and C. */
    private static void direct(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                               float[] b, int bOff, int ldb, int m, int k, int n, boolean add) {
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * ldc;
            if (!add) {
                Arrays.fill(c, cRow, cRow + n, 0f);
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
