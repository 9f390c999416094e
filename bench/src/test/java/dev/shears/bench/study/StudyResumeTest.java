package dev.shears.bench.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.bench.cli.ResumeDir;
import dev.shears.io.Json;
import dev.shears.kernels.Parallel;
import dev.shears.prune.Pruning;
import dev.shears.train.Callback;
import dev.shears.train.TrainingContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code study --resume}: a run stopped in its baseline phase, resumed and stopped again in its pruning phase,
 * then resumed to the end, writes the report of an uninterrupted run (same threads): the same models bit for
 * bit, the same accuracies, the same logs but for the timings.
 */
class StudyResumeTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

    @AfterEach
    void restoreThreads() {
        Parallel.setCommonThreads(Runtime.getRuntime().availableProcessors());
    }

    /** 256 images at batch 64: 4 steps per epoch, 2 + 2 epochs, mask updates every 3 steps. */
    private StudyConfig config(Path report, String... more) {
        List<String> args = new ArrayList<>(List.of("--train-limit", "256", "--test-limit", "128", "--epochs", "2",
                "--prune-epochs", "2", "--prune-frequency", "3", "--threads", "1", "--quick", "--out", report.toString()));
        args.addAll(List.of(more));
        StudyMain main = new StudyMain();
        new CommandLine(main).parseArgs(args.toArray(String[]::new));
        return main.validated();
    }

    /** Throws before global step {@code step} of the baseline phase (pruned: false) or the pruning phase. */
    private static Callback crashAt(boolean pruned, long step) {
        return new Callback() {
            @Override
            public void onBatchBegin(TrainingContext ctx, long s) {
                if (s == step && Pruning.wrappers(ctx.model()).isEmpty() != pruned) {
                    throw new IllegalStateException("simulated kill");
                }
            }
        };
    }

    @Test
    void resumedRunsWriteTheReportOfAnUninterruptedRun() throws Exception {
        Path reference = dir.resolve("reference");
        new Study(config(reference), out).run();

        Path report = dir.resolve("study");
        assertThrows(IllegalStateException.class, () -> new Study(config(report), out, crashAt(false, 6)).run());
        assertFalse(Files.exists(report), "no half-written report");
        assertTrue(Files.isDirectory(ResumeDir.beside(report)));

        IllegalArgumentException changed = assertThrows(IllegalArgumentException.class,
                () -> new Study(config(report, "--resume", "--seed", "7"), out).run());
        assertTrue(changed.getMessage().contains("used seed 42, this one 7"), changed.getMessage());

        log.reset();
        assertThrows(IllegalStateException.class,
                () -> new Study(config(report, "--resume"), out, crashAt(true, 5)).run());
        String second = log.toString(StandardCharsets.UTF_8);
        assertTrue(second.contains("Resuming the interrupted run"), second);
        // the baseline runs only its second epoch, the pruning phase its first and part of its second
        assertEquals(1, second.lines().filter(l -> l.equals("Epoch 1/2")).count(), second);
        assertEquals(2, second.lines().filter(l -> l.equals("Epoch 2/2")).count(), second);

        log.reset();
        new Study(config(report, "--resume"), out).run();
        String third = log.toString(StandardCharsets.UTF_8);
        assertTrue(third.contains("Restoring the baseline phase") && third.contains("Restoring the pruning phase"), third);

        for (String f : new String[] {"baseline.safetensors", "pruned.safetensors", "initial.safetensors", "pruning_log.csv"}) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(report.resolve(f)), f);
        }
        Map<?, ?> a = (Map<?, ?>) Json.parse(Files.readString(reference.resolve("results.json")));
        Map<?, ?> b = (Map<?, ?>) Json.parse(Files.readString(report.resolve("results.json")));
        for (String model : new String[] {"baseline", "pruned"}) {
            for (String k : new String[] {"test_accuracy", "test_loss", "runtime_test_accuracy", "sparsity"}) {
                assertEquals(((Map<?, ?>) a.get(model)).get(k), ((Map<?, ?>) b.get(model)).get(k), model + "." + k);
            }
        }
        assertEquals(a.get("pruning_plan"), b.get("pruning_plan"));
        assertEquals(withoutSeconds(reference), withoutSeconds(report));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("reference", "study"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no scratch or resume directory is left");
        }
    }

    /** training_log.csv without its seconds column. */
    private static List<String> withoutSeconds(Path report) throws Exception {
        return Files.readAllLines(report.resolve("training_log.csv")).stream()
                .map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }
}
