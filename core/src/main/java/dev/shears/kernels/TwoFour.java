package dev.shears.kernels;

/**
 * A matrix (rows, cols) with 2:4 structured sparsity along its rows: in every aligned group of four
 * columns at most two entries are non-zero. Each group stores exactly two values and one metadata byte
 * {@code i0 | i1 << 2} giving their positions within the group (2 bits each), so there is no row pointer
 * and no per-value index. Needs cols divisible by 4.
 *
 * <pre>{@code if (TwoFour.fits(kernel, k, oc)) { TwoFour w = TwoFour.ofTransposed(kernel, k, oc); }}</pre>
 */
public final class TwoFour {
    private final int rows;
    private final int cols;
    private final float[] values;
    private final byte[] meta;

    /**
     * Wraps the arrays (not copied).
     *
     * @throws IllegalArgumentException if lengths are inconsistent
     */
    public TwoFour(int rows, int cols, float[] values, byte[] meta) {
        if (cols % 4 != 0 || meta.length != rows * (cols / 4) || values.length != 2 * meta.length) {
            throw new IllegalArgumentException("inconsistent 2:4 matrix: rows " + rows + ", cols " + cols
                    + ", groups " + meta.length + ", values " + values.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.meta = meta;
    }

    /** Whether the transpose of {@code a (rows, cols)} has at most two non-zeros per aligned group of four. */
    public static boolean fits(float[] a, int rows, int cols) {
        if (rows % 4 != 0) {
            return false;
        }
        for (int j = 0; j < cols; j++) {
            for (int g = 0; g < rows; g += 4) {
                int nz = 0;
                for (int t = 0; t < 4; t++) {
                    nz += a[(g + t) * cols + j] != 0f ? 1 : 0;
                }
                if (nz > 2) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The 2:4 form of the transpose of {@code a (rows, cols)}.
     *
     * @throws IllegalArgumentException if it does not {@link #fits fit} the pattern
     */
    public static TwoFour ofTransposed(float[] a, int rows, int cols) {
        if (!fits(a, rows, cols)) {
            throw new IllegalArgumentException("matrix (" + cols + ", " + rows + ") is not 2:4 sparse along its rows");
        }
        int groups = rows / 4;
        float[] vals = new float[2 * groups * cols];
        byte[] meta = new byte[groups * cols];
        for (int j = 0; j < cols; j++) {
            for (int g = 0; g < groups; g++) {
                int[] pos = {0, 1};
                int found = 0;
                for (int t = 0; t < 4 && found < 2; t++) {
                    if (a[(4 * g + t) * cols + j] != 0f) {
                        pos[found++] = t;
                    }
                }
                if (found == 1) {
                    pos[1] = pos[0] == 0 ? 1 : 0; // a padding slot holding 0, distinct from the real one
                }
                int q = j * groups + g;
                vals[2 * q] = a[(4 * g + pos[0]) * cols + j];
                vals[2 * q + 1] = a[(4 * g + pos[1]) * cols + j];
                meta[q] = (byte) (pos[0] | pos[1] << 2);
            }
        }
        return new TwoFour(cols, rows, vals, meta);
    }

    /** The dense transpose (cols, rows), inverse of {@link #ofTransposed}. */
    public float[] toDenseTransposed() {
        float[] a = new float[rows * cols];
        int groups = cols / 4;
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int q = r * groups + g;
                a[(4 * g + (meta[q] & 3)) * rows + r] += values[2 * q];
                a[(4 * g + ((meta[q] >> 2) & 3)) * rows + r] += values[2 * q + 1];
            }
        }
        return a;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The live arrays (not copies): two values per group of four columns, one metadata byte per group. */
    public float[] values() {
        return values;
    }

    public byte[] meta() {
        return meta;
    }
}
