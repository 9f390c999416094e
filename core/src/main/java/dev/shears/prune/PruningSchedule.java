package dev.shears.prune;

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
        Map<?, ?> c = m.get("config") instanceof Map<?, ?> cm ? cm : Map.of();
        Object type = m.get("class_name");
        if ("ConstantSparsity".equals(type)) {
            return new ConstantSparsity(num(c, "target_sparsity").doubleValue(), num(c, "begin_step").longValue(),
                    num(c, "end_step").longValue(), num(c, "frequency").longValue());
        }
        if ("PolynomialDecay".equals(type)) {
            return new PolynomialDecay(num(c, "initial_sparsity").doubleValue(), num(c, "final_sparsity").doubleValue(),
                    num(c, "begin_step").longValue(), num(c, "end_step").longValue(), num(c, "power").doubleValue(),
                    num(c, "frequency").longValue());
        }
        throw new IllegalArgumentException("unknown pruning schedule class_name '" + type + "'");
    }

    private static Number num(Map<?, ?> c, String key) {
        if (!(c.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("pruning schedule field '" + key + "' must be a number, got " + c.get(key));
        }
        return n;
    }
}
