package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with Keras's semantics and defaults (learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7).
 * At step t (from 1): {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²;
 * w -= lr·sqrt(1-b2^t)/(1-b1^t) · m / (sqrt(v) + eps)} — Keras folds the bias correction into the
 * learning rate and adds epsilon to the uncorrected sqrt(v).
 *
 * <pre>{@code Optimizer opt = new Adam(); // or new Adam(0.01, 0.9, 0.999, 1e-7)}</pre>
 */
public final class Adam extends SlotState {
    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    /** Keras defaults. */
    public Adam() {
        this(0.001);
    }

    /** Keras defaults with another learning rate. */
    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7);
    }

    /** @throws IllegalArgumentException for lr <= 0, betas outside [0,1), epsilon < 0 */
    public Adam(double learningRate, double beta1, double beta2, double epsilon) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("Adam learning rate must be positive and finite, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got beta1=" + beta1 + " beta2=" + beta2);
        }
        if (!(epsilon >= 0)) {
            throw new IllegalArgumentException("Adam epsilon must be >= 0, got " + epsilon);
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public void step(List<Parameter> params) {
        double t = nextIteration();
        float lrT = (float) (learningRate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float eps = (float) epsilon;
        for (Parameter p : params) {
            if (!p.value().hasGrad()) {
                continue;
            }
            float[] w = p.data();
            float[] g = p.value().grad();
            float[] m = slot(p.name() + "/m", w.length);
            float[] v = slot(p.name() + "/v", w.length);
            for (int i = 0; i < w.length; i++) {
                float gi = g[i];
                float mi = b1 * m[i] + (1 - b1) * gi;
                float vi = b2 * v[i] + (1 - b2) * gi * gi;
                m[i] = mi;
                v[i] = vi;
                w[i] -= lrT * mi / ((float) Math.sqrt(vi) + eps);
            }
        }
    }

    @Override
    public String name() {
        return "Adam";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("learning_rate", learningRate);
        c.put("beta_1", beta1);
        c.put("beta_2", beta2);
        c.put("epsilon", epsilon);
        return c;
    }
}
