package dev.shears.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DatasetTest {
    private static Dataset numbered(int n) {
        float[] x = new float[n * 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i % 3;
        }
        return new Dataset(x, new int[] {2}, y, 3);
    }

    @Test
    void byteStorageReadsAsHandComputedFloatsAndChecksItsArguments() {
        byte[] px = {0, (byte) 255, (byte) 128, 7, (byte) 200, 1};
        Dataset d = Dataset.ofUnsignedBytes(px, 255f, new int[] {3}, new int[] {1, 0}, 2);
        assertArrayEquals(new float[] {0f, 1f, 128 / 255f, 7 / 255f, 200 / 255f, 1 / 255f}, d.features());
        assertEquals(6, d.storedBytes());
        assertEquals(new Dataset.ValueRange(0f, 1f, 0, 6), d.valueRange(0f, 1f));
        d.checkFinite();
        float[] one = new float[3];
        d.shuffle(1).slice(0, 1).copyFeatures(0, one, 0);
        assertTrue(Arrays.equals(one, Arrays.copyOfRange(d.features(), 0, 3)) || Arrays.equals(one, Arrays.copyOfRange(d.features(), 3, 6)));
        assertThrows(IllegalArgumentException.class, () -> Dataset.ofUnsignedBytes(px, 0f, new int[] {3}, new int[] {1, 0}, 2));
        assertThrows(IllegalArgumentException.class, () -> Dataset.ofUnsignedBytes(px, 255f, new int[] {4}, new int[] {1, 0}, 2));
        assertThrows(IllegalArgumentException.class, () -> Dataset.ofUnsignedBytes(px, 255f, new int[] {3}, new int[] {1, 2}, 2));
    }

    @Test
    void takeSplitAndSliceAreViews() {
        Dataset d = numbered(10);
        assertEquals(4, d.take(4).size());
        assertEquals(10, d.take(40).size());
        Dataset[] parts = d.split(0.9);
        assertEquals(9, parts[0].size());
        assertEquals(1, parts[1].size());
        assertEquals(0, parts[1].label(0));
        float[] one = new float[2];
        parts[1].copyFeatures(0, one, 0);
        assertArrayEquals(new float[] {9, -9}, one);
    }

    @Test
    void shuffleIsSeededPermutation() {
        Dataset d = numbered(50);
        int[] a = d.shuffle(3).labels();
        assertArrayEquals(a, d.shuffle(3).labels());
        float[] f = d.shuffle(3).features();
        assertNotEquals(Arrays.toString(f), Arrays.toString(d.features()));
        float[] sorted = new float[50];
        for (int i = 0; i < 50; i++) {
            sorted[i] = f[2 * i];
        }
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void gatherFillsBatchBuffers() {
        Dataset d = numbered(5);
        float[] x = new float[4];
        int[] y = new int[2];
        d.gather(3, 2, x, y);
        assertArrayEquals(new float[] {3, -3, 4, -4}, x);
        assertArrayEquals(new int[] {0, 1}, y);
        assertThrows(IndexOutOfBoundsException.class, () -> d.gather(4, 2, x, y));
    }

    @Test
    void oneHotLabels() {
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, numbered(2).oneHotLabels());
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[3], new int[] {2}, new int[] {0, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[2], new int[] {2}, new int[] {-1}, 2));
        assertThrows(IllegalArgumentException.class, () -> numbered(4).split(1.0));
    }

    @Test
    void permutationIsTheOrderShuffleGives() {
        Dataset d = numbered(37).slice(5, 37); // a view whose positions differ from the storage order
        int[] perm = Dataset.permutation(d.size(), 11);
        float[] shuffled = d.shuffle(11).features();
        float[] plain = d.features();
        for (int i = 0; i < d.size(); i++) {
            assertEquals(plain[2 * perm[i]], shuffled[2 * i], "position " + i);
        }
        int[] sorted = perm.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void checkFiniteNamesTheFirstBadExampleAndValue() {
        float[] x = new float[5 * 6];
        x[3 * 6 + 4] = Float.NaN; // example 3, row 1, column 1 of a (2, 3) example
        x[4 * 6] = Float.POSITIVE_INFINITY;
        Dataset d = new Dataset(x, new int[] {2, 3}, new int[5], 1);
        NonFiniteValueException e = assertThrows(NonFiniteValueException.class, d::checkFinite);
        assertEquals(3, e.exampleIndex());
        assertEquals(4, e.featureIndex());
        assertTrue(Float.isNaN(e.value()));
        assertTrue(e.getMessage().startsWith("example 3 holds NaN at feature 4 (position [1, 1] of shape [2, 3])"),
                e.getMessage());
        // positions are those of the view: both of its examples are bad, so the first position is named
        NonFiniteValueException inView = assertThrows(NonFiniteValueException.class, () -> d.slice(3, 5).shuffle(1).checkFinite());
        assertEquals(0, inView.exampleIndex());
        boolean nanFirst = Dataset.permutation(2, 1)[0] == 0;
        assertEquals(nanFirst ? 4 : 0, inView.featureIndex());
        assertEquals(nanFirst ? Float.NaN : Float.POSITIVE_INFINITY, inView.value());
        d.take(3).checkFinite();
    }

    @Test
    void valueRangeCountsValuesOutsideTheInterval() {
        Dataset d = new Dataset(new float[] {0f, 1f, -0.5f, 0.5f, 2f, 1f}, new int[] {2}, new int[3], 1);
        Dataset.ValueRange r = d.valueRange(0f, 1f);
        assertEquals(-0.5f, r.min());
        assertEquals(2f, r.max());
        assertEquals(2, r.outside());
        assertEquals(6, r.count());
        assertEquals(0, d.take(1).valueRange(0f, 1f).outside());
        assertTrue(Float.isNaN(d.take(0).valueRange(0f, 1f).min()));
    }
}
