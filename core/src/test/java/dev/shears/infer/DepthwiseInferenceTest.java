package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import dev.shears.tensor.Shapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DepthwiseConv2D in the runtime: against the engine, after a channel-major planar conv, forced kernels, compact files. */
class DepthwiseInferenceTest {
    @TempDir
    Path dir;

    private static DepthwiseConv2D dw(int k, int stride, Padding padding, int dm, Activation act, boolean bias) {
        return DepthwiseConv2D.builder(k).strides(stride).padding(padding).depthMultiplier(dm).activation(act).useBias(bias).build();
    }

    /** Small random biases, so that they matter. */
    private static Sequential withBiases(Sequential m, long seed) {
        Random rng = new Random(seed);
        for (Parameter p : m.parameters()) {
            if (!p.prunable()) {
                for (int i = 0; i < p.size(); i++) {
                    p.data()[i] = (float) rng.nextGaussian() * 0.1f;
                }
            }
        }
        return m;
    }

    private static float[] input(Sequential m, int n, long seed) {
        return TestModels.randomInput(n, Math.toIntExact(Shapes.size(m.inputShape())), new Random(seed));
    }

    /** Depthwise layers only: the runtime runs the engine's kernel and activation code, so the outputs are identical. */
    @Test
    void runtimeEqualsEngineBitForBit() {
        List<Sequential> models = List.of(
                Sequential.builder(9, 8, 5).seed(1).add(dw(3, 1, Padding.SAME, 1, Activation.RELU, true))
                        .add(dw(3, 2, Padding.VALID, 2, Activation.LINEAR, false)).build(),
                Sequential.builder(7, 7, 3).seed(2).add(dw(5, 2, Padding.SAME, 3, Activation.LINEAR, true))
                        .add(dw(1, 1, Padding.VALID, 1, Activation.SOFTMAX, true)).build(),
                Sequential.builder(1, 1, 17).seed(3).add(dw(1, 1, Padding.VALID, 1, Activation.RELU, true)).build());
        for (Sequential m : models) {
            withBiases(m, 4);
            for (int maxBatch : new int[] {1, 8}) {
                InferenceModel c = InferenceModel.compile(m, InferenceModel.Options.defaults().withMaxBatch(maxBatch));
                assertTrue(c.describe().contains("DwConv2D") && c.formats().values().stream().allMatch(k -> k == WeightFormat.DENSE), c.describe());
                for (int n : new int[] {1, 3, 19}) {
                    float[] x = input(m, n, n);
                    assertArrayEquals(m.predict(x, n, 32), c.predict(x, n), 0f, c.describe() + " batch " + n);
                }
            }
        }
    }

    /** MobileNet-like: conv, depthwise, pointwise conv, pooled, with pruned kernels; a planar sparse conv's output is copied back to NHWC first. */
    @Test
    void mixedModelMatchesEngineOnEveryKernel() {
        Sequential m = withBiases(Sequential.builder(12, 11, 3).seed(5)
                .add(Conv2D.builder(8, 3).padding(Padding.SAME).activation(Activation.RELU).build())
                .add(dw(3, 2, Padding.SAME, 1, Activation.RELU, true))
                .add(Conv2D.builder(12, 1).activation(Activation.RELU).build())
                .add(dw(3, 1, Padding.VALID, 2, Activation.RELU, false))
                .add(new GlobalAveragePooling2D()).add(new Dense(4, Activation.SOFTMAX)).build(), 6);
        TestModels.pruneUnstructured(m, 0.7);
        for (WeightFormat k : new WeightFormat[] {null, WeightFormat.DENSE, WeightFormat.CSR}) {
            InferenceModel c = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(k));
            assertEquals(WeightFormat.DENSE, c.formats().get("depthwise_conv2d"));
            assertEquals(WeightFormat.DENSE, c.formats().get("depthwise_conv2d_1"));
            String d = c.describe();
            if (k == WeightFormat.CSR) {
                int back = d.indexOf("ToNHWC");
                assertTrue(back > d.indexOf("conv2d ") && back < d.indexOf("depthwise_conv2d "), d);
            }
            for (int n : new int[] {1, 4, 21}) {
                float[] x = input(m, n, 40 + n);
                float diff = TestModels.maxAbsDiff(m.predict(x, n, 32), c.predict(x, n));
                assertTrue(diff < 1e-5f, "kernel " + k + " batch " + n + ": " + diff + "\n" + d);
            }
        }
    }

    @Test
    void onlyTheDenseKernelMayBeForcedByName() {
        Sequential m = Sequential.builder(6, 6, 4).add(dw(3, 1, Padding.SAME, 1, Activation.RELU, true)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat("depthwise_conv2d", WeightFormat.CSR)));
        assertTrue(e.getMessage().contains("depthwise_conv2d") && e.getMessage().contains("CSR"), e.getMessage());
        assertEquals(WeightFormat.DENSE, InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat("depthwise_conv2d", WeightFormat.DENSE))
                .formats().get("depthwise_conv2d"));
    }

    @Test
    void compactFileRoundTripsAndStoresOnlyNonZeros() throws IOException {
        Sequential m = withBiases(Sequential.builder(10, 10, 16).seed(7)
                .add(dw(5, 1, Padding.SAME, 2, Activation.RELU, true))
                .add(dw(3, 2, Padding.VALID, 1, Activation.LINEAR, false))
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build(), 8);
        byte[] dense = CompactModelFile.toBytes(InferenceModel.compile(m));
        TestModels.pruneUnstructured(m, 0.9);
        InferenceModel original = InferenceModel.compile(m);
        Path f = dir.resolve("dw.shrs");
        CompactModelFile.write(original, f);
        assertTrue(Files.size(f) < 0.5 * dense.length, Files.size(f) + " vs dense " + dense.length);
        InferenceModel back = CompactModelFile.read(f);
        assertEquals(original.formats(), back.formats());
        assertEquals(original.describe(), back.describe());
        float[] x = input(m, 5, 9);
        assertArrayEquals(original.predict(x, 5), back.predict(x, 5), 0f);
        assertArrayEquals(m.predict(x, 5, 5), back.predict(x, 5), 0f);
        Sequential rebuilt = back.toSequential();
        for (Parameter p : m.parameters()) {
            assertArrayEquals(p.data(), rebuilt.parameter(p.name()).data(), 0f, p.name());
        }
        assertEquals(m.summary(), rebuilt.summary());
    }
}
