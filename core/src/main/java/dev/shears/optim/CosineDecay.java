package dev.shears.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Keras 3's {@code CosineDecay} with optional linear warmup. Without a warmup target:
 * {@code s = min(step, decaySteps); lr = initial · ((1 - alpha) · ½(1 + cos(π s / decaySteps)) + alpha)}.
 * With warmup target T over W warmup steps: {@code s = min(step, W + decaySteps)}; for {@code s < W}
 * {@code lr = initial + (T - initial) · s / W}, otherwise the cosine above from T over {@code s - W}.
 *
 * <pre>{@code new CosineDecay(0.0, 9000, 0.0, OptionalDouble.of(0.1), 1000)  // warm up to 0.1, then decay}</pre>
 *
 * @param initialLearningRate lr at step 0, finite and >= 0
 * @param decaySteps          length of the cosine, > 0
 * @param alpha               the final rate as a fraction of the rate the cosine starts from, in [0, 1]
 * @param warmupTarget        the rate reached after warmup, or empty for no warmup
 * @param warmupSteps         length of the warmup, >= 0 (used only with a warmup target)
 */
public record CosineDecay(double initialLearningRate, long decaySteps, double alpha, OptionalDouble warmupTarget,
                          long warmupSteps) implements LearningRateSchedule {
    /** @throws IllegalArgumentException for a bad rate, decaySteps &lt;= 0, alpha outside [0, 1] or warmupSteps &lt; 0 */
    public CosineDecay {
        ScheduleChecks.rate("CosineDecay initial_learning_rate", initialLearningRate);
        if (decaySteps <= 0) {
            throw new IllegalArgumentException("CosineDecay decay_steps must be > 0, got " + decaySteps);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("CosineDecay alpha must be in [0, 1], got " + alpha);
        }
        if (warmupTarget.isPresent()) {
            ScheduleChecks.rate("CosineDecay warmup_target", warmupTarget.getAsDouble());
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("CosineDecay warmup_steps must be >= 0, got " + warmupSteps);
        }
    }

    /** Keras's defaults: alpha 0, no warmup. */
    public CosineDecay(double initialLearningRate, long decaySteps) {
        this(initialLearningRate, decaySteps, 0.0);
    }

    /** No warmup. */
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha) {
        this(initialLearningRate, decaySteps, alpha, OptionalDouble.empty(), 0);
    }

    /** Linear warmup from the initial rate to {@code warmupTarget} over {@code warmupSteps}, then the cosine. */
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha, double warmupTarget, long warmupSteps) {
        this(initialLearningRate, decaySteps, alpha, OptionalDouble.of(warmupTarget), warmupSteps);
    }

    @Override
    public double at(long step) {
        if (warmupTarget.isEmpty()) {
            return cosine(Math.min(step, decaySteps), initialLearningRate);
        }
        double target = warmupTarget.getAsDouble();
        long s = Math.min(step, warmupSteps + decaySteps);
        if (s < warmupSteps) {
            return (target - initialLearningRate) * ((double) s / warmupSteps) + initialLearningRate;
        }
        return cosine(s - warmupSteps, target);
    }

    /** The decayed rate {@code s} steps into the cosine that starts from {@code from}. */
    private double cosine(long s, double from) {
        double cosineDecayed = 0.5 * (1 + Math.cos(Math.PI * s / decaySteps));
        return from * ((1 - alpha) * cosineDecayed + alpha);
    }

    @Override
    public String name() {
        return "CosineDecay";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("alpha", alpha);
        c.put("warmup_target", warmupTarget.isPresent() ? warmupTarget.getAsDouble() : null);
        c.put("warmup_steps", warmupSteps);
        return c;
    }
}
