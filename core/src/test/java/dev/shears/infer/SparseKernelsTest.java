package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.kernels.Bsr4;
import dev.shears.kernels.Csr;
import dev.shears.kernels.PlanarConv;
import dev.shears.kernels.ReferenceKernels;
import dev.shears.kernels.Sell;
import dev.shears.kernels.SparseKernels;
import dev.shears.kernels.TwoFour;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sparse kernels against the naive dense GEMM, over shapes with 1, odd sizes and vector tails. */
class SparseKernelsTest {
    private static final float TOL = 1e-4f;
    private static final int[] KS = {1, 3, 4, 7, 16, 33, 400};
    private static final int[] OCS = {1, 5, 32};
    private static final int[] PS = {1, 2, 17, 64};
    private static final double[] SPARSITIES = {0, 0.5, 0.9, 1.0};

    /** Reference: out (oc, p) = (w (k, oc))^T · bT (k, p), through the naive GEMM on an explicit transpose. */
    private static float[] reference(float[] w, int k, int oc, float[] bT, int p) {
        float[] wT = new float[oc * k];
        SparseKernels.transpose(wT, w, k, oc);
        float[] out = new float[oc * p];
        ReferenceKernels.gemm(out, 0, wT, 0, bT, 0, oc, k, p, false);
        return out;
    }

    @Test
    void csrBlockAndTwoFourMatchDenseOverShapes() {
        Random rng = new Random(1);
        for (int k : KS) {
            for (int oc : OCS) {
                for (int p : PS) {
                    for (double s : SPARSITIES) {
                        float[] w = TestModels.sparseMatrix(k, oc, s, rng);
                        float[] bT = TestModels.sparseMatrix(k, p, 0, rng);
                        float[] expected = reference(w, k, oc, bT, p);
                        float[] out = new float[oc * p];
                        java.util.Arrays.fill(out, Float.NaN); // kernels must overwrite, not accumulate
                        SparseKernels.csr(out, Csr.ofTransposed(w, k, oc), bT, p, 0, oc);
                        String at = "k " + k + " oc " + oc + " p " + p + " sparsity " + s;
                        assertArrayEquals(expected, out, TOL * k, "csr " + at);
                        if (k >= 4) {
                            java.util.Arrays.fill(out, Float.NaN);
                            SparseKernels.bsr4(out, Bsr4.ofTransposed(w, k, oc), bT, p, 0, oc);
                            assertArrayEquals(expected, out, TOL * k, "bsr4 " + at);
                        }
                        if (k % 4 == 0) {
                            TestModels.pruneTwoFour(w, k, oc);
                            expected = reference(w, k, oc, bT, p);
                            java.util.Arrays.fill(out, Float.NaN);
                            SparseKernels.twoFour(out, TwoFour.ofTransposed(w, k, oc), bT, p, 0, oc);
                            assertArrayEquals(expected, out, TOL * k, "2:4 " + at);
                        }
                    }
                }
            }
        }
    }

    @Test
    void sellMatchesDenseProductOverShapes() {
        Random rng = new Random(4);
        for (int k : new int[] {1, 7, 64, 300}) {
            for (int oc : new int[] {1, 15, 16, 17, 100}) {
                for (double s : SPARSITIES) {
                    float[] w = TestModels.sparseMatrix(k, oc, s, rng);
                    float[] x = TestModels.sparseMatrix(3, k, 0, rng); // three examples; the middle one is used
                    float[] expected = reference(w, k, oc, java.util.Arrays.copyOfRange(x, k, 2 * k), 1);
                    Sell sell = Sell.of(Csr.ofTransposed(w, k, oc));
                    float[] y = new float[oc + 2];
                    java.util.Arrays.fill(y, Float.NaN);
                    sell.multiply(y, 1, x, k, new float[oc]);
                    String at = "k " + k + " oc " + oc + " sparsity " + s;
                    assertArrayEquals(expected, java.util.Arrays.copyOfRange(y, 1, oc + 1), TOL * k, "sell " + at);
                    assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[oc + 1]), "wrote outside its rows: " + at);
                }
            }
        }
    }

    /** The planar conv against the convolution's definition, over widths below, at and above a vector and several channel groups. */
    @Test
    void planarConvMatchesNaiveConvolution() {
        Random rng = new Random(6);
        int[][] shapes = {{1, 28, 28, 5, 5, 16}, {16, 12, 12, 5, 5, 32}, {3, 9, 20, 3, 2, 5}, {5, 7, 40, 1, 3, 4}, {64, 10, 10, 3, 3, 6}};
        for (int[] g : shapes) {
            int c = g[0];
            int hp = g[1];
            int wp = g[2];
            int kh = g[3];
            int kw = g[4];
            int oc = g[5];
            int oh = hp - kh + 1;
            int ow = wp - kw + 1;
            for (double sparsity : new double[] {0, 0.8, 1}) {
                float[] w = TestModels.sparseMatrix(kh * kw * c, oc, sparsity, rng); // Keras (ky, kx, ch, oc)
                float[] bias = TestModels.sparseMatrix(1, oc, 0, rng);
                float[] x = TestModels.sparseMatrix(1, c * hp * wp + 3, 0, rng); // (c, hp, wp) from offset 3
                for (int groupBytes : new int[] {1, 4096, PlanarConv.GROUP_BYTES}) {
                    PlanarConv p = new PlanarConv(Csr.ofTransposed(w, kh * kw * c, oc), bias, c, hp, wp, kh, kw, groupBytes);
                    for (boolean relu : new boolean[] {false, true}) {
                        float[] out = new float[2 + oc * oh * ow];
                        java.util.Arrays.fill(out, Float.NaN);
                        p.run(out, 2, x, 3, p.newScratch(), relu);
                        for (int r = 0; r < oc; r++) {
                            for (int oy = 0; oy < oh; oy++) {
                                for (int ox = 0; ox < ow; ox++) {
                                    double sum = bias[r];
                                    for (int ky = 0; ky < kh; ky++) {
                                        for (int kx = 0; kx < kw; kx++) {
                                            for (int ch = 0; ch < c; ch++) {
                                                sum += w[((ky * kw + kx) * c + ch) * oc + r] * x[3 + (ch * hp + oy + ky) * wp + ox + kx];
                                            }
                                        }
                                    }
                                    float expected = relu ? (float) Math.max(0, sum) : (float) sum;
                                    float got = out[2 + (r * oh + oy) * ow + ox];
                                    assertEquals(expected, got, TOL * kh * kw * c, "shape " + java.util.Arrays.toString(g) + " sparsity "
                                            + sparsity + " group bytes " + groupBytes + " relu " + relu + " at " + r + "," + oy + "," + ox);
                                }
                            }
                        }
                        assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[1]), "wrote before its offset");
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new PlanarConv(Csr.ofTransposed(new float[50 * 2], 50, 2),
                new float[2], 2, 4, 4, 5, 5, 1024)); // a 5x5 kernel does not fit 4x4 planes
        assertThrows(IllegalArgumentException.class, () -> new PlanarConv(Csr.ofTransposed(new float[50 * 2], 50, 2),
                new float[3], 2, 6, 6, 5, 5, 1024)); // 3 biases for 2 outputs
    }

    @Test
    void handComputedCsr() {
        // W^T (2, 3) = [[1, 0, 2], [0, 3, 0]] as kernel (3, 2); bT (3, 2) = [[1, 2], [3, 4], [5, 6]]
        float[] kernel = {1, 0, 0, 3, 2, 0};
        Csr w = Csr.ofTransposed(kernel, 3, 2);
        assertArrayEquals(new int[] {0, 2, 3}, w.rowPtr());
        assertArrayEquals(new int[] {0, 2, 1}, w.colIdx());
        float[] out = new float[4];
        SparseKernels.csr(out, w, new float[] {1, 2, 3, 4, 5, 6}, 2, 0, 2);
        assertArrayEquals(new float[] {11, 14, 9, 12}, out);
    }

    @Test
    void formatsRoundTripToDense() {
        Random rng = new Random(2);
        float[] w = TestModels.sparseMatrix(10, 3, 0.6, rng);
        assertArrayEquals(w, Csr.ofTransposed(w, 10, 3).toDenseTransposed());
        assertArrayEquals(w, Bsr4.ofTransposed(w, 10, 3).toDenseTransposed());
        float[] v = TestModels.sparseMatrix(12, 3, 0, rng);
        TestModels.pruneTwoFour(v, 12, 3);
        assertTrue(TwoFour.fits(v, 12, 3));
        assertArrayEquals(v, TwoFour.ofTransposed(v, 12, 3).toDenseTransposed());
        assertThrows(IllegalArgumentException.class, () -> TwoFour.ofTransposed(TestModels.sparseMatrix(8, 2, 0, rng), 8, 2));
        assertThrows(IllegalArgumentException.class, () -> new Csr(2, 2, new float[1], new int[] {5}, new int[] {0, 1, 1}));
    }

    @Test
    void blockStoresOneIndexPerFourValues() {
        float[] w = new float[8 * 2]; // kernel (8, 2): output 0 uses inputs 4..7 only
        for (int i = 4; i < 8; i++) {
            w[i * 2] = i;
        }
        Bsr4 b = Bsr4.ofTransposed(w, 8, 2);
        assertEquals(1, b.blocks());
        assertArrayEquals(new int[] {4}, b.blockCol());
    }

    @Test
    void im2colTIsTheTransposeOfIm2col() {
        Random rng = new Random(3);
        int n = 2;
        int h = 7;
        int w = 6;
        int c = 3;
        int kh = 3;
        int kw = 2;
        int oh = 4;
        int ow = 3;
        float[] x = TestModels.randomInput(n, h * w * c, rng);
        int rows = n * oh * ow;
        int k = kh * kw * c;
        float[] cols = new float[rows * k];
        ReferenceKernels.im2col(cols, x, n, h, w, c, kh, kw, 2, 2, 1, 0, oh, ow);
        float[] expected = new float[k * rows];
        SparseKernels.transpose(expected, cols, rows, k);
        float[] colsT = new float[k * rows];
        dev.shears.kernels.Im2col.im2colTransposed(colsT, x, n, new dev.shears.kernels.ConvShape(h, w, c, kh, kw, 2, 2, 1, 0, oh, ow));
        assertArrayEquals(expected, colsT);
    }
}
