package dev.shears.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.ops.ActivationOps;
import dev.shears.ops.Ops;
import dev.shears.prune.ConstantSparsity;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningConfig;
import dev.shears.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's own layers: saved and loaded through a {@link LayerRegistry}, run by the runtime through their forward pass. */
class CustomLayerTest {
    /** A learned per-channel shift, y = x + shift: a custom layer with a weight. */
    static final class ChannelShift extends Layer {
        private Parameter shift;

        static ChannelShift fromConfig(Map<String, Object> config) {
            if (!config.isEmpty()) {
                throw new IllegalArgumentException("ChannelShift takes no config, got " + config.keySet());
            }
            return new ChannelShift();
        }

        @Override
        public String type() {
            return "ChannelShift";
        }

        @Override
        public Map<String, Object> config() {
            return configOf();
        }

        @Override
        public Plan plan(int[] in) {
            return Plan.of(in, 0, "shift", new int[] {in[in.length - 1]});
        }

        @Override
        protected int[] doBuild(int[] in, Random rng) {
            int c = in[in.length - 1];
            float[] v = new float[c];
            for (int i = 0; i < c; i++) {
                v[i] = (float) rng.nextGaussian();
            }
            shift = new Parameter(name() + "/shift", Tensor.parameter(v, c), false);
            return in.clone();
        }

        @Override
        public Tensor forward(Tensor x, boolean training) {
            return Ops.addBias(x, shift.value());
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(shift);
        }
    }

    /** y = alpha * tanh(x): a custom layer with a hyperparameter. */
    static final class ScaledTanh extends Layer {
        private final double alpha;

        ScaledTanh(double alpha) {
            this.alpha = alpha;
        }

        static ScaledTanh fromConfig(Map<String, Object> config) {
            return new ScaledTanh(((Number) config.get("alpha")).doubleValue());
        }

        @Override
        public String type() {
            return "ScaledTanh";
        }

        @Override
        public Map<String, Object> config() {
            return configOf("alpha", alpha);
        }

        @Override
        public Plan plan(int[] in) {
            return Plan.of(in);
        }

        @Override
        protected int[] doBuild(int[] in, Random rng) {
            return in.clone();
        }

        @Override
        public Tensor forward(Tensor x, boolean training) {
            return Ops.scale(ActivationOps.tanh(x), (float) alpha);
        }
    }

    private static final LayerRegistry LAYERS = LayerRegistry.builtIn()
            .with("ChannelShift", ChannelShift::fromConfig).with("ScaledTanh", ScaledTanh::fromConfig);

    private static Sequential model() {
        return Sequential.builder(6, 6, 2).seed(9)
                .add(new Conv2D(4, 3, Activation.LINEAR)).add(new ChannelShift()).add(new ScaledTanh(0.5))
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
    }

    private static float[] input(int n) {
        float[] x = new float[n * 72];
        Random r = new Random(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }

    @Test
    void customLayersSaveAndLoadThroughARegistry(@TempDir Path dir) throws Exception {
        Sequential m = model();
        Path file = dir.resolve("custom.safetensors");
        ModelFiles.save(m, file);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().contains("unknown layer type 'ChannelShift'") && e.getMessage().contains("LayerRegistry"),
                e.getMessage());
        Sequential back = ModelFiles.load(file, LAYERS);
        assertEquals(m.summary(), back.summary());
        assertArrayEquals(m.parameter("channel_shift/shift").data(), back.parameter("channel_shift/shift").data());
        float[] x = input(5);
        assertArrayEquals(m.predict(x, 5), back.predict(x, 5)); // same weights, same code: bit-identical
        assertEquals(0.5, ((ScaledTanh) back.layers().get(2)).alpha);
    }

    @Test
    void theRuntimeRunsACustomLayerThroughItsForwardPassAndSaysSo() {
        Sequential m = model();
        InferenceModel c = InferenceModel.compile(m);
        assertTrue(c.describe().contains("custom layer ChannelShift, run through its own forward pass"), c.describe());
        assertTrue(c.describe().contains("custom layer ScaledTanh"), c.describe());
        float[] x = input(20);
        float[] engine = m.predict(x, 20);
        float[] runtime = c.predict(x, 20);
        for (int i = 0; i < engine.length; i++) {
            assertEquals(engine[i], runtime[i], 1e-6f, "value " + i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompactModelFile.toBytes(c));
        assertTrue(e.getMessage().contains("channel_shift") && e.getMessage().contains("ModelFiles.save"), e.getMessage());
        assertThrows(IllegalArgumentException.class, c::toSequential);
    }

    @Test
    void strippingAPrunedModelRebuildsCustomLayersFromTheRegistry() {
        Sequential pruned = Pruning.prune(model(), PruningConfig.of(new ConstantSparsity(0.5, 0)), "conv2d", "dense");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pruning.strip(pruned));
        assertTrue(e.getMessage().contains("ChannelShift"), e.getMessage());
        Sequential plain = Pruning.strip(pruned, LAYERS);
        float[] x = input(4);
        assertArrayEquals(pruned.predict(x, 4), plain.predict(x, 4));
    }

    @Test
    void theRegistryRefusesBuiltInNamesDuplicatesAndFactoriesThatMisbehave(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> LayerRegistry.builtIn().with("Conv2D", ChannelShift::fromConfig));
        assertThrows(IllegalArgumentException.class, () -> LAYERS.with("ChannelShift", ChannelShift::fromConfig));
        assertTrue(LAYERS.knows("Dense") && LAYERS.knows("ScaledTanh") && !LayerRegistry.builtIn().knows("ScaledTanh"));
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(model(), file);
        LayerRegistry wrongType = LayerRegistry.builtIn().with("ChannelShift", c -> new ScaledTanh(1))
                .with("ScaledTanh", ScaledTanh::fromConfig);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(file, wrongType));
        assertTrue(e.getMessage().contains("expected type 'ChannelShift'"), e.getMessage());
        LayerRegistry throwing = LayerRegistry.builtIn().with("ChannelShift", ChannelShift::fromConfig)
                .with("ScaledTanh", c -> new ScaledTanh(((Number) c.get("beta")).doubleValue()));
        e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(file, throwing));
        assertTrue(e.getMessage().contains("ScaledTanh factory refused it") && e.getMessage().contains(file.toString()),
                e.getMessage());
    }
}
