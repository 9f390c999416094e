package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shears.nn.Sequential;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The compiled 80%-pruned tutorial model against the training engine on the whole Fashion-MNIST test set,
 * when the data set is installed. The model is untrained (fixed seed): the check is that the runtime
 * computes what the engine computes, not accuracy.
 */
class FashionMnistEqualityTest {
    private static final Path TEST_IMAGES = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
    private static final float TOL = 1e-4f;
    /** Classes may only differ where the engine's two best outputs are closer than float rounding can be trusted. */
    private static final float TIE = 1e-5f;

    static float[] readImages(Path gz) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(gz), 1 << 16))) {
            int magic = in.readInt();
            assertEquals(2051, magic, "IDX3 magic of " + gz);
            int n = in.readInt();
            int size = in.readInt() * in.readInt();
            byte[] raw = new byte[n * size];
            in.readFully(raw);
            float[] x = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                x[i] = (raw[i] & 0xff) / 255f;
            }
            return x;
        }
    }

    @Test
    void prunedRuntimeMatchesEngineOnWholeTestSet() throws IOException {
        assumeTrue(Files.exists(TEST_IMAGES), "Fashion-MNIST not installed");
        float[] x = readImages(TEST_IMAGES);
        int n = x.length / (28 * 28);
        Sequential m = TestModels.pruneUnstructured(TestModels.tutorial(31), 0.8);
        float[] expected = m.predict(x, n, 500);
        InferenceModel c = InferenceModel.compile(m);
        float[] got = c.predict(x, n);
        assertTrue(TestModels.maxAbsDiff(expected, got) < TOL, "max abs diff " + TestModels.maxAbsDiff(expected, got));
        int[] cls = c.classify(x, n);
        for (int i = 0; i < n; i++) {
            int best = 0;
            float second = Float.NEGATIVE_INFINITY;
            for (int j = 1; j < 10; j++) {
                if (expected[i * 10 + j] > expected[i * 10 + best]) {
                    best = j;
                }
            }
            for (int j = 0; j < 10; j++) {
                if (j != best) {
                    second = Math.max(second, expected[i * 10 + j]);
                }
            }
            if (expected[i * 10 + best] - second > TIE) {
                assertEquals(best, cls[i], "image " + i);
            }
        }
    }
}
