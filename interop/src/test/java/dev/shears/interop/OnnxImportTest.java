package dev.shears.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Loss;
import dev.shears.nn.ModelConfig;
import dev.shears.nn.Sequential;
import dev.shears.nn.ZeroPadding2D;
import dev.shears.nn.Padding;
import dev.shears.optim.Adam;
import dev.shears.prune.ConstantSparsity;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningConfig;
import dev.shears.train.FitOptions;
import dev.shears.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models exported by PyTorch 2.13 ({@code torch.onnx.export}) import into Shears and give ONNX Runtime's
 * outputs (recorded by the fixture script) on 100 real test images, fed NHWC.
 */
class OnnxImportTest {
    @TempDir
    Path dir;

    private static float[] expected(String name) throws Exception {
        return Npy.read(TestData.fixture(name + "_expected.npy")).data();
    }

    @ParameterizedTest
    @ValueSource(strings = {"torch_tutorial", "torch_tutorial_nhwc", "torch_mlp", "torch_strided"})
    void pytorchExportsGiveOnnxRuntimesOutputs(String name) throws Exception {
        Sequential model = Onnx.load(TestData.fixture(name + ".onnx"));
        assertArrayEquals(new int[] {28, 28, 1}, model.inputShape());
        float[] x = TestData.testImages();
        float[] want = expected(name);
        double engine = TestData.maxDiff(want, model.predict(x, TestData.IMAGES, 50));
        double runtime = TestData.maxDiff(want, InferenceModel.compile(model).predict(x, TestData.IMAGES));
        assertTrue(engine <= OnnxExportTest.TOLERANCE, "engine differs from ONNX Runtime by " + engine);
        assertTrue(runtime <= OnnxExportTest.TOLERANCE, "runtime differs from ONNX Runtime by " + runtime);
    }

    @Test
    void pytorchPaddingOneWithStrideTwoBecomesZeroPaddingAndValidConv() throws Exception {
        Sequential model = Onnx.load(TestData.fixture("torch_strided.onnx"));
        assertTrue(model.layers().get(0) instanceof ZeroPadding2D z && z.top() == 1 && z.bottom() == 1 && z.left() == 1 && z.right() == 1);
        assertEquals(Padding.VALID, ((Conv2D) model.layers().get(1)).padding());
    }

    @Test
    void pytorchTutorialEqualsTheKerasModelItWasCopiedFrom() throws Exception {
        // The fixture script copied the Keras model's weights into the PyTorch one: two frameworks, one answer.
        float[] torch = Onnx.load(TestData.fixture("torch_tutorial.onnx")).predict(TestData.testImages(), TestData.IMAGES, 100);
        assertTrue(TestData.maxDiff(torch, expected("keras_tutorial")) <= OnnxExportTest.TOLERANCE);
    }

    @Test
    void unsupportedOpIsRefusedByNameWithTheSupportedList() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Onnx.load(TestData.fixture("torch_unsupported.onnx")));
        assertTrue(e.getMessage().contains("torch_unsupported.onnx"), e.getMessage());
        assertTrue(e.getMessage().contains("(Resize)") && e.getMessage().contains("'Resize' is not supported"), e.getMessage());
        assertTrue(e.getMessage().contains("Conv (and depthwise") && e.getMessage().contains("GlobalAveragePool"), e.getMessage());
    }

    @Test
    void exportThenImportGivesTheSameModelBitForBit() throws Exception {
        for (Sequential model : new Sequential[] {OnnxExportTest.tutorial(), OnnxExportTest.mlp(), OnnxExportTest.strided()}) {
            Path file = dir.resolve(model.name() + model.layers().size() + ".onnx");
            Onnx.export(model, file);
            Sequential back = Onnx.load(file);
            assertEquals(ModelConfig.toConfig(model).get("layers").toString().replaceAll("\"name\"=[a-z_0-9]+", ""),
                    ModelConfig.toConfig(back).get("layers").toString().replaceAll("\"name\"=[a-z_0-9]+", ""));
            for (int i = 0; i < model.parameters().size(); i++) {
                assertArrayEquals(model.parameters().get(i).data(), back.parameters().get(i).data(), 0f);
            }
        }
    }

    @Test
    void nchwExportImportsWithNhwcInput() throws Exception {
        Sequential model = OnnxExportTest.strided();
        Path file = dir.resolve("nchw.onnx");
        Onnx.export(model, file, Onnx.ExportOptions.defaults().withInputLayout(Onnx.InputLayout.NCHW));
        Sequential back = Onnx.load(file);
        float[] x = TestData.testImages();
        assertArrayEquals(model.predict(x, TestData.IMAGES, 100), back.predict(x, TestData.IMAGES, 100), 0f);
    }

    @Test
    void importedModelTrainsPrunesCompilesAndSaves() throws Exception {
        Sequential model = Onnx.load(TestData.fixture("torch_tutorial.onnx"));
        Sequential pruned = Pruning.prune(model, PruningConfig.of(new ConstantSparsity(0.5, 0, -1, 1)));
        float before = ((Dense) model.layers().get(model.layers().size() - 1)).kernel().data()[0];
        new Trainer(pruned, new Adam(), Loss.sparseCategoricalCrossentropy(false)).fit(TestData.sample().train().take(256),
                FitOptions.defaults().withEpochs(1).withBatchSize(64).withVerbose(false).withCallback(Pruning.callback()));
        Sequential plain = Pruning.strip(pruned);
        assertTrue(before != ((Dense) plain.layers().get(plain.layers().size() - 1)).kernel().data()[0], "training changed nothing");
        Path file = dir.resolve("pruned.safetensors");
        ModelFiles.save(plain, file);
        Sequential again = ModelFiles.load(file);
        float[] x = TestData.testImages();
        float[] engine = again.predict(x, TestData.IMAGES, 50);
        InferenceModel compiled = InferenceModel.compile(again);
        assertTrue(TestData.maxDiff(engine, compiled.predict(x, TestData.IMAGES)) < 1e-5);
        CompactModelFile.write(compiled, dir.resolve("pruned.shrs"));
        assertTrue(Files.size(dir.resolve("pruned.shrs")) < Files.size(file));
    }

    @Test
    void garbageAndTruncatedFilesAreFormatErrors() throws Exception {
        Path garbage = dir.resolve("garbage.onnx");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 0xff});
        assertThrows(ModelFormatException.class, () -> Onnx.load(garbage));
        byte[] real = Files.readAllBytes(TestData.fixture("torch_mlp.onnx"));
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, java.util.Arrays.copyOf(real, real.length / 2));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Onnx.load(truncated));
        assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());
        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(ModelFormatException.class, () -> Onnx.load(empty)).getMessage().contains("graph"));
    }
}
