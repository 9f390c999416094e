package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Zero padding and its backward against {@link ReferenceKernels#zeroPad}, plus a hand-computed case. */
class Padding2DTest {
    /** {n, h, w, c, top, bottom, left, right}: sizes of 1, odd sizes, zero and asymmetric pads, a batch above the grain. */
    private static final int[][] CASES = {{1, 1, 1, 1, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}, {2, 3, 5, 1, 1, 0, 2, 1},
        {3, 7, 5, 3, 0, 2, 1, 0}, {2, 4, 4, 17, 3, 1, 0, 2}, {1, 28, 28, 1, 1, 1, 1, 1}, {40, 15, 15, 32, 1, 1, 1, 1}};

    @Test
    void matchesReference() {
        Random rnd = new Random(3);
        for (int[] s : CASES) {
            int n = s[0], h = s[1], w = s[2], c = s[3], t = s[4], b = s[5], l = s[6], r = s[7];
            int outLen = n * (h + t + b) * (w + l + r) * c;
            float[] x = random(n * h * w * c, rnd);
            float[] yRef = new float[outLen];
            ReferenceKernels.zeroPad(yRef, x, n, h, w, c, t, b, l, r);
            float[] y = new float[outLen];
            Arrays.fill(y, Float.NaN); // a reused buffer: every element, padding included, must be written
            Padding2D.zeroPad(y, x, n, h, w, c, t, b, l, r);
            assertArrayEquals(yRef, y, 0f, Arrays.toString(s));

            float[] dY = random(outLen, rnd);
            float[] start = random(x.length, rnd); // backward accumulates
            float[] dXRef = start.clone();
            ReferenceKernels.zeroPadBackward(dXRef, dY, n, h, w, c, t, b, l, r);
            float[] dX = start.clone();
            Padding2D.zeroPadBackward(dX, dY, n, h, w, c, t, b, l, r);
            assertArrayEquals(dXRef, dX, 0f, Arrays.toString(s));
        }
    }

    /** x (1,2,2,2) with pads top 1, bottom 0, left 0, right 1 -> y (1,3,3,2). */
    @Test
    void handComputed() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] y = new float[18];
        Padding2D.zeroPad(y, x, 1, 2, 2, 2, 1, 0, 0, 1);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0, 0}, y, 0f);
        float[] dY = new float[18];
        for (int i = 0; i < dY.length; i++) {
            dY[i] = i;
        }
        float[] dX = {1, 1, 1, 1, 1, 1, 1, 1};
        Padding2D.zeroPadBackward(dX, dY, 1, 2, 2, 2, 1, 0, 0, 1);
        assertArrayEquals(new float[] {7, 8, 9, 10, 13, 14, 15, 16}, dX, 0f);
    }

    private static float[] random(int len, Random rnd) {
        float[] a = new float[len];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        return a;
    }
}
