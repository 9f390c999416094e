package dev.shears.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The schedule sanity check: which mask updates a schedule will really make over a training run
 * ({@code epochs x stepsPerEpoch} steps, numbered from 0) and the sparsity it will actually reach, with
 * warnings when it makes none or few, or stops short of its final sparsity.
 *
 * <pre>{@code PruningPlan plan = PruningPlan.of(schedule, 6, 844); if (!plan.ok()) System.err.println(plan.report());}</pre>
 */
public final class PruningPlan {
    /** Fewer updates than this draw a warning. */
    public static final int FEW_UPDATES = 3;
    /** A reached sparsity this far below the schedule's final sparsity draws a warning. */
    public static final double SPARSITY_TOLERANCE = 0.01;

    private final PruningSchedule schedule;
    private final int epochs;
    private final int stepsPerEpoch;
    private final long[] updateSteps;
    private final double reachedSparsity;
    private final List<String> warnings;

    private PruningPlan(PruningSchedule schedule, int epochs, int stepsPerEpoch, long[] updateSteps) {
        this.schedule = schedule;
        this.epochs = epochs;
        this.stepsPerEpoch = stepsPerEpoch;
        this.updateSteps = updateSteps;
        this.reachedSparsity = updateSteps.length == 0 ? 0 : schedule.sparsityAt(updateSteps[updateSteps.length - 1]);
        this.warnings = List.copyOf(findWarnings());
    }

    /**
     * Plans a run of {@code epochs x stepsPerEpoch} steps.
     *
     * @throws IllegalArgumentException for non-positive epochs or steps per epoch
     */
    public static PruningPlan of(PruningSchedule schedule, int epochs, int stepsPerEpoch) {
        if (epochs <= 0 || stepsPerEpoch <= 0) {
            throw new IllegalArgumentException("epochs and stepsPerEpoch must be positive, got " + epochs + " and " + stepsPerEpoch);
        }
        long total = (long) epochs * stepsPerEpoch;
        long last = schedule.endStep() == -1 ? total - 1 : Math.min(total - 1, schedule.endStep());
        List<Long> steps = new ArrayList<>();
        for (long s = schedule.beginStep(); s <= last; s += schedule.frequency()) {
            steps.add(s);
        }
        return new PruningPlan(schedule, epochs, stepsPerEpoch, steps.stream().mapToLong(Long::longValue).toArray());
    }

    private List<String> findWarnings() {
        List<String> w = new ArrayList<>();
        long total = totalSteps();
        double target = schedule.finalSparsity();
        if (updateSteps.length == 0) {
            w.add(String.format(Locale.ROOT, "no mask update will happen: the model trains dense (sparsity 0%% instead of %.1f%%)",
                    100 * target));
        } else if (updateSteps.length < FEW_UPDATES) {
            w.add("only " + updateSteps.length + " mask update(s) will happen, at step(s) " + Arrays.toString(updateSteps));
        }
        if (updateSteps.length > 0 && reachedSparsity < target - SPARSITY_TOLERANCE) {
            w.add(String.format(Locale.ROOT, "final sparsity reached: %.1f%% instead of %.1f%%", 100 * reachedSparsity, 100 * target));
        }
        if (!w.isEmpty()) {
            long begin = schedule.beginStep();
            long end = schedule.endStep();
            if (begin >= total) {
                w.add("begin_step " + begin + " is past the last training step " + (total - 1));
            }
            if (end != -1 && end - begin < schedule.frequency()) {
                w.add("end_step - begin_step = " + (end - begin) + " is smaller than frequency " + schedule.frequency()
                        + ", so at most the update at begin_step happens (none at all in tfmot versions that number the "
                        + "first batch 1); compute end_step from the real steps: epochs x steps per epoch = " + total);
            }
            if (end != -1 && end >= total) {
                w.add("end_step " + end + " is past the last training step " + (total - 1) + "; the schedule cannot finish");
            }
        }
        return w;
    }

    /** The schedule checked. */
    public PruningSchedule schedule() {
        return schedule;
    }

    /** Steps of the whole run: epochs x steps per epoch. */
    public long totalSteps() {
        return (long) epochs * stepsPerEpoch;
    }

    /** The steps at which masks will be recomputed (a copy). */
    public long[] updateSteps() {
        return updateSteps.clone();
    }

    /** The sparsity of the last planned update (0 when there is none). */
    public double reachedSparsity() {
        return reachedSparsity;
    }

    /** Problems found; empty when the plan is fine. */
    public List<String> warnings() {
        return warnings;
    }

    /** Whether there are no warnings. */
    public boolean ok() {
        return warnings.isEmpty();
    }

    /** A multi-line report: the plan, then each warning. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append(ok() ? "Pruning plan: " : "WARNING: pruning schedule will not do what it says. Plan: ")
                .append(schedule).append(" over ").append(epochs).append(" epochs x ").append(stepsPerEpoch)
                .append(" steps = ").append(totalSteps()).append(" steps; ").append(updateSteps.length)
                .append(updateSteps.length == 1 ? " mask update" : " mask updates")
                .append(String.format(Locale.ROOT, ", final sparsity %.2f%%", 100 * reachedSparsity));
        for (String s : warnings) {
            sb.append("\n  - ").append(s);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return report();
    }
}
