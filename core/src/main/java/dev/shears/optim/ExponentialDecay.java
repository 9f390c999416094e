package dev.shears.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code ExponentialDecay}: {@code lr(step) = initial · rate^(step / decaySteps)}, with the exponent
 * rounded down to an integer when {@code staircase} is true (the rate then drops every decaySteps steps).
 *
 * <pre>{@code new ExponentialDecay(0.1, 1000, 0.96)  // 0.1 · 0.96^(step/1000)}</pre>
 *
 * @param initialLearningRate lr at step 0, finite and >= 0
 * @param decaySteps          steps per factor of {@code decayRate}, > 0
 * @param decayRate           factor per decaySteps, finite and > 0
 * @param staircase           round {@code step / decaySteps} down
 */
public record ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase)
        implements LearningRateSchedule {
    /** @throws IllegalArgumentException for a negative or non-finite initial rate, decaySteps &lt;= 0 or rate &lt;= 0 */
    public ExponentialDecay {
        ScheduleChecks.rate("ExponentialDecay initial_learning_rate", initialLearningRate);
        if (decaySteps <= 0) {
            throw new IllegalArgumentException("ExponentialDecay decay_steps must be > 0, got " + decaySteps);
        }
        if (!(decayRate > 0) || Double.isInfinite(decayRate)) {
            throw new IllegalArgumentException("ExponentialDecay decay_rate must be positive and finite, got " + decayRate);
        }
    }

    /** Keras's default: no staircase. */
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public double at(long step) {
        double p = (double) step / decaySteps;
        return initialLearningRate * Math.pow(decayRate, staircase ? Math.floor(p) : p);
    }

    @Override
    public String name() {
        return "ExponentialDecay";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("decay_rate", decayRate);
        c.put("staircase", staircase);
        return c;
    }
}
