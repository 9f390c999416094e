package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.Json;
import dev.shears.ops.GradCheck;
import dev.shears.tensor.ShapeMismatchException;
import dev.shears.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ZeroPadding2D layer: shapes, summary, Keras config, rebuilding from a config, and rejected inputs. */
class ZeroPadding2DTest {
    private static Sequential model() {
        return Sequential.builder(9, 7, 2).seed(5)
                .add(new ZeroPadding2D(1))
                .add(Conv2D.builder(4, 3).strides(2).activation(Activation.RELU).build())
                .add(new ZeroPadding2D(2, 0, 1, 3))
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
    }

    @Test
    void constructorsAccessorsAndConfig() {
        ZeroPadding2D all = new ZeroPadding2D(2);
        assertArrayEquals(new int[] {2, 2, 2, 2}, new int[] {all.top(), all.bottom(), all.left(), all.right()});
        ZeroPadding2D sym = new ZeroPadding2D(1, 3);
        assertArrayEquals(new int[] {1, 1, 3, 3}, new int[] {sym.top(), sym.bottom(), sym.left(), sym.right()});
        ZeroPadding2D full = new ZeroPadding2D(0, 1, 2, 3);
        assertArrayEquals(new int[] {0, 1, 2, 3}, new int[] {full.top(), full.bottom(), full.left(), full.right()});
        assertEquals("ZeroPadding2D", full.type());
        assertEquals(Map.of("padding", List.of(List.of(0, 1), List.of(2, 3))), full.config());
        assertTrue(full.parameters().isEmpty());
    }

    @Test
    void outputShapesAndSummary() {
        Sequential m = model();
        assertArrayEquals(new int[] {11, 9, 2}, m.layers().get(0).outputShape());
        assertArrayEquals(new int[] {5, 4, 4}, m.layers().get(1).outputShape());
        assertArrayEquals(new int[] {7, 8, 4}, m.layers().get(2).outputShape());
        assertEquals("zero_padding2d", m.layers().get(0).name());
        assertEquals("zero_padding2d_1", m.layers().get(2).name());
        String s = m.summary();
        assertTrue(s.contains("zero_padding2d (ZeroPadding2D)") && s.contains("(None, 11, 9, 2)"), s);
        assertTrue(s.contains("zero_padding2d_1 (ZeroPadding2D)") && s.contains("(None, 7, 8, 4)"), s);
        // conv 3*3*2*4 + 4, dense 7*8*4*3 + 3: the padding layers add nothing
        assertEquals(76 + 675, m.trainableCount());
        Tensor y = m.forward(Tensor.of(new float[3 * 9 * 7 * 2], 3, 9, 7, 2), false);
        assertArrayEquals(new int[] {3, 3}, y.shape());
    }

    @Test
    void gradientsFlowThroughTheModel() {
        Sequential m = Sequential.builder(5, 4, 2).seed(6)
                .add(new ZeroPadding2D(1, 0, 2, 1))
                .add(Conv2D.builder(3, 3).strides(2).kernelInitializer(Initializer.HE_NORMAL).build())
                .add(new Flatten()).add(new Dense(2, Activation.SOFTMAX)).build();
        Random rng = new Random(12);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(GradCheck.param(rng, 1, 2, 5, 4, 2));
        for (Parameter p : m.parameters()) {
            inputs.add(p.value());
        }
        GradCheck.check(in -> m.forward(in[0], true), inputs.toArray(new Tensor[0]));
    }

    @Test
    void rebuiltFromItsConfigThroughJson() {
        Sequential m = model();
        Map<?, ?> config = (Map<?, ?>) Json.parse(Json.write(ModelConfig.toConfig(m)));
        Sequential back = ModelConfig.fromConfig(config);
        assertEquals(m.summary(), back.summary());
        ZeroPadding2D z = (ZeroPadding2D) back.layers().get(2);
        assertArrayEquals(new int[] {2, 0, 1, 3}, new int[] {z.top(), z.bottom(), z.left(), z.right()});
        assertEquals(Json.write(ModelConfig.toConfig(m)), Json.write(ModelConfig.toConfig(back)));
        // and straight from toConfig's maps, without JSON in between
        assertEquals(m.summary(), ModelConfig.fromConfig(ModelConfig.toConfig(m)).summary());
    }

    @Test
    void negativePadsAreRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ZeroPadding2D(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ZeroPadding2D(1, -2));
        e = assertThrows(IllegalArgumentException.class, () -> new ZeroPadding2D(0, 0, 0, -3));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
    }

    @Test
    void inputThatIsNotAnImageFailsAtBuildTime() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Sequential.builder(4, 4, 1)
                .add(new Flatten()).add(new ZeroPadding2D(1)).build());
        assertTrue(e.getMessage().contains("ZeroPadding2D") && e.getMessage().contains("[16]"), e.getMessage());
        assertThrows(ShapeMismatchException.class, () -> Sequential.builder(4, 4).add(new ZeroPadding2D(1)).build());
    }

    @Test
    void badPaddingConfigIsRejectedNamingTheField() {
        Object[] bad = {
            List.of(1L, 1L),                                        // Keras's constructor form, not get_config's
            List.of(List.of(1L, 1L)),                               // one list
            List.of(List.of(1L, 1L), List.of(1L, 1L), List.of(1L, 1L)),
            List.of(List.of(1L, 1L), List.of(1L)),                  // a pair of one
            List.of(List.of(1L, 1L), List.of(1L, 1L, 1L)),
            List.of(List.of(1L, 1.5), List.of(1L, 1L)),             // not an integer
            List.of(List.of(1L, "1"), List.of(1L, 1L)),
            List.of(List.of(1L, -1L), List.of(1L, 1L)),             // negative
            1L,
        };
        for (Object padding : bad) {
            Map<String, Object> config = ModelConfig.toConfig(model());
            @SuppressWarnings("unchecked")
            Map<String, Object> layer = (Map<String, Object>) ((List<?>) config.get("layers")).get(0);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("padding", padding);
            layer.put("config", c);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromConfig(config),
                    String.valueOf(padding));
            assertTrue(e.getMessage().contains("layers[0] (ZeroPadding2D).padding"), e.getMessage());
        }
        Map<String, Object> config = ModelConfig.toConfig(model());
        @SuppressWarnings("unchecked")
        Map<String, Object> layer = (Map<String, Object>) ((List<?>) config.get("layers")).get(0);
        layer.put("config", Map.of());
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromConfig(config));
    }
}
