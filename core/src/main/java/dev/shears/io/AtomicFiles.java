package dev.shears.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;

/**
 * Writes files atomically: to a temporary file beside the target ({@code .shears-tmp-<name>.<random>}),
 * flushed to disk, renamed over the target, then the directory flushed so that the rename survives a
 * crash. Readers see the old file or the new one, never a part. A writer that is killed leaves its
 * temporary file behind; the next write to the same directory deletes such files once they are older
 * than {@link #STALE_AFTER}.
 *
 * <pre>{@code AtomicFiles.write(Path.of("model.safetensors"), out -> out.write(bytes));}</pre>
 */
public final class AtomicFiles {
    /** Prefix of every temporary file this class creates; nothing else is ever deleted. */
    public static final String TEMP_PREFIX = ".shears-tmp-";
    /**
     * Age after which a temporary file counts as a killed writer's. A live writer's file is younger: its
     * modification time moves with every 64 KB it writes, so only a writer stalled this long between two
     * writes would lose its file (and then fail, leaving the target untouched).
     */
    public static final Duration STALE_AFTER = Duration.ofMinutes(10);
    /** Longest part of the target's name kept in the temporary name, so that it stays within file-name limits. */
    private static final int MAX_NAME_PART = 100;

    private AtomicFiles() {
    }

    /** Body that writes the file's content. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code target} atomically; on failure the target is untouched and the temp file removed. */
    public static void write(Path target, Writer body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
            deleteStaleTemps(dir, Instant.now());
        }
        String name = abs.getFileName().toString();
        // Not Files.createTempFile: its owner-only permissions would stay on the renamed file.
        Path tmp = abs.resolveSibling(TEMP_PREFIX + name.substring(0, Math.min(name.length(), MAX_NAME_PART)) + "."
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()));
        boolean done = false;
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
                body.write(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
        if (dir != null) {
            syncDirectory(dir);
        }
    }

    /** Writes bytes atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Deletes the regular files in {@code dir} named {@link #TEMP_PREFIX}... whose last modification is more
     * than {@link #STALE_AFTER} before {@code now}. Best effort: a file that vanishes or cannot be deleted
     * (another process, permissions) is left alone, and no error is reported.
     *
     * @return the number of files deleted
     */
    public static int deleteStaleTemps(Path dir, Instant now) {
        int deleted = 0;
        Instant cutoff = now.minus(STALE_AFTER);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path p : s) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) {
                        deleted++;
                    }
                } catch (IOException e) {
                    // gone already, or not ours to delete: leave it
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // an unreadable directory: the write itself will report what matters
        }
        return deleted;
    }

    /**
     * Flushes the directory entry of a rename to disk. Opening a directory for reading and forcing it works
     * on Linux and macOS; where the OS or file system does not support it (Windows, some network file
     * systems) it throws an IOException, which is ignored: the rename has happened, only its durability
     * across a power cut is then up to the OS.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported here; see the method comment
        }
    }
}
