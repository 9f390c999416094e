package dev.shears.prune;

import dev.shears.io.AtomicFiles;
import dev.shears.io.Json;
import dev.shears.train.Callback;
import dev.shears.train.TrainingContext;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Drives pruning inside {@code Trainer.fit} (tfmot's {@code UpdatePruningStep} + {@code PruningSummaries}):
 * <ul>
 *   <li>train begin: runs the {@link PruningPlan} sanity check for the fit's epochs and steps per epoch,
 *       prints its report to the warning stream when it finds problems and records it in the History
 *       ({@code "pruning_plan"});</li>
 *   <li>batch begin: {@link Pruning#step} with the global step (first batch = step 0), so masks are
 *       updated before the batch's forward pass;</li>
 *   <li>batch end: re-applies the masks after the optimizer step, so pruned weights are zero whenever
 *       anyone looks;</li>
 *   <li>each mask update: one History record {@code "pruning"} per pruned parameter (step, layer,
 *       parameter, target_sparsity, sparsity, threshold, nonzeros, size) and the same row in the CSV log.
 *       The CSV is rewritten atomically at every epoch end and at train end; when resuming
 *       (initialEpoch > 0) rows of earlier steps already in the file are kept.</li>
 * </ul>
 * Put it first in the callback list, so that callbacks after it see masked weights at batch end.
 * Created by {@link Pruning#callback()}.
 */
public final class PruningCallback implements Callback {
    private static final String CSV_HEADER = "step,layer,parameter,target_sparsity,sparsity,threshold,nonzeros,size";

    private final PrintStream warnings;
    private final Path csvLog;
    private final List<String> csvRows = new ArrayList<>();
    private PruningPlan plan;

    PruningCallback(PrintStream warnings, Path csvLog) {
        this.warnings = warnings;
        this.csvLog = csvLog;
    }

    /** The sanity check of the last (or current) fit, or null before fit starts. */
    public PruningPlan plan() {
        return plan;
    }

    @Override
    public void onTrainBegin(TrainingContext ctx) {
        List<PruneLowMagnitude> ws = Pruning.requireWrapped(ctx.model());
        plan = PruningPlan.of(ws.get(0).pruningConfig().schedule(), ctx.epochs(), ctx.stepsPerEpoch());
        long start = (long) ctx.initialEpoch() * ctx.stepsPerEpoch();
        long current = ws.get(0).pruningStep();
        List<String> problems = new ArrayList<>(plan.warnings());
        StringBuilder message = new StringBuilder(plan.ok() ? "" : plan.report());
        if (start > 0 && current != start - 1) {
            String resume = "resuming at step " + start + " but the model's pruning state is at step " + current
                    + "; load the model with PruningCheckpoint.load to restore masks and step";
            problems.add(resume);
            message.append(message.length() > 0 ? "\n" : "").append("WARNING: ").append(resume);
        }
        if (message.length() > 0 && warnings != null) {
            warnings.println(message);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("total_steps", plan.totalSteps());
        r.put("planned_updates", plan.updateSteps().length);
        r.put("reached_sparsity", plan.reachedSparsity());
        r.put("final_sparsity", plan.schedule().finalSparsity());
        r.put("warnings", problems);
        // A History restored from a backup already holds this run's plan: recording it again would make
        // the resumed History differ from an uninterrupted run's.
        String recorded = Json.write(r);
        if (ctx.history().records("pruning_plan").stream().noneMatch(old -> Json.write(old).equals(recorded))) {
            ctx.history().addRecord("pruning_plan", r);
        }
        csvRows.clear();
        if (csvLog != null && start > 0 && Files.exists(csvLog)) {
            keepEarlierRows(start);
        }
    }

    @Override
    public void onBatchBegin(TrainingContext ctx, long step) {
        Optional<MaskUpdate> update = Pruning.step(ctx.model(), step);
        update.ifPresent(u -> record(ctx, u));
    }

    @Override
    public void onBatchEnd(TrainingContext ctx, long step, double loss, double accuracy) {
        Pruning.applyMasks(ctx.model());
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        writeCsv();
    }

    @Override
    public void onTrainEnd(TrainingContext ctx) {
        writeCsv();
    }

    private void record(TrainingContext ctx, MaskUpdate u) {
        for (MaskUpdate.Entry e : u.entries()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", u.step());
            r.put("layer", e.layer());
            r.put("parameter", e.parameter());
            r.put("target_sparsity", u.targetSparsity());
            r.put("sparsity", e.sparsity());
            r.put("threshold", (double) e.threshold());
            r.put("nonzeros", e.kept());
            r.put("size", e.size());
            ctx.history().addRecord("pruning", r);
            csvRows.add(String.format(Locale.ROOT, "%d,%s,%s,%.6f,%.6f,%s,%d,%d", u.step(), e.layer(), e.parameter(),
                    u.targetSparsity(), e.sparsity(), e.threshold(), e.kept(), e.size()));
        }
    }

    private void keepEarlierRows(long start) {
        try {
            List<String> lines = Files.readAllLines(csvLog, StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                int comma = line.indexOf(',');
                if (comma > 0 && Long.parseLong(line.substring(0, comma)) < start) {
                    csvRows.add(line);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the existing pruning log " + csvLog + ": " + e.getMessage(), e);
        }
    }

    private void writeCsv() {
        if (csvLog == null) {
            return;
        }
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (String row : csvRows) {
            sb.append(row).append('\n');
        }
        try {
            AtomicFiles.write(csvLog, sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pruning log " + csvLog, e);
        }
    }
}
