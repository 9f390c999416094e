package dev.shears.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learning rate as a pure function of the optimizer's iteration count (Keras's
 * {@code keras.optimizers.schedules.LearningRateSchedule}). An optimizer evaluates it at
 * {@link Optimizer#iterations()} before each step, so the first step uses {@code at(0)}.
 *
 * <pre>{@code new Adam(Adam.Options.defaults().withLearningRate(new CosineDecay(0.01, 1000)))}</pre>
 */
public interface LearningRateSchedule {
    /** The learning rate of the step taken after {@code step} steps (step >= 0). */
    double at(long step);

    /** Keras class name, e.g. "ExponentialDecay". */
    String name();

    /** Arguments as Keras names them. */
    Map<String, Object> config();

    /** Keras's serialized form: {@code {"class_name": name(), "config": config()}}. */
    default Map<String, Object> toConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_name", name());
        m.put("config", config());
        return m;
    }

    /** A rate that does not depend on the step; an optimizer given one keeps it settable. */
    static Constant constant(double learningRate) {
        return new Constant(learningRate);
    }

    /**
     * A fixed learning rate (Keras's float {@code learning_rate}). Optimizers hold it as a settable
     * value, see {@link Optimizer#setLearningRate}.
     *
     * @param value the rate, finite and > 0
     */
    record Constant(double value) implements LearningRateSchedule {
        /** @throws IllegalArgumentException unless value is finite and positive */
        public Constant {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("learning rate must be positive and finite, got " + value);
            }
        }

        @Override
        public double at(long step) {
            return value;
        }

        @Override
        public String name() {
            return "Constant";
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("learning_rate", value);
        }
    }
}
