package dev.shears.datasets;

import dev.shears.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and writes IDX files (the MNIST format): a magic number {@code 00 00 TT RR} (type code, rank),
 * {@code RR} big-endian 32-bit dimensions, then the values row-major and big-endian. Compressed files
 * (gzip, bzip2, xz, zstd) are recognised by content and decompressed while streaming.
 *
 * <p>Reading is defensive: every header field is checked, and the claimed data size is compared with the
 * bytes actually present before the data array is allocated, so a 40-byte file claiming 2^31 images fails
 * at once with an {@link IdxFormatException}, as do truncated or trailing data and corrupted streams.
 *
 * <pre>{@code IdxArray labels = Idx.read(Path.of("train-labels-idx1-ubyte.gz"));}</pre>
 */
public final class Idx {
    /** Largest rank accepted; real files have rank 1 to 4. */
    public static final int MAX_RANK = 16;
    /** Largest number of values: what one Java array can hold on common JVMs. */
    public static final int MAX_VALUES = Integer.MAX_VALUE - 8;
    /**
     * Deflate's worst-case expansion is about 1032:1. A compressed file claiming more than this many times
     * its own size is decompressed once without storing anything to count its bytes before allocating.
     */
    private static final long MAX_TRUSTED_RATIO = 1032;

    private Idx() {
    }

    /** The header: element type and dimensions. */
    private record Header(IdxType type, int[] dims, long values) {
        long headerBytes() {
            return 4L + 4L * dims.length;
        }

        long bodyBytes() {
            return values * type.bytes();
        }
    }

    /** Bytes to read, with a name for messages, a known size, and a way to read them again. */
    record Source(String name, long size, Opener opener) {
        interface Opener {
            InputStream open() throws IOException;
        }

        static Source of(Path file) throws IOException {
            return new Source(file.toString(), Files.size(file), () -> Files.newInputStream(file));
        }

        static Source of(byte[] content, String name) {
            return new Source(name, content.length, () -> new ByteArrayInputStream(content));
        }
    }

    /** Reads a decompressed stream; told which compression was found (null: none). */
    private interface StreamReader<T> {
        T read(InputStream in, Compression compression) throws IOException;
    }

    /**
     * Reads an IDX file, plain or compressed.
     *
     * @return the values in the array type matching the file's type code
     * @throws IdxFormatException if the file is not valid IDX
     */
    public static IdxArray read(Path file) throws IOException {
        return read(Source.of(file), null, Float.NaN);
    }

    /** As {@link #read(Path)} for bytes in memory (e.g. a resource); {@code name} appears in messages. */
    public static IdxArray read(byte[] content, String name) throws IOException {
        return read(Source.of(content, name), null, Float.NaN);
    }

    /**
     * Reads an IDX file of any type straight into floats: {@code out[i] = value[i] / divisor} (e.g.
     * {@code pixel / 255f}), unsigned bytes read as 0..255, without an intermediate array of the file's type.
     *
     * @return an array of type {@link IdxType#FLOAT} with the file's dimensions
     */
    public static IdxArray readFloats(Path file, float divisor) throws IOException {
        return read(Source.of(file), null, divisor);
    }

    /**
     * Reads {@code src}; if {@code required} is not null the type code must match it; if {@code divisor}
     * is not NaN the values are returned as floats divided by it.
     */
    static IdxArray read(Source src, IdxType required, float divisor) throws IOException {
        return withStream(src, (in, compression) -> {
            Header h = readHeader(in, src.name());
            if (required != null && h.type() != required) {
                throw new IdxFormatException(src.name(), "type code", "is " + h.type() + ", expected " + required);
            }
            checkBodySize(src, compression, h);
            int n = (int) h.values();
            boolean toFloat = !Float.isNaN(divisor);
            Object data = toFloat ? decodeFloats(in, src.name(), h.type(), n, divisor) : decode(in, src.name(), h.type(), n);
            if (in.read() != -1) {
                throw new IdxFormatException(src.name(), "body", "trailing bytes after the " + n
                        + " values that dimensions " + Arrays.toString(h.dims()) + " declare");
            }
            return wrap(toFloat ? IdxType.FLOAT : h.type(), data, h.dims());
        });
    }

    /** Opens {@code src}, detects compression, and reports decompressor failures as corrupted streams. */
    private static <T> T withStream(Source src, StreamReader<T> reader) throws IOException {
        try (BufferedInputStream raw = new BufferedInputStream(src.opener().open(), Compression.BUFFER)) {
            Compression compression = Compression.detect(raw);
            if (compression == null) {
                return reader.read(raw, null);
            }
            try (InputStream in = compression.decompress(raw)) {
                return reader.read(in, compression);
            } catch (IdxFormatException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // Decompressors report damage as IOExceptions, but third-party ones have also thrown unchecked
                // exceptions on crafted input; either way the stream is corrupted, and the caller gets the checked one.
                throw new IdxFormatException(src.name(), compression.name().toLowerCase() + " stream",
                        "corrupted or truncated: " + e.getMessage(), e);
            }
        }
    }

    private static Header readHeader(InputStream in, String name) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new IdxFormatException(name, "magic", "file ends after " + magic.length + " bytes, expected a 4-byte magic number");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(name, "magic", String.format(
                    "starts %02X %02X, expected 00 00 (IDX) or a gzip/bzip2/xz/zstd signature", magic[0], magic[1]));
        }
        IdxType type = IdxType.fromCode(magic[2] & 0xFF);
        if (type == null) {
            throw new IdxFormatException(name, "type code", String.format(
                    "is 0x%02X, expected one of 08, 09, 0B, 0C, 0D, 0E", magic[2] & 0xFF));
        }
        int rank = magic[3] & 0xFF;
        if (rank < 1 || rank > MAX_RANK) {
            throw new IdxFormatException(name, "rank", "is " + rank + ", expected 1 to " + MAX_RANK);
        }
        byte[] raw = in.readNBytes(4 * rank);
        if (raw.length < 4 * rank) {
            throw new IdxFormatException(name, "dimensions", "file ends inside the " + rank + " dimensions");
        }
        ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
        int[] dims = new int[rank];
        long values = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = bb.getInt();
            if (dims[i] < 0) {
                throw new IdxFormatException(name, "dimension " + i, "is " + Integer.toUnsignedString(dims[i])
                        + ", expected at most " + Integer.MAX_VALUE);
            }
            values *= dims[i]; // each factor < 2^31 and the running product <= MAX_VALUES: no long overflow
            if (values > MAX_VALUES) {
                throw new IdxFormatException(name, "dimensions", "product of " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + " exceeds " + MAX_VALUES + " values, the most one array can hold");
            }
        }
        return new Header(type, dims, values);
    }

    /** Checks the claimed body size against the bytes present, without allocating. */
    private static void checkBodySize(Source src, Compression compression, Header h) throws IOException {
        long available;
        if (compression == null) {
            available = src.size() - h.headerBytes();
        } else if (h.bodyBytes() > src.size() * MAX_TRUSTED_RATIO) {
            available = countBytes(src, h.headerBytes() + h.bodyBytes() + 1) - h.headerBytes();
        } else {
            return; // plausible; truncation is still caught while decoding
        }
        if (available < h.bodyBytes()) {
            throw new IdxFormatException(src.name(), "body", "truncated: dimensions " + Arrays.toString(h.dims())
                    + " x " + h.type().bytes() + " bytes need " + h.bodyBytes() + " bytes of data, the "
                    + (compression == null ? "file" : "decompressed stream") + " holds " + available);
        }
        if (available > h.bodyBytes()) {
            throw new IdxFormatException(src.name(), "body", (available - h.bodyBytes())
                    + " trailing bytes after the " + h.bodyBytes() + " bytes that dimensions "
                    + Arrays.toString(h.dims()) + " declare");
        }
    }

    /** Decompressed length of {@code src}, counting no further than {@code limit}. */
    private static long countBytes(Source src, long limit) throws IOException {
        return withStream(src, (in, compression) -> {
            byte[] buf = new byte[Compression.BUFFER];
            long n = 0;
            for (int r; n < limit && (r = in.read(buf)) != -1; ) {
                n += r;
            }
            return n;
        });
    }

    /** Reads {@code n} values of {@code type} into a new array of the matching Java type. */
    private static Object decode(InputStream in, String name, IdxType type, int n) throws IOException {
        if (type.bytes() == 1) {
            byte[] out = new byte[n];
            readExactly(in, name, out, 0, n, 0, 1, n);
            return out;
        }
        Object out = switch (type) {
            case SHORT -> new short[n];
            case INT -> new int[n];
            case FLOAT -> new float[n];
            default -> new double[n];
        };
        byte[] buf = new byte[Compression.BUFFER];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN);
        int perChunk = buf.length / type.bytes();
        for (int done = 0; done < n; done += perChunk) {
            int k = Math.min(perChunk, n - done);
            readExactly(in, name, buf, 0, k * type.bytes(), done, type.bytes(), n);
            switch (type) {
                case SHORT -> bb.asShortBuffer().get((short[]) out, done, k);
                case INT -> bb.asIntBuffer().get((int[]) out, done, k);
                case FLOAT -> bb.asFloatBuffer().get((float[]) out, done, k);
                default -> bb.asDoubleBuffer().get((double[]) out, done, k);
            }
        }
        return out;
    }

    /** Reads {@code n} values of {@code type} as floats divided by {@code divisor}, chunk by chunk. */
    private static float[] decodeFloats(InputStream in, String name, IdxType type, int n, float divisor) throws IOException {
        float[] out = new float[n];
        byte[] buf = new byte[Compression.BUFFER];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN);
        int size = type.bytes();
        int perChunk = buf.length / size;
        for (int done = 0; done < n; done += perChunk) {
            int k = Math.min(perChunk, n - done);
            readExactly(in, name, buf, 0, k * size, done, size, n);
            // One small loop per type, each its own method, so the JIT compiles the hot one early.
            switch (type) {
                case UNSIGNED_BYTE -> unsignedBytesToFloats(out, done, buf, k, divisor);
                case BYTE -> bytesToFloats(out, done, buf, k, divisor);
                default -> wideToFloats(out, done, bb, type, k, divisor);
            }
        }
        return out;
    }

    // dst (n) = (src[i] & 0xFF) / divisor
    private static void unsignedBytesToFloats(float[] dst, int off, byte[] src, int n, float divisor) {
        for (int i = 0; i < n; i++) {
            dst[off + i] = (src[i] & 0xFF) / divisor;
        }
    }

    // dst (n) = src[i] / divisor
    private static void bytesToFloats(float[] dst, int off, byte[] src, int n, float divisor) {
        for (int i = 0; i < n; i++) {
            dst[off + i] = src[i] / divisor;
        }
    }

    // dst (n) = value i of type in src (big-endian) / divisor
    private static void wideToFloats(float[] dst, int off, ByteBuffer src, IdxType type, int n, float divisor) {
        for (int i = 0; i < n; i++) {
            dst[off + i] = switch (type) {
                case SHORT -> src.getShort(i * 2) / divisor;
                case INT -> src.getInt(i * 4) / divisor;
                case FLOAT -> src.getFloat(i * 4) / divisor;
                default -> (float) (src.getDouble(i * 8) / divisor);
            };
        }
    }

    /**
     * Reads exactly {@code len} bytes into {@code buf[off..]}; they hold values {@code first, first + 1, ...}
     * of {@code n}, {@code size} bytes each (for the message if the data ends early).
     */
    private static void readExactly(InputStream in, String name, byte[] buf, int off, int len, long first, int size, long n)
            throws IOException {
        int got = in.readNBytes(buf, off, len);
        if (got < len) {
            throw new IdxFormatException(name, "body", "truncated: data ends inside value " + (first + got / size)
                    + " of " + n + " (" + size + " bytes each)");
        }
    }

    /**
     * Writes {@code array} to {@code file} atomically (temporary file, then rename), compressed as the
     * file name's suffix says ({@code .gz}, {@code .bz2}, {@code .xz}; otherwise plain).
     */
    public static void write(Path file, IdxArray array) throws IOException {
        write(file, array, Compression.forFileName(file.getFileName().toString()));
    }

    /** Writes {@code array} to {@code file} atomically with the given compression. */
    public static void write(Path file, IdxArray array, Compression compression) throws IOException {
        AtomicFiles.write(file, out -> {
            try (OutputStream z = compression.compress(out)) {
                write(z, array);
            }
        });
    }

    /** Writes {@code array} as plain IDX (magic, dimensions, big-endian values) to {@code out}; does not close it. */
    public static void write(OutputStream out, IdxArray array) throws IOException {
        IdxType type = array.type();
        ByteBuffer head = ByteBuffer.allocate(4 + 4 * array.rank()).order(ByteOrder.BIG_ENDIAN);
        head.put((byte) 0).put((byte) 0).put((byte) type.code()).put((byte) array.rank());
        for (int d : array.dims()) {
            head.putInt(d);
        }
        out.write(head.array());
        if (type.bytes() == 1) {
            out.write(array.bytes());
            return;
        }
        byte[] buf = new byte[Compression.BUFFER];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.BIG_ENDIAN);
        int perChunk = buf.length / type.bytes();
        int n = array.length();
        for (int done = 0; done < n; done += perChunk) {
            int k = Math.min(perChunk, n - done);
            switch (type) {
                case SHORT -> bb.asShortBuffer().put(array.shorts(), done, k);
                case INT -> bb.asIntBuffer().put(array.ints(), done, k);
                case FLOAT -> bb.asFloatBuffer().put(array.floats(), done, k);
                default -> bb.asDoubleBuffer().put(array.doubles(), done, k);
            }
            out.write(buf, 0, k * type.bytes());
        }
    }

    private static IdxArray wrap(IdxType type, Object data, int[] dims) {
        return switch (type) {
            case UNSIGNED_BYTE -> IdxArray.ofUnsignedBytes((byte[]) data, dims);
            case BYTE -> IdxArray.ofBytes((byte[]) data, dims);
            case SHORT -> IdxArray.ofShorts((short[]) data, dims);
            case INT -> IdxArray.ofInts((int[]) data, dims);
            case FLOAT -> IdxArray.ofFloats((float[]) data, dims);
            case DOUBLE -> IdxArray.ofDoubles((double[]) data, dims);
        };
    }
}
