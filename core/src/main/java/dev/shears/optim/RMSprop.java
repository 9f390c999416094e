package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RMSprop, Keras 3's update: {@code v = rho·v + (1-rho)·g²}; centered also keeps the mean gradient
 * {@code a = rho·a + (1-rho)·g} and uses {@code v - a² + eps} as the denominator's square, otherwise
 * {@code v + eps}; {@code inc = lr·g / sqrt(that)}. With momentum {@code mom = momentum·mom + inc;
 * w -= mom}, otherwise {@code w -= inc}. Keras's defaults: learning rate 0.001, rho 0.9, momentum 0,
 * epsilon 1e-7, not centered. Slots per parameter: {@code velocity}, and {@code momentum} and
 * {@code average_gradient} when used.
 *
 * <pre>{@code new RMSprop(RMSprop.Options.defaults().withLearningRate(0.01).withCentered(true))}</pre>
 */
public final class RMSprop extends BaseOptimizer {
    private final Options options;

    /**
     * RMSprop's settings, Keras's arguments; change them with the {@code with...} copies.
     *
     * @param learningRate a {@link LearningRateSchedule.Constant} (settable later) or a schedule
     * @param rho          decay of the mean square, in [0, 1)
     * @param momentum     in [0, 1)
     * @param epsilon      added under the square root, >= 0
     * @param centered     normalise by the variance estimate instead of the mean square
     * @param clipping     gradient clipping
     */
    public record Options(LearningRateSchedule learningRate, double rho, double momentum, double epsilon,
                          boolean centered, GradientClipping clipping) {
        /** @throws IllegalArgumentException for rho or momentum outside [0, 1) or epsilon &lt; 0 */
        public Options {
            java.util.Objects.requireNonNull(learningRate, "learningRate");
            java.util.Objects.requireNonNull(clipping, "clipping");
            if (!(rho >= 0 && rho < 1)) {
                throw new IllegalArgumentException("RMSprop rho must be in [0, 1), got " + rho);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("RMSprop momentum must be in [0, 1), got " + momentum);
            }
            if (!(epsilon >= 0)) {
                throw new IllegalArgumentException("RMSprop epsilon must be >= 0, got " + epsilon);
            }
        }

        /** Keras's defaults: learning rate 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered, no clipping. */
        public static Options defaults() {
            return new Options(LearningRateSchedule.constant(0.001), 0.9, 0.0, 1e-7, false, GradientClipping.none());
        }

        public Options withLearningRate(double lr) {
            return new Options(LearningRateSchedule.constant(lr), rho, momentum, epsilon, centered, clipping);
        }

        public Options withLearningRate(LearningRateSchedule lr) {
            return new Options(lr, rho, momentum, epsilon, centered, clipping);
        }

        public Options withRho(double rho) {
            return new Options(learningRate, rho, momentum, epsilon, centered, clipping);
        }

        public Options withMomentum(double momentum) {
            return new Options(learningRate, rho, momentum, epsilon, centered, clipping);
        }

        public Options withEpsilon(double epsilon) {
            return new Options(learningRate, rho, momentum, epsilon, centered, clipping);
        }

        public Options withCentered(boolean centered) {
            return new Options(learningRate, rho, momentum, epsilon, centered, clipping);
        }

        public Options withClipping(GradientClipping clipping) {
            return new Options(learningRate, rho, momentum, epsilon, centered, clipping);
        }
    }

    /** Keras defaults. */
    public RMSprop() {
        this(Options.defaults());
    }

    /** Keras defaults with another learning rate. */
    public RMSprop(double learningRate) {
        this(Options.defaults().withLearningRate(learningRate));
    }

    /** RMSprop with these settings. */
    public RMSprop(Options options) {
        super(options.learningRate(), options.clipping());
        this.options = options;
    }

    @Override
    void update(Parameter p, float[] g, float lr, long t) {
        float[] w = p.data();
        float rho = (float) options.rho();
        float oneMinusRho = (float) (1 - options.rho());
        float eps = (float) options.epsilon();
        float[] v = slot(p.name() + "/velocity", w.length);
        float[] a = options.centered() ? slot(p.name() + "/average_gradient", w.length) : null;
        float[] mom = options.momentum() > 0 ? slot(p.name() + "/momentum", w.length) : null;
        float mu = (float) options.momentum();
        for (int i = 0; i < w.length; i++) {
            float gi = g[i];
            v[i] = rho * v[i] + oneMinusRho * (gi * gi);
            float denominator;
            if (a != null) {
                a[i] = rho * a[i] + oneMinusRho * gi;
                denominator = v[i] - a[i] * a[i] + eps;
            } else {
                denominator = v[i] + eps;
            }
            float increment = lr * gi / (float) Math.sqrt(denominator);
            if (mom != null) {
                mom[i] = mu * mom[i] + increment;
                w[i] -= mom[i];
            } else {
                w[i] -= increment;
            }
        }
    }

    /** The settings this optimizer was built with. */
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "RMSprop";
    }

    @Override
    Map<String, Object> hyperparameters() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("rho", options.rho());
        c.put("momentum", options.momentum());
        c.put("epsilon", options.epsilon());
        c.put("centered", options.centered());
        return c;
    }
}
