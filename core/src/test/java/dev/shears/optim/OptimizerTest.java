package dev.shears.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.Json;
import dev.shears.nn.Parameter;
import dev.shears.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
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

    @Test
    void sgdNesterovMatchesKerasRule() {
        Tensor w = Tensor.parameter(new float[] {1f}, 1);
        Parameter p = new Parameter("w", w, false);
        Sgd sgd = new Sgd(Sgd.Options.defaults().withLearningRate(0.1).withMomentum(0.9).withNesterov(true));
        w.grad()[0] = 1f;
        sgd.step(List.of(p));
        // m = -0.1; w += 0.9 * -0.1 - 0.1
        assertEquals(0.81, w.data()[0], TOLERANCE);
        sgd.step(List.of(p));
        // m = 0.9 * -0.1 - 0.1 = -0.19; w += 0.9 * -0.19 - 0.1 = -0.271
        assertEquals(0.539, w.data()[0], TOLERANCE);
    }

    @Test
    void rmspropCenteredWithMomentumMatchesClosedForm() {
        double lr = 0.01, rho = 0.8, mu = 0.5, eps = 1e-3;
        double[] grads = {2.0, -0.5, 1.0};
        Tensor w = Tensor.parameter(new float[] {1f}, 1);
        Parameter p = new Parameter("w", w, false);
        RMSprop rms = new RMSprop(RMSprop.Options.defaults().withLearningRate(lr).withRho(rho).withMomentum(mu)
                .withEpsilon(eps).withCentered(true));
        double expected = 1, v = 0, a = 0, mom = 0;
        for (int t = 0; t < grads.length; t++) {
            double g = grads[t];
            w.grad()[0] = (float) g;
            rms.step(List.of(p));
            v = rho * v + (1 - rho) * g * g;
            a = rho * a + (1 - rho) * g;
            mom = mu * mom + lr * g / Math.sqrt(v - a * a + eps);
            expected -= mom;
            assertEquals(expected, w.data()[0], TOLERANCE, "after step " + (t + 1));
        }
    }

    @Test
    void rmspropFirstStepByHand() {
        // v = 0.1 * 2^2 = 0.4; w -= 0.01 * 2 / sqrt(0.4 + 1e-7) = 0.0316227727
        Tensor w = Tensor.parameter(new float[] {1f}, 1);
        w.grad()[0] = 2f;
        new RMSprop(0.01).step(List.of(new Parameter("w", w, false)));
        assertEquals(1 - 0.0316227727, w.data()[0], TOLERANCE);
    }

    @Test
    void adamWDecaysBeforeTheAdamStep() {
        // decay: 1 - 1 * 0.1 * 0.01 = 0.999; Adam's first step: m = 0.05, v = 0.00025,
        // alpha = 0.01 * sqrt(0.001) / 0.1, w -= alpha * m / (sqrt(v) + 1e-7) = 0.0099999368
        Tensor w = Tensor.parameter(new float[] {1f}, 1);
        w.grad()[0] = 0.5f;
        new AdamW(AdamW.Options.defaults().withLearningRate(0.01).withWeightDecay(0.1)).step(List.of(new Parameter("w", w, false)));
        assertEquals(0.999 - 0.0099999368, w.data()[0], TOLERANCE);
    }

    @Test
    void clippingByNormGlobalNormAndValue() {
        // gradients (3) and (4): norms 3 and 4, global norm 5
        assertArrayEquals(new float[] {-2.5f, -2.5f}, sgdStepFromZero(GradientClipping.clipnorm(2.5)), 1e-6f);
        assertArrayEquals(new float[] {-1.5f, -2f}, sgdStepFromZero(GradientClipping.globalClipnorm(2.5)), 1e-6f);
        assertArrayEquals(new float[] {-3f, -4f}, sgdStepFromZero(GradientClipping.globalClipnorm(5)), 1e-6f);
        assertArrayEquals(new float[] {-2f, -2f}, sgdStepFromZero(GradientClipping.clipvalue(2)), 1e-6f);
        assertArrayEquals(new float[] {-3f, -4f}, sgdStepFromZero(GradientClipping.none()), 1e-6f);
        // a zero gradient stays zero under every rule (no 0/0)
        float[][] zero = {{0f, 0f}};
        assertArrayEquals(new float[] {0f, 0f}, GradientClipping.clipnorm(1).apply(zero)[0]);
        assertArrayEquals(new float[] {0f, 0f}, GradientClipping.globalClipnorm(1).apply(zero)[0]);
    }

    /** One SGD step (lr 1) from zero on two one-element parameters with gradients 3 and 4; the gradients stay. */
    private static float[] sgdStepFromZero(GradientClipping clipping) {
        Tensor a = Tensor.parameter(new float[1], 1);
        Tensor b = Tensor.parameter(new float[1], 1);
        a.grad()[0] = 3f;
        b.grad()[0] = 4f;
        new Sgd(Sgd.Options.defaults().withLearningRate(1.0).withClipping(clipping))
                .step(List.of(new Parameter("a", a, false), new Parameter("b", b, false)));
        assertEquals(3f, a.grad()[0], "clipping must not change the parameter's gradient");
        assertEquals(4f, b.grad()[0]);
        return new float[] {a.data()[0], b.data()[0]};
    }

    @Test
    void scheduleIsReadAtTheIterationCountBeforeEachStep() {
        // lr 1.0 for steps 0 and 1 (step <= boundary 1), then 0.5
        Tensor w = Tensor.parameter(new float[] {0f}, 1);
        Parameter p = new Parameter("w", w, false);
        Sgd sgd = new Sgd(Sgd.Options.defaults().withLearningRate(
                new PiecewiseConstantDecay(new long[] {1}, new double[] {1.0, 0.5})));
        w.grad()[0] = 1f;
        float[] expected = {-1f, -2f, -2.5f};
        for (float e : expected) {
            sgd.step(List.of(p));
            assertEquals(e, w.data()[0], 1e-7f);
        }
        assertEquals(0.5, sgd.learningRate());
        assertThrows(IllegalStateException.class, () -> sgd.setLearningRate(0.1));
    }

    @Test
    void learningRateIsSettableAndHeldInFloat32() {
        Tensor w = Tensor.parameter(new float[] {0f}, 1);
        Parameter p = new Parameter("w", w, false);
        Sgd sgd = new Sgd(0.1, 0.0);
        assertEquals((float) 0.1, sgd.learningRate());
        sgd.setLearningRate(0.25);
        w.grad()[0] = 2f;
        sgd.step(List.of(p));
        assertEquals(-0.5f, w.data()[0]);
        assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(-1));
        assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(Double.NaN));
        sgd.setLearningRate(0);
        sgd.step(List.of(p));
        assertEquals(-0.5f, w.data()[0], "a zero rate freezes the weights");
    }

    @Test
    void saveAndRestoreResumesEveryOptimizerExactly() {
        List<Supplier<Optimizer>> kinds = List.of(
                () -> new Sgd(Sgd.Options.defaults().withLearningRate(0.1).withMomentum(0.9).withNesterov(true)),
                () -> new Adam(0.01),
                () -> new AdamW(0.01),
                () -> new RMSprop(RMSprop.Options.defaults().withMomentum(0.5).withCentered(true)),
                () -> new Adam(Adam.Options.defaults().withLearningRate(new CosineDecay(0.0, 3, 0.1, 0.01, 2))
                        .withClipping(GradientClipping.globalClipnorm(0.5))));
        Random rng = new Random(3);
        float[][] grads = new float[5][4];
        for (float[] g : grads) {
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) rng.nextGaussian();
            }
        }
        float[] w0 = {1f, -1f, 0.5f, 2f};
        for (Supplier<Optimizer> kind : kinds) {
            Optimizer straight = kind.get();
            float[] wMid = run(straight, w0, grads, 0, 2);
            halveRateIfSettable(straight);
            float[] wStraight = run(straight, wMid, grads, 2, 5);

            Optimizer first = kind.get();
            float[] wFirst = run(first, w0, grads, 0, 2);
            halveRateIfSettable(first); // a rate set by a callback is part of the saved state
            Map<String, float[]> saved = new LinkedHashMap<>();
            first.slots().forEach((k, v) -> saved.put(k, v.clone()));
            Optimizer resumed = kind.get();
            resumed.restore(first.iterations(), saved);
            float[] wResumed = run(resumed, wFirst, grads, 2, 5);
            assertArrayEquals(wStraight, wResumed, first.name());
            assertEquals(5, resumed.iterations());
        }
    }

    /** Halves a settable rate; a schedule-driven optimizer refuses, as Keras's does. */
    private static void halveRateIfSettable(Optimizer opt) {
        if (opt.config().get("learning_rate") instanceof Map) {
            assertThrows(IllegalStateException.class, () -> opt.setLearningRate(0.5));
        } else {
            opt.setLearningRate(opt.learningRate() / 2);
        }
    }

    @Test
    void restoredLearningRateComesBackWithTheSlots() {
        Sgd a = new Sgd(0.1, 0.9);
        a.setLearningRate(0.003);
        Sgd b = new Sgd(0.1, 0.9);
        b.restore(a.iterations(), a.slots());
        assertEquals((float) 0.003, b.learningRate());
        b.restore(0, Map.of()); // a state saved before rates were slots: the configured rate
        assertEquals((float) 0.1, b.learningRate());
    }

    private static float[] run(Optimizer opt, float[] w0, float[][] grads, int from, int to) {
        Tensor w = Tensor.parameter(w0.clone(), w0.length);
        Parameter p = new Parameter("dense/kernel", w, true);
        for (int t = from; t < to; t++) {
            System.arraycopy(grads[t], 0, w.grad(), 0, w0.length);
            opt.step(List.of(p));
        }
        return w.data();
    }

    @Test
    void configsUseKerasNamesAndWriteAsJson() {
        Map<String, Object> adamW = new AdamW().config();
        assertEquals((double) (float) 0.001, adamW.get("learning_rate"));
        assertEquals(0.004, adamW.get("weight_decay"));
        assertNull(adamW.get("clipnorm"));
        assertTrue(adamW.containsKey("global_clipnorm") && adamW.containsKey("clipvalue"));
        Map<String, Object> rms = new RMSprop(RMSprop.Options.defaults()
                .withLearningRate(new ExponentialDecay(0.1, 10, 0.5)).withClipping(GradientClipping.clipnorm(1))).config();
        assertEquals(Map.of("class_name", "ExponentialDecay", "config",
                Map.of("initial_learning_rate", 0.1, "decay_steps", 10L, "decay_rate", 0.5, "staircase", false)),
                rms.get("learning_rate"));
        assertEquals(1.0, rms.get("clipnorm"));
        assertEquals(false, rms.get("centered"));
        assertEquals(true, new Sgd(Sgd.Options.defaults().withMomentum(0.5).withNesterov(true)).config().get("nesterov"));
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(Json.write(rms));
        assertEquals(rms.get("learning_rate"), parsed.get("learning_rate"));
        assertTrue(parsed.containsKey("global_clipnorm") && parsed.get("global_clipnorm") == null);
    }

    @Test
    void newOptimizersRejectBadHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> RMSprop.Options.defaults().withRho(1.0));
        assertThrows(IllegalArgumentException.class, () -> RMSprop.Options.defaults().withMomentum(-0.1));
        assertThrows(IllegalArgumentException.class, () -> RMSprop.Options.defaults().withEpsilon(-1));
        assertThrows(IllegalArgumentException.class, () -> AdamW.Options.defaults().withWeightDecay(-0.1));
        assertThrows(IllegalArgumentException.class, () -> AdamW.Options.defaults().withBeta2(1.0));
        assertThrows(IllegalArgumentException.class, () -> Sgd.Options.defaults().withLearningRate(0));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipnorm(0));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.globalClipnorm(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipvalue(-1));
    }
}
