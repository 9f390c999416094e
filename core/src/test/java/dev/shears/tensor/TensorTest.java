package dev.shears.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.ops.Ops;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void gradientsAccumulateOverSharedInputs() {
        Tensor w = Tensor.parameter(new float[] {3f}, 1);
        // y = w*w + w -> dy/dw = 2w + 1 = 7
        Ops.add(Ops.mul(w, w), w).backward();
        assertEquals(7f, w.grad()[0]);
        Ops.add(Ops.mul(w, w), w).backward();
        assertEquals(14f, w.grad()[0], "leaf gradients accumulate across backward calls");
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor w = Tensor.parameter(new float[] {1f}, 1);
        Tensor y = w;
        for (int i = 0; i < 200_000; i++) {
            y = Ops.scale(y, 1f);
        }
        y.backward();
        assertEquals(1f, w.grad()[0]);
    }

    @Test
    void noGradRecordsNothing() {
        Tensor w = Tensor.parameter(new float[] {2f}, 1);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor y = Ops.mul(w, w);
            assertFalse(y.requiresGrad());
            assertThrows(IllegalStateException.class, y::backward);
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(Ops.mul(w, w).requiresGrad());
    }

    @Test
    void backwardNeedsAScalar() {
        Tensor w = Tensor.parameter(new float[] {1f, 2f}, 2);
        assertThrows(IllegalStateException.class, () -> Ops.scale(w, 2f).backward());
    }

    @Test
    void shapeMustMatchData() {
        assertThrows(ShapeMismatchException.class, () -> Tensor.of(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 0));
    }

    @Test
    void constantsDoNotReceiveGradients() {
        Tensor c = Tensor.of(new float[] {5f}, 1);
        Tensor w = Tensor.parameter(new float[] {2f}, 1);
        Ops.mul(c, w).backward();
        assertEquals(5f, w.grad()[0]);
        assertFalse(c.hasGrad());
    }
}
