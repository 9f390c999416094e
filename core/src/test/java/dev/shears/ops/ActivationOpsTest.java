package dev.shears.ops;

import static dev.shears.ops.GradCheck.check;
import static dev.shears.ops.GradCheck.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.GradMode;
import dev.shears.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The activation ops: finite-difference gradient checks on tiny shapes (the kernels' derivatives are also
 * checked in double, against central differences of the exact formulas, in ActivationsTest), hand-computed
 * values and rejected parameters.
 */
class ActivationOpsTest {
    private final Random rng = new Random(17);

    /** Values in [-scale, scale], at least {@code gap} away from each kink, so the difference quotient does not straddle one. */
    private Tensor awayFrom(float scale, float gap, float[] kinks, int... shape) {
        Tensor x = param(rng, scale, shape);
        for (int i = 0; i < x.size(); i++) {
            for (float k : kinks) {
                float d = x.data()[i] - k;
                if (Math.abs(d) < gap) {
                    x.data()[i] = k + (d < 0 ? -gap : gap);
                }
            }
        }
        return x;
    }

    @Test
    void smoothActivations() {
        check(in -> ActivationOps.sigmoid(in[0]), param(rng, 4, 3, 5));
        check(in -> ActivationOps.tanh(in[0]), param(rng, 3, 2, 2, 3));
        check(in -> ActivationOps.gelu(in[0]), param(rng, 4, 4, 5));
        check(in -> ActivationOps.silu(in[0]), param(rng, 4, 1, 7));
    }

    @Test
    void eluWithTheDefaultAndAnotherAlpha() {
        check(in -> ActivationOps.elu(in[0], 1f), awayFrom(3, 0.05f, new float[] {0}, 3, 4));
        check(in -> ActivationOps.elu(in[0], 0.5f), awayFrom(3, 0.05f, new float[] {0}, 3, 4));
    }

    @Test
    void piecewiseLinearActivationsAwayFromTheirKinks() {
        check(in -> ActivationOps.leakyRelu(in[0], 0.2f), awayFrom(2, 0.05f, new float[] {0}, 4, 5));
        check(in -> ActivationOps.leakyRelu(in[0], 0.01f), awayFrom(2, 0.05f, new float[] {0}, 2, 3));
        check(in -> ActivationOps.relu6(in[0]), awayFrom(8, 0.05f, new float[] {0, 6}, 5, 5));
    }

    @Test
    void composedWithMatmulAndBias() {
        // a Dense layer with each activation: gradients reach weights and bias through the activation
        Tensor x = param(rng, 1, 3, 4);
        Tensor w = param(rng, 1, 4, 2);
        Tensor b = param(rng, 0.5f, 2);
        check(in -> ActivationOps.gelu(Ops.addBias(Ops.matmul(in[0], in[1]), in[2])), x, w, b);
        check(in -> ActivationOps.silu(Ops.addBias(Ops.matmul(in[0], in[1]), in[2])), x, w, b);
        check(in -> ActivationOps.tanh(Ops.addBias(Ops.matmul(in[0], in[1]), in[2])), x, w, b);
    }

    @Test
    void handComputedValuesKeepTheShape() {
        Tensor x = Tensor.of(new float[] {-2f, 0f, 0.5f, 7f}, 2, 2);
        assertArrayEquals(new float[] {-0.4f, 0f, 0.5f, 7f}, ActivationOps.leakyRelu(x, 0.2f).data(), 0f);
        assertArrayEquals(new float[] {(float) Math.expm1(-2), 0f, 0.5f, 7f}, ActivationOps.elu(x, 1f).data(), 0f);
        assertArrayEquals(new float[] {0f, 0f, 0.5f, 6f}, ActivationOps.relu6(x).data(), 0f);
        assertArrayEquals(new float[] {(float) Math.tanh(-2), 0f, (float) Math.tanh(0.5), (float) Math.tanh(7)},
                ActivationOps.tanh(x).data(), 0f);
        assertArrayEquals(new int[] {2, 2}, ActivationOps.gelu(x).shape());
        // dX = dY ⊙ f'(x): sigmoid'(0) = 1/4, silu'(0) = 1/2, gelu'(0) = 1/2
        Tensor z = Tensor.parameter(new float[] {0f}, 1);
        Ops.sum(ActivationOps.sigmoid(z)).backward();
        assertArrayEquals(new float[] {0.25f}, z.grad(), 0f);
        z.zeroGrad();
        Ops.sum(ActivationOps.silu(z)).backward();
        assertArrayEquals(new float[] {0.5f}, z.grad(), 0f);
        z.zeroGrad();
        Ops.sum(ActivationOps.gelu(z)).backward();
        assertArrayEquals(new float[] {0.5f}, z.grad(), 0f);
    }

    @Test
    void noGraphInNoGradMode() {
        Tensor x = param(rng, 1, 3);
        try (var ignored = GradMode.noGrad()) {
            assertFalse(ActivationOps.gelu(x).requiresGrad());
        }
        assertTrue(ActivationOps.gelu(x).requiresGrad());
    }

    @Test
    void nonFiniteParametersAreRejectedWithTheValue() {
        Tensor x = param(rng, 1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivationOps.leakyRelu(x, Float.NaN));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ActivationOps.elu(x, Float.POSITIVE_INFINITY));
        assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
    }
}
