package dev.shears.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.Activation;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.Flatten;
import dev.shears.nn.Initializer;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import dev.shears.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files of models with non-trainable state (BatchNormalization's moving statistics) and DepthwiseConv2D. */
class ModelFilesStateTest {
    @TempDir
    Path dir;

    static Sequential model(long seed) {
        return Sequential.builder(7, 6, 2).seed(seed)
                .add(new BatchNormalization())
                .add(DepthwiseConv2D.builder(3).strides(2, 1).padding(Padding.SAME).depthMultiplier(2).activation(Activation.RELU).useBias(false).build())
                .add(new Conv2D(3, 3, Activation.LINEAR)).add(new BatchNormalization(0.9, 1e-2, false, true))
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
    }

    /** A few training-mode passes, so that the moving statistics are no longer their initial values. */
    static Sequential trainedStatistics(Sequential m, long seed) {
        Random rng = new Random(seed);
        for (int step = 0; step < 3; step++) {
            float[] x = new float[5 * 7 * 6 * 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rng.nextGaussian() * 2 + 1);
            }
            m.forward(Tensor.of(x, 5, 7, 6, 2), true);
        }
        return m;
    }

    @Test
    void parametersAndStateRoundTripBitExact() throws IOException {
        Sequential m = trainedStatistics(model(3), 4);
        Path f = dir.resolve("bn.safetensors");
        ModelFiles.save(m, f);
        Safetensors.Contents c = ModelFiles.read(f);
        for (String name : new String[] {"batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean",
            "batch_normalization/moving_variance", "batch_normalization_1/gamma", "batch_normalization_1/moving_mean",
            "batch_normalization_1/moving_variance", "depthwise_conv2d/kernel"}) {
            assertTrue(c.tensors().containsKey(name), name + " in " + c.tensors().keySet());
        }
        assertTrue(!c.tensors().containsKey("batch_normalization_1/beta") && !c.tensors().containsKey("depthwise_conv2d/bias"),
                c.tensors().keySet().toString());
        assertArrayEquals(new int[] {2}, c.tensors().get("batch_normalization/moving_variance").shape());
        assertArrayEquals(new int[] {3, 3, 2, 2}, c.tensors().get("depthwise_conv2d/kernel").shape());

        Sequential back = ModelFiles.load(f);
        assertEquals(m.summary(), back.summary());
        for (Parameter p : m.parameters()) {
            assertArrayEquals(p.data(), back.parameter(p.name()).data(), 0f, p.name());
        }
        assertEquals(m.state().size(), back.state().size());
        for (int i = 0; i < m.state().size(); i++) {
            assertEquals(m.state().get(i).name(), back.state().get(i).name());
            assertArrayEquals(m.state().get(i).data(), back.state().get(i).data(), 0f, m.state().get(i).name());
        }
        float[] x = new float[4 * 7 * 6 * 2];
        Random rng = new Random(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat();
        }
        assertArrayEquals(m.predict(x, 4, 3), back.predict(x, 4, 3));

        Sequential fresh = model(99);
        ModelFiles.loadWeights(fresh, f);
        assertArrayEquals(m.predict(x, 4, 3), fresh.predict(x, 4, 3));
    }

    @Test
    void missingStateIsListedAndTheModelLeftUnchanged() throws IOException {
        Sequential m = trainedStatistics(model(5), 6);
        Map<String, Safetensors.Entry> tensors = new LinkedHashMap<>();
        for (Parameter p : m.parameters()) {
            tensors.put(p.name(), Safetensors.Entry.ofFloats(p.data(), p.value().shape()));
        }
        Parameter mean = m.state().get(0);
        tensors.put(mean.name(), Safetensors.Entry.ofFloats(mean.data(), mean.value().shape()));
        tensors.put("batch_normalization/moving_variance", Safetensors.Entry.ofFloats(new float[3], 3)); // 2 channels
        Path f = dir.resolve("partial.safetensors");
        Safetensors.write(f, tensors, Map.of());
        Sequential target = model(7);
        float[] before = target.state().get(0).data().clone();
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.loadWeights(target, f));
        assertTrue(e.getMessage().contains("'batch_normalization/moving_variance' has shape [3], model expects [2]"), e.getMessage());
        assertTrue(e.getMessage().contains("missing tensor 'batch_normalization_1/moving_mean' [3]"), e.getMessage());
        assertTrue(e.getMessage().contains("missing tensor 'batch_normalization_1/moving_variance'"), e.getMessage());
        assertTrue(Arrays.equals(before, target.state().get(0).data()), "left unchanged");
    }
}
