package dev.shears.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdUtils;

/**
 * Compression formats an IDX file may be wrapped in, recognised by their leading bytes (never by file
 * name when reading). Gzip uses {@code java.util.zip}; bzip2 and xz use commons-compress (pure Java);
 * zstd works only when {@code com.github.luben:zstd-jni} is on the class path.
 *
 * <pre>{@code Idx.write(path, array, Compression.GZIP);}</pre>
 */
public enum Compression {
    /** Plain IDX. */
    NONE(""),
    /** Gzip (RFC 1952), as the canonical MNIST and Fashion-MNIST files. */
    GZIP(".gz"),
    /** Bzip2. */
    BZIP2(".bz2"),
    /** Xz (LZMA2). */
    XZ(".xz"),
    /** Zstandard; needs zstd-jni on the class path. */
    ZSTD(".zst");

    /** Read buffer size: large enough that the inflater, not the call overhead, dominates. */
    static final int BUFFER = 1 << 16;

    /** The xz decoder refuses streams whose dictionary needs more memory than this (xz -9 needs 64 MiB). */
    private static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    /** The usual file name suffix, e.g. {@code ".gz"}; empty for {@link #NONE}. */
    public String suffix() {
        return suffix;
    }

    /** The format a file name's suffix suggests ({@code .gz}, {@code .bz2}, {@code .xz}, {@code .zst}), else NONE. */
    public static Compression forFileName(String name) {
        for (Compression c : values()) {
            if (c != NONE && name.endsWith(c.suffix)) {
                return c;
            }
        }
        return NONE;
    }

    /**
     * Recognises the format from the stream's first bytes without consuming them.
     *
     * @param in a stream supporting mark/reset
     * @return the format, or null if the bytes match no known compression (the caller then treats the
     *         stream as plain IDX and checks its magic)
     */
    static Compression detect(InputStream in) throws IOException {
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        if (startsWith(head, 0x1F, 0x8B)) {
            return GZIP;
        } else if (startsWith(head, 'B', 'Z', 'h')) {
            return BZIP2;
        } else if (startsWith(head, 0xFD, '7', 'z', 'X', 'Z', 0x00)) {
            return XZ;
        } else if (startsWith(head, 0x28, 0xB5, 0x2F, 0xFD)) {
            return ZSTD;
        }
        return null;
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** Wraps a buffered compressed stream in this format's decompressor. */
    InputStream decompress(BufferedInputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, BUFFER);
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            case XZ -> XZCompressorInputStream.builder()
                    .setInputStream(in)
                    .setDecompressConcatenated(true)
                    .setMemoryLimitKiB(XZ_MEMORY_LIMIT_KIB)
                    .get();
            case ZSTD -> {
                if (!ZstdUtils.isZstdCompressionAvailable()) {
                    throw new IOException("zstd-compressed, but com.github.luben:zstd-jni is not on the class path");
                }
                yield new ZstdCompressorInputStream(in);
            }
        };
    }

    /**
     * Wraps {@code out} in this format's compressor. Gzip output is deterministic (no timestamp, best
     * compression), so the same data always gives the same bytes.
     */
    public OutputStream compress(OutputStream out) throws IOException {
        return switch (this) {
            case NONE -> out;
            case GZIP -> new GZIPOutputStream(out, BUFFER) {
                {
                    // java.util.zip already writes MTIME 0; only the level needs setting.
                    def.setLevel(Deflater.BEST_COMPRESSION);
                }
            };
            case BZIP2 -> new BZip2CompressorOutputStream(out);
            case XZ -> new XZCompressorOutputStream(out);
            case ZSTD -> throw new IOException("writing zstd is not supported; use GZIP, BZIP2 or XZ");
        };
    }
}
