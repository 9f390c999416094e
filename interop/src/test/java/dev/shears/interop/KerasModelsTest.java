package dev.shears.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.infer.InferenceModel;
import dev.shears.io.ModelFormatException;
import dev.shears.nn.Layer;
import dev.shears.nn.Loss;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.prune.PolynomialDecay;
import dev.shears.prune.Pruning;
import dev.shears.prune.PruningConfig;
import dev.shears.prune.SparsityReport;
import dev.shears.train.FitOptions;
import dev.shears.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Files saved by Keras 3.15 load into Shears and give Keras's own predictions on 100 real test images. */
class KerasModelsTest {
    @TempDir
    Path dir;

    private static void assertPredictsLikeKeras(Sequential model, String name) throws Exception {
        float[] want = Npy.read(TestData.fixture("keras_" + name + "_expected.npy")).data();
        float[] x = TestData.testImages();
        double engine = TestData.maxDiff(want, model.predict(x, TestData.IMAGES, 50));
        double runtime = TestData.maxDiff(want, InferenceModel.compile(model).predict(x, TestData.IMAGES));
        assertTrue(engine <= OnnxExportTest.TOLERANCE, name + ": engine differs from Keras by " + engine);
        assertTrue(runtime <= OnnxExportTest.TOLERANCE, name + ": runtime differs from Keras by " + runtime);
    }

    @ParameterizedTest
    @CsvSource({"tutorial,.keras", "tutorial,.h5", "mlp,.keras", "mlp,.h5", "strided,.keras", "strided,.h5", "layers,.keras", "layers,.h5"})
    void wholeModelsGiveKerasPredictions(String name, String extension) throws Exception {
        Sequential model = KerasModels.load(TestData.fixture("keras_" + name + extension));
        assertArrayEquals(new int[] {28, 28, 1}, model.inputShape());
        assertPredictsLikeKeras(model, name);
    }

    @Test
    void layerNamesAndHyperparametersCarryOver() throws Exception {
        Sequential model = KerasModels.load(TestData.fixture("keras_tutorial.keras"));
        assertEquals(List.of("conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "dropout", "global_average_pooling2d",
                "flatten", "dense", "dense_1"), model.layers().stream().map(Layer::name).toList());
        assertEquals(18_762, model.trainableCount());
        Sequential strided = KerasModels.load(TestData.fixture("keras_strided.keras"));
        assertEquals("Conv2D", strided.layers().get(0).type());
        assertEquals(List.of(2, 2), strided.layers().get(0).config().get("strides"));
        assertEquals("same", strided.layers().get(0).config().get("padding"));
    }

    @ParameterizedTest
    @CsvSource({"tutorial,keras_tutorial.weights.h5", "tutorial,keras_tutorial_legacy_weights.h5", "tutorial,keras_tutorial.h5",
        "mlp,keras_mlp.weights.h5", "strided,keras_strided.weights.h5", "layers,keras_layers.weights.h5"})
    void weightsFillAModelBuiltInShears(String name, String weights) throws Exception {
        // The tutorial's model.load_weights("initial_weights.h5"), with the model defined in Shears.
        Sequential model = switch (name) {
            case "tutorial" -> OnnxExportTest.tutorial();
            case "mlp" -> Sequential.builder(28, 28, 1).add(new dev.shears.nn.Flatten())
                    .add(new dev.shears.nn.Dense(16, dev.shears.nn.Activation.RELU)).add(new dev.shears.nn.Dropout(0.1))
                    .add(new dev.shears.nn.Dense(10, dev.shears.nn.Activation.SOFTMAX)).build();
            default -> KerasModels.load(TestData.fixture("keras_" + name + ".keras"));
        };
        KerasModels.loadWeights(model, TestData.fixture(weights));
        assertPredictsLikeKeras(model, name);
    }

    @Test
    void unsupportedLayerIsRefusedByNameWithTheSupportedList() {
        for (String f : new String[] {"keras_unsupported.keras", "keras_unsupported.h5"}) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> KerasModels.load(TestData.fixture(f)));
            assertTrue(e.getMessage().contains(f), e.getMessage());
            assertTrue(e.getMessage().contains("UpSampling2D 'up_sampling2d'") && e.getMessage().contains("not supported"), e.getMessage());
            assertTrue(e.getMessage().contains("Conv2D, DepthwiseConv2D") && e.getMessage().contains("MaxPooling2D"), e.getMessage());
        }
    }

    @Test
    void wrongLoaderCallsNameTheRightOne() {
        assertTrue(assertThrows(ModelFormatException.class, () -> KerasModels.load(TestData.fixture("keras_tutorial.weights.h5")))
                .getMessage().contains("KerasModels.loadWeights"));
        assertTrue(assertThrows(ModelFormatException.class,
                () -> KerasModels.loadWeights(OnnxExportTest.tutorial(), TestData.fixture("keras_tutorial.keras")))
                .getMessage().contains("KerasModels.load"));
    }

    @Test
    void mismatchedWeightsListEveryProblemAndLeaveTheModelUnchanged() throws Exception {
        Sequential model = KerasModels.load(TestData.fixture("keras_strided.keras"));
        float[] before = model.parameters().get(0).data().clone();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> KerasModels.loadWeights(model, TestData.fixture("keras_tutorial.weights.h5")));
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("[3, 3, 1, 8]"), e.getMessage());
        assertArrayEquals(before, model.parameters().get(0).data(), 0f);
    }

    @Test
    void damagedFilesAreFormatErrors() throws Exception {
        byte[] real = Files.readAllBytes(TestData.fixture("keras_tutorial.keras"));
        Path truncated = dir.resolve("t.keras");
        Files.write(truncated, java.util.Arrays.copyOf(real, real.length / 3));
        assertThrows(ModelFormatException.class, () -> KerasModels.load(truncated));
        byte[] h5 = Files.readAllBytes(TestData.fixture("keras_tutorial.h5"));
        Path cut = dir.resolve("t.h5");
        Files.write(cut, java.util.Arrays.copyOf(h5, 4096));
        assertThrows(ModelFormatException.class, () -> KerasModels.load(cut));
    }

    @Test
    void kerasUsersPathPruneAndTakeAwayAsOnnx() throws Exception {
        // .keras -> prune in Shears -> .onnx -> ONNX Runtime gives Shears' predictions.
        Sequential model = KerasModels.load(TestData.fixture("keras_tutorial.keras"));
        int steps = 2 * (int) Math.ceil(512 / 64.0);
        Sequential wrapped = Pruning.prune(model, PruningConfig.of(new PolynomialDecay(0.5, 0.8, 0, steps - 1, 3, 1)));
        new Trainer(wrapped, new Adam(), Loss.sparseCategoricalCrossentropy(false)).fit(TestData.sample().train().take(512),
                FitOptions.defaults().withEpochs(2).withBatchSize(64).withVerbose(false).withCallback(Pruning.callback()));
        Sequential pruned = Pruning.strip(wrapped);
        assertEquals(0.8, SparsityReport.of(pruned).prunableSparsity(), 0.01);
        Path onnx = dir.resolve("pruned.onnx");
        Onnx.export(pruned, onnx);
        float[] x = TestData.testImages();
        double diff = TestData.maxDiff(pruned.predict(x, TestData.IMAGES, 50), OrtRunner.run(onnx, x, TestData.IMAGES, 28, 28, 1));
        assertTrue(diff <= OnnxExportTest.TOLERANCE, "ONNX Runtime differs from Shears by " + diff);
    }
}
