package dev.shears.kernels;

/**
 * A sparse matrix (rows, cols) in sliced ELLPACK form (SELL-C-sigma, C = one vector's lanes, rows sorted by
 * length) for the product with one dense vector, {@code y = W x}. The rows, longest first, go in slices of
 * C; within a slice the rows' non-zeros are stored step by step, lane l holding the slice's l-th row, so
 * step k of a slice is C contiguous values and C column indices, padded with zeros up to the slice's
 * longest row (sorting keeps that padding small: unsorted, it added 12% entries at 80% sparsity on dense
 * 1024x1024 and 25% at 95%). A step is one vector load of values, one gather of x and one FMA for C rows at
 * once, where CSR needs a scalar load of x per non-zero (about 1.6x faster than CSR on dense 1024x1024 at
 * 80% sparsity; see the README's benchmarks).
 *
 * <pre>{@code Sell s = Sell.of(csr); s.multiply(y, 0, x, 0, new float[s.rows()]);}</pre>
 */
public final class Sell {
    private final int rows;
    private final int cols;
    private final int lanes;
    private final float[] values;
    private final int[] colIdx;
    private final int[] sliceStart;
    /** Row held by sorted position i (slice i / C, lane i % C). */
    private final int[] rowAt;

    private Sell(int rows, int cols, int lanes, float[] values, int[] colIdx, int[] sliceStart, int[] rowAt) {
        this.rowAt = rowAt;
        this.rows = rows;
        this.cols = cols;
        this.lanes = lanes;
        this.values = values;
        this.colIdx = colIdx;
        this.sliceStart = sliceStart;
    }

    /** The matrix {@code w} in slices of the Vector API's lane count (1 without the module). */
    public static Sell of(Csr w) {
        int lanes = SparseKernels.VECTOR ? SparseVector.lanes() : 1;
        int slices = (w.rows() + lanes - 1) / lanes;
        int[] ptr = w.rowPtr();
        int[] rowAt = java.util.stream.IntStream.range(0, w.rows()).boxed()
                .sorted((a, b) -> Integer.compare(ptr[b + 1] - ptr[b], ptr[a + 1] - ptr[a]))
                .mapToInt(Integer::intValue).toArray();
        int[] start = new int[slices + 1];
        for (int s = 0; s < slices; s++) {
            int longest = ptr[rowAt[s * lanes] + 1] - ptr[rowAt[s * lanes]]; // sorted: the slice's first row
            start[s + 1] = start[s] + longest * lanes;
        }
        float[] values = new float[start[slices]];
        int[] colIdx = new int[start[slices]];
        for (int pos = 0; pos < w.rows(); pos++) {
            int r = rowAt[pos];
            int at = start[pos / lanes] + pos % lanes;
            for (int i = ptr[r]; i < ptr[r + 1]; i++, at += lanes) {
                values[at] = w.values()[i];
                colIdx[at] = w.colIdx()[i];
            }
        }
        return new Sell(w.rows(), w.cols(), lanes, values, colIdx, start, rowAt);
    }

    /**
     * y[yOff + r] = sum over columns j of W[r][j] * x[xOff + j], for every row. {@code sorted} (at least
     * {@link #rows()} floats) receives the sums in sorted row order first.
     */
    public void multiply(float[] y, int yOff, float[] x, int xOff, float[] sorted) {
        int slices = slices();
        int s = 0;
        if (SparseKernels.VECTOR) {
            s = rows / lanes; // slices whose C rows all exist
            SparseVector.sell(sorted, 0, x, xOff, values, colIdx, sliceStart, 0, s);
        }
        for (; s < slices; s++) {
            for (int l = 0; l < lanes && s * lanes + l < rows; l++) {
                float sum = 0f;
                for (int at = sliceStart[s] + l; at < sliceStart[s + 1]; at += lanes) {
                    sum += values[at] * x[xOff + colIdx[at]];
                }
                sorted[s * lanes + l] = sum;
            }
        }
        for (int pos = 0; pos < rows; pos++) {
            y[yOff + rowAt[pos]] = sorted[pos];
        }
    }

    /** Number of slices of {@link #lanes()} rows (the last may be partial). */
    public int slices() {
        return sliceStart.length - 1;
    }

    /** Rows per slice. */
    public int lanes() {
        return lanes;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Stored entries, padding included. */
    public int stored() {
        return values.length;
    }
}
