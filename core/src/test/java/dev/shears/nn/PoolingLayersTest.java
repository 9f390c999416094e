package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * AveragePooling2D and GlobalMaxPooling2D layers: outputs against Keras 3.15 (values from
 * {@code core/src/test/python/make_activation_reference.py}), shapes, names, config, gradients through a
 * model, rejected arguments.
 */
class PoolingLayersTest {
    /** x (1, 5, 4, 2): channel 0 = 1, 3, 5, ... in row-major order, channel 1 = -1, -2, -3, ... */
    private static final float[] IMAGE = {1.0f, -1.0f, 3.0f, -2.0f, 5.0f, -3.0f, 7.0f, -4.0f, 9.0f, -5.0f, 11.0f, -6.0f, 13.0f, -7.0f, 15.0f, -8.0f, 17.0f, -9.0f, 19.0f, -10.0f, 21.0f, -11.0f, 23.0f, -12.0f, 25.0f, -13.0f, 27.0f, -14.0f, 29.0f, -15.0f, 31.0f, -16.0f, 33.0f, -17.0f, 35.0f, -18.0f, 37.0f, -19.0f, 39.0f, -20.0f};
    private static final float[] AVG_2x2_S2x2_VALID = {6.0f, -3.5f, 10.0f, -5.5f, 22.0f, -11.5f, 26.0f, -13.5f};
    private static final float[] AVG_2x2_S2x2_SAME = {6.0f, -3.5f, 10.0f, -5.5f, 22.0f, -11.5f, 26.0f, -13.5f, 34.0f, -17.5f, 38.0f, -19.5f};
    private static final float[] AVG_3x3_S2x1_SAME = {6.0f, -3.5f, 7.0f, -4.0f, 9.0f, -5.0f, 10.0f, -5.5f, 18.0f, -9.5f, 19.0f, -10.0f, 21.0f, -11.0f, 22.0f, -11.5f, 30.0f, -15.5f, 31.0f, -16.0f, 33.0f, -17.0f, 34.0f, -17.5f};
    private static final float[] AVG_3x2_S1x2_VALID = {10.0f, -5.5f, 14.0f, -7.5f, 18.0f, -9.5f, 22.0f, -11.5f, 26.0f, -13.5f, 30.0f, -15.5f};
    private static final float[] GLOBAL_MAX = {39.0f, -1.0f};

    private static float[] forward(Layer layer) {
        Sequential m = Sequential.builder(5, 4, 2).add(layer).build();
        return m.forward(Tensor.of(IMAGE.clone(), 1, 5, 4, 2), false).data();
    }

    @Test
    void averagePoolingMatchesKeras() {
        assertArrayEquals(AVG_2x2_S2x2_VALID, forward(new AveragePooling2D(2)), 0f);
        assertArrayEquals(AVG_2x2_S2x2_SAME, forward(new AveragePooling2D(2, 2, 2, 2, Padding.SAME)), 0f);
        assertArrayEquals(AVG_3x3_S2x1_SAME, forward(new AveragePooling2D(3, 3, 2, 1, Padding.SAME)), 0f);
        assertArrayEquals(AVG_3x2_S1x2_VALID, forward(new AveragePooling2D(3, 2, 1, 2, Padding.VALID)), 0f);
    }

    @Test
    void globalMaxPoolingMatchesKeras() {
        assertArrayEquals(GLOBAL_MAX, forward(new GlobalMaxPooling2D()), 0f);
    }

    @Test
    void shapesNamesConfigAndSummary() {
        Sequential m = Sequential.builder(9, 7, 3).seed(2)
                .add(new AveragePooling2D(2))
                .add(new AveragePooling2D(3, 2, 2, 1, Padding.SAME))
                .add(new GlobalMaxPooling2D()).add(new Dense(2, Activation.SOFTMAX)).build();
        assertArrayEquals(new int[] {4, 3, 3}, m.layers().get(0).outputShape());
        assertArrayEquals(new int[] {2, 3, 3}, m.layers().get(1).outputShape());
        assertArrayEquals(new int[] {3}, m.layers().get(2).outputShape());
        assertEquals("average_pooling2d", m.layers().get(0).name());
        assertEquals("average_pooling2d_1", m.layers().get(1).name());
        assertEquals("global_max_pooling2d", m.layers().get(2).name());
        assertEquals(Map.of("pool_size", List.of(2, 2), "strides", List.of(2, 2), "padding", "valid"), m.layers().get(0).config());
        assertEquals(Map.of("pool_size", List.of(3, 2), "strides", List.of(2, 1), "padding", "same"), m.layers().get(1).config());
        assertEquals(Map.of(), m.layers().get(2).config());
        AveragePooling2D p = (AveragePooling2D) m.layers().get(1);
        assertArrayEquals(new int[] {3, 2}, p.poolSize());
        assertArrayEquals(new int[] {2, 1}, p.strides());
        assertEquals(Padding.SAME, p.padding());
        assertEquals(3 * 2 + 2, m.trainableCount());
        String s = m.summary();
        assertTrue(s.contains("average_pooling2d_1 (AveragePooling2D)") && s.contains("(None, 2, 3, 3)"), s);
        assertTrue(s.contains("global_max_pooling2d (GlobalMaxPooling2D)") && s.contains("(None, 3)"), s);
    }

    @Test
    void gradientsFlowThroughTheModel() {
        Sequential m = Sequential.builder(6, 5, 2).seed(7)
                .add(Conv2D.builder(3, 2).padding(Padding.SAME).activation(Activation.TANH).build())
                .add(new AveragePooling2D(3, 3, 2, 2, Padding.SAME))
                .add(Conv2D.builder(4, 2).build())
                .add(new GlobalMaxPooling2D()).add(new Dense(2, Activation.SOFTMAX)).build();
        Random rng = new Random(13);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(GradCheck.param(rng, 1, 2, 6, 5, 2));
        for (Parameter p : m.parameters()) {
            inputs.add(p.value());
        }
        GradCheck.check(in -> m.forward(in[0], true), inputs.toArray(new Tensor[0]));
    }

    @Test
    void badArgumentsAndInputsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AveragePooling2D(0));
        assertTrue(e.getMessage().contains("0x0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AveragePooling2D(2, 2, 2, -1, Padding.VALID));
        assertThrows(NullPointerException.class, () -> new AveragePooling2D(2, 2, 2, 2, null));
        ShapeMismatchException s = assertThrows(ShapeMismatchException.class,
                () -> Sequential.builder(3, 3, 1).add(new AveragePooling2D(4)).build());
        assertTrue(s.getMessage().contains("4x4") && s.getMessage().contains("[3, 3, 1]"), s.getMessage());
        // 'same' fits any input
        assertArrayEquals(new int[] {1, 1, 1}, Sequential.builder(3, 3, 1).add(new AveragePooling2D(4, 4, 4, 4, Padding.SAME))
                .build().outputShape());
        assertThrows(ShapeMismatchException.class, () -> Sequential.builder(8).add(new AveragePooling2D(2)).build());
        assertThrows(ShapeMismatchException.class, () -> Sequential.builder(8).add(new GlobalMaxPooling2D()).build());
    }
}
