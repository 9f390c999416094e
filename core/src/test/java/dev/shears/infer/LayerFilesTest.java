package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.ModelFiles;
import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Parameter;
import dev.shears.nn.Reshape;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models with the Activation, AveragePooling2D, GlobalMaxPooling2D and Reshape layers and the new
 * activations in both file formats: safetensors model files bit-exact, compact files with the same
 * kernels and predictions.
 */
class LayerFilesTest {
    @TempDir
    Path dir;

    private static Sequential model(long seed) {
        return TestModels.pruneUnstructured(Sequential.builder(10, 9, 3).seed(seed)
                .add(Conv2D.builder(6, 3).activation(Activation.GELU).build())
                .add(new ActivationLayer(Activation.TANH))
                .add(new AveragePooling2D(2, 2, 2, 2, Padding.SAME))
                .add(Conv2D.builder(5, 2).padding(Padding.SAME).activation(Activation.LEAKY_RELU).build())
                .add(new AveragePooling2D(3, 2, 1, 1, Padding.VALID))
                .add(new ActivationLayer(Activation.SOFTMAX))
                .add(new GlobalMaxPooling2D())
                .add(new Reshape(1, 5))
                .add(new ActivationLayer(Activation.RELU6))
                .add(new Reshape(-1))
                .add(new Dense(8, Activation.SILU)).add(new Dense(3, Activation.ELU)).add(new Dense(2, Activation.SIGMOID)).build(), 0.6);
    }

    @Test
    void modelFilesRoundTripBitExact() throws IOException {
        Sequential m = model(41);
        Path f = dir.resolve("layers.safetensors");
        ModelFiles.save(m, f);
        Sequential back = ModelFiles.load(f);
        assertEquals(m.summary(), back.summary());
        assertEquals(ModelConfig.toConfig(m).get("layers").toString(), ModelConfig.toConfig(back).get("layers").toString());
        for (Parameter p : m.parameters()) {
            assertArrayEquals(p.data(), back.parameter(p.name()).data(), p.name());
        }
        float[] x = TestModels.randomInput(4, 10 * 9 * 3, new Random(5));
        assertArrayEquals(m.predict(x, 4, 3), back.predict(x, 4, 3));
    }

    @Test
    void compactFilesRoundTrip() throws IOException {
        Sequential m = model(42);
        for (InferenceModel original : new InferenceModel[] {InferenceModel.compile(m),
            InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR))}) {
            Path f = dir.resolve("layers.shrs");
            CompactModelFile.write(original, f);
            InferenceModel back = CompactModelFile.read(f);
            assertEquals(original.formats(), back.formats());
            assertEquals(original.describe(), back.describe());
            assertTrue(back.describe().contains("AvgPool") && back.describe().contains("GMP2D"), back.describe());
            float[] x = TestModels.randomInput(6, 10 * 9 * 3, new Random(6));
            assertArrayEquals(original.predict(x, 6), back.predict(x, 6));
            assertArrayEquals(m.predict(x, 6, 6), back.predict(x, 6), 1e-4f);
            assertEquals(ModelConfig.toConfig(m).get("layers").toString(), ModelConfig.toConfig(back.toSequential()).get("layers").toString());
        }
    }
}
