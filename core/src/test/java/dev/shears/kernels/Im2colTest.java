package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** im2col and col2im against the reference, and col2im as the adjoint of im2col. */
class Im2colTest {
    /** {n, h, w, c, kh, kw, strideH, strideW, padTop, padLeft}. */
    private static final int[][] CASES = {{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, {2, 28, 28, 1, 5, 5, 1, 1, 0, 0},
        {2, 12, 12, 16, 5, 5, 1, 1, 0, 0}, {1, 7, 5, 3, 3, 3, 2, 1, 1, 1}, {3, 6, 9, 17, 3, 2, 1, 2, 2, 0}};
    /** Relative error of double sums of a few thousand float products. */
    private static final double ADJOINT_TOL = 1e-9;

    private static int outSize(int in, int k, int stride, int pad) {
        return (in + 2 * pad - k) / stride + 1;
    }

    @Test
    void matchesReferenceAndIsAdjoint() {
        Random rnd = new Random(11);
        for (int[] s : CASES) {
            int n = s[0], h = s[1], w = s[2], c = s[3], kh = s[4], kw = s[5];
            int sh = s[6], sw = s[7], pt = s[8], pl = s[9];
            int oh = outSize(h, kh, sh, pt), ow = outSize(w, kw, sw, pl);
            float[] x = new float[n * h * w * c];
            float[] dCols = new float[n * oh * ow * kh * kw * c];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextFloat() - 0.5f;
            }
            for (int i = 0; i < dCols.length; i++) {
                dCols[i] = rnd.nextFloat() - 0.5f;
            }
            float[] cols = new float[dCols.length];
            float[] colsRef = new float[dCols.length];
            java.util.Arrays.fill(cols, 9f);
            Im2col.im2col(cols, x, n, new ConvShape(h, w, c, kh, kw, sh, sw, pt, pl, oh, ow));
            ReferenceKernels.im2col(colsRef, x, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
            assertArrayEquals(colsRef, cols, 0f);

            float[] dX = new float[x.length];
            float[] dXRef = new float[x.length];
            Im2col.col2im(dX, dCols, n, new ConvShape(h, w, c, kh, kw, sh, sw, pt, pl, oh, ow));
            ReferenceKernels.col2im(dXRef, dCols, n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
            assertArrayEquals(dXRef, dX, 1e-6f);

            double lhs = 0;
            double rhs = 0;
            double scale = 0;
            for (int i = 0; i < x.length; i++) {
                lhs += (double) dX[i] * x[i];
                scale += Math.abs((double) dX[i] * x[i]);
            }
            for (int i = 0; i < cols.length; i++) {
                rhs += (double) dCols[i] * cols[i];
            }
            assertEquals(lhs, rhs, ADJOINT_TOL * Math.max(1, scale) + 1e-5 * scale);
        }
    }

    /** x (1,2,2,1) = [1 2; 3 4], 2x2 kernel, pad 1 on top/left, stride 1 -> first rows written out. */
    @Test
    void handComputed() {
        float[] x = {1, 2, 3, 4};
        float[] cols = new float[2 * 2 * 4];
        Im2col.im2col(cols, x, 1, new ConvShape(2, 2, 1, 2, 2, 1, 1, 1, 1, 2, 2));
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 1, 2, 0, 1, 0, 3, 1, 2, 3, 4}, cols, 0f);
        float[] dX = new float[4];
        Im2col.col2im(dX, cols, 1, new ConvShape(2, 2, 1, 2, 2, 1, 1, 1, 1, 2, 2));
        // dX = value x number of windows covering the pixel: 4, 2, 2 and 1 (padding only top/left)
        assertArrayEquals(new float[] {4, 4, 6, 4}, dX, 0f);
    }
}
