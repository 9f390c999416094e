package dev.shears.train;

import static dev.shears.train.KerasTrainingReference.BIAS;
import static dev.shears.train.KerasTrainingReference.KERNEL;
import static dev.shears.train.KerasTrainingReference.X;
import static dev.shears.train.KerasTrainingReference.Y;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shears.data.Dataset;
import dev.shears.nn.Activation;
import dev.shears.nn.Dense;
import dev.shears.nn.Loss;
import dev.shears.nn.Regularizer;
import dev.shears.nn.Sequential;
import dev.shears.optim.Sgd;
import org.junit.jupiter.api.Test;

/** Regularized training against Keras 3: the penalty, the reported losses and one SGD step of Dense(3, softmax). */
class RegularizationTest {
    /** Keras computes the cross-entropy from clipped probabilities in float32, Shears from logits: float32 round-off. */
    private static final double KERAS_TOLERANCE = 1e-6;

    private static Dataset data() {
        float[] x = new float[X.length * 4];
        for (int i = 0; i < X.length; i++) {
            System.arraycopy(X[i], 0, x, i * 4, 4);
        }
        return new Dataset(x, new int[] {4}, Y.clone(), 3);
    }

    private static Sequential model(Regularizer r) {
        Dense dense = new Dense(3, Activation.SOFTMAX);
        Sequential m = Sequential.builder(4).add(r == null ? dense : dense.withKernelRegularizer(r)).build();
        System.arraycopy(KERNEL, 0, m.parameter("dense/kernel").data(), 0, KERNEL.length);
        System.arraycopy(BIAS, 0, m.parameter("dense/bias").data(), 0, BIAS.length);
        return m;
    }

    private static void assertStepMatchesKeras(Regularizer r, float penalty, float evalLoss, float trainLoss,
                                               float[] kernelAfter, float[] biasAfter) {
        Sequential m = model(r);
        assertEquals(penalty, m.regularizationLosses().get(0).item(), KERAS_TOLERANCE, r + " penalty");
        Trainer t = new Trainer(m, new Sgd(0.1, 0.0), Loss.sparseCategoricalCrossentropy(false));
        assertEquals(evalLoss, t.evaluate(data(), 5).loss(), KERAS_TOLERANCE, r + " evaluate");
        History h = t.fit(data(), FitOptions.defaults().withEpochs(1).withBatchSize(5).withVerbose(false));
        assertEquals(trainLoss, h.last("loss"), KERAS_TOLERANCE, r + " reported training loss");
        assertArrayEquals(kernelAfter, m.parameter("dense/kernel").data(), (float) KERAS_TOLERANCE, r + " kernel");
        assertArrayEquals(biasAfter, m.parameter("dense/bias").data(), (float) KERAS_TOLERANCE, r + " bias");
    }

    @Test
    void l1StepMatchesKeras() {
        assertStepMatchesKeras(Regularizer.l1(), KerasTrainingReference.L1_PENALTY, KerasTrainingReference.L1_EVAL_LOSS,
                KerasTrainingReference.L1_TRAIN_LOSS, KerasTrainingReference.L1_KERNEL_AFTER, KerasTrainingReference.L1_BIAS_AFTER);
    }

    @Test
    void l2StepMatchesKeras() {
        assertStepMatchesKeras(Regularizer.l2(), KerasTrainingReference.L2_PENALTY, KerasTrainingReference.L2_EVAL_LOSS,
                KerasTrainingReference.L2_TRAIN_LOSS, KerasTrainingReference.L2_KERNEL_AFTER, KerasTrainingReference.L2_BIAS_AFTER);
    }

    @Test
    void l1l2StepMatchesKeras() {
        assertStepMatchesKeras(Regularizer.l1l2(0.01, 0.02), KerasTrainingReference.L1L2_PENALTY,
                KerasTrainingReference.L1L2_EVAL_LOSS, KerasTrainingReference.L1L2_TRAIN_LOSS,
                KerasTrainingReference.L1L2_KERNEL_AFTER, KerasTrainingReference.L1L2_BIAS_AFTER);
    }

    @Test
    void regularizedLossIsPlainLossPlusPenalty() {
        Loss loss = Loss.sparseCategoricalCrossentropy(false);
        double plain = new Trainer(model(null), new Sgd(0.1, 0.0), loss).evaluate(data(), 2).loss();
        assertEquals(KerasTrainingReference.PLAIN_EVAL_LOSS, plain, KERAS_TOLERANCE);
        double regularized = new Trainer(model(Regularizer.l2()), new Sgd(0.1, 0.0), loss).evaluate(data(), 2).loss();
        // Σw² of the reference kernel = 0.86, so the L2 penalty is 0.0086
        assertEquals(plain + 0.01 * 0.86, regularized, KERAS_TOLERANCE);
    }

    @Test
    void validationLossIncludesThePenaltyToo() {
        Sequential m = model(Regularizer.l1());
        Trainer t = new Trainer(m, new Sgd(0.1, 0.0), Loss.sparseCategoricalCrossentropy(false));
        History h = t.fit(data(), FitOptions.defaults().withEpochs(1).withBatchSize(5).withValidation(data()).withVerbose(false));
        assertEquals(t.evaluate(data(), 5).loss(), h.last("val_loss"), 1e-12);
    }
}
