package dev.shears.optim;

import static dev.shears.optim.KerasOptimizerReference.B0;
import static dev.shears.optim.KerasOptimizerReference.B_GRADS;
import static dev.shears.optim.KerasOptimizerReference.W0;
import static dev.shears.optim.KerasOptimizerReference.W_GRADS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.nn.Parameter;
import dev.shears.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every optimizer, with and without clipping and schedules, against three steps computed by Keras 3 itself. */
class KerasOptimizerTest {
    /**
     * Both compute in float32 with the same formulas; norms are summed in another order and powers rounded
     * differently: two float32 ulps at |w| <= 2 (one ulp is 2.4e-7 there; the largest difference seen is one).
     */
    private static final double KERAS_TOLERANCE = 5e-7;

    /** Runs three steps on (w, b) with the reference gradients and compares every value after every step. */
    private static void assertMatchesKeras(Optimizer opt, float[][] expected) {
        Tensor w = Tensor.parameter(W0.clone(), W0.length);
        Tensor b = Tensor.parameter(B0.clone(), B0.length);
        List<Parameter> params = List.of(new Parameter("dense/kernel", w, true), new Parameter("dense/bias", b, false));
        for (int t = 0; t < expected.length; t++) {
            System.arraycopy(W_GRADS[t], 0, w.grad(), 0, W0.length);
            System.arraycopy(B_GRADS[t], 0, b.grad(), 0, B0.length);
            opt.step(params);
            for (int i = 0; i < W0.length; i++) {
                assertEquals(expected[t][i], w.data()[i], KERAS_TOLERANCE, opt.name() + " w[" + i + "] after step " + (t + 1));
            }
            for (int i = 0; i < B0.length; i++) {
                assertEquals(expected[t][W0.length + i], b.data()[i], KERAS_TOLERANCE,
                        opt.name() + " b[" + i + "] after step " + (t + 1));
            }
        }
        assertEquals(expected.length, opt.iterations());
    }

    @Test
    void sgdPlainMomentumAndNesterov() {
        Sgd.Options sgd = Sgd.Options.defaults().withLearningRate(0.1);
        assertMatchesKeras(new Sgd(sgd), KerasOptimizerReference.SGD_PLAIN);
        assertMatchesKeras(new Sgd(0.1, 0.9), KerasOptimizerReference.SGD_MOMENTUM);
        assertMatchesKeras(new Sgd(sgd.withMomentum(0.9).withNesterov(true)), KerasOptimizerReference.SGD_NESTEROV);
    }

    @Test
    void rmspropDefaultsCenteredAndMomentum() {
        RMSprop.Options rms = RMSprop.Options.defaults().withLearningRate(0.01);
        assertMatchesKeras(new RMSprop(), KerasOptimizerReference.RMSPROP_DEFAULT);
        assertMatchesKeras(new RMSprop(0.01), KerasOptimizerReference.RMSPROP);
        assertMatchesKeras(new RMSprop(rms.withMomentum(0.9)), KerasOptimizerReference.RMSPROP_MOMENTUM);
        assertMatchesKeras(new RMSprop(rms.withCentered(true)), KerasOptimizerReference.RMSPROP_CENTERED);
        assertMatchesKeras(new RMSprop(rms.withRho(0.8).withMomentum(0.5).withEpsilon(1e-3).withCentered(true)),
                KerasOptimizerReference.RMSPROP_ALL);
    }

    @Test
    void adamAndAdamW() {
        assertMatchesKeras(new Adam(0.01), KerasOptimizerReference.ADAM);
        assertMatchesKeras(new AdamW(), KerasOptimizerReference.ADAMW_DEFAULT);
        assertMatchesKeras(new AdamW(AdamW.Options.defaults().withLearningRate(0.1).withWeightDecay(0.1)),
                KerasOptimizerReference.ADAMW);
    }

    @Test
    void gradientClipping() {
        Sgd.Options sgd = Sgd.Options.defaults().withLearningRate(0.1);
        assertMatchesKeras(new Sgd(sgd.withClipping(GradientClipping.clipnorm(0.25))), KerasOptimizerReference.SGD_CLIPNORM);
        assertMatchesKeras(new Sgd(sgd.withClipping(GradientClipping.globalClipnorm(0.5))),
                KerasOptimizerReference.SGD_GLOBAL_CLIPNORM);
        assertMatchesKeras(new Sgd(sgd.withClipping(GradientClipping.clipvalue(0.25))), KerasOptimizerReference.SGD_CLIPVALUE);
        assertMatchesKeras(new Adam(Adam.Options.defaults().withLearningRate(0.01).withClipping(GradientClipping.clipnorm(1.0))),
                KerasOptimizerReference.ADAM_CLIPNORM);
        assertMatchesKeras(new RMSprop(RMSprop.Options.defaults().withLearningRate(0.01)
                .withClipping(GradientClipping.clipvalue(0.3))), KerasOptimizerReference.RMSPROP_CLIPVALUE);
    }

    @Test
    void schedulesDriveTheStepsFromIterationZero() {
        assertMatchesKeras(new Sgd(Sgd.Options.defaults().withLearningRate(new ExponentialDecay(0.1, 2, 0.5))),
                KerasOptimizerReference.SGD_EXPONENTIAL);
        // AdamW's decay uses the scheduled rate of the step, as Keras's does.
        assertMatchesKeras(new AdamW(AdamW.Options.defaults().withLearningRate(new CosineDecay(0.1, 4)).withWeightDecay(0.5)),
                KerasOptimizerReference.ADAMW_COSINE);
    }
}
