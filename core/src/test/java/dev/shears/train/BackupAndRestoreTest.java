package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.io.ModelFormatException;
import dev.shears.kernels.Parallel;
import dev.shears.nn.Activation;
import dev.shears.nn.Dense;
import dev.shears.nn.Flatten;
import dev.shears.nn.Loss;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import dev.shears.optim.Sgd;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupAndRestoreTest {
    private static final Dataset TRAIN = SyntheticData.bars(80, 4, 11); // 8 steps of 10 per epoch
    private static final Dataset TEST = SyntheticData.bars(40, 4, 12);

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

    /** Stands in for a kill: throws before the given global step's batch. */
    private static final class Crash implements Callback {
        private final long atStep;

        Crash(long atStep) {
            this.atStep = atStep;
        }

        @Override
        public void onBatchBegin(TrainingContext ctx, long step) {
            if (step == atStep) {
                throw new IllegalStateException("simulated crash");
            }
        }
    }

    private static FitOptions options(int epochs, int batchSize, Callback... callbacks) {
        // the scheduler makes the learning rate a slot the backup must carry; the shuffle seed is not 0
        return FitOptions.defaults().withEpochs(epochs).withBatchSize(batchSize).withValidation(TEST).withShuffleSeed(3).withVerbose(false)
                .withCallbacks(List.of(callbacks)).withCallback(new LearningRateScheduler(e -> 0.01 / (1 + e)));
    }

    private static Trainer trainer() {
        return new Trainer(TrainerTest.smallCnn(8), new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
    }

    @Test
    void resumedRunEqualsUninterruptedRunBitForBit() {
        Trainer straight = trainer();
        Path fullDir = dir.resolve("full");
        History full = straight.fit(TRAIN, options(4, 10, new BackupAndRestore(fullDir)));
        assertFalse(Files.exists(fullDir), "a successful fit deletes its backup");

        Path backup = dir.resolve("backup");
        assertThrows(IllegalStateException.class,
                () -> trainer().fit(TRAIN, options(4, 10, new BackupAndRestore(backup), new Crash(8 * 2 + 5))));
        assertTrue(Files.exists(backup.resolve(BackupAndRestore.FILE_NAME)), "a failed fit keeps its backup");

        Trainer resumed = trainer();
        BackupAndRestore b = new BackupAndRestore(backup);
        History second = resumed.fit(TRAIN, options(4, 10, b));
        assertEquals(2, b.resumedAt(), "epochs 0 and 1 were backed up before the crash in epoch 2");
        for (Parameter p : straight.model().parameters()) {
            assertArrayEquals(p.data(), resumed.model().parameter(p.name()).data(), p.name());
        }
        assertEquals(straight.model().trainingStep(), resumed.model().trainingStep());
        assertEquals(straight.optimizer().iterations(), resumed.optimizer().iterations());
        for (Map.Entry<String, float[]> e : straight.optimizer().slots().entrySet()) {
            assertArrayEquals(e.getValue(), resumed.optimizer().slots().get(e.getKey()), e.getKey());
        }
        for (String k : List.of("loss", "accuracy", "val_loss", "val_accuracy")) {
            assertEquals(full.get(k), second.get(k), k);
        }
        assertEquals(4, second.get("seconds").size());
        assertFalse(Files.exists(backup));
    }

    @Test
    void keptBackupOfAFinishedFitRestoresWithoutTraining() {
        Path backup = dir.resolve("kept");
        Trainer first = trainer();
        History h1 = first.fit(TRAIN, options(2, 10, new BackupAndRestore(backup, false)));
        assertTrue(Files.exists(backup.resolve(BackupAndRestore.FILE_NAME)));

        Trainer again = trainer();
        int[] epochsRun = {0};
        Callback counter = new Callback() {
            @Override
            public void onEpochBegin(TrainingContext ctx, int epoch) {
                epochsRun[0]++;
            }
        };
        BackupAndRestore b = new BackupAndRestore(backup, false);
        History h2 = again.fit(TRAIN, options(2, 10, b, counter));
        assertEquals(0, epochsRun[0]);
        assertEquals(2, b.resumedAt());
        assertEquals(h1.metrics(), h2.metrics());
        for (Parameter p : first.model().parameters()) {
            assertArrayEquals(p.data(), again.model().parameter(p.name()).data(), p.name());
        }
    }

    @Test
    void aBackupOfAnotherPlanOrModelIsRefusedAndKept() throws Exception {
        Path backup = dir.resolve("b");
        assertThrows(IllegalStateException.class,
                () -> trainer().fit(TRAIN, options(3, 10, new BackupAndRestore(backup), new Crash(8 * 2 + 1))));
        Path file = backup.resolve(BackupAndRestore.FILE_NAME);
        byte[] saved = Files.readAllBytes(file);

        UncheckedIOException batch = assertThrows(UncheckedIOException.class,
                () -> trainer().fit(TRAIN, options(3, 16, new BackupAndRestore(backup))));
        assertInstanceOf(ModelFormatException.class, batch.getCause());
        assertTrue(batch.getMessage().contains("backup.batch_size") && batch.getMessage().contains("made with 10"),
                batch.getMessage());

        Sequential linear = Sequential.builder(8, 8, 1).seed(8).add(new Flatten()).add(new Dense(4, Activation.SOFTMAX)).build();
        Trainer other = new Trainer(linear, new Adam(0.01), Loss.sparseCategoricalCrossentropy(false));
        float[] before = other.model().parameters().get(0).data().clone();
        UncheckedIOException arch = assertThrows(UncheckedIOException.class,
                () -> other.fit(TRAIN, options(3, 10, new BackupAndRestore(backup))));
        assertTrue(arch.getMessage().contains("__metadata__.architecture"), arch.getMessage());
        assertArrayEquals(before, other.model().parameters().get(0).data(), "a refused backup changes nothing");

        Trainer sgd = new Trainer(TrainerTest.smallCnn(8), new Sgd(0.01, 0.9), Loss.sparseCategoricalCrossentropy(false));
        UncheckedIOException opt = assertThrows(UncheckedIOException.class,
                () -> sgd.fit(TRAIN, options(3, 10, new BackupAndRestore(backup))));
        assertTrue(opt.getMessage().contains("__metadata__.optimizer") && opt.getMessage().contains("Adam"), opt.getMessage());

        UncheckedIOException shorter = assertThrows(UncheckedIOException.class,
                () -> trainer().fit(TRAIN, options(1, 10, new BackupAndRestore(backup))));
        assertTrue(shorter.getMessage().contains("next_epoch") && shorter.getMessage().contains("2 epochs done"),
                shorter.getMessage());
        assertArrayEquals(saved, Files.readAllBytes(file), "refusing leaves the backup as it was");
    }

    @Test
    void leftoversOfAnInterruptedWriteAreRemoved() throws Exception {
        Path backup = dir.resolve("t");
        Files.createDirectories(backup);
        Path stale = backup.resolve("." + BackupAndRestore.FILE_NAME + ".1f2e3d.tmp");
        Files.write(stale, new byte[] {1, 2, 3});
        Path mine = backup.resolve("notes.txt");
        Files.writeString(mine, "kept");
        BackupAndRestore b = new BackupAndRestore(backup);
        trainer().fit(TRAIN, options(1, 10, b));
        assertEquals(-1, b.resumedAt());
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(backup.resolve(BackupAndRestore.FILE_NAME)));
        assertTrue(Files.exists(mine), "a directory with other files is left in place");
    }

    @Test
    void theStartMovesOnlyBeforeTheFirstEpoch() {
        TrainingContext ctx = new TrainingContext(TrainerTest.smallCnn(1), new Adam(), new History(), 5, 0, 8, 10, 80, 0);
        ctx.resumeAt(3);
        assertEquals(3, ctx.initialEpoch());
        assertEquals(24, ctx.globalStep());
        assertThrows(IllegalArgumentException.class, () -> ctx.resumeAt(6));
        ctx.setEpoch(3);
        assertThrows(IllegalStateException.class, () -> ctx.resumeAt(4));
    }
}
