package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The depthwise kernels against {@link ReferenceKernels#depthwiseConv} / {@code depthwiseConvBackward} and a hand-computed case. */
class DepthwiseTest {
    /** Float error per accumulated term of values in [-1, 1). */
    private static final float TOL_PER_TERM = 2e-6f;

    @AfterEach
    void restoreThreads() {
        Parallel.setCommonThreads(Runtime.getRuntime().availableProcessors());
    }

    /** {n, h, w, c, dm, kh, kw, sh, sw, same?}: 1s, odd sizes, vector tails, strides, kernels larger than the stride, dm > 1. */
    private static final int[][] CASES = {
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, {2, 5, 4, 3, 1, 3, 3, 1, 1, 0}, {2, 5, 4, 3, 1, 3, 3, 1, 1, 1},
        {3, 9, 7, 17, 1, 3, 3, 2, 2, 1}, {1, 8, 8, 32, 1, 5, 5, 1, 1, 1}, {2, 6, 7, 5, 2, 3, 2, 2, 1, 1},
        {1, 7, 6, 4, 3, 2, 3, 1, 2, 0}, {2, 4, 4, 33, 1, 4, 4, 3, 3, 1}, {9, 12, 12, 16, 1, 3, 3, 1, 1, 1},
    };

    static Depthwise.Shape shape(int[] t) {
        int h = t[1], w = t[2], kh = t[5], kw = t[6], sh = t[7], sw = t[8];
        boolean same = t[9] == 1;
        int oh = same ? (h + sh - 1) / sh : (h - kh) / sh + 1;
        int ow = same ? (w + sw - 1) / sw : (w - kw) / sw + 1;
        int padTop = same ? Math.max((oh - 1) * sh + kh - h, 0) / 2 : 0;
        int padLeft = same ? Math.max((ow - 1) * sw + kw - w, 0) / 2 : 0;
        return new Depthwise.Shape(h, w, t[3], t[4], kh, kw, sh, sw, padTop, padLeft, oh, ow);
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    @Test
    void forwardAndBackwardMatchReference() {
        Random rnd = new Random(11);
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setCommonThreads(threads);
            for (int[] t : CASES) {
                int n = t[0];
                Depthwise.Shape s = shape(t);
                float[] x = random(rnd, n * s.inSize());
                float[] k = random(rnd, s.kh() * s.kw() * s.oc());
                float[] bias = random(rnd, s.oc());
                String where = "threads=" + threads + " " + s;
                float tol = TOL_PER_TERM * (s.kh() * s.kw() + 1);
                for (float[] b : new float[][] {bias, null}) {
                    float[] yRef = new float[n * s.outSize()];
                    ReferenceKernels.depthwiseConv(yRef, x, k, b, n, s);
                    float[] y = random(rnd, yRef.length); // overwritten, not accumulated into
                    Depthwise.forward(y, x, k, b, n, s);
                    assertArrayEquals(yRef, y, tol, "forward " + where);
                }
                float[] dY = random(rnd, n * s.outSize());
                float[] dXRef = random(new Random(1), x.length);
                float[] dKRef = random(new Random(2), k.length);
                float[] dX = dXRef.clone();
                float[] dK = dKRef.clone();
                ReferenceKernels.depthwiseConvBackward(dXRef, dKRef, dY, x, k, n, s);
                Depthwise.backwardInput(dX, dY, k, n, s);
                Depthwise.backwardKernel(dK, dY, x, n, s);
                assertArrayEquals(dXRef, dX, TOL_PER_TERM * (s.kh() * s.kw() * s.dm() + 1), "dX " + where);
                assertArrayEquals(dKRef, dK, TOL_PER_TERM * (n * s.oh() * s.ow() + 1), "dKernel " + where);
            }
        }
    }

    /**
     * x (1, 2, 3, 2), channels interleaved: ch0 = [1 2 3; 4 5 6], ch1 = 10 × ch0; 2x2 kernel, dm = 2, valid:
     * output (1, 1, 2, 4). Output channel ch*2+m uses kernel[:, :, ch, m]: ch0 m0 all ones (window sums),
     * ch0 m1 picks the top-left tap, ch1 m0 the bottom-right one, ch1 m1 is [1 -1; 0 0]; bias 0.5 on the first.
     */
    @Test
    void handComputedDepthMultiplierTwo() {
        float[] x = {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60};
        // layout (ky, kx, ch, m)
        float[] k = {
            1, 1, 0, 1,   // ky0 kx0: ch0 (m0 1, m1 1), ch1 (m0 0, m1 1)
            1, 0, 0, -1,  // ky0 kx1
            1, 0, 0, 0,   // ky1 kx0
            1, 0, 1, 0};  // ky1 kx1
        float[] bias = {0.5f, 0, 0, 0};
        Depthwise.Shape s = new Depthwise.Shape(2, 3, 2, 2, 2, 2, 1, 1, 0, 0, 1, 2);
        float[] y = new float[8];
        Depthwise.forward(y, x, k, bias, 1, s);
        float[] expected = {
            0.5f + 1 + 2 + 4 + 5, 1, 50, 10 - 20,  // ox = 0
            0.5f + 2 + 3 + 5 + 6, 2, 60, 20 - 30}; // ox = 1
        assertArrayEquals(expected, y, 0f);
    }

    @Test
    void badShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Depthwise.Shape(4, 4, 3, 0, 3, 3, 1, 1, 0, 0, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Depthwise.Shape(4, 4, 3, 1, 3, 3, 1, 1, -1, 0, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Depthwise.Shape(4, 4, 3, 1, 3, 3, 0, 1, 0, 0, 2, 2));
    }
}
