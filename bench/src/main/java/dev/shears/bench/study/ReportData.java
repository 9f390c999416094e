package dev.shears.bench.study;

import dev.shears.prune.PruningSchedule;
import dev.shears.prune.SparsityReport;
import java.util.List;
import java.util.Map;

/**
 * Everything the report shows.
 *
 * @param top            run-level figures (threads, epochs, data source, ...)
 * @param baseline       baseline model figures
 * @param pruned         pruned model figures
 * @param baselineRun    baseline training (history)
 * @param pruningRun     pruning training (history with mask updates)
 * @param schedule       the pruning schedule used
 * @param sparsity       per-layer sparsity of the stripped model
 * @param baselineWeights all prunable kernel values of the baseline
 * @param prunedWeights  all prunable kernel values of the pruned model
 * @param sweep          sweep rows, possibly empty
 * @param summary        the baseline model's summary
 */
record ReportData(Map<String, Object> top, ModelResult baseline, ModelResult pruned, Study.Trained baselineRun,
                  Study.Trained pruningRun, PruningSchedule schedule, SparsityReport sparsity, float[] baselineWeights,
                  float[] prunedWeights, List<Study.SweepRow> sweep, String summary) {
}
