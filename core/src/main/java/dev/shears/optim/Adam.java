package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with Keras's semantics and defaults (learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7).
 * At step t (from 1): {@code m += (g - m)(1-b1); v += (g² - v)(1-b2);
 * w -= lr·sqrt(1-b2^t)/(1-b1^t) · m / (sqrt(v) + eps)} — Keras folds the bias correction into the
 * learning rate and adds epsilon to the uncorrected sqrt(v).
 *
 * <pre>{@code Optimizer opt = new Adam(); // or new Adam(Adam.Options.defaults().withLearningRate(0.01))}</pre>
 */
public final class Adam extends BaseOptimizer {
    private final Options options;

    /**
     * Adam's settings, Keras's arguments; change them with the {@code with...} copies.
     *
     * @param learningRate a {@link LearningRateSchedule.Constant} (settable later) or a schedule
     * @param beta1        decay of the first moment, in [0, 1)
     * @param beta2        decay of the second moment, in [0, 1)
     * @param epsilon      added to sqrt(v), >= 0
     * @param clipping     gradient clipping
     */
    public record Options(LearningRateSchedule learningRate, double beta1, double beta2, double epsilon,
                          GradientClipping clipping) {
        /** @throws IllegalArgumentException for betas outside [0,1) or epsilon &lt; 0 */
        public Options {
            java.util.Objects.requireNonNull(learningRate, "learningRate");
            java.util.Objects.requireNonNull(clipping, "clipping");
            checkMoments("Adam", beta1, beta2, epsilon);
        }

        /** Keras's defaults: learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, no clipping. */
        public static Options defaults() {
            return new Options(LearningRateSchedule.constant(0.001), 0.9, 0.999, 1e-7, GradientClipping.none());
        }

        public Options withLearningRate(double lr) {
            return new Options(LearningRateSchedule.constant(lr), beta1, beta2, epsilon, clipping);
        }

        public Options withLearningRate(LearningRateSchedule lr) {
            return new Options(lr, beta1, beta2, epsilon, clipping);
        }

        public Options withBeta1(double beta1) {
            return new Options(learningRate, beta1, beta2, epsilon, clipping);
        }

        public Options withBeta2(double beta2) {
            return new Options(learningRate, beta1, beta2, epsilon, clipping);
        }

        public Options withEpsilon(double epsilon) {
            return new Options(learningRate, beta1, beta2, epsilon, clipping);
        }

        public Options withClipping(GradientClipping clipping) {
            return new Options(learningRate, beta1, beta2, epsilon, clipping);
        }
    }

    /** Keras defaults. */
    public Adam() {
        this(Options.defaults());
    }

    /** Keras defaults with another learning rate. */
    public Adam(double learningRate) {
        this(Options.defaults().withLearningRate(learningRate));
    }

    /** @throws IllegalArgumentException for lr &lt;= 0, betas outside [0,1), epsilon &lt; 0 */
    public Adam(double learningRate, double beta1, double beta2, double epsilon) {
        this(new Options(LearningRateSchedule.constant(learningRate), beta1, beta2, epsilon, GradientClipping.none()));
    }

    /** Adam with these settings. */
    public Adam(Options options) {
        super(options.learningRate(), options.clipping());
        this.options = options;
    }

    @Override
    void update(Parameter p, float[] g, float lr, long t) {
        update(p, g, slot(p.name() + "/m", g.length), slot(p.name() + "/v", g.length), lr, t,
                options.beta1(), options.beta2(), options.epsilon());
    }

    /** One Adam update of {@code p} with moments m and v at step t (from 1); shared with {@link AdamW}. */
    static void update(Parameter p, float[] g, float[] m, float[] v, float lr, long t, double beta1, double beta2,
                       double epsilon) {
        // In float32 from float32 betas, as Keras: 1 - 0.999f^t differs from 1 - 0.999^t by ~1e-5 relative.
        float beta1Power = (float) Math.pow((float) beta1, t);
        float beta2Power = (float) Math.pow((float) beta2, t);
        float alpha = lr * (float) Math.sqrt(1f - beta2Power) / (1f - beta1Power);
        float oneMinusB1 = (float) (1 - beta1);
        float oneMinusB2 = (float) (1 - beta2);
        float eps = (float) epsilon;
        float[] w = p.data();
        for (int i = 0; i < w.length; i++) {
            float gi = g[i];
            m[i] += (gi - m[i]) * oneMinusB1;
            v[i] += (gi * gi - v[i]) * oneMinusB2;
            w[i] -= m[i] * alpha / ((float) Math.sqrt(v[i]) + eps);
        }
    }

    static void checkMoments(String optimizer, double beta1, double beta2, double epsilon) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(optimizer + " betas must be in [0, 1), got beta1=" + beta1 + " beta2=" + beta2);
        }
        if (!(epsilon >= 0)) {
            throw new IllegalArgumentException(optimizer + " epsilon must be >= 0, got " + epsilon);
        }
    }

    /** The settings this optimizer was built with. */
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "Adam";
    }

    @Override
    Map<String, Object> hyperparameters() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("beta_1", options.beta1());
        c.put("beta_2", options.beta2());
        c.put("epsilon", options.epsilon());
        return c;
    }
}
