package dev.shears.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM on the incubator Vector API. Loaded only when {@link Kernels} found the module.
 *
 * <p>Register-tiled micro-kernels keep a tile of C in vector registers (4 rows x 4 vectors, 6 x 2 or
 * 8 x 1, by how wide the remaining columns are), broadcast one element of A per row and issue one FMA
 * per accumulator for each step of the reduction. The reduction is blocked by {@link #KC} and the rows
 * by {@link #MC} so that the B panel and the A rows in use stay in cache. Columns past the last full
 * vector are copied, zero-padded, into a one-vector panel; their tile is computed in scratch, starting from
 * C's values, and copied back. A is read through strides, so A^T needs no copy.
 *
 * <p>Every element of C is one fused multiply-add chain over the reduction in ascending order, starting
 * from C's value (zero when overwriting): the tiles keep their accumulators across KC blocks by reloading
 * C, and the tail and single-row tiles chain the same way. The masked convolution's sparse kernels
 * reproduce exactly these chains ({@link MaskedConv}).
 */
final class VectorGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int V = S.length();
    /** Reduction block: a 4-vector-wide B panel of KC rows fills about half of a 64 KiB L1/L2 slice. */
    static final int KC = 128;
    /** Row block, a multiple of 24 so every micro-kernel tiles it exactly. */
    static final int MC = 96;
    static final GemmDriver.Block BLOCK = VectorGemm::multiply;

    private VectorGemm() {
    }

    /** Width of the vectors used, in bits. */
    static int bits() {
        return S.vectorBitSize();
    }

    /** See {@link GemmDriver.Block}. */
    static void multiply(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                         float[] b, int bOff, int ldb, int m, int k, int n, boolean add) {
        Scratch s = Scratch.get();
        for (int kb = 0; kb < k; kb += KC) {
            int kc = Math.min(KC, k - kb);
            boolean addNow = add || kb > 0;
            int aK = aOff + kb * acs;
            int bK = bOff + kb * ldb;
            for (int ib = 0; ib < m; ib += MC) {
                int rows = Math.min(MC, m - ib);
                int cI = cOff + ib * ldc;
                int aI = aK + ib * ars;
                if (!addNow) {
                    for (int r = 0; r < rows; r++) {
                        java.util.Arrays.fill(c, cI + r * ldc, cI + r * ldc + n, 0f);
                    }
                }
                int j = 0;
                for (; j + 4 * V <= n; j += 4 * V) {
                    panel4(c, cI + j, ldc, a, aI, ars, acs, b, bK + j, ldb, rows, kc);
                }
                for (; j + 2 * V <= n; j += 2 * V) {
                    panel2(c, cI + j, ldc, a, aI, ars, acs, b, bK + j, ldb, rows, kc);
                }
                for (; j + V <= n; j += V) {
                    panel1(c, cI + j, ldc, a, aI, ars, acs, b, bK + j, ldb, rows, kc);
                }
                if (j < n) {
                    tailPanel(s, c, cI + j, ldc, a, aI, ars, acs, b, bK + j, ldb, rows, kc, n - j);
                }
            }
        }
    }

    /** Row count below which {@link #tailPanel} multiplies directly instead of padding B's panel. */
    private static final int TAIL_DIRECT_ROWS = 4;

    private static void panel4(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                               float[] b, int bOff, int ldb, int m, int kc) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            tile4x4(c, cOff + i * ldc, ldc, a, aOff + i * ars, ars, acs, b, bOff, ldb, kc);
        }
        for (; i < m; i++) {
            for (int v = 0; v < 4; v++) {
                tile1x1(c, cOff + i * ldc + v * V, a, aOff + i * ars, acs, b, bOff + v * V, ldb, kc);
            }
        }
    }

    private static void panel2(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                               float[] b, int bOff, int ldb, int m, int kc) {
        int i = 0;
        for (; i + 6 <= m; i += 6) {
            tile6x2(c, cOff + i * ldc, ldc, a, aOff + i * ars, ars, acs, b, bOff, ldb, kc);
        }
        for (; i < m; i++) {
            tile1x1(c, cOff + i * ldc, a, aOff + i * ars, acs, b, bOff, ldb, kc);
            tile1x1(c, cOff + i * ldc + V, a, aOff + i * ars, acs, b, bOff + V, ldb, kc);
        }
    }

    private static void panel1(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                               float[] b, int bOff, int ldb, int m, int kc) {
        int i = 0;
        for (; i + 8 <= m; i += 8) {
            tile8x1(c, cOff + i * ldc, ldc, a, aOff + i * ars, ars, acs, b, bOff, ldb, kc);
        }
        for (; i < m; i++) {
            tile1x1(c, cOff + i * ldc, a, aOff + i * ars, acs, b, bOff, ldb, kc);
        }
    }

    /**
     * The last {@code w < V} columns: zero-pad B's panel to one vector, compute into a tile, merge. With
     * fewer than {@link #TAIL_DIRECT_ROWS} rows of A (a dense layer's 10 outputs at batch 1) padding the
     * panel costs more than the products, so those run as plain scalar loops.
     */
    private static void tailPanel(Scratch s, float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                                  float[] b, int bOff, int ldb, int m, int kc, int w) {
        if (m < TAIL_DIRECT_ROWS) {
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                for (int p = 0; p < kc; p++) {
                    float av = a[aOff + i * ars + p * acs];
                    int bRow = bOff + p * ldb;
                    for (int j = 0; j < w; j++) {
                        c[cRow + j] = Math.fma(av, b[bRow + j], c[cRow + j]);
                    }
                }
            }
            return;
        }
        float[] panel = s.tailPanel = Scratch.atLeast(s.tailPanel, kc * V);
        float[] tile = s.tile = Scratch.atLeast(s.tile, 8 * V);
        for (int p = 0; p < kc; p++) {
            System.arraycopy(b, bOff + p * ldb, panel, p * V, w);
            java.util.Arrays.fill(panel, p * V + w, (p + 1) * V, 0f);
        }
        for (int i = 0; i < m; i += 8) {
            int rows = Math.min(8, m - i);
            // The tile starts from C's values (zero-padded), so each element stays one FMA chain across KC blocks.
            java.util.Arrays.fill(tile, 0, 8 * V, 0f);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, cOff + (i + r) * ldc, tile, r * V, w);
            }
            if (rows == 8) {
                tile8x1(tile, 0, V, a, aOff + i * ars, ars, acs, panel, 0, V, kc);
            } else {
                for (int r = 0; r < rows; r++) {
                    tile1x1(tile, r * V, a, aOff + (i + r) * ars, acs, panel, 0, V, kc);
                }
            }
            for (int r = 0; r < rows; r++) {
                int cRow = cOff + (i + r) * ldc;
                System.arraycopy(tile, r * V, c, cRow, w);
            }
        }
    }

    // The tiles below always accumulate into C (multiply zeroes C first when the caller asked for
    // overwrite): loading C into the accumulators up front keeps every vector in registers. A helper
    // taking or returning a FloatVector, or a phi choosing between two vectors, makes C2 box the vectors
    // when it does not inline, and the boxed path runs the Vector API's slow Java fallback.

    private static void tile4x4(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                                float[] b, int bOff, int ldb, int kc) {
        int r0 = cOff, r1 = cOff + ldc, r2 = cOff + 2 * ldc, r3 = cOff + 3 * ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, r0), c01 = FloatVector.fromArray(S, c, r0 + V);
        FloatVector c02 = FloatVector.fromArray(S, c, r0 + 2 * V), c03 = FloatVector.fromArray(S, c, r0 + 3 * V);
        FloatVector c10 = FloatVector.fromArray(S, c, r1), c11 = FloatVector.fromArray(S, c, r1 + V);
        FloatVector c12 = FloatVector.fromArray(S, c, r1 + 2 * V), c13 = FloatVector.fromArray(S, c, r1 + 3 * V);
        FloatVector c20 = FloatVector.fromArray(S, c, r2), c21 = FloatVector.fromArray(S, c, r2 + V);
        FloatVector c22 = FloatVector.fromArray(S, c, r2 + 2 * V), c23 = FloatVector.fromArray(S, c, r2 + 3 * V);
        FloatVector c30 = FloatVector.fromArray(S, c, r3), c31 = FloatVector.fromArray(S, c, r3 + V);
        FloatVector c32 = FloatVector.fromArray(S, c, r3 + 2 * V), c33 = FloatVector.fromArray(S, c, r3 + 3 * V);
        for (int p = 0; p < kc; p++) {
            int bp = bOff + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + V);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * V);
            FloatVector b3 = FloatVector.fromArray(S, b, bp + 3 * V);
            int ap = aOff + p * acs;
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[ap + ars]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[ap + 2 * ars]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        int r = cOff;
        c00.intoArray(c, r); c01.intoArray(c, r + V); c02.intoArray(c, r + 2 * V); c03.intoArray(c, r + 3 * V);
        r += ldc;
        c10.intoArray(c, r); c11.intoArray(c, r + V); c12.intoArray(c, r + 2 * V); c13.intoArray(c, r + 3 * V);
        r += ldc;
        c20.intoArray(c, r); c21.intoArray(c, r + V); c22.intoArray(c, r + 2 * V); c23.intoArray(c, r + 3 * V);
        r += ldc;
        c30.intoArray(c, r); c31.intoArray(c, r + V); c32.intoArray(c, r + 2 * V); c33.intoArray(c, r + 3 * V);
    }

    private static void tile6x2(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                                float[] b, int bOff, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, cOff), c01 = FloatVector.fromArray(S, c, cOff + V);
        FloatVector c10 = FloatVector.fromArray(S, c, cOff + ldc), c11 = FloatVector.fromArray(S, c, cOff + ldc + V);
        FloatVector c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc), c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + V);
        FloatVector c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc), c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + V);
        FloatVector c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc), c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + V);
        FloatVector c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc), c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + V);
        for (int p = 0; p < kc; p++) {
            int bp = bOff + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + V);
            int ap = aOff + p * acs;
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + ars]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * ars]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4 * ars]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5 * ars]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + V);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + V);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + V);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + V);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + V);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + V);
    }

    private static void tile8x1(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs,
                                float[] b, int bOff, int ldb, int kc) {
        FloatVector c0 = FloatVector.fromArray(S, c, cOff), c1 = FloatVector.fromArray(S, c, cOff + ldc);
        FloatVector c2 = FloatVector.fromArray(S, c, cOff + 2 * ldc), c3 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c4 = FloatVector.fromArray(S, c, cOff + 4 * ldc), c5 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
        FloatVector c6 = FloatVector.fromArray(S, c, cOff + 6 * ldc), c7 = FloatVector.fromArray(S, c, cOff + 7 * ldc);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bOff + p * ldb);
            int ap = aOff + p * acs;
            c0 = FloatVector.broadcast(S, a[ap]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ap + ars]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ap + 2 * ars]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ap + 3 * ars]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ap + 4 * ars]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ap + 5 * ars]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ap + 6 * ars]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ap + 7 * ars]).fma(b0, c7);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + ldc);
        c2.intoArray(c, cOff + 2 * ldc);
        c3.intoArray(c, cOff + 3 * ldc);
        c4.intoArray(c, cOff + 4 * ldc);
        c5.intoArray(c, cOff + 5 * ldc);
        c6.intoArray(c, cOff + 6 * ldc);
        c7.intoArray(c, cOff + 7 * ldc);
    }

    /**
     * One row, one vector: a single FMA chain over p, like every other tile, so that each element of C is
     * one chain in ascending p from its starting value ({@link Gemm#gemmOrdered} relies on it).
     */
    private static void tile1x1(float[] c, int cOff, float[] a, int aOff, int acs,
                                float[] b, int bOff, int ldb, int kc) {
        FloatVector e = FloatVector.fromArray(S, c, cOff);
        for (int p = 0; p < kc; p++) {
            e = FloatVector.broadcast(S, a[aOff + p * acs]).fma(FloatVector.fromArray(S, b, bOff + p * ldb), e);
        }
        e.intoArray(c, cOff);
    }
}
