package dev.shears.infer;

import dev.shears.io.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Reads little-endian fields from a compact model file's bytes; every read checks the bytes left first. */
final class LeReader {
    private final byte[] b;
    private final Path file;
    private final int end;
    private int pos;

    /** Reads {@code bytes} up to, not including, the trailing 4-byte checksum. */
    LeReader(byte[] bytes, Path file) {
        this.b = bytes;
        this.file = file;
        this.end = Math.max(0, bytes.length - 4);
    }

    CompactFormatException error(String field, String what) {
        return new CompactFormatException(file, field, what + " (at offset " + pos + ")");
    }

    private void need(long n, String field) throws CompactFormatException {
        if (n < 0 || n > end - pos) {
            throw error(field, "needs " + n + " bytes but only " + (end - pos) + " remain: truncated or corrupted");
        }
    }

    int remaining() {
        return end - pos;
    }

    static int intAt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    int u8(String field) throws CompactFormatException {
        need(1, field);
        return b[pos++] & 0xff;
    }

    int u16(String field) throws CompactFormatException {
        need(2, field);
        int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    /** An unsigned 32-bit count that must fit an int. */
    int u32(String field) throws CompactFormatException {
        need(4, field);
        int v = intAt(b, pos);
        pos += 4;
        if (v < 0) {
            throw error(field, "value " + Integer.toUnsignedString(v) + " is too large");
        }
        return v;
    }

    long u64(String field) throws CompactFormatException {
        need(8, field);
        long v = (intAt(b, pos) & 0xffffffffL) | (long) intAt(b, pos + 4) << 32;
        pos += 8;
        return v;
    }

    /** A count of at most {@code max} items of at least {@code bytesEach} bytes, checked against the bytes left. */
    int count(String field, int max, int bytesEach) throws CompactFormatException {
        int n = u32(field);
        if (n > max) {
            throw error(field, n + " exceeds the " + max + " the layer can hold");
        }
        need((long) n * bytesEach, field);
        return n;
    }

    byte[] bytes(int n, String field) throws CompactFormatException {
        need(n, field);
        byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
        pos += n;
        return out;
    }

    void floats(float[] dst, int n, String field) throws CompactFormatException {
        need(4L * n, field);
        for (int i = 0; i < n; i++) {
            dst[i] = Float.intBitsToFloat(intAt(b, pos));
            pos += 4;
        }
    }

    /** A new array of {@code n} floats read from the file, allocated only once the bytes are known to be there. */
    float[] newFloats(int n, String field) throws CompactFormatException {
        need(4L * n, field);
        float[] out = new float[n];
        floats(out, n, field);
        return out;
    }

    /** An unsigned LEB128 varint of at most 5 bytes whose value fits a non-negative int. */
    int varint(String field) throws CompactFormatException {
        int v = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            int x = u8(field);
            if (shift == 28 && (x & 0x78) != 0) {
                throw error(field, "varint exceeds " + Integer.MAX_VALUE);
            }
            v |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw error(field, "varint longer than 5 bytes");
    }

    Map<?, ?> json(String field) throws CompactFormatException {
        int n = u32(field + " length");
        need(n, field);
        String text = new String(b, pos, n, StandardCharsets.UTF_8);
        pos += n;
        try {
            if (Json.parse(text) instanceof Map<?, ?> m) {
                return m;
            }
        } catch (IllegalArgumentException e) {
            throw error(field, e.getMessage());
        }
        throw error(field, "expected a JSON object");
    }
}
