package dev.shears.infer;

/** A growable little-endian byte buffer for writing compact model files. */
final class LeBuffer {
    private byte[] buf = new byte[1 << 12];
    private int size;

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    void u16(int v) {
        u8(v);
        u8(v >>> 8);
    }

    void u32(int v) {
        u16(v);
        u16(v >>> 16);
    }

    void u64(long v) {
        u32((int) v);
        u32((int) (v >>> 32));
    }

    void patchU64(int at, long v) {
        for (int i = 0; i < 8; i++) {
            buf[at + i] = (byte) (v >>> (8 * i));
        }
    }

    void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    void floats(float[] v, int n) {
        ensure(4 * n);
        for (int i = 0; i < n; i++) {
            u32(Float.floatToRawIntBits(v[i]));
        }
    }

    /** Unsigned LEB128: seven bits a byte, high bit set on all but the last. */
    void varint(int v) {
        while ((v & ~0x7f) != 0) {
            u8((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        u8(v);
    }

    static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    int size() {
        return size;
    }

    byte[] array() {
        return buf;
    }

    byte[] toByteArray() {
        return java.util.Arrays.copyOf(buf, size);
    }
}
