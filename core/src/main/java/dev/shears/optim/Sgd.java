package dev.shears.optim;

import dev.shears.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, Keras's rule:
 * {@code velocity = momentum·velocity - lr·g; w += velocity} (plain {@code w -= lr·g} when momentum is 0).
 *
 * <pre>{@code Optimizer opt = new Sgd(0.01, 0.9);}</pre>
 */
public final class Sgd extends SlotState {
    private final double learningRate;
    private final double momentum;

    /** @throws IllegalArgumentException for lr <= 0 or momentum outside [0, 1) */
    public Sgd(double learningRate, double momentum) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("SGD learning rate must be positive and finite, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    @Override
    public void step(List<Parameter> params) {
        nextIteration();
        float lr = (float) learningRate;
        float mu = (float) momentum;
        for (Parameter p : params) {
            if (!p.value().hasGrad()) {
                continue;
            }
            float[] w = p.data();
            float[] g = p.value().grad();
            if (mu == 0f) {
                for (int i = 0; i < w.length; i++) {
                    w[i] -= lr * g[i];
                }
                continue;
            }
            float[] vel = slot(p.name() + "/momentum", w.length);
            for (int i = 0; i < w.length; i++) {
                vel[i] = mu * vel[i] - lr * g[i];
                w[i] += vel[i];
            }
        }
    }

    @Override
    public String name() {
        return "SGD";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("learning_rate", learningRate);
        c.put("momentum", momentum);
        return c;
    }
}
