package dev.shears.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state every Shears optimizer keeps: a step count and named per-parameter arrays ("slots", e.g.
 * {@code conv2d/kernel/m}), with the save/restore half of {@link Optimizer} built on them.
 */
abstract class SlotState implements Optimizer {
    private final Map<String, float[]> slots = new LinkedHashMap<>();
    private long iterations;

    /** Counts one more step and returns the new count (Keras's t, from 1). */
    final long nextIteration() {
        return ++iterations;
    }

    /** The slot of that name, created as zeros of {@code length} on first use. */
    final float[] slot(String name, int length) {
        return slots.computeIfAbsent(name, k -> new float[length]);
    }

    @Override
    public final long iterations() {
        return iterations;
    }

    @Override
    public final Map<String, float[]> slots() {
        return slots;
    }

    @Override
    public final void restore(long iterations, Map<String, float[]> saved) {
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        }
        this.iterations = iterations;
        slots.clear();
        saved.forEach((k, v) -> slots.put(k, v.clone()));
    }
}
