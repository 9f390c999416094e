package dev.shears.io;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an
 * 8-byte little-endian header length, a UTF-8 JSON header mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the data section) plus an
 * optional {@code "__metadata__"} string map, then the raw little-endian tensor bytes, contiguous.
 *
 * <pre>{@code Safetensors.write(path, Map.of("w", Safetensors.Entry.ofFloats(w, 3, 4)), Map.of());}</pre>
 */
public final class Safetensors {
    /** Largest header accepted, as the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Largest number of tensors accepted in one file. */
    public static final int MAX_TENSORS = 1 << 16;
    /** Largest tensor accepted, in bytes: what one Java array can hold. */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;
    /**
     * The {@code __metadata__} key under which {@link #write} records the CRC32C of the data section, as 8
     * lower-case hex digits; {@link #read} verifies it when present (files from other writers lack it).
     */
    public static final String CHECKSUM_KEY = "shears_crc32c";

    private Safetensors() {
    }

    /** Element types Shears reads and writes, with their safetensors names. */
    public enum DType {
        F32(4), F64(8), I32(4), I64(8), U8(1);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * One tensor: dtype, shape and its raw little-endian bytes.
     *
     * @param dtype element type
     * @param shape dimensions (may be empty for a scalar)
     * @param raw   {@code prod(shape) * dtype.bytes()} bytes, little-endian
     */
    public record Entry(DType dtype, int[] shape, byte[] raw) {
        /** Wraps float values. */
        public static Entry ofFloats(float[] data, int... shape) {
            ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(data);
            return new Entry(DType.F32, shape.clone(), b.array());
        }

        /** Wraps long values. */
        public static Entry ofLongs(long[] data, int... shape) {
            ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(data);
            return new Entry(DType.I64, shape.clone(), b.array());
        }

        /** Wraps bytes (U8). */
        public static Entry ofBytes(byte[] data, int... shape) {
            return new Entry(DType.U8, shape.clone(), data.clone());
        }

        /** The values as floats; only for F32. */
        public float[] floats() {
            require(DType.F32);
            float[] out = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        /** The values as longs; only for I64. */
        public long[] longs() {
            require(DType.I64);
            long[] out = new long[raw.length / 8];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }

        private void require(DType t) {
            if (dtype != t) {
                throw new IllegalStateException("tensor has dtype " + dtype + ", not " + t);
            }
        }

        /** Number of elements. */
        public long elementCount() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * Contents of a file.
     *
     * @param tensors  by name, in file order
     * @param metadata the {@code __metadata__} map (empty if absent)
     */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {
    }

    /**
     * Writes tensors (in map order) and metadata atomically; the metadata gets {@link #CHECKSUM_KEY}, the
     * CRC32C of the data section (replacing any value the caller passed).
     */
    public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        CRC32C crc = new CRC32C();
        for (Entry t : tensors.values()) {
            crc.update(t.raw);
        }
        meta.put(CHECKSUM_KEY, hex(crc.getValue()));
        header.put("__metadata__", meta);
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            Entry t = e.getValue();
            if (t.raw.length != t.elementCount() * t.dtype.bytes()) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has " + t.raw.length + " bytes, shape needs "
                        + t.elementCount() * t.dtype.bytes());
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype.name());
            info.put("shape", t.shape);
            info.put("data_offsets", new long[] {offset, offset + t.raw.length});
            header.put(e.getKey(), info);
            offset += t.raw.length;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        // Pad the header with spaces so the data section starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        AtomicFiles.write(file, out -> {
            DataOutputStream d = new DataOutputStream(out);
            d.writeLong(Long.reverseBytes(padded));
            d.write(headerBytes);
            for (Entry t : tensors.values()) {
                d.write(t.raw);
            }
            d.flush();
        });
    }

    /**
     * Reads and validates a whole file: header length against the file size before allocating, JSON
     * syntax, at most {@link #MAX_TENSORS} tensors, each entry's dtype, shape and offsets with exact long
     * arithmetic (shape times dtype size equals the byte range, ranges inside the data section), that the
     * tensors tile the data section exactly (no overlaps, gaps or trailing bytes), and the data section's
     * checksum when the file records one ({@link #CHECKSUM_KEY}).
     *
     * @throws ModelFormatException naming the file and the field at fault
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch.size(), (buf, pos) -> readFully(ch, buf, pos, file), file);
        }
    }

    /**
     * As {@link #read(Path)} for a file's bytes already in memory (a resource, a fuzzer's input); {@code file}
     * only names the source in errors.
     */
    public static Contents read(byte[] content, Path file) throws ModelFormatException {
        try {
            return read(content.length, (buf, pos) -> buf.put(content, (int) pos, buf.remaining()), file);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading from memory cannot fail", e);
        }
    }

    /**
     * What a file that is not safetensors is, from its first eight bytes, and the loader that reads it; null
     * if they are no format Shears knows. Saves users a "header length: claims 5692868691 bytes" riddle.
     */
    static String otherFormat(byte[] first8) {
        if (first8[0] == 'S' && first8[1] == 'H' && first8[2] == 'R' && first8[3] == 'S') {
            return "this is a Shears compact runtime file (.shrs); read it with CompactModelFile.read";
        }
        if ((first8[0] & 0xff) == 0x89 && first8[1] == 'H' && first8[2] == 'D' && first8[3] == 'F') {
            return "this is an HDF5 file (Keras .h5); read it with KerasModels.load or KerasModels.loadWeights (shears-interop)";
        }
        if (first8[0] == 'P' && first8[1] == 'K' && first8[2] == 3 && first8[3] == 4) {
            return "this is a zip file (a Keras .keras model?); read it with KerasModels.load (shears-interop)";
        }
        return null;
    }

    /** Reads {@code dst.remaining()} bytes at {@code position}; callers ask only for ranges inside the size. */
    private interface Source {
        void read(ByteBuffer dst, long position) throws IOException;
    }

    private static Contents read(long size, Source ch, Path file) throws IOException {
        if (size < 8) {
            throw new ModelFormatException(file, "header length", "file has " + size + " bytes, needs at least 8");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            String other = otherFormat(lenBuf.array());
            if (other != null) {
                throw new ModelFormatException(file, "header", "not a safetensors file: " + other);
            }
            throw new ModelFormatException(file, "header length", "claims " + headerLen + " bytes but the file has "
                    + (size - 8) + " bytes after the length field (limit " + MAX_HEADER_BYTES + ")");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        ch.read(hb, 8);
        Object parsed;
        try {
            parsed = Json.parse(new String(hb.array(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "header", e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new ModelFormatException(file, "header", "expected a JSON object");
        }
        int count = header.size() - (header.containsKey("__metadata__") ? 1 : 0);
        if (count > MAX_TENSORS) {
            throw new ModelFormatException(file, "header", "lists " + count + " tensors, more than the limit of " + MAX_TENSORS);
        }
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Object[]> specs = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                readMetadata(file, e.getValue(), metadata);
                continue;
            }
            specs.add(parseSpec(file, name, e.getValue(), dataLen));
        }
        // By begin, then end: a zero-length tensor may share its begin with the next one.
        specs.sort(Comparator.comparingLong((Object[] s) -> (Long) s[3]).thenComparingLong(s -> (Long) s[4]));
        long expect = 0;
        for (Object[] s : specs) {
            if ((Long) s[3] != expect) {
                throw new ModelFormatException(file, (String) s[0] + ".data_offsets",
                        "tensors must tile the data section; expected begin " + expect + ", found " + s[3]);
            }
            expect = (Long) s[4];
        }
        if (expect != dataLen) {
            throw new ModelFormatException(file, "data", "tensors cover " + expect + " bytes but the data section has "
                    + dataLen + " (truncated file or trailing bytes)");
        }
        Map<String, Entry> tensors = new LinkedHashMap<>();
        CRC32C crc = new CRC32C();
        for (Object[] s : specs) {
            long begin = (Long) s[3];
            long end = (Long) s[4];
            ByteBuffer buf = ByteBuffer.allocate((int) (end - begin));
            ch.read(buf, dataStart + begin);
            crc.update(buf.array());
            tensors.put((String) s[0], new Entry((DType) s[1], (int[]) s[2], buf.array()));
        }
        verifyChecksum(file, metadata, crc.getValue());
        return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    /** Compares the recorded CRC32C (if any) with {@code actual}, the CRC32C of the data section as read. */
    private static void verifyChecksum(Path file, Map<String, String> metadata, long actual) throws ModelFormatException {
        String recorded = metadata.get(CHECKSUM_KEY);
        if (recorded == null) {
            return;
        }
        if (!recorded.matches("[0-9a-f]{8}")) {
            throw new ModelFormatException(file, "__metadata__." + CHECKSUM_KEY, "corrupted: checksum '" + recorded
                    + "' is not 8 lower-case hex digits");
        }
        if (!recorded.equals(hex(actual))) {
            throw new ModelFormatException(file, "__metadata__." + CHECKSUM_KEY, "corrupted: checksum CRC32C of the data section is "
                    + hex(actual) + " but the file records " + recorded);
        }
    }

    private static String hex(long crc) {
        return String.format(java.util.Locale.ROOT, "%08x", crc);
    }

    private static void readMetadata(Path file, Object value, Map<String, String> into) throws ModelFormatException {
        if (!(value instanceof Map<?, ?> m)) {
            throw new ModelFormatException(file, "__metadata__", "expected an object of strings");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String v)) {
                throw new ModelFormatException(file, "__metadata__." + e.getKey(), "expected a string value");
            }
            into.put((String) e.getKey(), v);
        }
    }

    /** Returns {name, dtype, shape, begin, end}. */
    private static Object[] parseSpec(Path file, String name, Object value, long dataLen) throws ModelFormatException {
        if (!(value instanceof Map<?, ?> info)) {
            throw new ModelFormatException(file, name, "expected an object with dtype, shape and data_offsets");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(String.valueOf(info.get("dtype")));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, name + ".dtype", "unsupported dtype '" + info.get("dtype")
                    + "', expected one of F32, F64, I32, I64, U8");
        }
        if (!(info.get("shape") instanceof List<?> shapeList)) {
            throw new ModelFormatException(file, name + ".shape", "expected a list of dimensions");
        }
        int[] shape = new int[shapeList.size()];
        long bytes = dtype.bytes();
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new ModelFormatException(file, name + ".shape", "dimension " + i + " is " + shapeList.get(i)
                        + ", expected an integer in [0, " + Integer.MAX_VALUE + "]");
            }
            shape[i] = (int) (long) d;
            bytes *= d; // bytes <= MAX_TENSOR_BYTES < 2^31 before, d < 2^31: no long overflow
            if (bytes > MAX_TENSOR_BYTES) {
                throw new ModelFormatException(file, name + ".shape", shapeList + " of " + dtype + " needs more than "
                        + MAX_TENSOR_BYTES + " bytes, more than one tensor may hold");
            }
        }
        if (!(info.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
            throw new ModelFormatException(file, name + ".data_offsets", "expected [begin, end]");
        }
        if (begin < 0 || end < begin || end > dataLen) {
            throw new ModelFormatException(file, name + ".data_offsets", "[" + begin + ", " + end
                    + "] lies outside the data section of " + dataLen + " bytes (truncated file?)");
        }
        if (end - begin != bytes) {
            throw new ModelFormatException(file, name + ".data_offsets", "covers " + (end - begin) + " bytes but shape "
                    + shapeList + " of " + dtype + " needs " + bytes);
        }
        return new Object[] {name, dtype, shape, begin, end};
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new ModelFormatException(file, "data", "unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }
}
