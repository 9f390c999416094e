package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Model configs of the Activation, AveragePooling2D, GlobalMaxPooling2D and Reshape layers and of the new
 * activations: rebuilt through JSON, and one rejected config per way a field can be bad, named in the error.
 */
class LayerConfigTest {
    static Sequential model() {
        return Sequential.builder(9, 8, 3).seed(6)
                .add(Conv2D.builder(4, 3).padding(Padding.SAME).activation(Activation.GELU).build())
                .add(new ActivationLayer(Activation.SILU))
                .add(new AveragePooling2D(3, 2, 2, 1, Padding.SAME))
                .add(new AveragePooling2D(2))
                .add(Conv2D.builder(6, 1).activation(Activation.ELU).kernelInitializer(Initializer.HE_NORMAL).build())
                .add(new GlobalMaxPooling2D())
                .add(new Reshape(2, -1))
                .add(new ActivationLayer(Activation.LEAKY_RELU))
                .add(new Reshape(6))
                .add(new Dense(5, Activation.TANH)).add(new Dense(4, Activation.RELU6)).add(new Dense(2, Activation.SIGMOID))
                .build();
    }

    @Test
    void rebuiltFromItsConfigThroughJson() {
        Sequential m = model();
        String json = Json.write(ModelConfig.toConfig(m));
        assertTrue(json.contains("\"class_name\":\"Activation\"") && json.contains("\"activation\":\"silu\""), json);
        assertTrue(json.contains("\"target_shape\":[2,-1]"), json);
        Sequential back = ModelConfig.fromConfig((Map<?, ?>) Json.parse(json));
        assertEquals(m.summary(), back.summary());
        assertEquals(json, Json.write(ModelConfig.toConfig(back)));
        assertSame(Activation.SILU, ((ActivationLayer) back.layers().get(1)).activation());
        AveragePooling2D p = (AveragePooling2D) back.layers().get(2);
        assertArrayEquals(new int[] {3, 2, 2, 1}, new int[] {p.poolSize()[0], p.poolSize()[1], p.strides()[0], p.strides()[1]});
        assertEquals(Padding.SAME, p.padding());
        assertArrayEquals(new int[] {2, -1}, ((Reshape) back.layers().get(6)).targetShape());
        assertSame(Activation.GELU, ((Conv2D) back.layers().get(0)).activation());
        assertSame(Activation.RELU6, ((Dense) back.layers().get(10)).activation());
        // and straight from toConfig's maps
        assertEquals(m.summary(), ModelConfig.fromConfig(ModelConfig.toConfig(m)).summary());
    }

    /** Keras's own spellings: "swish" for silu, keepdims false spelled out. */
    @Test
    void acceptsKerasSpellings() {
        assertSame(Activation.SILU, ((ActivationLayer) ModelConfig.fromConfig(withLayer(1, Map.of("activation", "swish")))
                .layers().get(1)).activation());
        Sequential m = ModelConfig.fromConfig(withLayer(5, Map.of("keepdims", false, "data_format", "channels_last")));
        assertTrue(m.layers().get(5) instanceof GlobalMaxPooling2D);
    }

    /** {@link #model()}'s config with layer {@code index}'s config replaced by {@code layerConfig}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withLayer(int index, Map<String, Object> layerConfig) {
        Map<String, Object> config = ModelConfig.toConfig(model());
        Map<String, Object> layer = (Map<String, Object>) ((List<?>) config.get("layers")).get(index);
        layer.put("config", layerConfig);
        return config;
    }

    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static void assertRejected(int index, Map<String, Object> layerConfig, String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromConfig(withLayer(index, layerConfig)), layerConfig.toString());
        assertTrue(e.getMessage().contains(field), "'" + field + "' not named in: " + e.getMessage());
    }

    @Test
    void badActivationConfigsNameTheField() {
        String field = "layers[1] (Activation).activation";
        assertRejected(1, map("activation", "mish"), field);
        assertRejected(1, map("activation", "ReLU"), field);
        assertRejected(1, map("activation", 3L), field);
        assertRejected(1, map(), field);
        assertRejected(1, map("activation", null), field);
    }

    @Test
    void badAveragePoolingConfigsNameTheField() {
        List<Object> two = List.of(2L, 2L);
        String at = "layers[3] (AveragePooling2D).";
        assertRejected(3, map("strides", two, "padding", "valid"), at + "pool_size");
        assertRejected(3, map("pool_size", List.of(2L), "strides", two, "padding", "valid"), at + "pool_size");
        assertRejected(3, map("pool_size", List.of(2L, 2L, 2L), "strides", two, "padding", "valid"), at + "pool_size");
        assertRejected(3, map("pool_size", List.of(2L, 1.5), "strides", two, "padding", "valid"), at + "pool_size");
        assertRejected(3, map("pool_size", List.of(2L, 0L), "strides", two, "padding", "valid"), at + "pool_size");
        assertRejected(3, map("pool_size", 2L, "strides", two, "padding", "valid"), at + "pool_size");
        assertRejected(3, map("pool_size", two, "padding", "valid"), at + "strides");
        assertRejected(3, map("pool_size", two, "strides", List.of(-1L, 2L), "padding", "valid"), at + "strides");
        assertRejected(3, map("pool_size", two, "strides", List.of("2", 2L), "padding", "valid"), at + "strides");
        assertRejected(3, map("pool_size", two, "strides", two), at + "padding");
        assertRejected(3, map("pool_size", two, "strides", two, "padding", "VALID"), at + "padding");
        assertRejected(3, map("pool_size", two, "strides", two, "padding", "causal"), at + "padding");
    }

    @Test
    void globalMaxPoolingWithKeepdimsIsRejected() {
        assertRejected(5, map("keepdims", true), "layers[5] (GlobalMaxPooling2D).keepdims");
        assertRejected(5, map("keepdims", "false"), "layers[5] (GlobalMaxPooling2D).keepdims");
    }

    @Test
    void badReshapeConfigsNameTheField() {
        String field = "layers[6] (Reshape).target_shape";
        assertRejected(6, map(), field);
        assertRejected(6, map("target_shape", List.of()), field);
        assertRejected(6, map("target_shape", 12L), field);
        assertRejected(6, map("target_shape", List.of(2L, 1.5)), field);
        assertRejected(6, map("target_shape", List.of(-1L, -1L)), field);
        assertRejected(6, map("target_shape", List.of(0L, 6L)), field);
        assertRejected(6, map("target_shape", List.of(-3L, 2L)), field);
        // well-formed, but 5 values cannot hold the 6 channels: the build says which layer and shapes
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromConfig(withLayer(6, map("target_shape", List.of(5L)))));
        assertTrue(e.getMessage().contains("Reshape reshape") && e.getMessage().contains("[5]"), e.getMessage());
    }

    @Test
    void newActivationNamesOnConvAndDenseSurviveTheRoundTrip() {
        for (Activation a : Activation.values()) {
            Sequential m = Sequential.builder(4, 4, 1)
                    .add(Conv2D.builder(2, 3).activation(a).build())
                    .add(new Flatten()).add(new Dense(3, a)).build();
            Sequential back = ModelConfig.fromConfig((Map<?, ?>) Json.parse(Json.write(ModelConfig.toConfig(m))));
            assertSame(a, ((Conv2D) back.layers().get(0)).activation());
            assertSame(a, ((Dense) back.layers().get(2)).activation());
        }
    }
}
