package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batch-norm kernels against {@link ReferenceKernels#batchNorm} / {@code batchNormBackward} and hand-computed cases. */
class BatchNormTest {
    /** Float error of a normalised value (|y| up to a few units) against the double reference. */
    private static final float TOL = 2e-5f;
    /** rows: one, odd, exactly one block, several blocks with a short last one; c: 1, odd, vector tails. */
    private static final int[][] SHAPES = {{1, 3}, {2, 1}, {7, 5}, {BatchNorm.ROWS_PER_BLOCK, 8}, {3 * BatchNorm.ROWS_PER_BLOCK + 17, 19},
        {1200, 33}};

    @AfterEach
    void restoreThreads() {
        Parallel.setCommonThreads(Runtime.getRuntime().availableProcessors());
    }

    private static float[] random(Random rnd, int len, float offset) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = offset + rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    /** Forward with batch statistics as the layer runs it: moments, then scale/shift, then the affine pass. */
    private static void forward(float[] y, float[] mean, float[] var, float[] x, float[] gamma, float[] beta, float eps, int rows, int c) {
        BatchNorm.moments(mean, var, x, rows, c);
        float[] scale = new float[c];
        float[] shift = new float[c];
        BatchNorm.scaleShift(scale, shift, gamma, beta, mean, var, eps, c);
        BatchNorm.affine(y, x, scale, shift, rows, c);
    }

    @Test
    void trainingForwardMatchesReference() {
        Random rnd = new Random(1);
        for (int[] s : SHAPES) {
            int rows = s[0], c = s[1];
            // an offset far from zero: a one-pass E[x²] - E[x]² would lose digits here
            float[] x = random(rnd, rows * c, 30f);
            float[] gamma = random(rnd, c, 1f);
            float[] beta = random(rnd, c, 0f);
            for (float[][] gb : new float[][][] {{gamma, beta}, {null, beta}, {gamma, null}, {null, null}}) {
                float[] yRef = new float[x.length];
                float[] meanRef = new float[c];
                float[] varRef = new float[c];
                ReferenceKernels.batchNorm(yRef, meanRef, varRef, x, gb[0], gb[1], 1e-3f, rows, c);
                float[] y = new float[x.length];
                float[] mean = new float[c];
                float[] var = new float[c];
                forward(y, mean, var, x, gb[0], gb[1], 1e-3f, rows, c);
                assertArrayEquals(meanRef, mean, 1e-6f * 30, "mean rows=" + rows + " c=" + c);
                assertArrayEquals(varRef, var, 1e-6f, "variance rows=" + rows + " c=" + c);
                assertArrayEquals(yRef, y, TOL * 30, "y rows=" + rows + " c=" + c);
            }
        }
    }

    @Test
    void backwardMatchesReference() {
        Random rnd = new Random(2);
        for (int[] s : SHAPES) {
            int rows = s[0], c = s[1];
            float[] x = random(rnd, rows * c, 0.5f);
            float[] gamma = random(rnd, c, 1f);
            float[] dY = random(rnd, rows * c, 0f);
            for (float[] g : new float[][] {gamma, null}) {
                float[] dXRef = random(new Random(3), x.length, 0f);
                float[] dX = dXRef.clone();
                float[] dGammaRef = new float[c];
                float[] dBetaRef = new float[c];
                ReferenceKernels.batchNormBackward(dXRef, dGammaRef, dBetaRef, dY, x, g, 1e-3f, rows, c);
                float[] mean = new float[c];
                float[] var = new float[c];
                float[] invStd = new float[c];
                BatchNorm.moments(mean, var, x, rows, c);
                BatchNorm.invStd(invStd, var, 1e-3f, c);
                double[] sumDy = new double[c];
                double[] sumDyXhat = new double[c];
                BatchNorm.gradientSums(sumDy, sumDyXhat, dY, x, mean, invStd, rows, c);
                BatchNorm.inputGradient(dX, dY, x, mean, invStd, g, sumDy, sumDyXhat, rows, c);
                float[] dGamma = new float[c];
                float[] dBeta = new float[c];
                for (int ch = 0; ch < c; ch++) {
                    dGamma[ch] = (float) sumDyXhat[ch];
                    dBeta[ch] = (float) sumDy[ch];
                }
                String where = "rows=" + rows + " c=" + c + (g == null ? " no gamma" : "");
                // dX accumulates onto what was there; its scale is ~invStd (up to ~3 here)
                assertArrayEquals(dXRef, dX, 1e-4f, "dX " + where);
                assertArrayEquals(dGammaRef, dGamma, 1e-5f * rows, "dGamma " + where);
                assertArrayEquals(dBetaRef, dBeta, 1e-5f * rows, "dBeta " + where);
            }
        }
    }

    /**
     * One channel x = [1, 3, 5, 7]: μ = 4, σ² = (9 + 1 + 1 + 9) / 4 = 5; with ε = 1 and γ = 2, β = 1,
     * y = (x - 4) / sqrt(6) · 2 + 1. Second channel constant 2: σ² = 0, y = β = -1 exactly.
     */
    @Test
    void handComputedCase() {
        float[] x = {1, 2, 3, 2, 5, 2, 7, 2};
        float[] y = new float[8];
        float[] mean = new float[2];
        float[] var = new float[2];
        forward(y, mean, var, x, new float[] {2, 3}, new float[] {1, -1}, 1f, 4, 2);
        assertArrayEquals(new float[] {4, 2}, mean, 0f);
        assertArrayEquals(new float[] {5, 0}, var, 0f);
        double s = 2 / Math.sqrt(6);
        float[] expected = {(float) (1 - 3 * s), -1, (float) (1 - s), -1, (float) (1 + s), -1, (float) (1 + 3 * s), -1};
        assertArrayEquals(expected, y, 1e-6f);
    }

    /** Keras's update with momentum 0.99: 0·0.99 + 4·0.01 = 0.04 and 1·0.99 + 5·0.01 = 1.04, in float. */
    @Test
    void movingAverageIsKerasClosedForm() {
        float[] moving = {0f, 1f, -2f};
        BatchNorm.updateMoving(moving, new float[] {4f, 5f, -2f}, 0.99, 3);
        assertArrayEquals(new float[] {0.99f * 0 + 4f * 0.01f, 0.99f + 5f * 0.01f, -2f * 0.99f + -2f * 0.01f}, moving, 0f);
        assertEquals(0.04f, moving[0], 1e-9f);
        assertEquals(1.04f, moving[1], 1e-7f);
        float[] frozen = {3f};
        BatchNorm.updateMoving(frozen, new float[] {100f}, 1.0, 1);
        assertArrayEquals(new float[] {3f}, frozen, 0f);
        float[] replaced = {3f};
        BatchNorm.updateMoving(replaced, new float[] {100f}, 0.0, 1);
        assertArrayEquals(new float[] {100f}, replaced, 0f);
    }

    @Test
    void planesMatchRowsOnTransposedData() {
        Random rnd = new Random(4);
        int n = 3, c = 5, hw = 7 * 3;
        float[] x = random(rnd, n * hw * c, 0f);
        float[] scale = random(rnd, c, 1f);
        float[] shift = random(rnd, c, 0f);
        float[] y = new float[x.length];
        BatchNorm.affine(y, x, scale, shift, n * hw, c);
        float[] xT = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < c; ch++) {
                    xT[(b * c + ch) * hw + p] = x[(b * hw + p) * c + ch];
                }
            }
        }
        float[] yT = new float[x.length];
        BatchNorm.affinePlanes(yT, xT, scale, shift, n, c, hw);
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < c; ch++) {
                    assertEquals(y[(b * hw + p) * c + ch], yT[(b * c + ch) * hw + p], 0f);
                }
            }
        }
        BatchNorm.affine(x, x, scale, shift, n * hw, c); // in place
        assertArrayEquals(y, x, 0f);
    }

    /** Fixed blocks, partial sums added in block order: the statistics are bit-identical on 1, 2 and 3 threads. */
    @Test
    void sumsDoNotDependOnTheThreadCount() {
        Random rnd = new Random(5);
        int rows = 5 * BatchNorm.ROWS_PER_BLOCK + 3, c = 6;
        float[] x = random(rnd, rows * c, 2f);
        float[] dY = random(rnd, rows * c, 0f);
        double[][] first = null;
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setCommonThreads(threads);
            float[] mean = new float[c];
            float[] var = new float[c];
            BatchNorm.moments(mean, var, x, rows, c);
            double[] sumDy = new double[c];
            double[] sumDyXhat = new double[c];
            BatchNorm.gradientSums(sumDy, sumDyXhat, dY, x, mean, var, rows, c);
            double[][] now = {toDoubles(mean), toDoubles(var), sumDy, sumDyXhat};
            if (first == null) {
                first = now;
            }
            for (int i = 0; i < now.length; i++) {
                assertArrayEquals(first[i], now[i], 0.0, "threads=" + threads + " output " + i);
            }
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
