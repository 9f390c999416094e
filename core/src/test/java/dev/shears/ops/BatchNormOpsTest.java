package dev.shears.ops;

import static dev.shears.ops.GradCheck.check;
import static dev.shears.ops.GradCheck.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.kernels.ReferenceKernels;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batch normalization ops: central-difference gradient checks in both modes, the reference kernel, shape errors. */
class BatchNormOpsTest {
    private final Random rng = new Random(43);

    /** γ around 1 (not near 0, where its gradient check would be trivial), β anywhere. */
    private Tensor gamma(int c) {
        Tensor g = param(rng, 0.5f, c);
        for (int i = 0; i < c; i++) {
            g.data()[i] += 1f;
        }
        return g;
    }

    @Test
    void trainingModeGradients() {
        int c = 3;
        check(in -> NormOps.batchNormTraining(in[0], in[1], in[2], 1e-3f, new float[c], new float[c]),
                param(rng, 1, 2, 3, 2, c), gamma(c), param(rng, 1, c));
        // flat (batch, features) input, as after a Dense layer
        check(in -> NormOps.batchNormTraining(in[0], in[1], in[2], 1e-3f, new float[4], new float[4]),
                param(rng, 1, 5, 4), gamma(4), param(rng, 1, 4));
    }

    @Test
    void trainingModeGradientsWithoutGammaOrBeta() {
        int c = 2;
        check(in -> NormOps.batchNormTraining(in[0], null, in[1], 1e-3f, new float[c], new float[c]),
                param(rng, 1, 3, 2, 2, c), param(rng, 1, c));
        check(in -> NormOps.batchNormTraining(in[0], in[1], null, 1e-3f, new float[c], new float[c]),
                param(rng, 1, 3, 2, 2, c), gamma(c));
        check(in -> NormOps.batchNormTraining(in[0], null, null, 1e-3f, new float[c], new float[c]), param(rng, 1, 6, c));
    }

    @Test
    void inferenceModeGradients() {
        int c = 3;
        float[] mean = {0.2f, -0.1f, 0.05f};
        float[] variance = {0.5f, 1.5f, 0.9f};
        check(in -> NormOps.batchNormInference(in[0], in[1], in[2], mean, variance, 1e-3f),
                param(rng, 1, 2, 2, 3, c), gamma(c), param(rng, 1, c));
        check(in -> NormOps.batchNormInference(in[0], null, null, mean, variance, 1e-3f), param(rng, 1, 4, c));
    }

    @Test
    void trainingForwardMatchesReferenceAndReportsBatchStatistics() {
        int rows = 10, c = 4;
        Tensor x = param(rng, 2, rows, c);
        Tensor g = gamma(c);
        Tensor b = param(rng, 1, c);
        float[] mean = new float[c];
        float[] variance = new float[c];
        Tensor y = NormOps.batchNormTraining(x, g, b, 1e-3f, mean, variance);
        float[] yRef = new float[rows * c];
        float[] meanRef = new float[c];
        float[] varRef = new float[c];
        ReferenceKernels.batchNorm(yRef, meanRef, varRef, x.data(), g.data(), b.data(), 1e-3f, rows, c);
        assertArrayEquals(yRef, y.data(), 1e-5f);
        assertArrayEquals(meanRef, mean, 1e-6f);
        assertArrayEquals(varRef, variance, 1e-6f);
    }

    /** Statistics given to inference mode are copied: changing the arrays afterwards changes neither output nor gradient. */
    @Test
    void inferenceBackwardUsesTheStatisticsOfItsForward() {
        float[] mean = {0.5f};
        float[] variance = {4f};
        Tensor x = Tensor.parameter(new float[] {1.5f, -0.5f}, 2, 1);
        Tensor g = Tensor.parameter(new float[] {3f}, 1);
        Tensor y = NormOps.batchNormInference(x, g, null, mean, variance, 0f + 1e-30f);
        mean[0] = 100f;
        variance[0] = 100f;
        Ops.sum(y).backward();
        // y = (x - 0.5) / 2 · 3: dy/dx = 1.5, dy/dγ = Σ (x - 0.5) / 2 = 0.5 - 0.5 = 0
        assertArrayEquals(new float[] {1.5f, -1.5f}, y.data(), 1e-6f);
        assertArrayEquals(new float[] {1.5f, 1.5f}, x.grad(), 1e-6f);
        assertArrayEquals(new float[] {0f}, g.grad(), 1e-6f);
    }

    @Test
    void shapeMismatchesNameBothShapes() {
        Tensor x = Tensor.zeros(2, 3);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> NormOps.batchNormTraining(x, Tensor.zeros(4), null, 1e-3f, new float[3], new float[3]));
        assertTrue(e.getMessage().contains("gamma") && e.getMessage().contains("[3]") && e.getMessage().contains("[4]"), e.getMessage());
        assertThrows(ShapeMismatchException.class, () -> NormOps.batchNormInference(x, null, Tensor.zeros(2), new float[3], new float[3], 1e-3f));
        assertThrows(ShapeMismatchException.class, () -> NormOps.batchNormInference(x, null, null, new float[2], new float[3], 1e-3f));
        assertThrows(ShapeMismatchException.class, () -> NormOps.batchNormTraining(Tensor.zeros(3), null, null, 1e-3f, new float[3], new float[3]));
    }
}
