package dev.shears.kernels;

/**
 * A sparse matrix (rows, cols) in compressed sparse row form: row {@code r} holds the entries
 * {@code values[i]} at column {@code colIdx[i]} for {@code i} in {@code [rowPtr[r], rowPtr[r+1])}, columns
 * strictly increasing within a row. Inference stores a layer's kernel transposed, one row per output
 * channel, so that a row's non-zeros are the inputs that output reads.
 *
 * <pre>{@code Csr w = Csr.ofTransposed(kernel, k, oc); // kernel (k, oc) -> CSR (oc, k)}</pre>
 */
public final class Csr {
    private final int rows;
    private final int cols;
    private final float[] values;
    private final int[] colIdx;
    private final int[] rowPtr;

    /**
     * Wraps the arrays (not copied).
     *
     * @throws IllegalArgumentException if the lengths or indices are inconsistent
     */
    public Csr(int rows, int cols, float[] values, int[] colIdx, int[] rowPtr) {
        if (rows < 0 || cols < 0 || rowPtr.length != rows + 1 || rowPtr[0] != 0
                || rowPtr[rows] != values.length || colIdx.length != values.length) {
            throw new IllegalArgumentException("inconsistent CSR: rows " + rows + ", rowPtr length " + rowPtr.length
                    + ", nnz " + values.length + ", colIdx length " + colIdx.length);
        }
        for (int r = 0; r < rows; r++) {
            int prev = -1;
            if (rowPtr[r + 1] < rowPtr[r]) {
                throw new IllegalArgumentException("CSR rowPtr decreases at row " + r);
            }
            for (int i = rowPtr[r]; i < rowPtr[r + 1]; i++) {
                if (colIdx[i] <= prev || colIdx[i] >= cols) {
                    throw new IllegalArgumentException("CSR row " + r + ": column " + colIdx[i] + " out of order or outside [0, " + cols + ")");
                }
                prev = colIdx[i];
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.colIdx = colIdx;
        this.rowPtr = rowPtr;
    }

    /** CSR (cols, rows) of the transpose of the row-major matrix {@code a (rows, cols)}, keeping non-zeros. */
    public static Csr ofTransposed(float[] a, int rows, int cols) {
        int nnz = 0;
        for (int i = 0; i < rows * cols; i++) {
            if (a[i] != 0f) {
                nnz++;
            }
        }
        float[] values = new float[nnz];
        int[] colIdx = new int[nnz];
        int[] rowPtr = new int[cols + 1];
        int at = 0;
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                float v = a[i * cols + j];
                if (v != 0f) {
                    values[at] = v;
                    colIdx[at++] = i;
                }
            }
            rowPtr[j + 1] = at;
        }
        return new Csr(cols, rows, values, colIdx, rowPtr);
    }

    /** The dense transpose: a (cols, rows) row-major with this matrix's entries, i.e. the inverse of {@link #ofTransposed}. */
    public float[] toDenseTransposed() {
        float[] a = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int i = rowPtr[r]; i < rowPtr[r + 1]; i++) {
                a[colIdx[i] * rows + r] = values[i];
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

    /** Number of stored entries. */
    public int nnz() {
        return values.length;
    }

    /** The live arrays (not copies): kernels read them directly. */
    public float[] values() {
        return values;
    }

    public int[] colIdx() {
        return colIdx;
    }

    public int[] rowPtr() {
        return rowPtr;
    }
}
