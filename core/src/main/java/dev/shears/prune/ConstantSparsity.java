package dev.shears.prune;

import java.util.Locale;
import java.util.Map;

/**
 * Keeps the sparsity at {@code targetSparsity}, recomputing masks at {@code beginStep},
 * {@code beginStep + frequency}, ... up to {@code endStep} (-1: for ever). tfmot's {@code ConstantSparsity}.
 *
 * <pre>{@code new ConstantSparsity(0.5, 0)  // 50% from the first batch, masks refreshed every 100 steps}</pre>
 *
 * @param targetSparsity fraction of zeros, in [0, 1)
 * @param beginStep      first update step, >= 0
 * @param endStep        last possible update step (>= beginStep), or -1
 * @param frequency      steps between updates, > 0
 */
public record ConstantSparsity(double targetSparsity, long beginStep, long endStep, long frequency) implements PruningSchedule {
    /** @throws IllegalArgumentException naming the bad value */
    public ConstantSparsity {
        ScheduleChecks.sparsity("target_sparsity", targetSparsity);
        ScheduleChecks.steps(beginStep, endStep, frequency, true);
    }

    /** tfmot's defaults: endless, every 100 steps. */
    public ConstantSparsity(double targetSparsity, long beginStep) {
        this(targetSparsity, beginStep, -1, 100);
    }

    @Override
    public double sparsityAt(long step) {
        return targetSparsity;
    }

    @Override
    public double finalSparsity() {
        return targetSparsity;
    }

    @Override
    public Map<String, Object> toConfig() {
        return ScheduleChecks.config("ConstantSparsity", "target_sparsity", targetSparsity, "begin_step", beginStep,
                "end_step", endStep, "frequency", frequency);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ConstantSparsity(%s, begin %d, end %d, frequency %d)",
                targetSparsity, beginStep, endStep, frequency);
    }
}
