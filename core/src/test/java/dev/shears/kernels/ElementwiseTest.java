package dev.shears.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Vector API element-wise kernels against the scalar ones (bit-exact) and hand-computed values. */
class ElementwiseTest {
    private static final int[] LENGTHS = {1, 3, 15, 16, 17, 33, 100};

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    @Test
    void reluMatchesScalarIncludingNanAndNegativeZero() {
        Random rnd = new Random(1);
        for (int len : LENGTHS) {
            float[] x = random(rnd, len);
            x[0] = Float.NaN;
            if (len > 1) {
                x[1] = -0f;
            }
            float[] expected = new float[len];
            float[] actual = new float[len];
            Elementwise.reluScalar(expected, x, len);
            VectorElementwise.relu(actual, x, len);
            assertArrayEquals(expected, actual, 0f, "len=" + len);
        }
    }

    @Test
    void reluBackwardMatchesScalar() {
        Random rnd = new Random(2);
        for (int len : LENGTHS) {
            float[] dY = random(rnd, len);
            float[] y = random(rnd, len);
            float[] expected = random(rnd, len);
            float[] actual = expected.clone();
            Elementwise.reluBackwardScalar(expected, dY, y, len);
            VectorElementwise.reluBackward(actual, dY, y, len);
            assertArrayEquals(expected, actual, 0f, "len=" + len);
        }
    }

    @Test
    void biasKernelsMatchScalar() {
        Random rnd = new Random(3);
        for (int rows : new int[] {1, 5, 64}) {
            for (int cols : LENGTHS) {
                float[] bias = random(rnd, cols);
                float[] y = random(rnd, rows * cols);
                float[] expected = y.clone();
                Elementwise.addBiasRowsScalar(expected, bias, rows, cols);
                VectorElementwise.addBiasRows(y, bias, rows, cols);
                assertArrayEquals(expected, y, 0f);
                float[] dBias = random(rnd, cols);
                float[] dBiasExpected = dBias.clone();
                Elementwise.biasBackwardScalar(dBiasExpected, y, rows, cols);
                VectorElementwise.biasBackward(dBias, y, rows, cols);
                assertArrayEquals(dBiasExpected, dBias, 0f, "rows=" + rows + " cols=" + cols);
            }
        }
    }

    @Test
    void fusedBiasReluAndReluMaskMatchTheSeparatePasses() {
        Random rnd = new Random(4);
        int[][] shapes = {{1, 1}, {3, 17}, {4096, 32}, {36864, 16}, {7, 33}};
        for (int[] sh : shapes) {
            int rows = sh[0], cols = sh[1], len = rows * cols;
            float[] y = random(rnd, len);
            y[0] = Float.NaN;
            float[] bias = random(rnd, cols);
            float[] expected = y.clone();
            Elementwise.addBiasRowsScalar(expected, bias, rows, cols);
            Elementwise.reluScalar(expected, expected, len);
            float[] actual = y.clone();
            Elementwise.biasRelu(actual, bias, rows, cols, true);
            assertArrayEquals(expected, actual, 0f, rows + "x" + cols);
            float[] noBias = y.clone();
            Elementwise.biasRelu(noBias, null, rows, cols, false);
            assertArrayEquals(y, noBias, 0f);

            float[] dY = random(rnd, len);
            float[] maskedScalar = dY.clone();
            Elementwise.reluMaskScalar(maskedScalar, expected, 0, len);
            float[] masked = dY.clone();
            Elementwise.reluMaskInPlace(masked, expected, len);
            assertArrayEquals(maskedScalar, masked, 0f);
            for (int i = 0; i < len; i++) {
                assertTrue(expected[i] > 0f ? masked[i] == dY[i] : masked[i] == 0f);
            }
        }
    }

    @Test
    void argmaxTakesTheFirstOfTiedMaxima() {
        float[] scores = {1, 3, 3, -1, -2, -5, 0, 7, 7};
        assertArrayEquals(new int[] {1, 0, 1}, Elementwise.argmaxRows(scores, 3, 3));
    }

    @Test
    void handComputed() {
        float[] y = new float[4];
        Elementwise.relu(y, new float[] {-1, 0, 2, -0f}, 4);
        assertArrayEquals(new float[] {0, 0, 2, 0}, y, 0f);
        Elementwise.relu(y, new float[] {Float.NaN, -3, 1, 1}, 4);
        assertTrue(Float.isNaN(y[0]), "NaN propagates through ReLU");
        float[] dX = {1, 1, 1, 1};
        Elementwise.reluBackward(dX, new float[] {5, 5, 5, 5}, new float[] {-1, 0, 2, 3}, 4);
        assertArrayEquals(new float[] {1, 1, 6, 6}, dX, 0f);
        float[] rows = {1, 2, 3, 4, 5, 6};
        Elementwise.addBiasRows(rows, new float[] {10, 20, 30}, 2, 3);
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, rows, 0f);
        float[] dBias = {1, 1, 1};
        Elementwise.biasBackward(dBias, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {6, 8, 10}, dBias, 0f);
    }
}
