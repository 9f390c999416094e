package dev.shears.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code PiecewiseConstantDecay}: {@code values[0]} while {@code step <= boundaries[0]},
 * {@code values[i]} while {@code boundaries[i-1] < step <= boundaries[i]}, and the last value after the last
 * boundary. A boundary step itself still gets the value before it, as in Keras.
 *
 * <pre>{@code new PiecewiseConstantDecay(new long[] {1000, 2000}, new double[] {0.1, 0.01, 0.001})}</pre>
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
    private final long[] boundaries;
    private final double[] values;

    /**
     * @param boundaries non-decreasing steps, one fewer than values
     * @param values     learning rates, finite and >= 0
     * @throws IllegalArgumentException if the lengths do not fit, boundaries decrease or a value is bad
     */
    public PiecewiseConstantDecay(long[] boundaries, double[] values) {
        if (boundaries.length != values.length - 1) {
            throw new IllegalArgumentException("PiecewiseConstantDecay needs one boundary fewer than values, got "
                    + boundaries.length + " boundaries and " + values.length + " values");
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (boundaries[i] < boundaries[i - 1]) {
                throw new IllegalArgumentException("PiecewiseConstantDecay boundaries must not decrease, got "
                        + Arrays.toString(boundaries));
            }
        }
        for (double v : values) {
            ScheduleChecks.rate("PiecewiseConstantDecay value", v);
        }
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    @Override
    public double at(long step) {
        for (int i = 0; i < boundaries.length; i++) {
            if (step <= boundaries[i]) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    /** The boundaries; a copy. */
    public long[] boundaries() {
        return boundaries.clone();
    }

    /** The values; a copy. */
    public double[] values() {
        return values.clone();
    }

    @Override
    public String name() {
        return "PiecewiseConstantDecay";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("boundaries", Arrays.stream(boundaries).boxed().toList());
        c.put("values", Arrays.stream(values).boxed().toList());
        return c;
    }
}
