package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.ops.GradCheck;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Reshape layer: the inferred -1, values kept in row-major order, config, gradients, rejected shapes. */
class ReshapeTest {
    @Test
    void inferredEntryAndConfig() {
        Sequential m = Sequential.builder(4, 6).add(new Reshape(-1, 3, 2)).add(new Reshape(24)).add(new Reshape(2, -1)).build();
        assertArrayEquals(new int[] {4, 3, 2}, m.layers().get(0).outputShape());
        assertArrayEquals(new int[] {24}, m.layers().get(1).outputShape());
        assertArrayEquals(new int[] {2, 12}, m.layers().get(2).outputShape());
        Reshape r = (Reshape) m.layers().get(0);
        assertArrayEquals(new int[] {-1, 3, 2}, r.targetShape(), "the target as given, for the config");
        assertEquals("Reshape", r.type());
        assertEquals(Map.of("target_shape", List.of(-1, 3, 2)), r.config());
        assertEquals("reshape", r.name());
        assertEquals("reshape_2", m.layers().get(2).name());
        assertTrue(m.summary().contains("reshape (Reshape)") && m.summary().contains("(None, 4, 3, 2)"), m.summary());
    }

    @Test
    void keepsTheValuesInRowMajorOrder() {
        float[] v = new float[2 * 12];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        Sequential m = Sequential.builder(12).add(new Reshape(2, 3, 2)).build();
        Tensor x = Tensor.of(v, 2, 12);
        Tensor y = m.forward(x, false);
        assertArrayEquals(new int[] {2, 2, 3, 2}, y.shape());
        assertSame(x.data(), y.data(), "a reshape copies nothing");
    }

    @Test
    void gradientsFlowThroughTheModel() {
        // image -> conv -> flat vector -> back to an image -> conv -> dense
        Sequential m = Sequential.builder(4, 4, 2).seed(9)
                .add(Conv2D.builder(3, 2).activation(Activation.TANH).build())
                .add(new Reshape(27)).add(new Dense(12, Activation.LINEAR)).add(new Reshape(2, -1, 3))
                .add(Conv2D.builder(2, 2).build())
                .add(new Flatten()).add(new Dense(2, Activation.SOFTMAX)).build();
        assertArrayEquals(new int[] {2, 2, 3}, m.layers().get(3).outputShape());
        Random rng = new Random(14);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(GradCheck.param(rng, 1, 2, 4, 4, 2));
        for (Parameter p : m.parameters()) {
            inputs.add(p.value());
        }
        GradCheck.check(in -> m.forward(in[0], true), inputs.toArray(new Tensor[0]));
    }

    @Test
    void badTargetShapesAreRejectedWithTheShape() {
        assertThrows(IllegalArgumentException.class, Reshape::new);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Reshape(-1, 2, -1));
        assertTrue(e.getMessage().contains("[-1, 2, -1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Reshape(3, 0));
        assertTrue(e.getMessage().contains("[3, 0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Reshape(-2, 4));
    }

    @Test
    void aShapeThatCannotHoldTheInputFailsAtBuildTime() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> Sequential.builder(4, 6).add(new Reshape(5, 5)).build());
        assertTrue(e.getMessage().contains("[4, 6]") && e.getMessage().contains("[5, 5]") && e.getMessage().contains("24"), e.getMessage());
        assertThrows(ShapeMismatchException.class, () -> Sequential.builder(4, 6).add(new Reshape(-1, 5)).build());
        // a product far beyond the input's size (and beyond a long) does not overflow into a false fit
        assertThrows(ShapeMismatchException.class, () -> Sequential.builder(4, 6)
                .add(new Reshape(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, -1)).build());
        assertThrows(ShapeMismatchException.class, () -> Sequential.builder(1)
                .add(new Reshape(65536, 65536, 65536, 65536)).build());
    }
}
