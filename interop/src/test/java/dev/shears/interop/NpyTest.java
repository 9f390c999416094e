package dev.shears.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.ModelFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NumPy files: those NumPy wrote (the fixtures) read, ours read back, and every bad header refused. */
class NpyTest {
    @TempDir
    Path dir;

    @Test
    void readsWhatNumpyWrote() throws Exception {
        Npy.Array a = Npy.read(TestData.fixture("keras_mlp_expected.npy"));
        assertArrayEquals(new int[] {100, 10}, a.shape());
        // Softmax rows sum to one: the values were read in the right order and byte order.
        for (int r = 0; r < 100; r++) {
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                sum += a.data()[r * 10 + c];
            }
            assertTrue(Math.abs(sum - 1) < 1e-5, "row " + r + " sums to " + sum);
        }
    }

    @Test
    void writesWhatItReadsForEveryRank() throws Exception {
        float[] v = {1.5f, -2f, 0f, Float.MIN_VALUE, 3e38f, 7f};
        for (int[] shape : new int[][] {{6}, {2, 3}, {1, 2, 3, 1}}) {
            Path f = dir.resolve("a.npy");
            Npy.write(f, v, shape);
            Npy.Array a = Npy.read(f);
            assertArrayEquals(shape, a.shape());
            assertArrayEquals(v, a.data(), 0f);
            String header = new String(Files.readAllBytes(f), 10, 60, StandardCharsets.US_ASCII);
            assertTrue(header.contains("'shape': (" + (shape.length == 1 ? "6,)" : "")), header);
        }
    }

    @Test
    void refusesBadFiles() throws Exception {
        Path f = dir.resolve("b.npy");
        Npy.write(f, new float[] {1, 2, 3, 4}, 2, 2);
        byte[] good = Files.readAllBytes(f);
        String[][] cases = {{"'descr': '<f4'", "'descr': '<f8'", "descr"}, {"False", "True ", "fortran_order"},
            {"(2, 2)", "(2, 3)", "data"}, {"(2, 2)", "(2,-2)", "shape"}};
        for (String[] c : cases) {
            String text = new String(good, StandardCharsets.ISO_8859_1).replace(c[0], c[1]);
            Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Npy.read(f));
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
        }
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(ModelFormatException.class, () -> Npy.read(f));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        Files.write(f, truncated);
        assertTrue(assertThrows(ModelFormatException.class, () -> Npy.read(f)).getMessage().contains("data"));
    }
}
