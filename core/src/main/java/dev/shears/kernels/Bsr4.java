package dev.shears.kernels;

/**
 * A sparse matrix (rows, cols) stored as 1x4 blocks: row {@code r} holds blocks {@code b} in
 * {@code [blockPtr[r], blockPtr[r+1])}, each four consecutive columns starting at {@code blockCol[b]} with
 * values {@code values[4b .. 4b+4)}. One index per four values, and the kernel reads four input rows per
 * index. Blocks sit at multiples of 4; when cols is not a multiple of 4 the last block of a row starts at
 * {@code cols - 4} and holds zeros where it overlaps the previous block. Needs cols >= 4.
 *
 * <pre>{@code Bsr4 w = Bsr4.ofTransposed(kernel, k, oc); // kernel (k, oc) -> blocks over (oc, k)}</pre>
 */
public final class Bsr4 {
    private final int rows;
    private final int cols;
    private final float[] values;
    private final int[] blockCol;
    private final int[] blockPtr;

    /**
     * Wraps the arrays (not copied).
     *
     * @throws IllegalArgumentException if lengths or block starts are inconsistent
     */
    public Bsr4(int rows, int cols, float[] values, int[] blockCol, int[] blockPtr) {
        if (cols < 4 || blockPtr.length != rows + 1 || blockPtr[0] != 0 || blockPtr[rows] != blockCol.length
                || values.length != 4 * blockCol.length) {
            throw new IllegalArgumentException("inconsistent 1x4 block matrix: rows " + rows + ", cols " + cols
                    + ", blockPtr length " + blockPtr.length + ", blocks " + blockCol.length + ", values " + values.length);
        }
        for (int r = 0; r < rows; r++) {
            if (blockPtr[r + 1] < blockPtr[r]) {
                throw new IllegalArgumentException("block rowPtr decreases at row " + r);
            }
            for (int b = blockPtr[r]; b < blockPtr[r + 1]; b++) {
                if (blockCol[b] < 0 || blockCol[b] > cols - 4) {
                    throw new IllegalArgumentException("block start " + blockCol[b] + " outside [0, " + (cols - 4) + "]");
                }
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.blockCol = blockCol;
        this.blockPtr = blockPtr;
    }

    /** Blocks over the transpose of {@code a (rows, cols)}: a (cols, rows) matrix; keeps every block with a non-zero. */
    public static Bsr4 ofTransposed(float[] a, int rows, int cols) {
        if (rows < 4) {
            throw new IllegalArgumentException("1x4 blocks need at least 4 columns in the transposed matrix, got " + rows);
        }
        int groups = (rows + 3) / 4;
        float[] vals = new float[4 * groups * cols];
        int[] starts = new int[groups * cols];
        int[] ptr = new int[cols + 1];
        int nb = 0;
        for (int j = 0; j < cols; j++) {
            for (int g = 0; g < groups; g++) {
                int start = Math.min(4 * g, rows - 4);
                boolean any = false;
                for (int t = 0; t < 4; t++) {
                    int i = start + t;
                    float v = i >= 4 * g ? a[i * cols + j] : 0f; // overlap with the previous block stays zero
                    vals[4 * nb + t] = v;
                    any |= v != 0f;
                }
                if (any) {
                    starts[nb++] = start;
                }
            }
            ptr[j + 1] = nb;
        }
        return new Bsr4(cols, rows, java.util.Arrays.copyOf(vals, 4 * nb), java.util.Arrays.copyOf(starts, nb), ptr);
    }

    /** Number of blocks {@link #ofTransposed} would keep for {@code a (rows, cols)}, to judge the pattern's fit. */
    public static int countBlocks(float[] a, int rows, int cols) {
        return rows < 4 ? Integer.MAX_VALUE : ofTransposed(a, rows, cols).blocks();
    }

    /** The dense transpose (cols, rows), inverse of {@link #ofTransposed}. */
    public float[] toDenseTransposed() {
        float[] a = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int b = blockPtr[r]; b < blockPtr[r + 1]; b++) {
                for (int t = 0; t < 4; t++) {
                    a[(blockCol[b] + t) * rows + r] += values[4 * b + t];
                }
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

    /** Number of stored blocks. */
    public int blocks() {
        return blockCol.length;
    }

    /** The live arrays (not copies). */
    public float[] values() {
        return values;
    }

    public int[] blockCol() {
        return blockCol;
    }

    public int[] blockPtr() {
        return blockPtr;
    }
}
