package dev.shears.prune;

import dev.shears.nn.ConfigFields;
import java.util.Map;

/**
 * When masks are recomputed and to which sparsity: a pure function of the pruning step, as tfmot's
 * {@code PruningSchedule}.
 *
 * <p><b>Step numbering.</b> The pruning step is the trainer's global step: the first training batch is
 * step 0, and masks are updated before that batch's forward pass. So {@code beginStep = 0} means the
 * very first batch already trains pruned. (Older tfmot versions behave the same; current ones count the
 * first batch as step 1, so there a model with begin 0 and frequency 100 trains 100 steps dense.)
 *
 * <p>Masks are recomputed at step {@code s} iff
 * {@code s >= begin && (s <= end || end == -1) && (s - begin) % frequency == 0}.
 *
 * <pre>{@code PruningSchedule s = new PolynomialDecay(0.5, 0.8, 0, 844); s.sparsityAt(100); // 0.5946}</pre>
 */
public sealed interface PruningSchedule permits ConstantSparsity, PolynomialDecay {
    /** Target sparsity (fraction of zeros, in [0, 1)) of a mask computed at {@code step}. */
    double sparsityAt(long step);

    /** First step at which masks are computed (>= 0). */
    long beginStep();

    /** Last step at which masks may be computed, or -1 for never-ending. */
    long endStep();

    /** Masks are recomputed every {@code frequency} steps from {@link #beginStep}. */
    long frequency();

    /** The sparsity the schedule aims at in the end. */
    double finalSparsity();

    /** Whether masks are recomputed at {@code step} (see the class comment for the rule). */
    default boolean shouldUpdate(long step) {
        return step >= beginStep() && (endStep() == -1 || step <= endStep()) && (step - beginStep()) % frequency() == 0;
    }

    /** Keras-style description: {@code {"class_name": ..., "config": {...}}}. */
    Map<String, Object> toConfig();

    /**
     * Rebuilds a schedule from {@link #toConfig} output.
     *
     * @throws IllegalArgumentException for an unknown class name or a missing or invalid field
     */
    static PruningSchedule fromConfig(Map<?, ?> m) {
        String where = "pruning.schedule";
        String type = ConfigFields.stringField(m, "class_name", where);
        Map<?, ?> c = ConfigFields.objectField(m, "config", where);
        String at = where + ".config";
        if ("ConstantSparsity".equals(type)) {
            return new ConstantSparsity(num(c, "target_sparsity", at), step(c, "begin_step", at), step(c, "end_step", at),
                    step(c, "frequency", at));
        }
        if ("PolynomialDecay".equals(type)) {
            return new PolynomialDecay(num(c, "initial_sparsity", at), num(c, "final_sparsity", at), step(c, "begin_step", at),
                    step(c, "end_step", at), num(c, "power", at), step(c, "frequency", at));
        }
        throw new IllegalArgumentException("field " + where + ".class_name: unknown pruning schedule '" + type + "'");
    }

    /** A finite number; the schedule's constructor checks its range. */
    private static double num(Map<?, ?> c, String key, String where) {
        return ConfigFields.doubleField(c, key, -Double.MAX_VALUE, Double.MAX_VALUE, where);
    }

    /** An exact integer; the schedule's constructor checks its range. */
    private static long step(Map<?, ?> c, String key, String where) {
        return ConfigFields.longField(c, key, Long.MIN_VALUE, Long.MAX_VALUE, where);
    }
}
