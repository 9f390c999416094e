package dev.shears.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.datasets.tools.MakeSample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded sample: balanced, licensed, and equal to the real images it was cut from. */
class SampleTest {
    @TempDir
    Path tmp;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FashionMnist.class.getResourceAsStream(FashionMnist.SAMPLE_DIR + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    private static void assertBalanced(Dataset d, int perClass) {
        int[] counts = new int[10];
        for (int y : d.labels()) {
            counts[y]++;
        }
        int[] expected = new int[10];
        Arrays.fill(expected, perClass);
        assertArrayEquals(expected, counts);
    }

    @Test
    void sampleIsClassBalancedAndSaysWhatItIs() throws IOException {
        FashionMnist.Data d = FashionMnist.sample();
        assertTrue(d.isSample());
        assertEquals("embedded sample (2,000 train / 1,000 test images, class-balanced subset of Fashion-MNIST)", d.source());
        assertEquals(2_000, d.train().size());
        assertEquals(1_000, d.test().size());
        assertBalanced(d.train(), MakeSample.TRAIN_PER_CLASS);
        assertBalanced(d.test(), MakeSample.TEST_PER_CLASS);
        assertArrayEquals(new int[] {28, 28, 1}, d.train().featureShape());
        assertEquals(9, d.train().label(0), "the first real training image is an ankle boot, and so the first sample one");
    }

    @Test
    void sampleShipsTheMitLicense() throws IOException {
        String license = new String(resource("LICENSE"), StandardCharsets.UTF_8);
        assertTrue(license.contains("MIT License") && license.contains("Zalando SE"), license);
    }

    @Test
    void everySampleImageEqualsItsRealImage() throws IOException {
        Path dir = RealFiles.assumeDir();
        assertSubset(dir, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, MakeSample.TRAIN_PER_CLASS);
        assertSubset(dir, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, MakeSample.TEST_PER_CLASS);
    }

    private static void assertSubset(Path dir, String imagesName, String labelsName, int perClass) throws IOException {
        byte[] realX = Idx.read(dir.resolve(imagesName)).bytes();
        byte[] realY = Idx.read(dir.resolve(labelsName)).bytes();
        byte[] x = Idx.read(resource(imagesName), imagesName).bytes();
        byte[] y = Idx.read(resource(labelsName), labelsName).bytes();
        int[] pick = MakeSample.firstPerClass(realY, perClass, 10);
        assertEquals(pick.length, y.length);
        for (int i = 0; i < pick.length; i++) {
            assertEquals(realY[pick[i]], y[i], "label of sample image " + i);
            assertArrayEquals(Arrays.copyOfRange(realX, pick[i] * 784, pick[i] * 784 + 784),
                    Arrays.copyOfRange(x, i * 784, i * 784 + 784), "sample image " + i + " = real image " + pick[i]);
        }
    }

    @Test
    void regeneratingGivesTheSameSample() throws IOException {
        Path dir = RealFiles.assumeDir();
        MakeSample.make(dir, tmp);
        for (String name : FashionMnist.FILES) {
            assertEquals(Idx.read(resource(name), name), Idx.read(tmp.resolve(name)), name);
        }
        for (String name : new String[] {"LICENSE", "README.md"}) {
            assertArrayEquals(resource(name), Files.readAllBytes(tmp.resolve(name)), name);
        }
    }
}
