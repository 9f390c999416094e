package dev.shears.bench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.datasets.FashionMnist;
import dev.shears.datasets.Idx;
import dev.shears.datasets.IdxArray;
import dev.shears.infer.CompactModelFile;
import dev.shears.infer.InferenceModel;
import dev.shears.interop.Npy;
import dev.shears.io.ModelFiles;
import dev.shears.io.Safetensors;
import dev.shears.nn.Activation;
import dev.shears.nn.Conv2D;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.GlobalAveragePooling2D;
import dev.shears.nn.MaxPooling2D;
import dev.shears.nn.Sequential;
import dev.shears.prune.SparsityReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShearsCliTest {
    /** The runtime and the engine agree to this; Float.toString in the CSV reads back exactly. */
    private static final float TOLERANCE = 1e-6f;
    private static final int N = 5;

    @TempDir
    Path dir;

    private Sequential model;
    private Path modelFile;

    @BeforeEach
    void saveTinyModel() throws Exception {
        model = tinyModel(28, 28);
        // Half of the first conv's kernel zeroed, so that info has a sparsity to show.
        float[] k = model.parameter("conv2d/kernel").data();
        Arrays.fill(k, 0, k.length / 2 + 1, 0f);
        modelFile = dir.resolve("model.safetensors");
        ModelFiles.save(model, modelFile);
    }

    /** Kernels of 45, 360 and 80 weights: 80% of each is a whole number of weights. */
    static Sequential tinyModel(int h, int w) {
        return Sequential.builder(h, w, 1).seed(7)
                .add(new Conv2D(5, 3, Activation.RELU)).add(new MaxPooling2D(2))
                .add(new Conv2D(8, 3, Activation.RELU)).add(new GlobalAveragePooling2D()).add(new Flatten())
                .add(new Dense(10, Activation.SOFTMAX))
                .build();
    }

    private static float[] randomImages(int n, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[n * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat();
        }
        return x;
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE, "value " + i);
        }
    }

    /** Exit 1 and exactly one stderr line, "error: ..." containing each of {@code expected}. */
    private static void assertOneErrorLine(CliRun r, String... expected) {
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.errLines(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), "expected '" + e + "' in: " + r.err());
        }
    }

    @Test
    void infoShowsFormatLayersSparsityAndKernels() {
        CliRun r = CliRun.of("info", modelFile.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().contains("Format: Shears safetensors"), r.out());
        assertTrue(r.out().contains(model.summary()), r.out());
        assertTrue(r.out().contains(InferenceModel.compile(model).describe()), r.out());
        String conv = r.out().lines().filter(l -> l.contains("conv2d/kernel")).findFirst().orElseThrow();
        assertTrue(conv.contains("51.11%"), conv); // 23 of 45 weights zeroed
        assertTrue(r.out().lines().noneMatch(l -> l.contains("/bias")), "biases are not prunable kernels");
    }

    @Test
    void infoOnACompactFileShowsTheStoredKernels() throws Exception {
        Path shrs = dir.resolve("model.shrs");
        InferenceModel compiled = InferenceModel.compile(model);
        CompactModelFile.write(compiled, shrs);
        CliRun r = CliRun.of("info", shrs.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("compact runtime file"), r.out());
        assertTrue(r.out().contains("as stored in the file"), r.out());
        assertTrue(r.out().contains(compiled.describe()), r.out());
        assertTrue(r.out().contains("dense (Dense)"), r.out());
    }

    @Test
    void convertSafetensorsToCompactAndBackKeepsPredictions() throws Exception {
        Path shrs = dir.resolve("m.shrs");
        Path back = dir.resolve("back.safetensors");
        CliRun toCompact = CliRun.of("convert", modelFile.toString(), shrs.toString());
        assertEquals(0, toCompact.code(), toCompact.err());
        assertTrue(toCompact.out().contains(shrs.toString()), toCompact.out());
        CliRun toSafetensors = CliRun.of("convert", shrs.toString(), back.toString());
        assertEquals(0, toSafetensors.code(), toSafetensors.err());

        float[] x = randomImages(N, 1);
        float[] expected = InferenceModel.compile(model).predict(x, N);
        assertArrayEquals(expected, CompactModelFile.read(shrs).predict(x, N));
        Sequential reloaded = ModelFiles.load(back);
        assertArrayEquals(expected, InferenceModel.compile(reloaded).predict(x, N));
        assertClose(model.predict(x, N, N), reloaded.predict(x, N, N));
    }

    @Test
    void predictReadsNpyAndWritesNpyAndCsv() throws Exception {
        float[] x = randomImages(N, 2);
        Path in = dir.resolve("x.npy");
        Npy.write(in, x, N, 28, 28, 1);
        float[] expected = InferenceModel.compile(model).predict(x, N);

        Path npy = dir.resolve("y.npy");
        CliRun r = CliRun.of("predict", modelFile.toString(), "--input", in.toString(), "--output", npy.toString(),
                "--batch-size", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        Npy.Array y = Npy.read(npy);
        assertArrayEquals(new int[] {N, 10}, y.shape());
        assertClose(expected, y.data());

        Path csv = dir.resolve("y.csv");
        assertEquals(0, CliRun.of("predict", modelFile.toString(), "--input", in.toString(), "--output", csv.toString()).code());
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertEquals(N, lines.size());
        float[] fromCsv = new float[N * 10];
        for (int i = 0; i < N; i++) {
            String[] cells = lines.get(i).split(",");
            assertEquals(10, cells.length, lines.get(i));
            for (int j = 0; j < 10; j++) {
                fromCsv[i * 10 + j] = Float.parseFloat(cells[j]);
            }
        }
        assertClose(expected, fromCsv);
    }

    @Test
    void predictReadsIdxImagesAndSafetensorsAndPrintsClasses() throws Exception {
        byte[] pixels = new byte[N * 28 * 28];
        new Random(3).nextBytes(pixels);
        Path idx = dir.resolve("images-idx3-ubyte");
        Idx.write(idx, IdxArray.ofUnsignedBytes(pixels, N, 28, 28));
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (pixels[i] & 0xFF) / 255f;
        }
        int[] classes = InferenceModel.compile(model).classify(x, N);
        String expected = Arrays.stream(classes).mapToObj(c -> c + "\n").reduce("", String::concat);

        CliRun fromIdx = CliRun.of("predict", modelFile.toString(), "--input", idx.toString(), "--classes");
        assertEquals(0, fromIdx.code(), fromIdx.err());
        assertEquals(expected, fromIdx.out().replace("\r\n", "\n"));

        Path st = dir.resolve("x.safetensors");
        Safetensors.write(st, Map.of("images", Safetensors.Entry.ofFloats(x, N, 28, 28, 1)), Map.of());
        CliRun fromSafetensors = CliRun.of("predict", modelFile.toString(), "--input", st.toString(), "--classes");
        assertEquals(0, fromSafetensors.code(), fromSafetensors.err());
        assertEquals(expected, fromSafetensors.out().replace("\r\n", "\n"));
    }

    @Test
    void modelsWithNonFiniteWeightsAreRefusedUnlessAllowed() throws Exception {
        model.parameter("dense/bias").data()[2] = Float.NaN;
        Path nan = dir.resolve("nan.safetensors");
        ModelFiles.save(model, nan);
        Path shrs = dir.resolve("nan.shrs");
        CompactModelFile.write(InferenceModel.compile(model), shrs);
        Path in = dir.resolve("x.npy");
        Npy.write(in, randomImages(2, 5), 2, 28, 28, 1);
        assertOneErrorLine(CliRun.of("predict", nan.toString(), "--input", in.toString(), "--classes"),
                nan.toString(), "dense/bias", "NaN");
        assertOneErrorLine(CliRun.of("predict", shrs.toString(), "--input", in.toString(), "--classes"),
                shrs.toString(), "layer dense bias", "NaN");
        assertOneErrorLine(CliRun.of("convert", nan.toString(), dir.resolve("out.shrs").toString()), nan.toString(), "NaN");
        CliRun after = CliRun.of("predict", nan.toString(), "--input", in.toString(), "--classes", "--allow-non-finite");
        assertEquals(0, after.code(), after.err());
        CliRun before = CliRun.of("--allow-non-finite", "predict", shrs.toString(), "--input", in.toString(), "--classes");
        assertEquals(0, before.code(), before.err());
    }

    @Test
    void predictRefusesAnInputOfTheWrongShape() throws Exception {
        Path in = dir.resolve("rgb.npy");
        Npy.write(in, new float[3 * 28 * 28 * 3], 3, 28, 28, 3);
        Path out = dir.resolve("y.npy");
        CliRun r = CliRun.of("predict", modelFile.toString(), "--input", in.toString(), "--output", out.toString());
        assertOneErrorLine(r, in.toString(), "[3, 28, 28, 3]", "[N, 28, 28, 1]");
        assertFalse(Files.exists(out));
    }

    @Test
    void pruneOnTheEmbeddedSampleReachesTheFinalSparsity() throws Exception {
        Path out = dir.resolve("pruned.shrs");
        CliRun r = CliRun.of("prune", modelFile.toString(), "--data", PruneCommand.FASHION_MNIST_SAMPLE,
                "--final-sparsity", "0.8", "--epochs", "1", "--threads", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        for (String s : new String[] {"Test accuracy before pruning", "Test accuracy after pruning", "final sparsity 80.00%",
                "Batch-1 latency", "automatic kernels", "bytes"}) {
            assertTrue(r.out().contains(s), "'" + s + "' missing from:\n" + r.out());
        }
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%,d bytes", Files.size(out))), r.out());
        Sequential pruned = CompactModelFile.read(out).toSequential();
        for (SparsityReport.Row row : SparsityReport.of(pruned).rows()) {
            if (row.prunable()) {
                assertEquals(0.8, row.sparsity(), 0.005, row.parameter());
            }
        }
    }

    @Test
    void pruneReadsIdxFilesFromADirectory() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        FashionMnist.Data sample = FashionMnist.sample();
        writeIdx(data, "train", sample.train().take(256));
        writeIdx(data, "t10k", sample.test().take(64));
        Path out = dir.resolve("pruned.safetensors");
        CliRun r = CliRun.of("prune", modelFile.toString(), "--data", data.toString(), "--final-sparsity", "0.6",
                "--epochs", "1", "--batch-size", "32", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("256 training / 64 test images"), r.out());
        assertEquals(0.6, SparsityReport.of(ModelFiles.load(out)).prunableSparsity(), 0.005);
    }

    static void writeIdx(Path dir, String prefix, dev.shears.data.Dataset d) throws Exception {
        float[] x = d.features();
        byte[] pixels = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            pixels[i] = (byte) Math.round(x[i] * 255f);
        }
        byte[] labels = new byte[d.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) d.label(i);
        }
        Idx.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), IdxArray.ofUnsignedBytes(pixels, d.size(), 28, 28));
        Idx.write(dir.resolve(prefix + "-labels-idx1-ubyte"), IdxArray.ofUnsignedBytes(labels, d.size()));
    }

    @Test
    void pruneRefusesACompactFileAndAModelOfTheWrongInputShape() throws Exception {
        Path shrs = dir.resolve("m.shrs");
        CompactModelFile.write(InferenceModel.compile(model), shrs);
        CliRun compact = CliRun.of("prune", shrs.toString(), "--data", PruneCommand.FASHION_MNIST_SAMPLE,
                "--final-sparsity", "0.8", "--out", dir.resolve("o.safetensors").toString());
        assertOneErrorLine(compact);
        assertEquals("error: " + shrs + " is a compact runtime file (inference only); prune needs a trainable model: "
                + ".safetensors, .onnx, .keras or .h5", compact.err().strip());

        Path small = dir.resolve("small.safetensors");
        ModelFiles.save(tinyModel(14, 14), small);
        CliRun shape = CliRun.of("prune", small.toString(), "--data", PruneCommand.FASHION_MNIST_SAMPLE,
                "--final-sparsity", "0.8", "--out", dir.resolve("o.safetensors").toString());
        assertOneErrorLine(shape, small.toString(), "[14, 14, 1]", "[28, 28, 1]");
        assertFalse(Files.exists(dir.resolve("o.safetensors")));
    }

    @Test
    void expectedFailuresPrintOneErrorLineAndExit1() throws Exception {
        Path missing = dir.resolve("missing.safetensors");
        CliRun noFile = CliRun.of("info", missing.toString());
        assertOneErrorLine(noFile);
        assertEquals("error: no such file: " + missing, noFile.err().strip());

        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, "this is not a model".getBytes(StandardCharsets.US_ASCII));
        assertOneErrorLine(CliRun.of("info", garbage.toString()), garbage.toString());
        assertOneErrorLine(CliRun.of("convert", garbage.toString(), dir.resolve("o.shrs").toString()), garbage.toString());

        Path txt = dir.resolve("model.txt");
        assertOneErrorLine(CliRun.of("convert", modelFile.toString(), txt.toString()), txt.toString(), ".safetensors, .shrs, .onnx");
        assertOneErrorLine(CliRun.of("convert", modelFile.toString(), dir.resolve("m.keras").toString()), "m.keras", "read only");
        assertFalse(Files.exists(txt));

        assertOneErrorLine(CliRun.of("predict", modelFile.toString(), "--input", modelFile.toString(), "--classes"),
                modelFile.toString(), "model file");
        assertOneErrorLine(CliRun.of("predict", modelFile.toString(), "--input", garbage.toString(), "--classes"),
                garbage.toString(), ".npy");
        assertOneErrorLine(CliRun.of("predict", modelFile.toString(), "--input", garbage.toString(), "--output",
                dir.resolve("y.json").toString()), "y.json", ".npy or .csv");
        assertOneErrorLine(CliRun.of("prune", modelFile.toString(), "--data", dir.resolve("nodata").toString(),
                "--final-sparsity", "0.8", "--out", dir.resolve("o.safetensors").toString()), "nodata");
        assertOneErrorLine(CliRun.of("prune", modelFile.toString(), "--data", PruneCommand.FASHION_MNIST_SAMPLE,
                "--final-sparsity", "1.5", "--out", dir.resolve("o.safetensors").toString()), "--final-sparsity", "1.5");
    }

    @Test
    void usageErrorsExit2WithTheUsage() {
        CliRun unknown = CliRun.of("info", modelFile.toString(), "--bogus");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown.err());
        assertTrue(unknown.err().contains("Usage: shears info"), unknown.err());
        assertEquals(2, CliRun.of("convert", modelFile.toString()).code());
        assertEquals(2, CliRun.of("predict", modelFile.toString(), "--classes").code());
        CliRun none = CliRun.of();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("Missing required subcommand"), none.err());
    }

    @Test
    void debugShowsTheStackTraceWhereverItIsGiven() {
        String missing = dir.resolve("missing.safetensors").toString();
        for (String[] args : new String[][] {{"--debug", "info", missing}, {"info", missing, "--debug"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("error: no such file: " + missing), r.err());
            assertTrue(r.err().contains("java.nio.file.NoSuchFileException"), r.err());
            assertTrue(r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void helpListsTheSubcommandsAndTheStudyKeepsItsOptions() {
        CliRun top = CliRun.of("--help");
        assertEquals(0, top.code());
        for (String sub : new String[] {"info", "convert", "predict", "prune", "study"}) {
            assertTrue(top.out().contains("  " + sub), top.out());
        }
        CliRun study = CliRun.of("study", "--help");
        assertEquals(0, study.code());
        assertTrue(study.out().contains("--prune-epochs"), study.out());
        CliRun prune = CliRun.of("prune", "--help");
        assertTrue(prune.out().contains("--final-sparsity") && prune.out().contains("--debug"), prune.out());
    }
}
