package dev.shears.bench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.datasets.FashionMnist;
import dev.shears.io.ModelFiles;
import dev.shears.kernels.Parallel;
import dev.shears.train.Callback;
import dev.shears.train.TrainingContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code shears prune --resume}: a run stopped mid-epoch and resumed writes the uninterrupted run's model. */
class PruneResumeTest {
    @TempDir
    Path dir;

    private Path modelFile;
    private Path data;

    @BeforeEach
    void modelAndData() throws Exception {
        modelFile = dir.resolve("model.safetensors");
        ModelFiles.save(ShearsCliTest.tinyModel(28, 28), modelFile);
        data = Files.createDirectory(dir.resolve("data"));
        FashionMnist.Data sample = FashionMnist.sample();
        ShearsCliTest.writeIdx(data, "train", sample.train().take(128));
        ShearsCliTest.writeIdx(data, "t10k", sample.test().take(64));
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setCommonThreads(Runtime.getRuntime().availableProcessors());
    }

    /** Runs prune to {@code out} (2 epochs of 4 steps, 1 thread), with {@code extra} as a training callback. */
    private CliRun prune(Path out, Callback extra, String... more) {
        List<String> args = new ArrayList<>(List.of("prune", modelFile.toString(), "--data", data.toString(),
                "--final-sparsity", "0.7", "--epochs", "2", "--batch-size", "32", "--prune-frequency", "2",
                "--threads", "1", "--out", out.toString()));
        args.addAll(List.of(more));
        CommandLine cl = ShearsCli.commandLine();
        ((PruneCommand) cl.getSubcommands().get("prune").getCommand()).extraCallback = extra;
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int code = cl.execute(args.toArray(String[]::new));
        return new CliRun(code, o.toString(), e.toString());
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(none)");
    }

    @Test
    void aStoppedRunResumesToTheUninterruptedResult() throws Exception {
        Path reference = dir.resolve("reference.safetensors");
        CliRun full = prune(reference, null);
        assertEquals(0, full.code(), full.err());
        assertFalse(Files.exists(ResumeDir.beside(reference)), "the state is deleted once OUT is written");

        Path out = dir.resolve("pruned.safetensors");
        Callback crash = new Callback() {
            @Override
            public void onBatchBegin(TrainingContext ctx, long step) {
                if (step == 6) { // the third batch of epoch 1
                    throw new IllegalStateException("simulated kill");
                }
            }
        };
        CliRun stopped = prune(out, crash);
        assertEquals(1, stopped.code());
        assertFalse(Files.exists(out));
        assertTrue(Files.isDirectory(ResumeDir.beside(out)));

        CliRun changed = prune(out, null, "--resume", "--seed", "1");
        assertEquals(1, changed.code());
        assertEquals(1, changed.errLines(), changed.err());
        assertTrue(changed.err().startsWith("error: --resume: the interrupted run") && changed.err().contains("seed 42, this one 1"),
                changed.err());

        CliRun resumed = prune(out, null, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals("", resumed.err());
        assertTrue(resumed.out().contains("Resuming from the backup in"), resumed.out());
        assertFalse(resumed.out().contains("Epoch 1/2"), "epoch 0 is not run again:\n" + resumed.out());
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(out), "the same model, bit for bit");
        assertEquals(line(full.out(), "Test accuracy after pruning"), line(resumed.out(), "Test accuracy after pruning"));
        assertFalse(Files.exists(ResumeDir.beside(out)));
    }

    @Test
    void resumeWithoutAnInterruptedRunStartsAfresh() {
        Path out = dir.resolve("p.safetensors");
        CliRun r = prune(out, null, "--resume");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.errLines(), r.err());
        assertTrue(r.err().startsWith("NOTE: no interrupted run to resume in "), r.err());
        assertTrue(Files.exists(out));
    }
}
