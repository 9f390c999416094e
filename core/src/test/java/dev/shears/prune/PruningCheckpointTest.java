package dev.shears.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.io.Json;
import dev.shears.io.ModelFiles;
import dev.shears.io.ModelFormatException;
import dev.shears.io.Safetensors;
import dev.shears.kernels.Parallel;
import dev.shears.nn.Loss;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.optim.Sgd;
import dev.shears.io.Json;
import dev.shears.train.BackupAndRestore;
import dev.shears.train.Callback;
import dev.shears.train.FitOptions;
import dev.shears.train.History;
import dev.shears.train.SyntheticData;
import dev.shears.train.Trainer;
import dev.shears.train.TrainingContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruningCheckpointTest {
    @TempDir
    Path dir;

    @BeforeEach
    void singleThread() {
        Parallel.setCommonThreads(1);
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setCommonThreads(Runtime.getRuntime().availableProcessors());
    }

    private static PruningConfig config() {
        return PruningConfig.of(new PolynomialDecay(0.3, 0.8, 2, 30, 3, 3));
    }

    private static FitOptions options(int initialEpoch, Callback... callbacks) {
        return FitOptions.defaults().withEpochs(4).withBatchSize(10).withShuffleSeed(7).withInitialEpoch(initialEpoch).withVerbose(false)
                .withCallbacks(List.of(callbacks));
    }

    @Test
    void resumeEqualsUninterruptedRun() throws Exception {
        Dataset data = SyntheticData.bars(80, 4, 11); // 8 steps per epoch, 32 in all
        Loss loss = Loss.sparseCategoricalCrossentropy(false);

        Sequential straight = Pruning.prune(PruningTest.tinyModel(21), config());
        Adam adamA = new Adam(0.01);
        History full = new Trainer(straight, adamA, loss).fit(data, options(0, Pruning.callback(null, null)));

        Sequential first = Pruning.prune(PruningTest.tinyModel(21), config());
        Adam adamB = new Adam(0.01);
        Path csv = dir.resolve("log.csv");
        new Trainer(first, adamB, loss).fit(data, FitOptions.defaults().withEpochs(2).withBatchSize(10).withShuffleSeed(7)
                .withVerbose(false).withCallback(Pruning.callback(null, csv)));
        Path file = dir.resolve("mid.safetensors");
        PruningCheckpoint.save(first, adamB, file);

        PruningCheckpoint.Restored r = PruningCheckpoint.load(file);
        Adam adamC = new Adam(0.01);
        r.restoreOptimizer(adamC);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        History second = new Trainer(r.model(), adamC, loss).fit(data,
                options(2, Pruning.callback(new PrintStream(err, true, StandardCharsets.UTF_8), csv)));

        assertEquals("", err.toString(StandardCharsets.UTF_8));
        for (Parameter p : straight.parameters()) {
            assertArrayEquals(p.data(), r.model().parameter(p.name()).data(), p.name());
        }
        List<PruneLowMagnitude> a = Pruning.wrappers(straight);
        List<PruneLowMagnitude> b = Pruning.wrappers(r.model());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).pruningStep(), b.get(i).pruningStep());
            for (int j = 0; j < a.get(i).prunedParameters().size(); j++) {
                assertArrayEquals(a.get(i).mask(j), b.get(i).mask(j));
            }
        }
        assertEquals(full.get("loss").subList(2, 4), second.get("loss"));
        assertEquals(adamA.iterations(), adamC.iterations());
        // the CSV holds the whole run: rows of updates 2, 5, ..., 29 (10 updates x 2 kernels) + header
        assertEquals(21, Files.readAllLines(csv).size());
        assertEquals(full.records("pruning").size(), 20);
    }

    @Test
    void resumingWithoutPruningStateWarns() throws Exception {
        Dataset data = SyntheticData.bars(80, 4, 11);
        Sequential m = Pruning.prune(PruningTest.tinyModel(21), config());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new Trainer(m, new Adam(), Loss.sparseCategoricalCrossentropy(false))
                .fit(data, options(2, Pruning.callback(new PrintStream(err, true, StandardCharsets.UTF_8), null)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("resuming at step 16 but the model's pruning state is at step -1"));
    }

    @Test
    void badFilesAndOptimizersAreRejected() throws Exception {
        Sequential plain = PruningTest.tinyModel(2);
        Path file = dir.resolve("plain.safetensors");
        ModelFiles.save(plain, file);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> PruningCheckpoint.load(file));
        assertTrue(e.getMessage().contains("pruning"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PruningCheckpoint.save(plain, null, dir.resolve("x")));

        Sequential pruned = Pruning.prune(PruningTest.tinyModel(2), config(), "dense");
        Path f2 = dir.resolve("p.safetensors");
        PruningCheckpoint.save(pruned, new Adam(), f2);
        PruningCheckpoint.Restored r = PruningCheckpoint.load(f2);
        assertEquals(1, Pruning.wrappers(r.model()).size());
        assertThrows(IllegalArgumentException.class, () -> r.restoreOptimizer(new Sgd(0.1, 0.9)));

        Safetensors.Contents c = Safetensors.read(f2);
        Map<String, Safetensors.Entry> tensors = new LinkedHashMap<>(c.tensors());
        tensors.put("pruning/dense/kernel/mask", Safetensors.Entry.ofFloats(new float[36 * 4], 36, 4));
        Path f3 = dir.resolve("bad.safetensors");
        Safetensors.write(f3, tensors, c.metadata());
        ModelFormatException bad = assertThrows(ModelFormatException.class, () -> PruningCheckpoint.load(f3));
        assertTrue(bad.getMessage().contains("pruning/dense/kernel/mask") && bad.getMessage().contains("U8"), bad.getMessage());

        // the optimizer's settable learning rate is its one slot without a parameter: one F32 value
        assertTrue(c.tensors().containsKey("optimizer/learning_rate"));
        Map<String, Safetensors.Entry> rate = new LinkedHashMap<>(c.tensors());
        rate.put("optimizer/learning_rate", Safetensors.Entry.ofFloats(new float[2], 2));
        Path f4 = dir.resolve("rate.safetensors");
        Safetensors.write(f4, rate, c.metadata());
        bad = assertThrows(ModelFormatException.class, () -> PruningCheckpoint.load(f4));
        assertTrue(bad.getMessage().contains("optimizer/learning_rate") && bad.getMessage().contains("1 values"), bad.getMessage());
    }

    /** A checkpoint of the tiny model with conv2d and dense pruned and Adam slots for every parameter. */
    private Safetensors.Contents checkpoint() throws Exception {
        Sequential pruned = Pruning.prune(PruningTest.tinyModel(3), config(), "conv2d", "dense");
        Adam adam = new Adam();
        Map<String, float[]> slots = new LinkedHashMap<>();
        for (Parameter p : pruned.parameters()) {
            slots.put(p.name() + "/m", new float[p.size()]);
            slots.put(p.name() + "/v", new float[p.size()]);
        }
        adam.restore(4, slots);
        Path f = dir.resolve("good.safetensors");
        PruningCheckpoint.save(pruned, adam, f);
        return Safetensors.read(f);
    }

    /** Writes the edited contents and checks that loading fails naming the file and each of {@code words}. */
    private void rejected(Map<String, Safetensors.Entry> tensors, Map<String, String> meta, String... words) throws Exception {
        Path f = dir.resolve("edited.safetensors");
        Safetensors.write(f, tensors, meta);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> PruningCheckpoint.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
    }

    private static Map<String, Safetensors.Entry> renamed(Map<String, Safetensors.Entry> t, String from, String to) {
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        t.forEach((k, v) -> out.put(k.equals(from) ? to : k, v));
        return out;
    }

    @Test
    void intactCheckpointLoadsWithItsSlots() throws Exception {
        Safetensors.Contents c = checkpoint();
        Path f = dir.resolve("again.safetensors");
        Safetensors.write(f, c.tensors(), c.metadata());
        PruningCheckpoint.Restored r = PruningCheckpoint.load(f);
        assertEquals(2, Pruning.wrappers(r.model()).size());
        assertEquals(8, r.optimizerSlots().size());
        assertEquals(4, r.optimizerIterations());
    }

    @Test
    void renamedMaskIsRejectedByName() throws Exception {
        Safetensors.Contents c = checkpoint();
        String mask = "pruning/dense/kernel/mask";
        String renamed = "pruning/dense/kernal/mask";
        // the tensor alone: it belongs to nothing, and dense/kernel's mask is gone
        rejected(renamed(c.tensors(), mask, renamed), c.metadata(), renamed, "belongs to no pruned parameter");
        // tensor and metadata together: dense would silently train unpruned; the parameter name is checked
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("pruning", meta.get("pruning").replace("\"dense/kernel\"", "\"dense/kernal\""));
        rejected(renamed(c.tensors(), mask, renamed), meta, "__metadata__.pruning.layers", "dense/kernal is not a parameter of layer dense");
        // the layer's entry dropped while its mask stays
        Map<String, String> dropped = new LinkedHashMap<>(c.metadata());
        @SuppressWarnings("unchecked")
        Map<String, Object> pruning = (Map<String, Object>) Json.parse(dropped.get("pruning"));
        ((List<?>) pruning.get("layers")).removeIf(l -> ((Map<?, ?>) l).get("index").equals(4L));
        dropped.put("pruning", Json.write(pruning));
        rejected(c.tensors(), dropped, "pruning/", "belongs to no pruned parameter", "pruned parameters are [conv2d/kernel]");
    }

    @Test
    void wrappedLayerEntriesAreChecked() throws Exception {
        Safetensors.Contents c = checkpoint();
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("pruning", c.metadata().get("pruning").replace("\"index\":4", "\"index\":9"));
        rejected(c.tensors(), meta, "__metadata__.pruning.layers", "index");
        meta.put("pruning", c.metadata().get("pruning").replace("\"index\":4", "\"index\":0"));
        rejected(c.tensors(), meta, "__metadata__.pruning.layers");
        meta.put("pruning", c.metadata().get("pruning").replace("prune_low_magnitude_dense", "prune_low_magnitude_densf"));
        rejected(c.tensors(), meta, "__metadata__.pruning.layers", "prune_low_magnitude_densf");
    }

    @Test
    void trainingStepMustBeANonNegativeInteger() throws Exception {
        Safetensors.Contents c = checkpoint();
        for (String bad : new String[] {"-3", "1.5", "", "x", "99999999999999999999"}) {
            Map<String, String> meta = new LinkedHashMap<>(c.metadata());
            meta.put("training_step", bad);
            rejected(c.tensors(), meta, "__metadata__.training_step");
        }
        Map<String, String> missing = new LinkedHashMap<>(c.metadata());
        missing.remove("training_step");
        rejected(c.tensors(), missing, "__metadata__.training_step", "missing");
    }

    @Test
    void optimizerSlotsAreCheckedAgainstTheParameters() throws Exception {
        Safetensors.Contents c = checkpoint();
        String slot = "optimizer/dense/kernel/m";
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>(c.tensors());
        t.put(slot, Safetensors.Entry.ofLongs(new long[36 * 4], 36 * 4));
        rejected(t, c.metadata(), slot, "F32 vector of 144 values");
        t.put(slot, Safetensors.Entry.ofFloats(new float[10], 10));
        rejected(t, c.metadata(), slot, "144");
        rejected(renamed(c.tensors(), slot, "optimizer/dense/kernal/m"), c.metadata(), "optimizer/dense/kernal/m", "parameter of the model");
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("optimizer", c.metadata().get("optimizer").replace("\"iterations\":4", "\"iterations\":-4"));
        rejected(c.tensors(), meta, "__metadata__.optimizer", "iterations");
        meta.remove("optimizer");
        rejected(c.tensors(), meta, "optimizer state without __metadata__.optimizer");
    }

    @Test
    void maskValuesMustBeZeroOrOne() throws Exception {
        Safetensors.Contents c = checkpoint();
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>(c.tensors());
        byte[] mask = t.get("pruning/conv2d/kernel/mask").raw().clone();
        mask[7] = 2;
        t.put("pruning/conv2d/kernel/mask", Safetensors.Entry.ofBytes(mask, t.get("pruning/conv2d/kernel/mask").shape()));
        rejected(t, c.metadata(), "pruning/conv2d/kernel/mask", "value 7 is 2");
    }

    @Test
    void backupAndRestoreResumesPruningWithMasksStepAndLog() throws Exception {
        Dataset data = SyntheticData.bars(80, 4, 11); // 8 steps per epoch, 32 in all
        Loss loss = Loss.sparseCategoricalCrossentropy(false);
        Path fullLog = dir.resolve("full.csv");
        Sequential straight = Pruning.prune(PruningTest.tinyModel(21), config());
        History full = new Trainer(straight, new Adam(0.01), loss).fit(data,
                options(0, Pruning.callback(null, fullLog), new BackupAndRestore(dir.resolve("full"))));

        Path backup = dir.resolve("backup");
        Path log = dir.resolve("log.csv");
        Callback crash = new Callback() {
            @Override
            public void onBatchBegin(TrainingContext ctx, long step) {
                if (step == 21) { // mid-epoch 2, after a mask update at step 20
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        assertThrows(IllegalStateException.class, () -> new Trainer(Pruning.prune(PruningTest.tinyModel(21), config()),
                new Adam(0.01), loss).fit(data, options(0, Pruning.callback(null, log), new BackupAndRestore(backup), crash)));

        Sequential resumed = Pruning.prune(PruningTest.tinyModel(21), config());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        BackupAndRestore b = new BackupAndRestore(backup);
        History second = new Trainer(resumed, new Adam(0.01), loss).fit(data,
                options(0, b, Pruning.callback(new PrintStream(err, true, StandardCharsets.UTF_8), log)));

        assertEquals(2, b.resumedAt());
        assertEquals("", err.toString(StandardCharsets.UTF_8), "the callback sees the restored pruning step");
        for (Parameter p : straight.parameters()) {
            assertArrayEquals(p.data(), resumed.parameter(p.name()).data(), p.name());
        }
        List<PruneLowMagnitude> a = Pruning.wrappers(straight);
        List<PruneLowMagnitude> r = Pruning.wrappers(resumed);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).pruningStep(), r.get(i).pruningStep());
            for (int j = 0; j < a.get(i).prunedParameters().size(); j++) {
                assertArrayEquals(a.get(i).mask(j), r.get(i).mask(j));
                assertEquals(a.get(i).threshold(j), r.get(i).threshold(j));
            }
        }
        assertEquals(full.get("loss"), second.get("loss"));
        assertEquals(Json.write(full.records("pruning")), Json.write(second.records("pruning")));
        assertEquals(1, second.records("pruning_plan").size());
        assertEquals(Files.readAllLines(fullLog), Files.readAllLines(log));
    }

    @Test
    void inPlaceRestoreRefusesAnotherPruningSetupAndChangesNothing() throws Exception {
        Sequential saved = Pruning.prune(PruningTest.tinyModel(2), config());
        Path file = dir.resolve("s.safetensors");
        PruningCheckpoint.save(saved, new Adam(), file);
        Sequential other = Pruning.prune(PruningTest.tinyModel(2), PruningConfig.of(new ConstantSparsity(0.5, 0)));
        float[] before = other.parameters().get(0).data().clone();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> PruningCheckpoint.restore(other, new Adam(), file));
        assertTrue(e.getMessage().contains("__metadata__.pruning") && e.getMessage().contains("PolynomialDecay"), e.getMessage());
        assertArrayEquals(before, other.parameters().get(0).data());

        // the same architecture and seed (it seeds dropout, so it is part of the state); other weights
        Sequential same = Pruning.prune(PruningTest.tinyModel(2), config());
        same.parameters().get(0).data()[0] += 1;
        Adam adam = new Adam();
        PruningCheckpoint.restore(same, adam, file);
        for (Parameter p : saved.parameters()) {
            assertArrayEquals(p.data(), same.parameter(p.name()).data(), p.name());
        }
        assertEquals(PruningCheckpoint.FORMAT, dev.shears.train.CheckpointFormat.of(same));
    }
}
