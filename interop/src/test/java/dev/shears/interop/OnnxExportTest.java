package dev.shears.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.interop.Onnx.ExportOptions;
import dev.shears.interop.Onnx.InputLayout;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Dropout;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.Initializer;
import dev.shears.nn.Loss;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.nn.Padding;
import dev.shears.optim.Adam;
import dev.shears.prune.Masks;
import dev.shears.train.FitOptions;
import dev.shears.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported files run in ONNX Runtime (the independent reference) and give Shears' own outputs on 100
 * real Fashion-MNIST test images, within 1e-5.
 */
class OnnxExportTest {
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    static Sequential tutorial() {
        return Sequential.builder(28, 28, 1).seed(42)
                .add(new Conv2D(16, 5, Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Conv2D(32, 5, Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Dropout(0.2)).add(new GlobalAveragePooling2D()).add(new Flatten())
                .add(new Dense(128, Activation.RELU)).add(new Dense(10, Activation.SOFTMAX))
                .build();
    }

    static Sequential mlp() {
        return Sequential.builder(28, 28, 1).seed(7)
                .add(new Flatten()).add(new Dense(32, Activation.RELU)).add(new Dropout(0.1))
                .add(new Dense(10, Activation.SOFTMAX)).build();
    }

    /** Stride 2 with TensorFlow's SAME padding (odd pixel at the bottom/right), a ZeroPadding2D, and a Flatten of a spatial map. */
    static Sequential strided() {
        return Sequential.builder(28, 28, 1).seed(3)
                .add(Conv2D.builder(8, 3).strides(2).padding(Padding.SAME).activation(Activation.RELU).build())
                .add(new ZeroPadding2D(1, 0, 2, 1))
                .add(Conv2D.builder(16, 3).strides(2).padding(Padding.SAME).activation(Activation.RELU).build())
                .add(new Flatten()).add(new Dense(10, Activation.SOFTMAX)).build();
    }

    /** A few steps of real training, so the outputs are not those of an initialization. */
    static Sequential trained(Sequential model) {
        new Trainer(model, new Adam(), Loss.sparseCategoricalCrossentropy(false))
                .fit(TestData.sample().train().take(640), FitOptions.defaults().withEpochs(1).withBatchSize(64).withVerbose(false));
        return model;
    }

    /** Zeroes the smallest {@code sparsity} of every kernel, as magnitude pruning leaves it. */
    static Sequential pruned(Sequential model, double sparsity) {
        for (Parameter p : model.parameters()) {
            if (p.prunable()) {
                boolean[] mask = new boolean[p.size()];
                Masks.topK(mask, p.data(), Masks.keepCount(p.size(), sparsity));
                Masks.apply(p.data(), mask);
            }
        }
        return model;
    }

    private void assertOrtMatches(Sequential model, ExportOptions options) throws Exception {
        Path file = dir.resolve("m.onnx");
        Onnx.export(model, file, options);
        float[] x = TestData.testImages();
        float[] expected = model.predict(x, TestData.IMAGES, 50);
        long[] dims = options.inputLayout() == InputLayout.NHWC ? new long[] {TestData.IMAGES, 28, 28, 1} : new long[] {TestData.IMAGES, 1, 28, 28};
        float[] actual = OrtRunner.run(file, x, dims);
        double diff = TestData.maxDiff(expected, actual);
        assertTrue(diff <= TOLERANCE, "max |Shears - ONNX Runtime| = " + diff);
    }

    @Test
    void tutorialModelRunsInOnnxRuntime() throws Exception {
        assertOrtMatches(trained(tutorial()), ExportOptions.defaults());
    }

    @Test
    void prunedTutorialModelRunsInOnnxRuntimeAndKeepsExactZeros() throws Exception {
        Sequential model = pruned(trained(tutorial()), 0.8);
        assertOrtMatches(model, ExportOptions.defaults());
        Sequential back = Onnx.load(dir.resolve("m.onnx"));
        for (int i = 0; i < model.parameters().size(); i++) {
            assertArrayEquals(model.parameters().get(i).data(), back.parameters().get(i).data(), 0f);
        }
    }

    @Test
    void mlpRunsInOnnxRuntime() throws Exception {
        assertOrtMatches(trained(mlp()), ExportOptions.defaults());
    }

    @Test
    void stridedSamePaddedCnnRunsInOnnxRuntimeInBothLayouts() throws Exception {
        Sequential model = trained(strided());
        assertOrtMatches(model, ExportOptions.defaults());
        assertOrtMatches(model, ExportOptions.defaults().withInputLayout(InputLayout.NCHW));
    }

    @Test
    void nchwInputLayout() throws Exception {
        assertOrtMatches(trained(tutorial()), ExportOptions.defaults().withInputLayout(InputLayout.NCHW));
    }

    @Test
    void sparseInitializersLoadInOnnxRuntimeAndAreSmaller() throws Exception {
        Sequential model = pruned(trained(tutorial()), 0.8);
        assertOrtMatches(model, ExportOptions.defaults().withSparseInitializers(true));
        long sparseBytes = Files.size(dir.resolve("m.onnx"));
        Onnx.export(model, dir.resolve("dense.onnx"));
        long denseBytes = Files.size(dir.resolve("dense.onnx"));
        assertTrue(sparseBytes < 0.7 * denseBytes, "sparse " + sparseBytes + " B vs dense " + denseBytes + " B");
        Sequential back = Onnx.load(dir.resolve("m.onnx"));
        for (int i = 0; i < model.parameters().size(); i++) {
            assertArrayEquals(model.parameters().get(i).data(), back.parameters().get(i).data(), 0f);
        }
    }

    @Test
    void compiledAndCompactModelsExportTheirWeights() throws Exception {
        Sequential model = pruned(trained(tutorial()), 0.8);
        Path shrs = dir.resolve("m.shrs");
        CompactModelFile.write(InferenceModel.compile(model), shrs);
        Path file = dir.resolve("c.onnx");
        Onnx.export(CompactModelFile.read(shrs), file, ExportOptions.defaults());
        float[] x = TestData.testImages();
        float[] actual = OrtRunner.run(file, x, TestData.IMAGES, 28, 28, 1);
        assertTrue(TestData.maxDiff(model.predict(x, TestData.IMAGES, 50), actual) <= TOLERANCE);
    }

    @Test
    void batchDimensionIsDynamic() throws Exception {
        Sequential model = mlp();
        Path file = dir.resolve("m.onnx");
        Onnx.export(model, file);
        float[] x = java.util.Arrays.copyOf(TestData.testImages(), 3 * 784);
        assertEquals(30, OrtRunner.run(file, x, 3, 28, 28, 1).length);
        assertEquals(10, OrtRunner.run(file, java.util.Arrays.copyOf(x, 784), 1, 28, 28, 1).length);
    }
}
