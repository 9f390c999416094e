package dev.shears.datasets;

import dev.shears.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
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

    private final int timeoutMillis;
    private final PrintStream progress;

    /**
     * @param timeout  for connecting and for each read, so a stalled server fails instead of hanging
     * @param progress where to draw progress bars, or null for none
     */
    Download(Duration timeout, PrintStream progress) {
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.progress = progress;
    }

    /**
     * Fetches {@code uri} into {@code target}.
     *
     * @throws ChecksumException if the SHA-256 of the body is not {@code sha256} (lower-case hex)
     * @throws IOException       on HTTP errors, connection failures, timeouts and short bodies
     */
    void fetch(URI uri, Path target, String sha256) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout(timeoutMillis);
        connection.setReadTimeout(timeoutMillis);
        connection.setInstanceFollowRedirects(true);
        try {
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP " + status + " for " + uri);
            }
            long total = connection.getContentLengthLong();
            try (InputStream body = connection.getInputStream()) {
                AtomicFiles.write(target, out -> copy(body, out, uri, total, sha256));
            }
        } finally {
            connection.disconnect();
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
