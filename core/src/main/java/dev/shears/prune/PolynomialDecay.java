package dev.shears.prune;

import java.util.Locale;
import java.util.Map;

/**
 * tfmot's {@code PolynomialDecay}: sparsity rises from {@code initial} to {@code final} as
 * {@code final + (initial - final) * (1 - p)^power} with {@code p = clamp((step - begin) / (end - begin), 0, 1)}
 * ({@code p = 1} from {@code begin} on when {@code end == begin}); masks are recomputed every
 * {@code frequency} steps from {@code begin} up to and including {@code end}.
 *
 * <pre>{@code new PolynomialDecay(0.5, 0.8, 0, 844)  // 0.5 at step 0, 0.594 at 100, ..., 0.79996 at 800}</pre>
 *
 * @param initialSparsity sparsity at {@code beginStep}, in [0, 1)
 * @param finalSparsity   sparsity at {@code endStep}, in [0, 1)
 * @param beginStep       >= 0
 * @param endStep         >= beginStep (no -1 here, as in tfmot)
 * @param power           exponent, finite and > 0
 * @param frequency       > 0
 */
public record PolynomialDecay(double initialSparsity, double finalSparsity, long beginStep, long endStep, double power,
                              long frequency) implements PruningSchedule {
    /** @throws IllegalArgumentException naming the bad value */
    public PolynomialDecay {
        ScheduleChecks.sparsity("initial_sparsity", initialSparsity);
        ScheduleChecks.sparsity("final_sparsity", finalSparsity);
        ScheduleChecks.steps(beginStep, endStep, frequency, false);
        if (!(power > 0) || Double.isInfinite(power)) {
            throw new IllegalArgumentException("power must be finite and > 0, got " + power);
        }
    }

    /** tfmot's defaults: power 3, frequency 100. */
    public PolynomialDecay(double initialSparsity, double finalSparsity, long beginStep, long endStep) {
        this(initialSparsity, finalSparsity, beginStep, endStep, 3, 100);
    }

    /**
     * The schedule over a whole training run, as the Keras tutorial means it: begin 0,
     * {@code end = ceil(trainSize / batchSize) * epochs} (the number of training steps), power 3, frequency 100.
     */
    public static PolynomialDecay overTraining(double initialSparsity, double finalSparsity, int trainSize, int batchSize,
                                               int epochs) {
        if (trainSize <= 0 || batchSize <= 0 || epochs <= 0) {
            throw new IllegalArgumentException("trainSize, batchSize and epochs must be positive, got " + trainSize
                    + ", " + batchSize + ", " + epochs);
        }
        long steps = (long) ((trainSize + (long) batchSize - 1) / batchSize) * epochs;
        return new PolynomialDecay(initialSparsity, finalSparsity, 0, steps);
    }

    @Override
    public double sparsityAt(long step) {
        double p = endStep == beginStep ? (step >= beginStep ? 1 : 0)
                : Math.min(1, Math.max(0, (double) (step - beginStep) / (endStep - beginStep)));
        return finalSparsity + (initialSparsity - finalSparsity) * Math.pow(1 - p, power);
    }

    @Override
    public Map<String, Object> toConfig() {
        return ScheduleChecks.config("PolynomialDecay", "initial_sparsity", initialSparsity, "final_sparsity", finalSparsity,
                "begin_step", beginStep, "end_step", endStep, "power", power, "frequency", frequency);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PolynomialDecay(%s -> %s, begin %d, end %d, power %s, frequency %d)",
                initialSparsity, finalSparsity, beginStep, endStep, power, frequency);
    }
}
