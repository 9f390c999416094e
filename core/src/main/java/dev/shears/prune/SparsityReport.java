package dev.shears.prune;

import dev.shears.nn.Layer;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per parameter of a model (wrapped or plain): size, non-zeros, sparsity, and the bytes it takes dense
 * ({@code 4 * size}) versus sparse. The sparse estimate is CSR over the (out, in) view of a kernel, as the
 * inference kernels store it: 4-byte values and 4-byte column indices per non-zero plus {@code out + 1}
 * 4-byte row pointers, i.e. {@code 8 * nnz + 4 * (out + 1)}; non-prunable parameters (biases) stay dense.
 *
 * <pre>{@code System.out.println(SparsityReport.of(Pruning.strip(pruned)));}</pre>
 *
 * @param rows one per parameter, in model order
 */
public record SparsityReport(List<Row> rows) {
    /** Copies the rows. */
    public SparsityReport {
        rows = List.copyOf(rows);
    }

    /**
     * One parameter.
     *
     * @param layer       layer name (the wrapped layer's for pruning wrappers)
     * @param parameter   parameter name
     * @param size        number of values
     * @param nonzeros    values != 0
     * @param prunable    whether it is a prunable weight (kernels)
     * @param denseBytes  4 * size
     * @param sparseBytes CSR estimate for prunable weights, dense bytes otherwise
     */
    public record Row(String layer, String parameter, long size, long nonzeros, boolean prunable, long denseBytes,
                      long sparseBytes) {
        /** Fraction of zeros. */
        public double sparsity() {
            return size == 0 ? 0 : 1.0 - (double) nonzeros / size;
        }
    }

    /** Measures the model's current weights. */
    public static SparsityReport of(Sequential model) {
        List<Row> rows = new ArrayList<>();
        for (Layer l : model.layers()) {
            for (Parameter p : l.parameters()) {
                long nnz = 0;
                for (float v : p.data()) {
                    if (v != 0f) {
                        nnz++;
                    }
                }
                long dense = 4L * p.size();
                long sparse = p.prunable() ? 8 * nnz + 4L * (p.value().shape(-1) + 1) : dense;
                rows.add(new Row(l.unwrap().name(), p.name(), p.size(), nnz, p.prunable(), dense, sparse));
            }
        }
        return new SparsityReport(rows);
    }

    /** Sparsity over all prunable weights together. */
    public double prunableSparsity() {
        long size = 0;
        long nnz = 0;
        for (Row r : rows) {
            if (r.prunable()) {
                size += r.size();
                nnz += r.nonzeros();
            }
        }
        return size == 0 ? 0 : 1.0 - (double) nnz / size;
    }

    /** Total dense bytes. */
    public long denseBytes() {
        return rows.stream().mapToLong(Row::denseBytes).sum();
    }

    /** Total bytes with prunable weights in CSR (or dense, where that is smaller). */
    public long sparseBytes() {
        return rows.stream().mapToLong(r -> Math.min(r.sparseBytes(), r.denseBytes())).sum();
    }

    /** A table with one line per parameter and a total line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-28s %10s %10s %9s %12s %12s%n";
        sb.append(String.format(Locale.ROOT, fmt, "parameter", "size", "nonzeros", "sparsity", "dense B", "sparse B"));
        long size = 0;
        long nnz = 0;
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.parameter(), r.size(), r.nonzeros(),
                    String.format(Locale.ROOT, "%.2f%%", 100 * r.sparsity()), r.denseBytes(), r.sparseBytes()));
            size += r.size();
            nnz += r.nonzeros();
        }
        sb.append(String.format(Locale.ROOT, fmt, "total", size, nnz,
                String.format(Locale.ROOT, "%.2f%%", size == 0 ? 0 : 100 * (1 - (double) nnz / size)), denseBytes(), sparseBytes()));
        sb.append(String.format(Locale.ROOT, "prunable weights: %.2f%% sparse%n", 100 * prunableSparsity()));
        return sb.toString();
    }
}
