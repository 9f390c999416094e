package dev.shears.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@link FashionMnist#load(FashionMnist.Options)} looks, in order, and how it fails; small fake files. */
class FashionMnistLoadTest {
    @TempDir
    Path tmp;

    /** Writes the four files with {@code n} train and {@code n / 2} test images of 28 x 28, label i % 10. */
    static void fake(Path dir, int n) throws IOException {
        writePair(dir, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, n);
        writePair(dir, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, n / 2);
    }

    private static void writePair(Path dir, String images, String labels, int n) throws IOException {
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            y[i] = (byte) (i % 10);
        }
        Idx.write(dir.resolve(images), IdxArray.ofUnsignedBytes(new byte[n * 784], n, 28, 28));
        Idx.write(dir.resolve(labels), IdxArray.ofUnsignedBytes(y, n));
    }

    /** Options that search only inside the temporary directory and never touch the network. */
    private FashionMnist.Options isolated() {
        return FashionMnist.Options.defaults()
                .withEnvDirectory(null)
                .withCacheDirectory(tmp.resolve("cache"))
                .withSystemDirectory(tmp.resolve("system"))
                .withDownload(false)
                .withProgress(null);
    }

    private static URI closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort() + "/");
        }
    }

    @Test
    void searchOrderIsDirectoryEnvCacheSystem() throws IOException {
        fake(tmp.resolve("given"), 10);
        fake(tmp.resolve("env"), 20);
        fake(tmp.resolve("cache"), 30);
        fake(tmp.resolve("system"), 40);
        FashionMnist.Options o = isolated().withEnvDirectory(tmp.resolve("env"));
        FashionMnist.Data given = FashionMnist.load(o.withDirectory(tmp.resolve("given")));
        assertEquals(10, given.train().size());
        assertTrue(given.source().endsWith("(given directory)"), given.source());
        assertEquals(20, FashionMnist.load(o).train().size());
        assertTrue(FashionMnist.load(o).source().contains("(SHEARS_DATA_DIR)"));
        assertEquals(30, FashionMnist.load(o.withEnvDirectory(null)).train().size());
        assertTrue(FashionMnist.load(o.withEnvDirectory(null)).source().endsWith("(user cache)"));
        FashionMnist.Data system = FashionMnist.load(o.withEnvDirectory(null).withCacheDirectory(tmp.resolve("none")));
        assertEquals(40, system.train().size());
        assertEquals(tmp.resolve("system") + " (Debian package dataset-fashion-mnist)", system.source());
    }

    @Test
    void envDirectoryMayHoldAFashionMnistSubdirectory() throws IOException {
        fake(tmp.resolve("data/fashion-mnist"), 20);
        FashionMnist.Data d = FashionMnist.load(isolated().withEnvDirectory(tmp.resolve("data")));
        assertEquals(20, d.train().size());
        assertEquals(10, d.test().size());
    }

    @Test
    void loadedDataHasEngineShapeAndClassNames() throws IOException {
        fake(tmp.resolve("given"), 20);
        FashionMnist.Data d = FashionMnist.load(isolated().withDirectory(tmp.resolve("given")));
        assertEquals(List.of(28, 28, 1), java.util.Arrays.stream(d.train().featureShape()).boxed().toList());
        assertEquals(10, d.train().numClasses());
        assertEquals("Ankle boot", d.classNames().get(9));
        assertEquals("T-shirt/top", d.classNames().get(0));
        assertFalse(d.isSample());
    }

    @Test
    void uncompressedFilesAreFoundToo() throws IOException {
        Path dir = tmp.resolve("plain");
        for (String name : FashionMnist.FILES) {
            fake(tmp.resolve("gz"), 10);
            Files.createDirectories(dir);
            Idx.write(dir.resolve(name.replace(".gz", "")), Idx.read(tmp.resolve("gz").resolve(name)));
        }
        assertEquals(10, FashionMnist.load(isolated().withDirectory(dir)).train().size());
    }

    @Test
    void explicitDirectoryWithoutFilesIsAnErrorEvenWithSampleFallback() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> FashionMnist.load(isolated().withSampleFallback(true).withDirectory(empty)));
        assertTrue(e.getMessage().contains(FashionMnist.TRAIN_IMAGES), e.getMessage());
    }

    @Test
    void corruptFileFoundIsAnErrorNotAFallback() throws IOException {
        fake(tmp.resolve("system"), 10);
        Files.write(tmp.resolve("system").resolve(FashionMnist.TEST_LABELS), new byte[] {0x1F, (byte) 0x8B, 8, 0, 1});
        assertThrows(IdxFormatException.class, () -> FashionMnist.load(isolated().withSampleFallback(true)));
    }

    @Test
    void nothingFoundOfflineListsTheThreeFixes() throws IOException {
        FashionMnist.Options o = isolated().withDownload(true).withBaseUri(closedPort()).withTimeout(Duration.ofSeconds(2));
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> FashionMnist.load(o));
        String m = e.getMessage();
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("SHEARS_DATA_DIR"), m);
        assertTrue(m.contains("~/.cache/shears/fashion-mnist"), m);
        assertTrue(m.contains("download from"), m);
        assertTrue(e.getCause() instanceof IOException);
        assertFalse(Files.exists(tmp.resolve("cache").resolve(FashionMnist.TRAIN_IMAGES)));
    }

    @Test
    void downloadDisabledSaysSo() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> FashionMnist.load(isolated()));
        assertTrue(e.getMessage().contains("downloading is disabled"), e.getMessage());
    }

    @Test
    void sampleFallbackSaysItIsTheSample() throws IOException {
        FashionMnist.Data d = FashionMnist.load(isolated().withSampleFallback(true));
        assertTrue(d.isSample());
        assertTrue(d.source().startsWith("embedded sample (2,000 train / 1,000 test images"), d.source());
        assertTrue(d.source().contains("not found"), d.source());
        assertEquals(2000, d.train().size());
    }

    @Test
    void downloadedFileWithWrongChecksumFailsAndLeavesNothing() throws IOException {
        Path fakes = tmp.resolve("fakes");
        fake(fakes, 10);
        try (LoopbackServer server = new LoopbackServer()) {
            for (String name : FashionMnist.FILES) {
                server.serve(name, Files.readAllBytes(fakes.resolve(name)));
            }
            FashionMnist.Options o = isolated().withDownload(true).withBaseUri(server.base()).withSampleFallback(true);
            ChecksumException e = assertThrows(ChecksumException.class, () -> FashionMnist.load(o));
            assertTrue(e.getMessage().contains(FashionMnist.SHA256.get(FashionMnist.TRAIN_IMAGES)), e.getMessage());
        }
        try (var files = Files.list(tmp.resolve("cache"))) {
            assertEquals(0, files.count());
        }
    }
}
