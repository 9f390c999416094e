package dev.shears.datasets;

/**
 * The element types of the IDX format (LeCun's MNIST page): the third byte of the magic number names one.
 * Multi-byte types are stored big-endian.
 *
 * <pre>{@code IdxType t = IdxType.fromCode(0x08); // UNSIGNED_BYTE}</pre>
 */
public enum IdxType {
    /** 0x08: unsigned byte, held in a {@code byte[]} (read with {@code & 0xFF}). */
    UNSIGNED_BYTE(0x08, 1, "unsigned byte"),
    /** 0x09: signed byte, held in a {@code byte[]}. */
    BYTE(0x09, 1, "signed byte"),
    /** 0x0B: 16-bit signed integer, held in a {@code short[]}. */
    SHORT(0x0B, 2, "short"),
    /** 0x0C: 32-bit signed integer, held in an {@code int[]}. */
    INT(0x0C, 4, "int"),
    /** 0x0D: 32-bit IEEE float, held in a {@code float[]}. */
    FLOAT(0x0D, 4, "float"),
    /** 0x0E: 64-bit IEEE double, held in a {@code double[]}. */
    DOUBLE(0x0E, 8, "double");

    private final int code;
    private final int bytes;
    private final String description;

    IdxType(int code, int bytes, String description) {
        this.code = code;
        this.bytes = bytes;
        this.description = description;
    }

    /** The type code as written in the magic number, e.g. {@code 0x08}. */
    public int code() {
        return code;
    }

    /** Bytes per element in the file. */
    public int bytes() {
        return bytes;
    }

    /** The type for a code, or null if the code is not one of the six IDX types. */
    public static IdxType fromCode(int code) {
        for (IdxType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return String.format("0x%02X (%s)", code, description);
    }
}
