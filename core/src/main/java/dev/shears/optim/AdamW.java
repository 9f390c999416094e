package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay, Keras 3's {@code AdamW}: before the {@link Adam} update of each step,
 * every parameter (biases too, as in Keras) is shrunk by {@code w -= w · weightDecay · lr}, with the step's
 * learning rate. Keras's defaults: learning rate 0.001, weight decay 0.004, beta1 0.9, beta2 0.999,
 * epsilon 1e-7.
 *
 * <pre>{@code new AdamW(AdamW.Options.defaults().withWeightDecay(0.01))}</pre>
 */
public final class AdamW extends BaseOptimizer {
    private final Options options;

    /**
     * AdamW's settings, Keras's arguments; change them with the {@code with...} copies.
     *
     * @param learningRate a {@link LearningRateSchedule.Constant} (settable later) or a schedule
     * @param weightDecay  decay per unit learning rate, finite and >= 0
     * @param beta1        decay of the first moment, in [0, 1)
     * @param beta2        decay of the second moment, in [0, 1)
     * @param epsilon      added to sqrt(v), >= 0
     * @param clipping     gradient clipping
     */
    public record Options(LearningRateSchedule learningRate, double weightDecay, double beta1, double beta2,
                          double epsilon, GradientClipping clipping) {
        /** @throws IllegalArgumentException for a bad weight decay, betas outside [0,1) or epsilon &lt; 0 */
        public Options {
            java.util.Objects.requireNonNull(learningRate, "learningRate");
            java.util.Objects.requireNonNull(clipping, "clipping");
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("AdamW weight_decay must be finite and >= 0, got " + weightDecay);
            }
            Adam.checkMoments("AdamW", beta1, beta2, epsilon);
        }

        /** Keras's defaults: learning rate 0.001, weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7. */
        public static Options defaults() {
            return new Options(LearningRateSchedule.constant(0.001), 0.004, 0.9, 0.999, 1e-7, GradientClipping.none());
        }

        public Options withLearningRate(double lr) {
            return new Options(LearningRateSchedule.constant(lr), weightDecay, beta1, beta2, epsilon, clipping);
        }

        public Options withLearningRate(LearningRateSchedule lr) {
            return new Options(lr, weightDecay, beta1, beta2, epsilon, clipping);
        }

        public Options withWeightDecay(double weightDecay) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, clipping);
        }

        public Options withBeta1(double beta1) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, clipping);
        }

        public Options withBeta2(double beta2) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, clipping);
        }

        public Options withEpsilon(double epsilon) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, clipping);
        }

        public Options withClipping(GradientClipping clipping) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, clipping);
        }
    }

    /** Keras defaults. */
    public AdamW() {
        this(Options.defaults());
    }

    /** Keras defaults with another learning rate. */
    public AdamW(double learningRate) {
        this(Options.defaults().withLearningRate(learningRate));
    }

    /** AdamW with these settings. */
    public AdamW(Options options) {
        super(options.learningRate(), options.clipping());
        this.options = options;
    }

    /** Decoupled weight decay, {@code w -= w · wd · lr}, on every parameter that has a gradient. */
    @Override
    void beforeUpdate(List<Parameter> params, float lr) {
        float wd = (float) options.weightDecay();
        if (wd == 0f) {
            return;
        }
        for (Parameter p : params) {
            float[] w = p.data();
            for (int i = 0; i < w.length; i++) {
                w[i] -= w[i] * wd * lr;
            }
        }
    }

    @Override
    void update(Parameter p, float[] g, float lr, long t) {
        Adam.update(p, g, slot(p.name() + "/m", g.length), slot(p.name() + "/v", g.length), lr, t,
                options.beta1(), options.beta2(), options.epsilon());
    }

    /** The settings this optimizer was built with. */
    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "AdamW";
    }

    @Override
    Map<String, Object> hyperparameters() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("weight_decay", options.weightDecay());
        c.put("beta_1", options.beta1());
        c.put("beta_2", options.beta2());
        c.put("epsilon", options.epsilon());
        return c;
    }
}
