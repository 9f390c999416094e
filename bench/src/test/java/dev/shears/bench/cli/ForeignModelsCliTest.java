package dev.shears.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.datasets.FashionMnist;
import dev.shears.interop.Models;
import dev.shears.interop.Npy;
import dev.shears.prune.SparsityReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line on files made by Keras 3.15 and PyTorch 2.13 (the interop module's committed
 * fixtures): the Keras user's and the PyTorch user's paths, and the refusals.
 */
class ForeignModelsCliTest {
    private static final Path FIXTURES = Path.of("../interop/src/test/resources/dev/shears/interop/fixtures");
    private static final double TOLERANCE = 1e-5;
    private static Path images;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeImages() throws Exception {
        Dataset test = FashionMnist.sample().test();
        images = dir.resolve("images.npy");
        Npy.write(images, Arrays.copyOf(test.features(), 100 * 784), 100, 28, 28, 1);
    }

    private static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void predictGivesTheFrameworksOwnOutputs() throws Exception {
        String[][] cases = {{"keras_tutorial.keras", "keras_tutorial"}, {"keras_strided.h5", "keras_strided"},
            {"torch_tutorial.onnx", "torch_tutorial"}, {"torch_strided.onnx", "torch_strided"}};
        for (String[] c : cases) {
            Path out = dir.resolve(c[1] + ".npy");
            CliRun run = CliRun.of("predict", FIXTURES.resolve(c[0]).toString(), "--input", images.toString(), "--output", out.toString());
            assertEquals(0, run.code(), run.err());
            double diff = maxDiff(Npy.read(FIXTURES.resolve(c[1] + "_expected.npy")).data(), Npy.read(out).data());
            assertTrue(diff <= TOLERANCE, c[0] + " differs by " + diff);
        }
    }

    @Test
    void kerasModelPrunedAndTakenAwayAsOnnx() throws Exception {
        Path out = dir.resolve("pruned.onnx");
        CliRun run = CliRun.of("prune", FIXTURES.resolve("keras_tutorial.keras").toString(), "--data", "fashion-mnist-sample",
                "--final-sparsity", "0.8", "--epochs", "1", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("Test accuracy after pruning"), run.out());
        assertEquals(0.8, SparsityReport.of(Models.load(out)).prunableSparsity(), 0.005);
    }

    @Test
    void pytorchModelConvertsToEveryOutputFormat() throws Exception {
        for (String ext : new String[] {".safetensors", ".shrs", ".onnx"}) {
            Path out = dir.resolve("torch" + ext);
            CliRun run = CliRun.of("convert", FIXTURES.resolve("torch_mlp.onnx").toString(), out.toString());
            assertEquals(0, run.code(), run.err());
            Path y = dir.resolve("y" + ext + ".npy");
            assertEquals(0, CliRun.of("predict", out.toString(), "--input", images.toString(), "--output", y.toString()).code());
            assertTrue(maxDiff(Npy.read(FIXTURES.resolve("torch_mlp_expected.npy")).data(), Npy.read(y).data()) <= TOLERANCE, ext);
        }
    }

    @Test
    void onnxOptionsOfConvert() throws Exception {
        Path pruned = dir.resolve("pruned-for-convert.onnx");
        assertEquals(0, CliRun.of("prune", FIXTURES.resolve("keras_tutorial.keras").toString(), "--data", "fashion-mnist-sample",
                "--final-sparsity", "0.9", "--epochs", "1", "--out", pruned.toString()).code());
        Path sparse = dir.resolve("sparse.onnx");
        CliRun run = CliRun.of("convert", pruned.toString(), sparse.toString(), "--sparse-initializers");
        assertEquals(0, run.code(), run.err());
        assertTrue(Files.size(sparse) < 0.5 * Files.size(pruned), Files.size(sparse) + " vs " + Files.size(pruned));
        Path nchw = dir.resolve("nchw.onnx");
        assertEquals(0, CliRun.of("convert", pruned.toString(), nchw.toString(), "--nchw").code());
        float[] a = Models.loadRuntime(sparse).predict(Npy.read(images).data(), 100);
        float[] b = Models.loadRuntime(nchw).predict(Npy.read(images).data(), 100);
        assertTrue(maxDiff(a, b) == 0, "the same weights give the same outputs");
        CliRun bad = CliRun.of("convert", pruned.toString(), dir.resolve("x.safetensors").toString(), "--nchw");
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("error: ") && bad.err().contains("--nchw"), bad.err());
    }

    @Test
    void unsupportedLayersAndKerasOutputGiveOneErrorLine() {
        for (String f : new String[] {"torch_unsupported.onnx", "keras_unsupported.keras"}) {
            CliRun run = CliRun.of("info", FIXTURES.resolve(f).toString());
            assertEquals(1, run.code());
            assertEquals(1, run.errLines(), run.err());
            assertTrue(run.err().startsWith("error: ") && run.err().contains("not supported"), run.err());
        }
        CliRun run = CliRun.of("convert", FIXTURES.resolve("torch_mlp.onnx").toString(), dir.resolve("m.keras").toString());
        assertEquals(1, run.code());
        assertTrue(run.err().startsWith("error: ") && run.err().contains(".onnx"), run.err());
        assertTrue(Files.notExists(dir.resolve("m.keras")));
    }
}
