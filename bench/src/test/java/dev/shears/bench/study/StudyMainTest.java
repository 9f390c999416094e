package dev.shears.bench.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyMainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream savedErr;
    private PrintStream savedOut;

    @BeforeEach
    void capture() {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    @Test
    void badDataGivesOneErrorLineAndExitCode1() throws Exception {
        for (String f : dev.shears.datasets.FashionMnist.FILES) {
            Files.write(dir.resolve(f), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3});
        }
        assertEquals(1, StudyMain.run("--data", dir.toString(), "--out", dir.resolve("out").toString()));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().filter(l -> !l.startsWith("WARNING")).count(), text);
        assertTrue(text.startsWith("error: ") && text.contains("-ubyte.gz: gzip stream: corrupted"), text);
    }

    @Test
    void badOptionsAreRefusedWithExitCode2AndOneLine() {
        assertRefused("--epochs must be positive", "--epochs", "-1");
        assertRefused("--final-sparsity must be in [0, 1)", "--final-sparsity", "1.0");
        assertRefused("--data", "--data", dir.resolve("missing").toString());
        assertRefused("has no train-images-idx3-ubyte.gz", "--data", dir.toString());
        assertRefused("--prune-from must be 'baseline' or 'initial'", "--prune-from", "middle");
        assertRefused("Unknown option", "--bogus");
        assertRefused("--sweep must be in [0, 1)", "--sweep", "0.5,1.5");
        assertRefused("--model must be one of [tutorial, vgg-bn], got 'vgg'", "--model", "vgg");
        assertRefused("--prune-learning-rate must be in (0, 1)", "--prune-learning-rate", "0");
        assertFalse(Files.exists(dir.resolve("out")), "nothing written before the options are valid");
    }

    private void assertRefused(String expected, String... args) {
        err.reset();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--out";
        all[args.length + 1] = dir.resolve("out").toString();
        assertEquals(2, StudyMain.run(all));
        String msg = err.toString(StandardCharsets.UTF_8).trim();
        assertTrue(msg.contains(expected), msg);
        assertEquals(1, msg.lines().count(), msg);
    }

    @Test
    void eachModelHasItsDefaultsAndOptionsOverrideThem() {
        StudyConfig tutorial = parsed();
        assertEquals(StudyModel.TUTORIAL, tutorial.model());
        assertEquals(10, tutorial.epochs());
        assertEquals(0.8, tutorial.finalSparsity());
        assertEquals(0.001, tutorial.pruneLearningRate());
        StudyConfig vgg = parsed("--model", "vgg-bn");
        assertEquals(StudyModel.VGG_BN.defaults().epochs(), vgg.epochs());
        assertEquals(StudyModel.VGG_BN.defaults().pruneEpochs(), vgg.pruneEpochs());
        assertEquals(0.9, vgg.finalSparsity());
        assertEquals(StudyModel.VGG_BN.defaults().learningRate(), vgg.learningRate());
        StudyConfig custom = parsed("--model", "vgg-bn", "--epochs", "3", "--final-sparsity", "0.7", "--learning-rate", "0.01");
        assertEquals(3, custom.epochs());
        assertEquals(0.7, custom.finalSparsity());
        assertEquals(0.01, custom.learningRate());
        StudyConfig quick = parsed("--model", "vgg-bn", "--quick");
        assertEquals(2, quick.epochs());
        assertEquals(2, quick.pruneEpochs());
        assertEquals(2000, quick.trainLimit());
    }

    private static StudyConfig parsed(String... args) {
        StudyMain main = new StudyMain();
        new picocli.CommandLine(main).parseArgs(args);
        return main.validated();
    }

    @Test
    void vggBnRunPrunesItsConvolutionsAfterTheFirstTo90Percent() throws Exception {
        Path report = dir.resolve("vgg");
        // 500 images at batch 64 are 8 steps; a mask update at every step reaches 0.9 - 0.4 (1/8)^3 at step 7.
        int code = StudyMain.run("--model", "vgg-bn", "--train-limit", "500", "--test-limit", "200", "--epochs", "1",
                "--prune-epochs", "1", "--prune-frequency", "1", "--quick", "--out", report.toString());
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(report.resolve("results.json")));
        assertEquals("vgg-bn", json.get("model"));
        assertEquals("CosineDecay", ((Map<?, ?>) json.get("learning_rate")).get("class_name"));
        double sparsity = ((Number) ((Map<?, ?>) json.get("pruned")).get("sparsity")).doubleValue();
        // convs 2-4 (6,912 + 41,472 + 165,888 weights) at 90%; the first conv (144) and the classifier (1,920) dense
        assertEquals(0.9 * 214_272 / 216_336, sparsity, 0.005);
        String md = Files.readString(report.resolve("report.md"));
        assertTrue(md.contains("Model: vgg-bn") && md.contains("BatchNormalization") && md.contains("CosineDecay"), md);
    }

    @Test
    void helpExitsZero() {
        assertEquals(0, StudyMain.run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--prune-epochs"));
    }

    @Test
    void tinyRunWritesTheWholeReport() throws Exception {
        Path report = dir.resolve("study");
        int code = StudyMain.run("--train-limit", "256", "--test-limit", "128", "--epochs", "1", "--prune-epochs", "1",
                "--threads", "1", "--quick", "--sweep", "0,0.6", "--out", report.toString());
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        for (String f : new String[] {"report.md", "results.json", "training_log.csv", "pruning_log.csv", "loss.png",
                "accuracy.png", "sparsity.png", "weights.png", "baseline.safetensors", "pruned.safetensors"}) {
            assertTrue(Files.size(report.resolve(f)) > 0, f);
        }
        Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(report.resolve("results.json")));
        for (String k : new String[] {"threads", "epochs", "prune_epochs", "train_images", "test_images", "data_source"}) {
            assertTrue(json.containsKey(k), k);
        }
        assertEquals(256L, json.get("train_images"));
        assertEquals(Runtime.getRuntime().maxMemory() / (1024 * 1024), json.get("max_heap_mb"));
        // ONNX Runtime is on the test class path: the exported models ran in it (and agreed with Shears to 1e-4)
        Map<?, ?> baselineJson = (Map<?, ?>) json.get("baseline");
        assertTrue(((Number) baselineJson.get("batch1_latency_us_ort")).doubleValue() > 0, String.valueOf(baselineJson));
        assertTrue(((Number) baselineJson.get("batch64_images_per_s_ort")).doubleValue() > 0);
        assertTrue(Files.readString(report.resolve("report.md")).contains("batch-1 latency, ONNX Runtime 1.29"));
        assertTrue(Files.readString(report.resolve("report.md")).contains("max heap " + json.get("max_heap_mb") + " MB"));
        java.util.List<?> sweep = (java.util.List<?>) json.get("sweep");
        assertEquals(2, sweep.size());
        // only the step-0 update fits into 4 steps; the schedule ends there, so it applies the final 60%
        assertEquals(0.6, ((Number) ((Map<?, ?>) sweep.get(1)).get("sparsity")).doubleValue(), 0.01);
        assertEquals(0.6, ((Number) ((Map<?, ?>) sweep.get(1)).get("target_sparsity")).doubleValue(), 1e-9);
        assertTrue(Files.size(report.resolve("sweep_accuracy.png")) > 0);
        for (String model : new String[] {"baseline", "pruned"}) {
            Map<?, ?> m = (Map<?, ?>) json.get(model);
            for (String k : new String[] {"test_accuracy", "runtime_test_accuracy", "sparsity", "seconds_per_epoch",
                    "file_bytes", "gzip_bytes", "compact_bytes", "batch1_latency_us", "batch1_latency_us_dense",
                    "batch64_images_per_s"}) {
                assertTrue(m.get(k) instanceof Number, model + "." + k);
            }
        }
        // 256 images at batch 64 is 4 steps: only the update at step 0 fits, and the study's schedule ends there,
        // so it applies the final 80% and the schedule check has nothing to warn about.
        Map<?, ?> pruned = (Map<?, ?>) json.get("pruned");
        assertEquals(0.8, ((Number) pruned.get("sparsity")).doubleValue(), 0.005);
        String md = Files.readString(report.resolve("report.md"));
        assertFalse(md.contains("instead of 80.0%"), md);
        assertTrue(((Number) pruned.get("compact_bytes")).longValue() < ((Number) ((Map<?, ?>) json.get("baseline")).get("compact_bytes")).longValue());
        try (var s = Files.list(dir)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().contains("partial")).count(),
                    "no scratch directory left behind");
        }
    }
}
