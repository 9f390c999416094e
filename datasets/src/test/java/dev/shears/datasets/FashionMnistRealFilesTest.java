package dev.shears.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The full set, when its files are installed (CI installs the Debian package); skipped otherwise. */
class FashionMnistRealFilesTest {
    @TempDir
    Path tmp;

    private static int[] perClass(Dataset d) {
        int[] counts = new int[d.numClasses()];
        for (int y : d.labels()) {
            counts[y]++;
        }
        return counts;
    }

    private static void assertPixelsInUnitRange(Dataset d) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : d.features()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }

    @Test
    void fullSetHasTheKnownCountsAndValues() throws IOException {
        Path dir = RealFiles.assumeDir();
        FashionMnist.Data d = FashionMnist.load(FashionMnist.Options.defaults().withDirectory(dir).withDownload(false));
        assertFalse(d.isSample());
        assertEquals(60_000, d.train().size());
        assertEquals(10_000, d.test().size());
        int[] train = perClass(d.train());
        int[] test = perClass(d.test());
        for (int c = 0; c < 10; c++) {
            assertEquals(6_000, train[c], "train class " + c);
            assertEquals(1_000, test[c], "test class " + c);
        }
        assertEquals(9, d.train().label(0));
        assertEquals("Ankle boot", d.classNames().get(d.train().label(0)));
        assertArrayEquals(new int[] {28, 28, 1}, d.train().featureShape());
        assertPixelsInUnitRange(d.train());
        assertPixelsInUnitRange(d.test());
    }

    @Test
    void downloadFromLoopbackResumesAfterACutAndThenUsesTheCache() throws IOException {
        Path dir = RealFiles.assumeDir();
        Path cache = tmp.resolve("cache");
        try (LoopbackServer server = new LoopbackServer()) {
            for (String name : FashionMnist.FILES) {
                server.serve(name, Files.readAllBytes(dir.resolve(name)));
            }
            FashionMnist.Options o = FashionMnist.Options.defaults().withEnvDirectory(null).withCacheDirectory(cache)
                    .withSystemDirectory(tmp.resolve("none")).withBaseUri(server.base()).withProgress(null);
            server.cutNextAfter(FashionMnist.TEST_IMAGES, 1_000_000);
            assertThrows(DatasetNotFoundException.class, () -> FashionMnist.load(o));
            assertFalse(Files.exists(cache.resolve(FashionMnist.TEST_IMAGES)));
            try (var files = Files.list(cache)) {
                assertEquals(2, files.count(), "the two train files, and no partial file");
            }
            FashionMnist.Data d = FashionMnist.load(o);
            assertEquals(5, server.requests(), "two train files, one cut, then only the two test files");
            assertTrue(d.source().contains("downloaded from " + server.base()), d.source());
            assertEquals(60_000, d.train().size());
            assertEquals(10_000, d.test().size());
            FashionMnist.Data again = FashionMnist.load(o);
            assertEquals(5, server.requests());
            assertEquals(cache + " (user cache)", again.source());
        }
    }
}
