package dev.shears.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.Initializer;
import dev.shears.nn.Sequential;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.nn.Padding;
import dev.shears.tensor.ShapeMismatchException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The compiled runtime against the training engine's forward pass. */
class InferenceModelTest {
    private static final float TOL = 1e-4f;
    private static final int IMAGE = 28 * 28;

    private static void assertMatchesEngine(Sequential model, InferenceModel compiled, int n, long seed) {
        float[] x = TestModels.randomInput(n, Math.toIntExact(dev.shears.tensor.Shapes.size(model.inputShape())), new Random(seed));
        float[] expected = model.predict(x, n, 32);
        float[] got = compiled.predict(x, n);
        float d = TestModels.maxAbsDiff(expected, got);
        assertTrue(d < TOL, "max abs diff " + d + " with kernels " + compiled.formats() + " at batch " + n);
    }

    @Test
    void predictIntoACallersArrayGivesTheSameOutputsAndChecksItsLength() {
        Sequential m = TestModels.pruneUnstructured(TestModels.tutorial(6), 0.8);
        for (InferenceModel c : List.of(InferenceModel.compile(m), InferenceModel.compile(m,
                InferenceModel.Options.defaults().withFormat(WeightFormat.DENSE)))) {
            for (int n : new int[] {1, 8, 37}) {
                float[] x = new float[n * 784];
                Random r = new Random(n);
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextFloat();
                }
                float[] out = new float[n * 10 + 3];
                java.util.Arrays.fill(out, -5f);
                c.predict(x, n, out);
                float[] expected = c.predict(x, n);
                assertArrayEquals(expected, java.util.Arrays.copyOf(out, n * 10), "n " + n);
                assertEquals(-5f, out[n * 10 + 2], "values past n outputs are left alone");
                c.predict(x, n, out); // again into the same array: the same values
                assertArrayEquals(expected, java.util.Arrays.copyOf(out, n * 10));
                assertThrows(ShapeMismatchException.class, () -> c.predict(x, n, new float[n * 10 - 1]));
            }
        }
    }

    @Test
    void denseTutorialMatchesEngineAtSeveralBatchSizes() {
        Sequential m = TestModels.tutorial(7);
        InferenceModel c = InferenceModel.compile(m, InferenceModel.Options.defaults().withMaxBatch(16));
        // No zeros: every layer dense, except the one-channel conv, whose planar kernel is faster even then
        assertEquals(WeightFormat.CSR, c.formats().get("conv2d"), c.describe());
        assertTrue(c.formats().entrySet().stream().allMatch(e -> e.getKey().equals("conv2d") || e.getValue() == WeightFormat.DENSE), c.describe());
        for (int n : new int[] {1, 3, 16, 37}) {
            assertMatchesEngine(m, c, n, n);
        }
    }

    @Test
    void prunedTutorialMatchesEngineWithEveryKernel() {
        Sequential m = TestModels.pruneUnstructured(TestModels.tutorial(8), 0.8);
        // 50% is below the planar conv break-even: the rule keeps the dense kernel; 80% and 95% are above it
        Sequential m50 = TestModels.pruneUnstructured(TestModels.tutorial(8), 0.5);
        assertEquals(WeightFormat.DENSE, InferenceModel.compile(m50).formats().get("conv2d_1"));
        assertEquals(WeightFormat.CSR, InferenceModel.compile(m).formats().get("conv2d_1"));
        Sequential m95 = TestModels.pruneUnstructured(TestModels.tutorial(8), 0.95);
        assertEquals(WeightFormat.CSR, InferenceModel.compile(m95).formats().get("conv2d_1"));
        InferenceModel auto = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat("conv2d_1", WeightFormat.CSR));
        for (int n : new int[] {1, 5, 64}) {
            assertMatchesEngine(m, auto, n, 100 + n);
            assertMatchesEngine(m95, InferenceModel.compile(m95), n, 150 + n);
            assertMatchesEngine(m, InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.BLOCK4).withFormat("conv2d", WeightFormat.CSR)), n, 200 + n);
            assertMatchesEngine(m, InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.DENSE)), n, 300 + n);
        }
    }

    @Test
    void structuredPatternsAreDetectedAndMatchEngine() {
        Sequential m = TestModels.tutorial(9);
        Conv2D conv2 = (Conv2D) m.layers().get(2);
        Dense dense = (Dense) m.layers().get(7);
        TestModels.pruneTwoFour(conv2.kernel().data(), 400, 32);
        TestModels.pruneBlock4(dense.kernel().data(), 32, 128, 0.8);
        assertEquals(WeightFormat.TWO_FOUR, WeightFormatRule.structured(conv2.kernel().data(), 400, 32));
        assertEquals(WeightFormat.BLOCK4, WeightFormatRule.structured(dense.kernel().data(), 32, 128));
        assertEquals(WeightFormat.CSR, WeightFormatRule.structured(TestModels.pruneUnstructured(TestModels.tutorial(1), 0.8).parameters().get(2).data(), 400, 32));
        InferenceModel c = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat("conv2d_1", WeightFormat.TWO_FOUR).withFormat("dense", WeightFormat.BLOCK4));
        assertEquals(WeightFormat.TWO_FOUR, c.formats().get("conv2d_1"), c.describe());
        assertEquals(WeightFormat.BLOCK4, c.formats().get("dense"), c.describe());
        assertMatchesEngine(m, c, 1, 1);
        assertMatchesEngine(m, c, 9, 2);
    }

    @Test
    void samePaddingStridedConvAndSparsityOneEdgeCases() {
        Sequential m = Sequential.builder(9, 7, 3).seed(3)
                .add(Conv2D.builder(5, 3).strides(2).padding(Padding.SAME).activation(Activation.RELU).build())
                .add(Conv2D.builder(6, 1).build())
                .add(new Flatten()).add(new Dense(4, Activation.LINEAR)).build();
        java.util.Arrays.fill(((Dense) m.layers().get(3)).kernel().data(), 0f); // sparsity 1.0: output = bias
        ((Dense) m.layers().get(3)).bias().data()[2] = 0.5f;
        for (WeightFormat k : new WeightFormat[] {WeightFormat.DENSE, WeightFormat.CSR, WeightFormat.BLOCK4}) {
            InferenceModel.Options o = InferenceModel.Options.defaults().withFormat(k).withFormat("conv2d_1", k == WeightFormat.BLOCK4 ? WeightFormat.CSR : k);
            assertMatchesEngine(m, InferenceModel.compile(m, o), 3, 4);
        }
    }

    /**
     * Planar (channel-major) CSR convs in every position: first layer on a 3-channel NHWC input, with SAME
     * padding, straight into another planar conv, through 2x2 pools (even and odd sizes, vector-wide and
     * narrow rows), rows of half a vector over an odd number of rows, a 3x3 pool, GAP, a flatten of a spatial map, and as the last layer; also a strided CSR conv
     * (not planar) after a planar one. The channel-major data must be turned back to NHWC exactly where needed.
     */
    @Test
    void planarSparseConvsMatchEngineInEveryPosition() {
        List<Sequential> models = List.of(
                Sequential.builder(20, 34, 3).seed(11)
                        .add(Conv2D.builder(8, 3).padding(Padding.SAME).activation(Activation.RELU).build())
                        .add(Conv2D.builder(5, 5, 3).build())
                        .add(new dev.shears.nn.MaxPooling2D(2))
                        .add(new Flatten()).add(new Dense(7, Activation.SOFTMAX)).build(),
                Sequential.builder(15, 10, 1).seed(12)
                        .add(Conv2D.builder(6, 3).activation(Activation.RELU).build())
                        .add(new dev.shears.nn.MaxPooling2D(2))
                        .add(Conv2D.builder(4, 2).padding(Padding.SAME).activation(Activation.RELU).build()).build(),
                Sequential.builder(36, 36, 2).seed(13)
                        .add(Conv2D.builder(3, 5).activation(Activation.RELU).build())
                        .add(new dev.shears.nn.MaxPooling2D(3, 3, 3, 3))
                        .add(Conv2D.builder(4, 3).strides(2).activation(Activation.RELU).build())
                        .add(new dev.shears.nn.GlobalAveragePooling2D()).add(new Dense(3, Activation.LINEAR)).build(),
                Sequential.builder(28, 28, 1).seed(14)
                        .add(Conv2D.builder(16, 5).activation(Activation.RELU).build())
                        .add(new dev.shears.nn.MaxPooling2D(2))
                        .add(Conv2D.builder(32, 5).activation(Activation.RELU).build())
                        .add(new dev.shears.nn.MaxPooling2D(2))
                        .add(new dev.shears.nn.GlobalAveragePooling2D()).add(new Dense(10, Activation.SOFTMAX)).build());
        for (Sequential m : models) {
            for (double sparsity : new double[] {0, 0.8, 1}) {
                Sequential pruned = TestModels.pruneUnstructured(m, sparsity);
                InferenceModel c = InferenceModel.compile(pruned, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR));
                for (int n : new int[] {1, 3, 20}) {
                    assertMatchesEngine(pruned, c, n, n);
                }
            }
        }
    }

    /** The ONNX explicit-pad pattern: ZeroPadding2D(1), then a strided valid conv, on every kernel. */
    @Test
    void zeroPaddingThenStridedValidConvMatchesEngine() {
        Sequential m = Sequential.builder(9, 7, 2).seed(21)
                .add(new ZeroPadding2D(1))
                .add(Conv2D.builder(4, 3).strides(2).activation(Activation.RELU).build())
                .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build();
        TestModels.pruneUnstructured(m, 0.5);
        for (WeightFormat k : new WeightFormat[] {null, WeightFormat.DENSE, WeightFormat.CSR}) {
            InferenceModel c = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(k));
            assertTrue(c.describe().contains("ZeroPad"), c.describe());
            for (int n : new int[] {1, 4, 19}) {
                assertMatchesEngine(m, c, n, 60 + n);
            }
        }
    }

    /**
     * ZeroPadding2D on the channel-major output of a planar sparse conv: padded plane by plane and kept
     * channel-major into a strided conv (which needs NHWC, so the copy back comes after the padding), into
     * another planar conv, and as the last layer (the copy back at the model's end).
     */
    @Test
    void zeroPaddingAfterPlanarSparseConvMatchesEngine() {
        Conv2D planar = Conv2D.builder(5, 3).activation(Activation.RELU).build();
        List<Sequential> models = List.of(
                Sequential.builder(10, 9, 3).seed(22).add(planar)
                        .add(new ZeroPadding2D(1, 0, 2, 1))
                        .add(Conv2D.builder(4, 3).strides(2).activation(Activation.RELU).build())
                        .add(new Flatten()).add(new Dense(3, Activation.SOFTMAX)).build(),
                Sequential.builder(8, 11, 1).seed(23)
                        .add(Conv2D.builder(6, 3).activation(Activation.RELU).build())
                        .add(new ZeroPadding2D(1))
                        .add(Conv2D.builder(4, 3).build())
                        .add(new dev.shears.nn.MaxPooling2D(2))
                        .add(new Flatten()).add(new Dense(5, Activation.LINEAR)).build(),
                Sequential.builder(7, 6, 2).seed(24)
                        .add(Conv2D.builder(3, 2).activation(Activation.RELU).build())
                        .add(new ZeroPadding2D(0, 2, 1, 0)).build());
        for (Sequential m : models) {
            Sequential pruned = TestModels.pruneUnstructured(m, 0.6);
            InferenceModel c = InferenceModel.compile(pruned, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR));
            for (int n : new int[] {1, 3, 20}) {
                assertMatchesEngine(pruned, c, n, 70 + n);
            }
        }
        String d = InferenceModel.compile(models.get(0), InferenceModel.Options.defaults().withFormat(WeightFormat.CSR)).describe();
        int pad = d.indexOf("ZeroPad");
        int back = d.indexOf("ToNHWC");
        assertTrue(pad > d.indexOf(planar.name()) && back > pad && back < d.indexOf("conv2d_1"), d);
    }

    @Test
    void kernelRuleFollowsTheMeasuredBreakEvens() {
        Random rng = new Random(5);
        float[] conv = TestModels.sparseMatrix(400, 32, 0, rng);
        assertEquals(WeightFormat.DENSE, WeightFormatRule.chooseConv(conv, 16, true));
        assertEquals(WeightFormat.CSR, WeightFormatRule.chooseConv(conv, 1, true), "one input channel: planar even when dense");
        assertEquals(WeightFormat.DENSE, WeightFormatRule.chooseConv(conv, 1, false), "strided: only from 90%");
        TestModels.zeroSmallest(conv, 0.6);
        assertEquals(WeightFormat.CSR, WeightFormatRule.chooseConv(conv, 16, true));
        assertEquals(WeightFormat.DENSE, WeightFormatRule.chooseConv(conv, 16, false));
        TestModels.zeroSmallest(conv, 0.9);
        assertEquals(WeightFormat.CSR, WeightFormatRule.chooseConv(conv, 16, false));
        float[] big = TestModels.sparseMatrix(256, 64, 0, rng);
        TestModels.zeroSmallest(big, 0.7);
        assertEquals(WeightFormat.CSR, WeightFormatRule.chooseDense(big));
        float[] small = TestModels.sparseMatrix(32, 128, 0.99, rng);
        assertEquals(WeightFormat.DENSE, WeightFormatRule.chooseDense(small), "fewer than 16384 weights stay dense");
        assertEquals(WeightFormat.DENSE, WeightFormatRule.chooseDense(TestModels.sparseMatrix(256, 64, 0.5, rng)));
    }

    /** The SELL path (CSR dense layers at batch <= 8) and the axpy path (larger batches) against the engine. */
    @Test
    void sparseDenseLayerMatchesEngineOnBothPaths() {
        Sequential m = Sequential.builder(300).seed(6).add(new Dense(77, Activation.RELU)).add(new Dense(200, Activation.LINEAR)).build();
        TestModels.pruneUnstructured(m, 0.8);
        InferenceModel c = InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR));
        for (int n : new int[] {1, 2, 8, 9, 33}) {
            assertMatchesEngine(m, c, n, 40 + n);
        }
    }

    @Test
    void concurrentCallersGetSingleThreadedResults() throws Exception {
        // The tutorial pruned to 80% runs its convs planar (per-thread scratch); the dense model forced to CSR
        // runs SELL slices at batches up to 8 and the batch-wide kernel above.
        Sequential m = TestModels.pruneUnstructured(TestModels.tutorial(10), 0.8);
        assertConcurrentCallsMatch(InferenceModel.compile(m), IMAGE);
        Sequential d = TestModels.pruneUnstructured(Sequential.builder(300).seed(9).add(new Dense(200, Activation.RELU))
                .add(new Dense(30, Activation.LINEAR)).build(), 0.8);
        assertConcurrentCallsMatch(InferenceModel.compile(d, InferenceModel.Options.defaults().withFormat(WeightFormat.CSR)), 300);
    }

    private static void assertConcurrentCallsMatch(InferenceModel c, int inputSize) throws Exception {
        int threads = 6;
        List<float[]> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int n = 1 + 3 * t;
            float[] x = TestModels.randomInput(n, inputSize, new Random(t));
            inputs.add(x);
            expected.add(c.predict(x, n));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                float[] x = inputs.get(t);
                float[] want = expected.get(t);
                results.add(pool.submit(() -> {
                    for (int rep = 0; rep < 20; rep++) {
                        if (!java.util.Arrays.equals(want, c.predict(x, x.length / inputSize))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void classifyDescribeAndErrors() {
        Sequential m = TestModels.pruneUnstructured(TestModels.tutorial(11), 0.9);
        InferenceModel c = InferenceModel.compile(m);
        float[] x = TestModels.randomInput(4, IMAGE, new Random(5));
        int[] cls = c.classify(x, 4);
        float[] y = c.predict(x, 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 10; j++) {
                assertTrue(y[i * 10 + j] <= y[i * 10 + cls[i]]);
            }
        }
        assertTrue(c.describe().contains("conv2d_1") && c.describe().contains("CSR"), c.describe());
        assertThrows(ShapeMismatchException.class, () -> c.predict(new float[10], 1));
        assertThrows(IllegalArgumentException.class, () -> InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat("nope", WeightFormat.CSR)));
        assertThrows(IllegalArgumentException.class, () -> InferenceModel.compile(m, InferenceModel.Options.defaults().withFormat("dense", WeightFormat.TWO_FOUR)));
        assertThrows(IllegalArgumentException.class, () -> InferenceModel.Options.defaults().withMaxBatch(0));
    }

    @Test
    void compiledModelKeepsItsOwnWeights() {
        Sequential m = TestModels.tutorial(12);
        InferenceModel c = InferenceModel.compile(m);
        float[] x = TestModels.randomInput(2, IMAGE, new Random(6));
        float[] before = c.predict(x, 2);
        java.util.Arrays.fill(((Dense) m.layers().get(8)).kernel().data(), 0f);
        assertArrayEquals(before, c.predict(x, 2));
    }
}
