package dev.shears.datasets;

import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array as stored in an IDX file: its {@link IdxType}, its dimensions and its values as
 * one flat row-major primitive array of the matching Java type ({@code byte[]} for both byte types,
 * {@code short[]}, {@code int[]}, {@code float[]}, {@code double[]}).
 *
 * <p>Shapes: {@code dims} has rank 1 to {@link Idx#MAX_RANK}; the data holds {@code prod(dims)} values.
 * The accessors return the backing array without copying.
 *
 * <pre>{@code IdxArray labels = IdxArray.ofUnsignedBytes(new byte[] {9, 0, 0}, 3);}</pre>
 */
public final class IdxArray {
    private final IdxType type;
    private final int[] dims;
    private final Object data;
    private final int length;

    private IdxArray(IdxType type, int[] dims, Object data, int length) {
        this.type = type;
        this.dims = dims.clone();
        this.data = data;
        this.length = length;
        if (dims.length < 1 || dims.length > Idx.MAX_RANK) {
            throw new IllegalArgumentException("rank must be in [1, " + Idx.MAX_RANK + "], got " + dims.length);
        }
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("dimensions must be >= 0, got " + Arrays.toString(dims));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dimensions " + Arrays.toString(dims) + " exceed one Java array");
            }
        }
        if (n != length) {
            throw new IllegalArgumentException("data has " + length + " values, dimensions "
                    + Arrays.toString(dims) + " need " + n);
        }
    }

    /** Wraps unsigned bytes (type 0x08) without copying. */
    public static IdxArray ofUnsignedBytes(byte[] data, int... dims) {
        return new IdxArray(IdxType.UNSIGNED_BYTE, dims, data, data.length);
    }

    /** Wraps signed bytes (type 0x09) without copying. */
    public static IdxArray ofBytes(byte[] data, int... dims) {
        return new IdxArray(IdxType.BYTE, dims, data, data.length);
    }

    /** Wraps shorts (type 0x0B) without copying. */
    public static IdxArray ofShorts(short[] data, int... dims) {
        return new IdxArray(IdxType.SHORT, dims, data, data.length);
    }

    /** Wraps ints (type 0x0C) without copying. */
    public static IdxArray ofInts(int[] data, int... dims) {
        return new IdxArray(IdxType.INT, dims, data, data.length);
    }

    /** Wraps floats (type 0x0D) without copying. */
    public static IdxArray ofFloats(float[] data, int... dims) {
        return new IdxArray(IdxType.FLOAT, dims, data, data.length);
    }

    /** Wraps doubles (type 0x0E) without copying. */
    public static IdxArray ofDoubles(double[] data, int... dims) {
        return new IdxArray(IdxType.DOUBLE, dims, data, data.length);
    }

    /** The element type. */
    public IdxType type() {
        return type;
    }

    /** The dimensions, outermost first; a copy. */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code i}. */
    public int dim(int i) {
        return dims[i];
    }

    /** Number of values, {@code prod(dims)}. */
    public int length() {
        return length;
    }

    /** The values of a byte array (type 0x08 or 0x09); the backing array. */
    public byte[] bytes() {
        if (type != IdxType.UNSIGNED_BYTE && type != IdxType.BYTE) {
            throw wrongType("bytes()");
        }
        return (byte[]) data;
    }

    /** The values of a short array (type 0x0B); the backing array. */
    public short[] shorts() {
        return (short[]) as(IdxType.SHORT, "shorts()");
    }

    /** The values of an int array (type 0x0C); the backing array. */
    public int[] ints() {
        return (int[]) as(IdxType.INT, "ints()");
    }

    /** The values of a float array (type 0x0D); the backing array. */
    public float[] floats() {
        return (float[]) as(IdxType.FLOAT, "floats()");
    }

    /** The values of a double array (type 0x0E); the backing array. */
    public double[] doubles() {
        return (double[]) as(IdxType.DOUBLE, "doubles()");
    }

    /** Value {@code i} (flat, row-major) as a double; unsigned bytes read as 0..255. */
    public double get(int i) {
        return switch (type) {
            case UNSIGNED_BYTE -> ((byte[]) data)[i] & 0xFF;
            case BYTE -> ((byte[]) data)[i];
            case SHORT -> ((short[]) data)[i];
            case INT -> ((int[]) data)[i];
            case FLOAT -> ((float[]) data)[i];
            case DOUBLE -> ((double[]) data)[i];
        };
    }

    /** All values converted to float: {@code out[i] = (float) get(i)}; a new array. */
    public float[] toFloats() {
        float[] out = new float[length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) get(i);
        }
        return out;
    }

    private Object as(IdxType expected, String accessor) {
        if (type != expected) {
            throw wrongType(accessor);
        }
        return data;
    }

    private IllegalStateException wrongType(String accessor) {
        return new IllegalStateException(accessor + " called on an array of type " + type);
    }

    /** Equal when type, dimensions and every value (bit for bit for floats) are equal. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IdxArray other) || type != other.type || !Arrays.equals(dims, other.dims)) {
            return false;
        }
        return Objects.deepEquals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(type, Arrays.hashCode(dims)) + Arrays.deepHashCode(new Object[] {data});
    }

    @Override
    public String toString() {
        return "IdxArray[" + type + ", " + Arrays.toString(dims) + "]";
    }
}
