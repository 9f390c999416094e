package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, Keras 3's rule:
 * {@code m = momentum·m - lr·g}, then {@code w += momentum·m - lr·g} with Nesterov or {@code w += m}
 * without; plain {@code w -= lr·g} when momentum is 0. Keras's defaults: learning rate 0.01, momentum 0.
 *
 * <pre>{@code new Sgd(0.01, 0.9); new Sgd(Sgd.Options.defaults().withMomentum(0.9).withNesterov(true))}</pre>
 */
public final class Sgd extends BaseOptimizer {
    private final Options options;

    /**
     * SGD's settings, Keras's arguments; change them with the {@code with...} copies.
     *
     * @param learningRate a {@link LearningRateSchedule.Constant} (settable later) or a schedule
     * @param momentum     in [0, 1)
     * @param nesterov     Nesterov momentum (needs momentum > 0 to change anything)
     * @param clipping     gradient clipping
     */
    public record Options(LearningRateSchedule learningRate, double momentum, boolean nesterov, GradientClipping clipping) {
        /** @throws IllegalArgumentException for momentum outside [0, 1) */
        public Options {
            java.util.Objects.requireNonNull(learningRate, "learningRate");
            java.util.Objects.requireNonNull(clipping, "clipping");
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
            }
        }

        /** Keras's defaults: learning rate 0.01, momentum 0, no Nesterov, no clipping. */
        public static Options defaults() {
            return new Options(LearningRateSchedule.constant(0.01), 0.0, false, GradientClipping.none());
        }

        public Options withLearningRate(double lr) {
            return new Options(LearningRateSchedule.constant(lr), momentum, nesterov, clipping);
        }

        public Options withLearningRate(LearningRateSchedule lr) {
            return new Options(lr, momentum, nesterov, clipping);
        }

        public Options withMomentum(double momentum) {
            return new Options(learningRate, momentum, nesterov, clipping);
        }

        public Options withNesterov(boolean nesterov) {
            return new Options(learningRate, momentum, nesterov, clipping);
        }

        public Options withClipping(GradientClipping clipping) {
            return new Options(learningRate, momentum, nesterov, clipping);
        }
    }

    /** @throws IllegalArgumentException for lr &lt;= 0 or momentum outside [0, 1) */
    public Sgd(double learningRate, double momentum) {
        this(Options.defaults().withLearningRate(learningRate).withMomentum(momentum));
    }

    /** SGD with these settings. */
    public Sgd(Options options) {
        super(options.learningRate(), options.clipping());
        this.options = options;
    }

    @Override
    void update(Parameter p, float[] g, float lr, long t) {
        float[] w = p.data();
        float mu = (float) options.momentum();
        if (mu == 0f) {
            for (int i = 0; i < w.length; i++) {
                w[i] -= g[i] * lr;
            }
            return;
        }
        float[] m = slot(p.name() + "/momentum", w.length);
        boolean nesterov = options.nesterov();
        for (int i = 0; i < w.length; i++) {
            m[i] = m[i] * mu - g[i] * lr;
            w[i] += nesterov ? m[i] * mu - g[i] * lr : m[i];
        }
    }

    /** The settings this optimizer was built with. */
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "SGD";
    }

    @Override
    Map<String, Object> hyperparameters() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("momentum", options.momentum());
        c.put("nesterov", options.nesterov());
        return c;
    }
}
