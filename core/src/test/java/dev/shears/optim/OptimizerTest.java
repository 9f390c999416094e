package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.nn.Parameter;
import dev.shears.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Optimizer steps against their closed forms, computed independently in double. */
class OptimizerTest {
    private static final double TOLERANCE = 1e-6;

    @Test
    void adamMatchesKerasClosedForm() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        double[] grads = {0.5, -1.0, 2.0, 0.25};
        Tensor w = Tensor.parameter(new float[] {1f}, 1);
        Parameter p = new Parameter("w", w, false);
        Adam adam = new Adam(lr, b1, b2, eps);
        double expected = 1, m = 0, v = 0;
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1];
            w.grad()[0] = (float) g;
            adam.step(List.of(p));
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            double lrT = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            expected -= lrT * m / (Math.sqrt(v) + eps);
            assertEquals(expected, w.data()[0], TOLERANCE, "after step " + t);
        }
        assertEquals(4, adam.iterations());
    }

    @Test
    void adamFirstStepMovesByLearningRate() {
        // With bias correction the first step is lr * g / (|g| + eps') ~ lr * sign(g), whatever |g|.
        Tensor w = Tensor.parameter(new float[] {0f, 0f}, 2);
        w.grad()[0] = 1000f;
        w.grad()[1] = -0.1f;
        new Adam().step(List.of(new Parameter("w", w, false)));
        assertEquals(-0.001, w.data()[0], 1e-8);
        assertEquals(0.001, w.data()[1], 1e-7);
    }

    @Test
    void sgdMomentumMatchesKerasRule() {
        Tensor w = Tensor.parameter(new float[] {1f}, 1);
        Parameter p = new Parameter("w", w, false);
        Sgd sgd = new Sgd(0.1, 0.9);
        w.grad()[0] = 1f;
        sgd.step(List.of(p));
        assertEquals(0.9, w.data()[0], TOLERANCE);
        sgd.step(List.of(p));
        // velocity = 0.9 * -0.1 - 0.1 = -0.19
        assertEquals(0.71, w.data()[0], TOLERANCE);
    }

    @Test
    void invalidHyperparametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Adam(-0.001));
        assertThrows(IllegalArgumentException.class, () -> new Adam(0.001, 1.0, 0.999, 1e-7));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, -0.5));
    }
}
