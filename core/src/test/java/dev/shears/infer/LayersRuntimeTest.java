package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.Activation;
import dev.shears.nn.ActivationLayer;
import dev.shears.nn.AveragePooling2D;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.GlobalMaxPooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Reshape;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The runtime against the training engine for the activations, AveragePooling2D, GlobalMaxPooling2D,
 * Reshape and the Activation layer: automatic kernels, forced dense, and forced CSR on pruned models, so
 * that the planar convs' channel-major output runs through the new steps.
 */
class LayersRuntimeTest {
    private static final float TOL = 1e-4f;
    private static final int[] BATCHES = {1, 5, 19};

    private static void assertMatchesEngine(Sequential model, InferenceModel compiled, long seed) {
        int size = Math.toIntExact(dev.shears.tensor.Shapes.size(model.inputShape()));
        for (int n : BATCHES) {
            float[] x = TestModels.randomInput(n, size, new Random(seed + n));
            for (int i = 0; i < x.length; i++) {
                x[i] = 4 * x[i] - 2; // both signs, so every activation sees its two sides
            }
            float[] expected = model.predict(x, n, 32);
            float[] got = compiled.predict(x, n);
            float d = TestModels.maxAbsDiff(expected, got);
            assertTrue(d < TOL, "max abs diff " + d + " at batch " + n + " for\n" + compiled.describe());
        }
    }

    private static void assertMatchesEngineOnEveryKernel(Sequential pruned, long seed) {
        for (WeightFormat k : new WeightFormat[] {null, WeightFormat.DENSE, WeightFormat.CSR}) {
            assertMatchesEngine(pruned, InferenceModel.compile(pruned, InferenceModel.Options.defaults().withFormat(k)), seed);
        }
    }

    private static Conv2D conv(int filters, int k, int stride, Padding padding, Activation act) {
        return Conv2D.builder(filters, k).strides(stride).padding(padding).activation(act).build();
    }

    /**
     * Each activation fused into a planar conv (stride 1, channel-major out), a transposed sparse conv
     * (stride 2), and dense layers run one example at a time (SELL, batch up to 8) and batch-wide.
     */
    @Test
    void everyActivationFusedIntoConvAndDenseSteps() {
        for (Activation act : Activation.values()) {
            Sequential m = TestModels.pruneUnstructured(Sequential.builder(9, 8, 2).seed(31)
                    .add(conv(6, 3, 1, Padding.VALID, act)).add(conv(4, 3, 2, Padding.SAME, act))
                    .add(new Flatten()).add(new Dense(10, act)).add(new Dense(3, act)).build(), 0.6);
            assertMatchesEngineOnEveryKernel(m, 40);
            String d = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR)).describe();
            assertTrue(d.contains(act.kerasName()), d);
        }
    }

    /**
     * Element-wise Activation layers, average pooling and global max pooling all take the planar conv's
     * channel-major output as it is: no copy back to NHWC anywhere in the model.
     */
    @Test
    void channelMajorDataFlowsThroughActivationsAndPools() {
        Sequential m = TestModels.pruneUnstructured(Sequential.builder(10, 9, 3).seed(32)
                .add(conv(6, 3, 1, Padding.VALID, Activation.GELU))
                .add(new ActivationLayer(Activation.TANH))
                .add(new AveragePooling2D(2, 2, 2, 2, Padding.SAME))
                .add(conv(5, 2, 1, Padding.SAME, Activation.SILU))
                .add(new ActivationLayer(Activation.LINEAR))
                .add(new AveragePooling2D(3, 2, 1, 1, Padding.VALID))
                .add(new GlobalMaxPooling2D())
                .add(new Dense(8, Activation.ELU)).add(new Dense(4, Activation.SIGMOID)).build(), 0.6);
        assertMatchesEngineOnEveryKernel(m, 50);
        InferenceModel csr = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR));
        String d = csr.describe();
        assertFalse(d.contains("ToNHWC"), d);
        assertTrue(d.contains("Activation") && d.contains("AvgPool") && d.contains("GMP2D"), d);
        assertEquals(1 + 8, d.split("\n").length, "a header and 8 steps: the linear Activation layer compiles to nothing\n" + d);
    }

    /** Softmax over channels and Reshape need NHWC: the copy back comes right before them. */
    @Test
    void softmaxLayerAndReshapeGetNhwcData() {
        List<Sequential> models = List.of(
                Sequential.builder(8, 7, 2).seed(33)
                        .add(conv(5, 3, 1, Padding.SAME, Activation.LINEAR))
                        .add(new ActivationLayer(Activation.SOFTMAX))
                        .add(new ActivationLayer(Activation.RELU6))
                        .add(conv(3, 3, 2, Padding.VALID, Activation.SIGMOID))
                        .add(new GlobalAveragePooling2D()).add(new Dense(2, Activation.TANH)).build(),
                Sequential.builder(7, 6, 2).seed(34)
                        .add(conv(4, 3, 1, Padding.VALID, Activation.LEAKY_RELU))
                        .add(new Reshape(-1)).add(new Dense(12, Activation.RELU6))
                        .add(new Reshape(2, 2, 3)).add(new AveragePooling2D(2, 2, 1, 1, Padding.VALID))
                        .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build(),
                Sequential.builder(6, 6, 1).seed(35)
                        .add(conv(4, 3, 1, Padding.SAME, Activation.RELU))
                        .add(new Reshape(3, 12, 4))
                        .add(conv(3, 2, 1, Padding.VALID, Activation.GELU)).build());
        for (Sequential model : models) {
            Sequential m = TestModels.pruneUnstructured(model, 0.6);
            assertMatchesEngineOnEveryKernel(m, 60);
            String d = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR)).describe();
            int back = d.indexOf("ToNHWC");
            assertTrue(back > d.indexOf(m.layers().get(0).name()) && back < d.indexOf(m.layers().get(2).name()), d);
        }
    }

    /** The new layers straight on the NHWC input, and a model ending channel-major after them. */
    @Test
    void poolsAndActivationsOnNhwcInputAndAtTheEnd() {
        Sequential m = TestModels.pruneUnstructured(Sequential.builder(11, 10, 3).seed(36)
                .add(new AveragePooling2D(3, 3, 2, 2, Padding.SAME))
                .add(new ActivationLayer(Activation.SIGMOID))
                .add(conv(4, 2, 1, Padding.VALID, Activation.RELU))
                .add(new AveragePooling2D(2))
                .add(new ActivationLayer(Activation.ELU)).build(), 0.5);
        assertMatchesEngineOnEveryKernel(m, 70);
        String d = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR)).describe();
        String[] lines = d.split("\n");
        assertTrue(lines[lines.length - 1].contains("ToNHWC"), "still channel-major after the last layer:\n" + d);
        assertTrue(lines[lines.length - 2].contains("elu"), d);
        Sequential g = Sequential.builder(5, 4, 3).add(new GlobalMaxPooling2D()).build();
        float[] x = TestModels.randomInput(2, 60, new Random(4));
        assertArrayEquals(g.predict(x, 2, 2), InferenceModel.compile(g).predict(x, 2), 0f);
    }
}
