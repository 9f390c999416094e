package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.Json;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Strict architecture parsing: one test per way a config can be bad; each names the field. */
class ModelConfigTest {
    private static Sequential model() {
        return Sequential.builder(8, 8, 1).seed(3)
                .add(Conv2D.builder(2, 3).activation(Activation.RELU).build())
                .add(new MaxPooling2D(2)).add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
    }

    /** The model's config as parsed JSON, edited by {@code edit}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> config(Consumer<Map<String, Object>> edit) {
        Map<String, Object> c = (Map<String, Object>) Json.parse(Json.write(ModelConfig.toConfig(model())));
        edit.accept(c);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> layerConfig(Map<String, Object> c, int i) {
        return (Map<String, Object>) ((Map<String, Object>) ((List<Object>) c.get("layers")).get(i)).get("config");
    }

    /** Parsing fails with a message containing each of {@code words}. */
    private static void rejected(Map<String, Object> c, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.parse(c));
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
    }

    @Test
    void validConfigParsesWithoutBuildingAndPlansEveryParameter() {
        ModelConfig.Architecture a = ModelConfig.parse(config(c -> { }));
        assertTrue(a.layers().stream().noneMatch(Layer::isBuilt));
        assertEquals(List.of("conv2d/kernel", "conv2d/bias", "dense/kernel", "dense/bias"), List.copyOf(a.parameterShapes().keySet()));
        assertArrayEquals(new int[] {3, 3, 1, 2}, a.parameterShapes().get("conv2d/kernel"));
        assertArrayEquals(new int[] {18, 3}, a.parameterShapes().get("dense/kernel"));
        assertEquals(model().summary(), a.build().summary());
        assertEquals(model().summary(), ModelConfig.fromConfig(ModelConfig.toConfig(model())).summary(), "code-built config (int[])");
    }

    @Test
    void pairsMustHaveExactlyTwoEntries() {
        rejected(config(c -> layerConfig(c, 0).put("kernel_size", List.of(3L))), "layers[0] (Conv2D).kernel_size", "exactly 2");
        rejected(config(c -> layerConfig(c, 0).put("strides", List.of(1L, 1L, 1L))), "layers[0] (Conv2D).strides");
        rejected(config(c -> layerConfig(c, 1).put("pool_size", List.of())), "layers[1] (MaxPooling2D).pool_size");
        rejected(config(c -> layerConfig(c, 1).put("strides", 2L)), "layers[1] (MaxPooling2D).strides");
    }

    @Test
    void integersMustBeExact() {
        rejected(config(c -> layerConfig(c, 0).put("filters", 1.5)), "layers[0] (Conv2D).filters", "1.5");
        rejected(config(c -> layerConfig(c, 3).put("units", 1e300)), "layers[3] (Dense).units");
        rejected(config(c -> layerConfig(c, 0).put("kernel_size", List.of(3L, 2.5))), "layers[0] (Conv2D).kernel_size[1]");
        rejected(config(c -> layerConfig(c, 3).put("units", "3")), "layers[3] (Dense).units");
        rejected(config(c -> c.put("seed", 0.5)), "seed");
        ModelConfig.parse(config(c -> layerConfig(c, 3).put("units", 3.0))); // an exact integer written as a double is fine
    }

    @Test
    void integersMustLieWithinTheDocumentedBounds() {
        rejected(config(c -> layerConfig(c, 0).put("filters", (long) ModelConfig.MAX_UNITS + 1)), "filters", "1048576");
        rejected(config(c -> layerConfig(c, 0).put("filters", 0L)), "filters");
        rejected(config(c -> layerConfig(c, 0).put("kernel_size", List.of(65537L, 3L))), "kernel_size[0]", "65536");
        rejected(config(c -> layerConfig(c, 0).put("strides", List.of(1L, -1L))), "strides[1]");
        rejected(config(c -> layerConfig(c, 3).put("units", 1L << 31)), "units");
        rejected(config(c -> c.put("input_shape", List.of(8L, 8L, 0L))), "input_shape[2]");
        rejected(config(c -> c.put("input_shape", List.of(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L))), "input_shape", "1 to 8");
    }

    @Test
    @SuppressWarnings("unchecked")
    void nullAndMissingFieldsAreNamed() {
        rejected(config(c -> layerConfig(c, 0).put("activation", null)), "layers[0] (Conv2D).activation is null");
        rejected(config(c -> layerConfig(c, 0).remove("padding")), "layers[0] (Conv2D).padding is missing");
        rejected(config(c -> layerConfig(c, 3).remove("kernel_initializer")), "layers[3] (Dense).kernel_initializer is missing");
        rejected(config(c -> c.remove("input_shape")), "input_shape is missing");
        rejected(config(c -> c.put("layers", null)), "layers is null");
        rejected(config(c -> c.put("layers", List.of())), "layers must hold 1 to");
        rejected(config(c -> ((Map<String, Object>) ((List<?>) c.get("layers")).get(2)).remove("config")), "layers[2] (Flatten).config is missing");
        rejected(config(c -> ((Map<String, Object>) ((List<?>) c.get("layers")).get(2)).put("name", "a/b")), "layers[2] (Flatten).name");
    }

    @Test
    @SuppressWarnings("unchecked")
    void unknownNamesAreRejectedWithTheField() {
        rejected(config(c -> layerConfig(c, 0).put("padding", "full")), "layers[0] (Conv2D).padding", "unknown padding 'full'");
        rejected(config(c -> layerConfig(c, 0).put("padding", "VALID")), "layers[0] (Conv2D).padding");
        rejected(config(c -> layerConfig(c, 3).put("activation", "mish")), "layers[3] (Dense).activation", "mish");
        rejected(config(c -> layerConfig(c, 1).put("padding", "same")), "layers[1] (MaxPooling2D).padding", "only 'valid'");
        rejected(config(c -> ((Map<String, Object>) ((List<?>) c.get("layers")).get(2)).put("class_name", "Reshape2")),
                "layers[2] (Reshape2)", "unknown layer type");
        rejected(config(c -> c.put("class_name", "Functional")), "class_name", "Sequential");
    }

    @Test
    void sizesThatOverflowAnArrayAreRejectedBeforeAllocating() {
        // Flatten gives 4095 * 4095 inputs; times 2^20 units the Dense kernel would overflow int.
        Map<String, Object> c = config(m -> {
            m.put("input_shape", List.of(8192L, 8192L, 1L));
            layerConfig(m, 0).put("filters", 1L);
            layerConfig(m, 0).put("kernel_size", List.of(1L, 1L));
            layerConfig(m, 3).put("units", 1L << 20);
        });
        rejected(c, "layers[3] (Dense 'dense')", "more values than one array can hold");
    }

    @Test
    void activationsAndScratchPastTheLimitAreRejected() {
        rejected(config(c -> c.put("input_shape", List.of(65536L, 65536L, 1L))), "input_shape", "limit of " + ModelConfig.MAX_ELEMENTS);
        // a 2^26-value input is accepted, but 2 filters double its output
        rejected(config(c -> c.put("input_shape", List.of(8192L, 8192L, 1L))), "layers[0] (Conv2D 'conv2d')", "exceeds the limit");
        // a large kernel's unfolded input (its scratch) is checked too: 512x512 outputs x 33x33 kernel > 2^26
        rejected(config(c -> {
            c.put("input_shape", List.of(544L, 544L, 1L));
            layerConfig(c, 0).put("kernel_size", List.of(33L, 33L));
            layerConfig(c, 0).put("filters", 1L);
        }), "layers[0] (Conv2D 'conv2d')", "scratch");
    }

    @Test
    void validKernelLargerThanTheInputIsRejected() {
        // input 2 wide, kernel 3, stride 2: Java's truncating division used to give an output width of 1
        rejected(config(c -> {
            c.put("input_shape", List.of(8L, 2L, 1L));
            layerConfig(c, 0).put("strides", List.of(2L, 2L));
        }), "layers[0] (Conv2D 'conv2d')", "does not fit input [8, 2, 1]");
    }

    @Test
    void layerTypeWithoutAPlanCannotBeChecked() {
        Layer custom = new Layer() {
            @Override
            public String type() {
                return "Custom";
            }

            @Override
            public Map<String, Object> config() {
                return Map.of();
            }

            @Override
            protected int[] doBuild(int[] in, java.util.Random rng) {
                return in;
            }

            @Override
            public dev.shears.tensor.Tensor forward(dev.shears.tensor.Tensor x, boolean training) {
                return x;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> custom.plan(new int[] {4}));
        assertTrue(e.getMessage().contains("Custom layers cannot be checked"), e.getMessage());
    }
}
