package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Average and global max pooling against {@link ReferenceKernels}, bit for bit, and by hand. */
class PoolingKernelsTest {
    /** {n, h, w, c, ph, pw, sh, sw, same}: ones, odd sizes, overlapping and skipping windows, vector-length channels. */
    private static final int[][] SHAPES = {
        {1, 1, 1, 1, 1, 1, 1, 1, 0}, {1, 4, 4, 1, 2, 2, 2, 2, 0}, {2, 5, 4, 3, 2, 2, 2, 2, 1}, {2, 7, 5, 17, 3, 3, 1, 1, 1},
        {3, 6, 9, 16, 3, 2, 2, 3, 1}, {1, 8, 8, 32, 2, 2, 2, 2, 1}, {2, 7, 6, 5, 2, 3, 3, 1, 0}, {1, 5, 5, 2, 1, 1, 3, 3, 1},
        {2, 3, 4, 7, 5, 4, 1, 2, 1}, {1, 9, 1, 4, 3, 1, 2, 1, 1},
    };

    /** The geometry Keras gives: TensorFlow's 'same' output size and leading pad. */
    static Pool.Window window(int h, int w, int c, int ph, int pw, int sh, int sw, boolean same) {
        int oh = same ? (h + sh - 1) / sh : (h - ph) / sh + 1;
        int ow = same ? (w + sw - 1) / sw : (w - pw) / sw + 1;
        int padTop = same ? Math.max((oh - 1) * sh + ph - h, 0) / 2 : 0;
        int padLeft = same ? Math.max((ow - 1) * sw + pw - w, 0) / 2 : 0;
        return new Pool.Window(h, w, c, ph, pw, sh, sw, padTop, padLeft, oh, ow);
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    @Test
    void avgPoolAndItsBackwardMatchTheReference() {
        Random rnd = new Random(21);
        for (int[] s : SHAPES) {
            int n = s[0];
            Pool.Window g = window(s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8] == 1);
            float[] x = random(rnd, n * g.h() * g.w() * g.c());
            int outLen = n * g.oh() * g.ow() * g.c();
            float[] expected = new float[outLen];
            ReferenceKernels.avgPool(expected, x, n, g);
            float[] y = random(rnd, outLen); // a used buffer: the kernel must overwrite it
            Pool.avgPool(y, x, n, g);
            assertArrayEquals(expected, y, 0f, g.toString());
            float[] dY = random(rnd, outLen);
            float[] dX = random(rnd, x.length);
            float[] dXRef = dX.clone();
            ReferenceKernels.avgPoolBackward(dXRef, dY, n, g);
            Pool.avgPoolBackward(dX, dY, n, g);
            assertArrayEquals(dXRef, dX, 0f, g.toString());
        }
    }

    /** One channel of a 3x3 image, 2x2 windows, stride 2, 'same': pad only at the bottom and right. */
    @Test
    void sameAveragePoolingDividesByTheRealCells() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        Pool.Window g = window(3, 3, 1, 2, 2, 2, 2, true);
        float[] y = new float[4];
        Pool.avgPool(y, x, 1, g);
        // windows {1,2,4,5}, {3,6}, {7,8}, {9}: divided by 4, 2, 2 and 1, not by 4 each
        assertArrayEquals(new float[] {3f, 4.5f, 7.5f, 9f}, y, 0f);
        float[] dX = new float[9];
        Pool.avgPoolBackward(dX, new float[] {4f, 2f, 2f, 1f}, 1, g);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, dX, 0f);
    }

    @Test
    void globalMaxPoolMatchesTheReference() {
        Random rnd = new Random(22);
        int[][] shapes = {{1, 1, 1}, {2, 9, 3}, {3, 25, 17}, {1, 64, 32}, {2, 7, 1}};
        for (int[] s : shapes) {
            float[] x = random(rnd, s[0] * s[1] * s[2]);
            float[] expected = new float[s[0] * s[2]];
            ReferenceKernels.globalMaxPool(expected, x, s[0], s[1], s[2]);
            float[] y = random(rnd, expected.length);
            Pool.globalMaxPool(y, x, s[0], s[1], s[2]);
            assertArrayEquals(expected, y, 0f);
        }
    }

    /** Two channels over four positions; channel 0's maximum 5 is reached twice, so each copy gets half. */
    @Test
    void globalMaxPoolBackwardSharesTiesEquallyAndSkipsNaN() {
        float[] x = {5, -1, 2, -3, 5, -0.5f, 1, -2};
        float[] y = new float[2];
        Pool.globalMaxPool(y, x, 1, 4, 2);
        assertArrayEquals(new float[] {5f, -0.5f}, y, 0f);
        float[] dX = new float[8];
        dX[1] = 10f; // accumulates
        Pool.globalMaxPoolBackward(dX, new float[] {3f, 7f}, x, y, 1, 4, 2);
        assertArrayEquals(new float[] {1.5f, 10f, 0, 0, 1.5f, 7f, 0, 0}, dX, 0f);

        float[] withNaN = {1, Float.NaN, 2, 0};
        float[] yNaN = new float[1];
        Pool.globalMaxPool(yNaN, withNaN, 1, 4, 1);
        assertTrue(Float.isNaN(yNaN[0]), "NaN must win, as in Math.max, so a diverged run shows");
        float[] dNaN = new float[4];
        Pool.globalMaxPoolBackward(dNaN, new float[] {1f}, withNaN, yNaN, 1, 4, 1);
        assertArrayEquals(new float[4], dNaN, 0f);
    }

    @Test
    void windowRejectsBadGeometry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Pool.Window(4, 4, 1, 0, 2, 2, 2, 0, 0, 2, 2));
        assertTrue(e.getMessage().contains("ph=0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Pool.Window(4, 4, 1, 2, 2, 2, 2, -1, 0, 2, 2));
        assertArrayEquals(new int[] {1, 3}, new int[] {window(4, 6, 5, 2, 2, 2, 2, false).planes().c(),
            window(4, 6, 5, 2, 2, 2, 2, false).planes().ow()});
    }
}
