package dev.shears.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MasksTest {
    private static float[] randomWeights(int n, long seed) {
        Random rng = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        return w;
    }

    @Test
    void keepCountRoundsHalfToEvenAndKeepsAtLeastOne() {
        assertEquals(80, Masks.keepCount(400, 0.8));
        assertEquals(2, Masks.keepCount(5, 0.5)); // 2.5 -> 2 (tf.round)
        assertEquals(4, Masks.keepCount(7, 0.5)); // 3.5 -> 4
        assertEquals(1, Masks.keepCount(10, 0.999));
        assertEquals(1, Masks.keepCount(1, 0.9));
        assertEquals(10, Masks.keepCount(10, 0));
        assertThrows(IllegalArgumentException.class, () -> Masks.keepCount(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Masks.keepCount(10, 1.0));
    }

    @Test
    void topKKeepsExactlyTheLargestAgainstNaiveOracle() {
        for (int n : new int[] {1, 7, 64, 1001}) {
            float[] w = randomWeights(n, n);
            for (double s : new double[] {0, 0.3, 0.5, 0.8, 0.99}) {
                int k = Masks.keepCount(n, s);
                boolean[] mask = new boolean[n];
                float t = Masks.topK(mask, w, k);
                assertEquals(k, Masks.count(mask));
                float[] sorted = new float[n];
                for (int i = 0; i < n; i++) {
                    sorted[i] = Math.abs(w[i]);
                }
                Arrays.sort(sorted);
                assertEquals(sorted[n - k], t);
                for (int i = 0; i < n; i++) {
                    assertEquals(Math.abs(w[i]) >= t, mask[i], "n=" + n + " s=" + s + " i=" + i);
                }
            }
        }
    }

    @Test
    void tiesKeepTheLowerIndex() {
        float[] w = {0.5f, -1f, 1f, 0.5f, -0.5f, 1f};
        boolean[] mask = new boolean[w.length];
        assertEquals(0.5f, Masks.topK(mask, w, 4));
        assertArrayEquals(new boolean[] {true, true, true, false, false, true}, mask);
        float[] zeros = new float[5];
        boolean[] m2 = new boolean[5];
        Masks.topK(m2, zeros, 2);
        assertArrayEquals(new boolean[] {true, true, false, false, false}, m2);
    }

    @Test
    void extremeSparsityKeepsOne() {
        float[] w = randomWeights(1000, 3);
        boolean[] mask = new boolean[1000];
        Masks.topK(mask, w, Masks.keepCount(1000, 0.9999));
        assertEquals(1, Masks.count(mask));
    }

    @Test
    void blocksAreWholeAndRankedByScore() {
        int rows = 10;
        int cols = 3; // last block of each column has 2 rows
        float[] w = randomWeights(rows * cols, 5);
        for (boolean useMax : new boolean[] {false, true}) {
            boolean[] mask = new boolean[w.length];
            Masks.blocks(mask, w, cols, 4, useMax, 0.5);
            int keptBlocks = 0;
            for (int c = 0; c < cols; c++) {
                for (int r0 = 0; r0 < rows; r0 += 4) {
                    boolean first = mask[r0 * cols + c];
                    for (int r = r0; r < Math.min(rows, r0 + 4); r++) {
                        assertEquals(first, mask[r * cols + c], "block not uniform");
                    }
                    keptBlocks += first ? 1 : 0;
                }
            }
            assertEquals(Masks.keepCount(9, 0.5), keptBlocks);
        }
        // hand case: one column, blocks of 2; mean scores {1.5, 0.5, 2.5}, max scores {2, 1, 2.5}
        float[] h = {1, -2, 0, 1, 2.5f, 2.5f};
        boolean[] m = new boolean[6];
        assertEquals(1.5f, Masks.blocks(m, h, 1, 2, false, 0.5));
        assertArrayEquals(new boolean[] {true, true, false, false, true, true}, m);
        float[] g = {2, 0, 0, 3, 1, 1};
        assertEquals(2f, Masks.blocks(m, g, 1, 2, true, 0.5)); // max {2,3,1}: keeps rint(1.5) = 2 blocks
        assertArrayEquals(new boolean[] {true, true, true, true, false, false}, m);
    }

    @Test
    void twoOfFourPatternIsValid() {
        int rows = 27; // kh*kw*c = 3*3*3: last group of 3 rows
        int cols = 5;
        float[] w = randomWeights(rows * cols, 9);
        boolean[] mask = new boolean[w.length];
        Masks.nOfM(mask, w, cols, 2, 4);
        for (int c = 0; c < cols; c++) {
            for (int g = 0; g < rows; g += 4) {
                int kept = 0;
                float minKept = Float.MAX_VALUE;
                float maxPruned = -1;
                for (int r = g; r < Math.min(rows, g + 4); r++) {
                    float a = Math.abs(w[r * cols + c]);
                    if (mask[r * cols + c]) {
                        kept++;
                        minKept = Math.min(minKept, a);
                    } else {
                        maxPruned = Math.max(maxPruned, a);
                    }
                }
                assertEquals(2, kept);
                assertTrue(minKept >= maxPruned);
            }
        }
        float[] tie = {1, 1, 1, 1};
        boolean[] tm = new boolean[4];
        Masks.nOfM(tm, tie, 1, 2, 4);
        assertArrayEquals(new boolean[] {true, true, false, false}, tm);
    }

    @Test
    void globalTopKReachesOverallSparsity() {
        float[][] ws = {randomWeights(100, 1), randomWeights(1000, 2), randomWeights(37, 3)};
        for (int i = 0; i < 100; i++) {
            ws[0][i] *= 10; // a layer with large weights keeps more
        }
        boolean[][] masks = {new boolean[100], new boolean[1000], new boolean[37]};
        float t = Masks.globalTopK(masks, ws, 0.8);
        int kept = Masks.count(masks[0]) + Masks.count(masks[1]) + Masks.count(masks[2]);
        assertEquals(Masks.keepCount(1137, 0.8), kept);
        assertTrue(Masks.count(masks[0]) > 50);
        for (int l = 0; l < 3; l++) {
            for (int i = 0; i < ws[l].length; i++) {
                if (Math.abs(ws[l][i]) > t) {
                    assertTrue(masks[l][i]);
                } else if (Math.abs(ws[l][i]) < t) {
                    assertTrue(!masks[l][i]);
                }
            }
        }
    }

    @Test
    void badShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Masks.topK(new boolean[3], new float[4], 1));
        assertThrows(IllegalArgumentException.class, () -> Masks.nOfM(new boolean[10], new float[10], 3, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> new MaskPattern.NOfM(4, 4));
        assertThrows(IllegalArgumentException.class, () -> new MaskPattern.Block(0, false));
    }
}
