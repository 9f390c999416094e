package dev.shears.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a loopback HTTP server. */
class DownloadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path cache;
    private LoopbackServer server;
    private byte[] payload;
    private String sha;

    @BeforeEach
    void start() throws IOException, NoSuchAlgorithmException {
        server = new LoopbackServer();
        payload = new byte[300_000];
        new Random(1).nextBytes(payload);
        sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        server.serve("file.gz", payload);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void fetch(String sha256) throws IOException {
        new Download(TIMEOUT, null).fetch(server.base().resolve("file.gz"), cache.resolve("file.gz"), sha256);
    }

    private void assertCacheEmpty() throws IOException {
        try (var files = Files.list(cache)) {
            assertEquals(0, files.count(), "nothing, not even a partial file, may stay in the cache");
        }
    }

    @Test
    void success() throws IOException {
        fetch(sha);
        assertArrayEquals(payload, Files.readAllBytes(cache.resolve("file.gz")));
        try (var files = Files.list(cache)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void checksumMismatchLeavesNothing() throws IOException {
        String wrong = "0".repeat(64);
        ChecksumException e = assertThrows(ChecksumException.class, () -> fetch(wrong));
        assertTrue(e.getMessage().contains(sha) && e.getMessage().contains(wrong), e.getMessage());
        assertCacheEmpty();
    }

    @Test
    void connectionCutMidFileLeavesNothingAndRedownloadSucceeds() throws IOException {
        server.cutNextAfter("file.gz", 100_000);
        assertThrows(IOException.class, () -> fetch(sha));
        assertCacheEmpty();
        fetch(sha);
        assertArrayEquals(payload, Files.readAllBytes(cache.resolve("file.gz")));
        assertEquals(2, server.requests());
    }

    @Test
    void httpErrorLeavesNothing() throws IOException {
        IOException e = assertThrows(IOException.class, () -> new Download(TIMEOUT, null)
                .fetch(server.base().resolve("missing.gz"), cache.resolve("missing.gz"), sha));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertCacheEmpty();
    }

    @Test
    void progressBarReachesHundredPercent() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new Download(TIMEOUT, out).fetch(server.base().resolve("file.gz"), cache.resolve("file.gz"), sha);
        }
        String bar = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(bar.contains("file.gz") && bar.contains("100%"), bar);
        assertFalse(bar.contains("101%"), bar);
    }
}
