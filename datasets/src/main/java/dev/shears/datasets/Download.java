package dev.shears.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Downloads one file over HTTP into place: streamed to a temporary file beside the target while its
 * SHA-256 is computed, renamed over the target only when the length and checksum are right, deleted
 * otherwise, so an interrupted or corrupted download never leaves a file behind. Optionally draws a
 * progress bar.
 */
final class Download {
    private static final int BAR_WIDTH = 30;

    private final HttpClient client;
    private final Duration timeout;
    private final PrintStream progress;

    /** @param progress where to draw progress bars, or null for none */
    Download(Duration timeout, PrintStream progress) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * Fetches {@code uri} into {@code target}.
     *
     * @throws ChecksumException if the SHA-256 of the body is not {@code sha256} (lower-case hex)
     * @throws IOException       on HTTP errors, connection failures and short bodies
     */
    void fetch(URI uri, Path target, String sha256) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + uri + " interrupted");
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + " for " + uri);
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            AtomicFiles.write(target, out -> copy(body, out, uri, total, sha256));
        }
    }

    private void copy(InputStream body, OutputStream out, URI uri, long total, String sha256) throws IOException {
        MessageDigest digest = sha256();
        String name = Path.of(uri.getPath()).getFileName().toString();
        byte[] buf = new byte[Compression.BUFFER];
        long n = 0;
        long shown = -1;
        try {
            for (int r; (r = body.read(buf)) != -1; ) {
                digest.update(buf, 0, r);
                out.write(buf, 0, r);
                n += r;
                shown = draw(name, n, total, shown);
            }
        } finally {
            if (progress != null) {
                progress.println();
            }
        }
        if (total >= 0 && n != total) {
            throw new IOException("connection closed after " + n + " of " + total + " bytes of " + uri);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(sha256)) {
            throw new ChecksumException(name + " from " + uri + ": SHA-256 is " + actual + ", expected " + sha256);
        }
    }

    /** Redraws the bar when the shown step (percent, or MB when the size is unknown) changes. */
    private long draw(String name, long n, long total, long shown) {
        long step = total > 0 ? n * 100 / total : n >> 20;
        if (progress == null || step == shown) {
            return shown;
        }
        if (total > 0) {
            int filled = (int) (n * BAR_WIDTH / total);
            progress.printf(Locale.ROOT, "\r%-28s [%s%s] %3d%% %6.1f / %.1f MB", name, "=".repeat(filled),
                    " ".repeat(BAR_WIDTH - filled), step, n / 1e6, total / 1e6);
        } else {
            progress.printf(Locale.ROOT, "\r%-28s %6.1f MB", name, n / 1e6);
        }
        progress.flush();
        return step;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
