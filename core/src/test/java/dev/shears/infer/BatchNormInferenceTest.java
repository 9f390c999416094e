package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.Activation;
import dev.shears.nn.BatchNormalization;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.DepthwiseConv2D;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Layer;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Sequential;
import dev.shears.nn.Padding;
import dev.shears.tensor.Shapes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BatchNormalization in the runtime: folded into a preceding linear Conv2D / DepthwiseConv2D / Dense (no step
 * of its own) or run as a per-channel affine step, both against the training engine in inference mode;
 * rebuilt models and compact files of either.
 */
class BatchNormInferenceTest {
    /** Folding reorders float operations: (x·w + b)·s + t becomes x·(w·s) + (b·s + t). */
    private static final float FOLD_TOL = 2e-5f;

    @TempDir
    Path dir;

    /** Gives every batch norm of m random γ, β and moving statistics, so that folding them changes the weights. */
    static Sequential randomStatistics(Sequential m, long seed) {
        Random rng = new Random(seed);
        for (Layer outer : m.layers()) {
            if (outer.unwrap() instanceof BatchNormalization bn) {
                for (int ch = 0; ch < bn.channels(); ch++) {
                    if (bn.gamma() != null) {
                        bn.gamma().data()[ch] = (float) (rng.nextGaussian() * 0.8 + (ch % 3 == 0 ? -1 : 1));
                    }
                    if (bn.beta() != null) {
                        bn.beta().data()[ch] = (float) rng.nextGaussian() * 0.3f;
                    }
                    bn.movingMean().data()[ch] = (float) rng.nextGaussian() * 0.4f;
                    bn.movingVariance().data()[ch] = 0.2f + 2 * rng.nextFloat();
                }
            }
        }
        return m;
    }

    /** The usual Keras pattern, minus the Activation layer: conv (linear) -> BN, strided, dense -> BN. */
    static Sequential foldable(long seed) {
        return randomStatistics(Sequential.builder(10, 9, 3).seed(seed)
                .add(Conv2D.builder(6, 3).padding(Padding.SAME).build())
                .add(new BatchNormalization())
                .add(new MaxPooling2D(2))
                .add(Conv2D.builder(8, 3).strides(2).padding(Padding.SAME).build())
                .add(new BatchNormalization(0.99, 1e-3, false, true))
                .add(new Flatten()).add(new Dense(12, Activation.LINEAR)).add(new BatchNormalization(0.99, 1e-2, true, false))
                .add(new Dense(4, Activation.SOFTMAX)).build(), seed + 1);
    }

    private static float[] input(Sequential m, int n, long seed) {
        return TestModels.randomInput(n, Math.toIntExact(Shapes.size(m.inputShape())), new Random(seed));
    }

    @Test
    void foldedModelMatchesEngineOnEveryKernel() {
        for (double sparsity : new double[] {0, 0.7}) {
            Sequential m = TestModels.pruneUnstructured(foldable(3), sparsity);
            for (WeightFormat k : new WeightFormat[] {null, WeightFormat.DENSE, WeightFormat.CSR}) {
                InferenceModel c = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(k));
                String d = c.describe();
                assertFalse(d.contains("BatchNorm"), d);
                assertTrue(d.contains("conv2d+batch_normalization ") && d.contains("conv2d_1+batch_normalization_1")
                        && d.contains("dense+batch_normalization_2"), d);
                assertEquals(List.of("conv2d", "conv2d_1", "dense", "dense_1"), List.copyOf(c.formats().keySet()));
                for (int n : new int[] {1, 5, 19}) {
                    float[] x = input(m, n, 10 + n);
                    float diff = TestModels.maxAbsDiff(m.predict(x, n, 32), c.predict(x, n));
                    assertTrue(diff < FOLD_TOL, "sparsity " + sparsity + " kernel " + k + " batch " + n + ": " + diff + "\n" + d);
                }
            }
        }
    }

    /** Folding keeps pruned zeros zero: the folded kernel has the sparsity of the model's, so the rule picks the same kernel. */
    @Test
    void foldingKeepsSparsityAndLeavesTheModelAlone() {
        Sequential m = TestModels.pruneUnstructured(foldable(4), 0.8);
        float[] kernel = ((Conv2D) m.layers().get(3)).kernel().data().clone();
        float[] gamma = ((BatchNormalization) m.layers().get(4)).gamma().data().clone();
        InferenceModel c = InferenceModel.compile(m);
        assertArrayEquals(kernel, ((Conv2D) m.layers().get(3)).kernel().data(), 0f);
        assertArrayEquals(gamma, ((BatchNormalization) m.layers().get(4)).gamma().data(), 0f);
        Sequential back = c.toSequential();
        float[] folded = ((Conv2D) back.layers().get(2)).kernel().data();
        for (int i = 0; i < kernel.length; i++) {
            assertEquals(kernel[i] == 0f, folded[i] == 0f, "zero pattern at " + i);
            assertEquals(0, Float.floatToRawIntBits(folded[i] == 0f ? folded[i] : 0f), "a folded zero is +0");
        }
        assertEquals(WeightFormatRule.chooseConv(kernel, 6, false), c.formats().get("conv2d_1"));
    }

    /**
     * toSequential of a folded model: the batch norms are gone, the layers before them hold the folded
     * weights, and it predicts what the compiled model does (and, to rounding, the original).
     */
    @Test
    void rebuiltFoldedModelHasNoBatchNorms() {
        Sequential m = foldable(5);
        InferenceModel c = InferenceModel.compile(m);
        Sequential back = c.toSequential();
        assertEquals(List.of("conv2d", "max_pooling2d", "conv2d_1", "flatten", "dense", "dense_1"),
                back.layers().stream().map(Layer::name).toList());
        assertTrue(back.state().isEmpty());
        float[] x = input(m, 7, 6);
        assertArrayEquals(c.predict(x, 7), InferenceModel.compile(back).predict(x, 7), 0f);
        assertTrue(TestModels.maxAbsDiff(m.predict(x, 7, 7), back.predict(x, 7, 7)) < FOLD_TOL);
    }

    /**
     * Where the batch norm cannot fold (first layer, after a pool, after a ReLU conv, after another batch norm)
     * it runs as its own step; with nothing else around, the runtime computes exactly what the engine does.
     */
    @Test
    void standaloneStepsAreBitExactWithTheEngine() {
        Sequential chain = randomStatistics(Sequential.builder(4, 5, 3).seed(6)
                .add(new BatchNormalization()).add(new BatchNormalization(0.9, 1e-2, false, false)).build(), 7);
        InferenceModel c = InferenceModel.compile(chain);
        assertEquals(2, c.describe().split("BatchNorm", -1).length - 1, c.describe());
        for (int n : new int[] {1, 3, 20}) {
            float[] x = input(chain, n, n);
            assertArrayEquals(chain.predict(x, n, 32), c.predict(x, n), 0f);
        }
        Sequential flat = randomStatistics(Sequential.builder(6).add(new BatchNormalization()).add(new Dense(3, Activation.RELU))
                .add(new BatchNormalization()).build(), 8);
        float[] x = input(flat, 9, 1);
        assertArrayEquals(flat.predict(x, 9, 9), InferenceModel.compile(flat).predict(x, 9), 1e-6f);
    }

    @Test
    void unfoldableBatchNormsMatchEngine() {
        Sequential m = randomStatistics(Sequential.builder(9, 8, 2).seed(9)
                .add(new BatchNormalization())
                .add(Conv2D.builder(5, 3).activation(Activation.RELU).build())
                .add(new BatchNormalization())
                .add(new MaxPooling2D(2))
                .add(new BatchNormalization())
                .add(new GlobalAveragePooling2D()).add(new BatchNormalization())
                .add(new Dense(3, Activation.SOFTMAX)).build(), 10);
        for (WeightFormat k : new WeightFormat[] {null, WeightFormat.DENSE, WeightFormat.CSR}) {
            InferenceModel c = InferenceModel.compile(TestModels.pruneUnstructured(m, 0.6), InferenceModel.Options.defaults().withFormat(k));
            assertEquals(4, c.describe().split("BatchNorm", -1).length - 1, c.describe());
            for (int n : new int[] {1, 4, 17}) {
                float[] x = input(m, n, 20 + n);
                float diff = TestModels.maxAbsDiff(m.predict(x, n, 32), c.predict(x, n));
                assertTrue(diff < 1e-5f, "kernel " + k + " batch " + n + ": " + diff + "\n" + c.describe());
            }
        }
    }

    /**
     * After a planar sparse conv (channel-major output) a standalone batch norm runs on the planes and keeps
     * the layout, so the copy back to NHWC comes after it (here, before the flatten).
     */
    @Test
    void standaloneStepRunsOnChannelMajorPlanes() {
        Sequential m = randomStatistics(Sequential.builder(9, 8, 3).seed(11)
                .add(Conv2D.builder(5, 3).activation(Activation.RELU).build())
                .add(new BatchNormalization())
                .add(new MaxPooling2D(2))
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build(), 12);
        TestModels.pruneUnstructured(m, 0.7);
        InferenceModel c = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR));
        String d = c.describe();
        assertTrue(d.contains("channel-major"), d);
        assertTrue(d.indexOf("BatchNorm") < d.indexOf("ToNHWC"), d);
        for (int n : new int[] {1, 6}) {
            float[] x = input(m, n, 30 + n);
            assertTrue(TestModels.maxAbsDiff(m.predict(x, n, 32), c.predict(x, n)) < 1e-5f, d);
        }
    }

    /** A DepthwiseConv2D without a bias before a folded batch norm gets one in the rebuilt architecture. */
    @Test
    void foldingIntoABiasFreeDepthwiseConvGivesItABias() throws IOException {
        Sequential m = randomStatistics(Sequential.builder(8, 7, 4).seed(13)
                .add(DepthwiseConv2D.builder(3).padding(Padding.SAME).depthMultiplier(2).useBias(false).build())
                .add(new BatchNormalization())
                .add(new GlobalAveragePooling2D()).add(new Dense(3, Activation.SOFTMAX)).build(), 14);
        InferenceModel c = InferenceModel.compile(m);
        assertTrue(c.describe().contains("depthwise_conv2d+batch_normalization"), c.describe());
        float[] x = input(m, 5, 15);
        assertTrue(TestModels.maxAbsDiff(m.predict(x, 5, 5), c.predict(x, 5)) < FOLD_TOL);
        Sequential back = c.toSequential();
        DepthwiseConv2D d = (DepthwiseConv2D) back.layers().get(0);
        assertTrue(d.useBias());
        assertArrayEquals(c.predict(x, 5), InferenceModel.compile(back).predict(x, 5), 0f);
        Path f = dir.resolve("dw.shrs");
        CompactModelFile.write(c, f);
        assertArrayEquals(c.predict(x, 5), CompactModelFile.read(f).predict(x, 5), 0f);
    }

    @Test
    void compactFilesRoundTripFoldedAndStandaloneBatchNorms() throws IOException {
        Sequential standalone = randomStatistics(Sequential.builder(9, 8, 2).seed(16)
                .add(new BatchNormalization(0.99, 1e-3, false, true))
                .add(Conv2D.builder(5, 3).activation(Activation.RELU).build())
                .add(new MaxPooling2D(2)).add(new BatchNormalization())
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build(), 17);
        for (Sequential m : new Sequential[] {TestModels.pruneUnstructured(foldable(18), 0.8), TestModels.pruneUnstructured(standalone, 0.7)}) {
            for (InferenceModel original : new InferenceModel[] {InferenceModel.compile(m),
                InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR))}) {
                Path f = dir.resolve("bn.shrs");
                CompactModelFile.write(original, f);
                InferenceModel back = CompactModelFile.read(f);
                assertEquals(original.formats(), back.formats());
                if (m == standalone) {
                    assertEquals(original.describe(), back.describe());
                } else {
                    // the file holds the folded layers; the batch norms' names are gone from the step names
                    assertEquals(original.describe().replaceAll("\\+batch_normalization(_\\d)?", "").replaceAll(" +", " "),
                            back.describe().replaceAll(" +", " "));
                }
                float[] x = input(m, 6, 3);
                assertArrayEquals(original.predict(x, 6), back.predict(x, 6), 0f);
                assertEquals(ModelConfig.toConfig(original.toSequential()).get("layers").toString(),
                        ModelConfig.toConfig(back.toSequential()).get("layers").toString());
            }
        }
        // the standalone model keeps its batch norms, with their vectors
        Sequential back = CompactModelFile.read(dir.resolve("bn.shrs")).toSequential();
        BatchNormalization bn = (BatchNormalization) back.layers().get(3);
        BatchNormalization src = (BatchNormalization) standalone.layers().get(3);
        assertArrayEquals(src.movingVariance().data(), bn.movingVariance().data(), 0f);
        assertArrayEquals(src.beta().data(), bn.beta().data(), 0f);
        Map<?, ?> arch = ModelConfig.toConfig(back);
        assertEquals(6, ((List<?>) arch.get("layers")).size());
    }

    /** One bad-input test per new failure mode of the batch-norm record. */
    @Test
    void badBatchNormRecordsAreRejected() throws IOException {
        Sequential m = randomStatistics(Sequential.builder(4).add(new BatchNormalization()).add(new Dense(2, Activation.RELU)).build(), 19);
        byte[] ok = CompactModelFile.toBytes(InferenceModel.compile(m));
        int record = 20 + LeReader.intAt(ok, 16) + 4; // header, architecture, layer count
        byte[] enc = ok.clone();
        enc[record] = 0;
        assertRejected(enc, "layer batch_normalization encoding", "expected 3");
        byte[] count = ok.clone();
        count[record + 1] = 3;
        assertRejected(count, "layer batch_normalization shape", "3 vectors of 4");
        byte[] channels = ok.clone();
        channels[record + 5] = 5;
        assertRejected(channels, "layer batch_normalization shape", "4 vectors of 5");

        Sequential dw = Sequential.builder(4, 4, 2)
                .add(DepthwiseConv2D.builder(3).activation(Activation.RELU).useBias(false).build()).build();
        byte[] dwOk = CompactModelFile.toBytes(InferenceModel.compile(dw));
        int biasAt = 20 + LeReader.intAt(dwOk, 16) + 4 + 9 + 4 * 18; // record: u8, u32 k, u32 oc, 18 kernel floats
        byte[] bias = dwOk.clone();
        bias[biasAt + 3] = 0x3f; // 0x3f000000 = 0.5f
        assertRejected(bias, "layer depthwise_conv2d bias", "no bias");
    }

    private void assertRejected(byte[] content, String field, String words) throws IOException {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(content, 0, content.length - 4);
        int v = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
            content[content.length - 4 + i] = (byte) (v >>> (8 * i));
        }
        Path f = dir.resolve("bad.shrs");
        java.nio.file.Files.write(f, content);
        CompactFormatException e = org.junit.jupiter.api.Assertions.assertThrows(CompactFormatException.class, () -> CompactModelFile.read(f));
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(words), e.getMessage());
    }
}
