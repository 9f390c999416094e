package dev.shears.prune;

import java.util.List;

/**
 * What one mask update did: the step, the schedule's target and, per pruned parameter, the result
 * (tfmot's {@code PruningSummaries}).
 *
 * @param step           the pruning step
 * @param targetSparsity the schedule's sparsity at that step
 * @param entries        one per pruned parameter, in model order
 */
public record MaskUpdate(long step, double targetSparsity, List<Entry> entries) {
    /** Copies the entries. */
    public MaskUpdate {
        entries = List.copyOf(entries);
    }

    /**
     * The state of one parameter after the update.
     *
     * @param layer     wrapped layer's name (e.g. conv2d)
     * @param parameter parameter name (e.g. conv2d/kernel)
     * @param size      number of weights
     * @param kept      number of weights the mask keeps
     * @param threshold smallest kept magnitude (or block score)
     */
    public record Entry(String layer, String parameter, int size, int kept, float threshold) {
        /** Fraction of weights pruned. */
        public double sparsity() {
            return 1.0 - (double) kept / size;
        }
    }

    /** Fraction of all pruned parameters' weights that are masked. */
    public double overallSparsity() {
        long size = 0;
        long kept = 0;
        for (Entry e : entries) {
            size += e.size();
            kept += e.kept();
        }
        return size == 0 ? 0 : 1.0 - (double) kept / size;
    }
}
