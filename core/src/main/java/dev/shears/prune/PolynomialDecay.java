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

    /** tfmot's steps between mask updates, lowered by {@link #overTraining} for short runs. */
    public static final int DEFAULT_FREQUENCY = 100;
    /** {@link #overTraining} lowers the frequency until at least this many mask updates fit into the run. */
    public static final int MIN_UPDATES = 10;

    /**
     * The schedule over a whole training run of {@code epochs x ceil(trainSize / batchSize)} steps (numbered
     * from 0), power 3, that keeps its promise for any run length: the frequency is tfmot's 100, lowered so
     * that at least {@link #MIN_UPDATES} updates fit, and the end step is the last multiple of it within the
     * run, so the last mask update applies exactly {@code finalSparsity}. (The Keras tutorial's
     * {@code end = steps} stops short of it whenever the step count is not a multiple of the frequency.)
     *
     * @throws IllegalArgumentException for non-positive sizes or bad sparsities
     */
    public static PolynomialDecay overTraining(double initialSparsity, double finalSparsity, int trainSize, int batchSize,
                                               int epochs) {
        long lastStep = steps(trainSize, batchSize, epochs) - 1;
        return overTraining(initialSparsity, finalSparsity, trainSize, batchSize, epochs,
                Math.max(1, Math.min(DEFAULT_FREQUENCY, lastStep / MIN_UPDATES)));
    }

    /** As {@link #overTraining(double, double, int, int, int)} with the given frequency; the end step is aligned to it. */
    public static PolynomialDecay overTraining(double initialSparsity, double finalSparsity, int trainSize, int batchSize,
                                               int epochs, long frequency) {
        long lastStep = steps(trainSize, batchSize, epochs) - 1;
        if (frequency <= 0) {
            throw new IllegalArgumentException("frequency must be positive, got " + frequency);
        }
        return new PolynomialDecay(initialSparsity, finalSparsity, 0, lastStep / frequency * frequency, 3, frequency);
    }

    private static long steps(int trainSize, int batchSize, int epochs) {
        if (trainSize <= 0 || batchSize <= 0 || epochs <= 0) {
            throw new IllegalArgumentException("trainSize, batchSize and epochs must be positive, got " + trainSize
                    + ", " + batchSize + ", " + epochs);
        }
        return (long) ((trainSize + (long) batchSize - 1) / batchSize) * epochs;
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
