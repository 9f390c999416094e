package dev.shears.prune;

import dev.shears.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How a model is pruned: the schedule (when, how much), the mask pattern (which shapes of sparsity),
 * per-layer or global magnitude ranking, and which parameters of a wrapped layer are prunable
 * (by default those marked {@link Parameter#prunable()}: kernels, never biases).
 *
 * <pre>{@code PruningConfig.of(new PolynomialDecay(0.5, 0.8, 0, 844)).withGlobal(true)}</pre>
 *
 * @param schedule when masks are recomputed and to which sparsity
 * @param pattern  unstructured, block or N:M
 * @param global   one magnitude threshold across all pruned tensors instead of one per tensor
 * @param weights  which parameters of a wrapped layer get a mask
 */
public record PruningConfig(PruningSchedule schedule, MaskPattern pattern, boolean global, Predicate<Parameter> weights) {
    /** @throws IllegalArgumentException for global ranking with a structured pattern */
    public PruningConfig {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(weights, "weights");
        if (global && !(pattern instanceof MaskPattern.Unstructured)) {
            throw new IllegalArgumentException("global pruning supports only the unstructured pattern, got " + pattern);
        }
    }

    /** Unstructured, per-layer pruning of kernels with {@code schedule}. */
    public static PruningConfig of(PruningSchedule schedule) {
        return new PruningConfig(schedule, new MaskPattern.Unstructured(), false, Parameter::prunable);
    }

    /** This config with another mask pattern. */
    public PruningConfig withPattern(MaskPattern pattern) {
        return new PruningConfig(schedule, pattern, global, weights);
    }

    /** This config with global (true) or per-tensor (false) magnitude ranking. */
    public PruningConfig withGlobal(boolean global) {
        return new PruningConfig(schedule, pattern, global, weights);
    }

    /** This config with another choice of prunable parameters (e.g. {@code p -> true} to prune biases too). */
    public PruningConfig withWeights(Predicate<Parameter> weights) {
        return new PruningConfig(schedule, pattern, global, weights);
    }

    /** Schedule, pattern and global flag as JSON-friendly maps (the weight choice is saved as masks). */
    public Map<String, Object> toConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schedule", schedule.toConfig());
        m.put("pattern", pattern.toConfig());
        m.put("global", global);
        return m;
    }

    /** Reads {@link #toConfig} output; prunable parameters are chosen by {@code weights}. */
    static PruningConfig fromConfig(Map<?, ?> m, Predicate<Parameter> weights) {
        if (!(m.get("schedule") instanceof Map<?, ?> s) || !(m.get("pattern") instanceof Map<?, ?> p)) {
            throw new IllegalArgumentException("pruning config needs 'schedule' and 'pattern' objects, got " + m);
        }
        return new PruningConfig(PruningSchedule.fromConfig(s), MaskPattern.fromConfig(p),
                Boolean.TRUE.equals(m.get("global")), weights);
    }
}
