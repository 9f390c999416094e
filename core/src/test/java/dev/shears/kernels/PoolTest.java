package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Max pooling against {@link ReferenceKernels#maxPool}. */
class PoolTest {
    @Test
    void maxPoolMatchesReference() {
        Random rnd = new Random(5);
        int[][] shapes = {{1, 4, 4, 1, 2, 2}, {2, 24, 24, 16, 2, 2}, {3, 8, 8, 32, 2, 2}, {2, 7, 5, 17, 3, 2},
            {1, 6, 6, 33, 2, 2}, {2, 5, 5, 3, 1, 1}};
        for (int[] s : shapes) {
            int n = s[0], h = s[1], w = s[2], c = s[3], ph = s[4], pw = s[5];
            int oh = (h - ph) / ph + 1, ow = (w - pw) / pw + 1;
            float[] x = new float[n * h * w * c];
            for (int i = 0; i < x.length; i++) {
                // few distinct values, so ties exercise the first-maximum rule
                x[i] = rnd.nextInt(5) - 2;
            }
            int outLen = n * oh * ow * c;
            float[] yRef = new float[outLen];
            int[] argRef = new int[outLen];
            ReferenceKernels.maxPool(yRef, argRef, x, n, h, w, c, ph, pw, ph, pw, oh, ow);
            float[] y = new float[outLen];
            int[] arg = new int[outLen];
            Pool.maxPool(y, arg, x, n, h, w, c, ph, pw, ph, pw, oh, ow);
            assertArrayEquals(yRef, y, 0f);
            assertArrayEquals(argRef, arg);
            float[] yNoArg = new float[outLen];
            Pool.maxPool(yNoArg, null, x, n, h, w, c, ph, pw, ph, pw, oh, ow);
            assertArrayEquals(yRef, yNoArg, 0f);
        }
    }

    /** x (1,2,4,1) = [1 5 2 2; 3 4 2 7], 2x2 pool -> [5 7] at indices 1 and 7. */
    @Test
    void backwardWithoutIndicesMatchesArgmaxBackward() {
        Random rnd = new Random(9);
        int[][] shapes = {{2, 24, 24, 16, 2, 2, 2}, {1, 7, 5, 3, 3, 2, 1}, {3, 4, 4, 1, 2, 2, 2}};
        for (int[] s : shapes) {
            int n = s[0], h = s[1], w = s[2], c = s[3], ph = s[4], pw = s[5], st = s[6];
            int oh = (h - ph) / st + 1, ow = (w - pw) / st + 1;
            float[] x = new float[n * h * w * c];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(5); // many ties: the first maximum in scan order must win in both
            }
            float[] y = new float[n * oh * ow * c];
            int[] argmax = new int[y.length];
            Pool.maxPool(y, argmax, x, n, h, w, c, ph, pw, st, st, oh, ow);
            float[] yNoIdx = new float[y.length];
            Pool.maxPool(yNoIdx, null, x, n, h, w, c, ph, pw, st, st, oh, ow);
            assertArrayEquals(y, yNoIdx, 0f);
            float[] dY = new float[y.length];
            for (int i = 0; i < dY.length; i++) {
                dY[i] = rnd.nextFloat();
            }
            float[] expected = new float[x.length];
            Pool.maxPoolBackward(expected, dY, argmax, y.length);
            float[] actual = new float[x.length];
            Pool.maxPoolBackward(actual, dY, x, y, n, h, w, c, ph, pw, st, st, oh, ow);
            assertArrayEquals(expected, actual, 0f);
        }
    }

    @Test
    void handComputed() {
        float[] x = {1, 5, 2, 2, 3, 4, 2, 7};
        float[] y = new float[2];
        int[] arg = new int[2];
        Pool.maxPool(y, arg, x, 1, 2, 4, 1, 2, 2, 2, 2, 1, 2);
        assertArrayEquals(new float[] {5, 7}, y, 0f);
        assertArrayEquals(new int[] {1, 7}, arg);
    }
}
