package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.data.Dataset;
import dev.shears.io.ModelFiles;
import dev.shears.nn.Loss;
import dev.shears.nn.Parameter;
import dev.shears.nn.Sequential;
import dev.shears.optim.Adam;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The callbacks inside real (tiny, synthetic) training runs. */
class CallbacksInTrainingTest {
    private static final Loss LOSS = Loss.sparseCategoricalCrossentropy(false);

    @TempDir
    Path dir;

    private final Dataset train = SyntheticData.bars(192, 4, 31);
    private final Dataset validation = SyntheticData.bars(64, 4, 32);

    /** Validation data whose labels are all wrong by one class: the better the model learns, the worse it scores. */
    private Dataset misleadingValidation() {
        int[] y = validation.labels();
        for (int i = 0; i < y.length; i++) {
            y[i] = (y[i] + 1) % 4;
        }
        return new Dataset(validation.features(), validation.featureShape(), y, 4);
    }

    private static FitOptions options(int epochs, Dataset validation) {
        return FitOptions.defaults().withEpochs(epochs).withBatchSize(32).withShuffleSeed(5).withVerbose(false).withValidation(validation);
    }

    /** Records a copy of the weights at every epoch end (before any restore at train end). */
    private static final class WeightSnapshots implements Callback {
        final List<float[][]> perEpoch = new ArrayList<>();

        @Override
        public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
            perEpoch.add(weights(ctx.model()));
        }
    }

    private static float[][] weights(Sequential m) {
        List<Parameter> ps = m.parameters();
        float[][] out = new float[ps.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ps.get(i).data().clone();
        }
        return out;
    }

    private static void assertWeightsEqual(float[][] expected, float[][] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], "parameter " + i);
        }
    }

    @Test
    void earlyStoppingStopsAtPatienceAndRestoresTheBestEpoch() {
        Sequential m = TrainerTest.smallCnn(3);
        WeightSnapshots snaps = new WeightSnapshots();
        EarlyStopping es = new EarlyStopping(EarlyStopping.Options.defaults().withPatience(2).withRestoreBestWeights(true));
        History h = new Trainer(m, new Adam(0.01), LOSS).fit(train,
                options(10, misleadingValidation()).withCallback(snaps).withCallback(es));
        List<Double> val = h.get("val_loss");
        // the precondition of this scenario: epochs 1 and 2 do not beat epoch 0
        assertTrue(val.get(1) >= val.get(0) && val.get(2) >= val.get(0), val.toString());
        assertEquals(3, h.epochs(), "stops at the end of epoch 2: two epochs without improvement");
        assertEquals(2, es.stoppedEpoch());
        assertEquals(0, es.bestEpoch());
        assertWeightsEqual(snaps.perEpoch.get(0), weights(m));
        assertFalse(java.util.Arrays.equals(snaps.perEpoch.get(2)[0], weights(m)[0]), "training did move the weights");
    }

    @Test
    void checkpointWritesOnlyImprovingEpochsAndTheyLoadBack() throws Exception {
        Sequential m = TrainerTest.smallCnn(4);
        WeightSnapshots snaps = new WeightSnapshots();
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("best_{epoch:02d}.safetensors"),
                ModelCheckpoint.Options.defaults().withSaveBestOnly(true));
        History h = new Trainer(m, new Adam(0.02), LOSS).fit(train, options(4, validation).withCallback(snaps).withCallback(cb));
        double best = Double.POSITIVE_INFINITY;
        int files = 0;
        for (int e = 0; e < 4; e++) {
            Path f = dir.resolve(String.format("best_%02d.safetensors", e + 1));
            double v = h.get("val_loss").get(e);
            assertEquals(v < best, Files.exists(f), "epoch " + e + " val_loss " + v + " best before " + best);
            if (v < best) {
                best = v;
                files++;
                Sequential back = ModelFiles.load(f);
                assertWeightsEqual(snaps.perEpoch.get(e), weights(back));
                assertEquals(v, new Trainer(back, new Adam(), LOSS).evaluate(validation, 256).loss(), 1e-12);
            }
        }
        assertTrue(files >= 1);
        try (var listing = Files.list(dir)) {
            assertEquals(files, listing.count(), "no other files (no temporary files left behind)");
        }
        // with validation that only gets worse, the first epoch is the only one saved
        Path worse = dir.resolve("worse");
        ModelCheckpoint onlyFirst = new ModelCheckpoint(worse.resolve("m_{epoch}.safetensors"),
                ModelCheckpoint.Options.defaults().withSaveBestOnly(true));
        History hw = new Trainer(TrainerTest.smallCnn(4), new Adam(0.02), LOSS).fit(train,
                options(3, misleadingValidation()).withCallback(onlyFirst));
        assertTrue(hw.get("val_loss").get(1) >= hw.get("val_loss").get(0) && hw.get("val_loss").get(2) >= hw.get("val_loss").get(0));
        try (var listing = Files.list(worse)) {
            assertEquals(List.of("m_1.safetensors"), listing.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void reduceLrOnPlateauLowersTheRateAfterPatience() {
        Adam adam = new Adam(0.01);
        ReduceLROnPlateau cb = new ReduceLROnPlateau(ReduceLROnPlateau.Options.defaults().withPatience(1).withFactor(0.5));
        History h = new Trainer(TrainerTest.smallCnn(5), adam, LOSS).fit(train,
                options(3, misleadingValidation()).withCallback(cb));
        List<Double> val = h.get("val_loss");
        assertTrue(val.get(1) >= val.get(0) - 1e-4 && val.get(2) >= val.get(0) - 1e-4, val.toString());
        // logged at each epoch end before the reduction: epoch 1 ends with the first cut, epoch 2 with the second
        assertEquals(List.of((double) 0.01f, (double) 0.01f, (double) 0.005f), h.get("learning_rate"));
        assertEquals((float) 0.0025, adam.learningRate());
    }

    @Test
    void learningRateSchedulerSetsTheRateOfEachEpoch() {
        Adam adam = new Adam(0.01);
        List<Double> seenByBatches = new ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onBatchBegin(TrainingContext ctx, long step) {
                if (step % 6 == 0) {
                    seenByBatches.add(ctx.optimizer().learningRate());
                }
            }
        };
        History h = new Trainer(TrainerTest.smallCnn(6), adam, LOSS).fit(train, options(3, null)
                .withCallback(new LearningRateScheduler((epoch, lr) -> epoch == 0 ? lr : lr / 2)).withCallback(probe));
        List<Double> expected = List.of((double) 0.01f, (double) 0.005f, (double) 0.0025f);
        assertEquals(expected, seenByBatches, "first batch of each epoch (6 steps per epoch)");
        assertEquals(expected, h.get("learning_rate"));
        new Trainer(TrainerTest.smallCnn(6), adam, LOSS).fit(train, options(1, null)
                .withCallback(new LearningRateScheduler(epoch -> 0.125)));
        assertEquals(0.125, adam.learningRate());
    }

    @Test
    void csvLoggerWritesHeaderAndOneRowPerEpoch() throws Exception {
        Path file = dir.resolve("logs/train.csv");
        History h = new Trainer(TrainerTest.smallCnn(7), new Adam(0.01), LOSS).fit(train,
                options(2, validation).withCallback(new CSVLogger(file)));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(3, lines.size());
        assertEquals("epoch,accuracy,loss,seconds,val_accuracy,val_loss", lines.get(0));
        String[] keys = lines.get(0).split(",");
        for (int e = 0; e < 2; e++) {
            String[] cells = lines.get(e + 1).split(",");
            assertEquals(String.valueOf(e), cells[0]);
            for (int k = 1; k < keys.length; k++) {
                assertEquals(h.get(keys[k]).get(e), Double.parseDouble(cells[k]), "exact round trip of " + keys[k]);
            }
        }
        assertTrue(Files.readString(file).endsWith("\r\n"));
        // appending a resumed run adds rows, not a second header
        new Trainer(TrainerTest.smallCnn(7), new Adam(0.01), LOSS).fit(train,
                options(3, validation).withInitialEpoch(2).withCallback(new CSVLogger(file, ",", true)));
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(4, lines.size());
        assertTrue(lines.get(3).startsWith("2,"));
    }

    @Test
    void stopRequestedInABatchEndsTheEpochAfterThatBatch() {
        List<Double> batchLosses = new ArrayList<>();
        List<String> events = new ArrayList<>();
        Callback stopper = new Callback() {
            @Override
            public void onBatchEnd(TrainingContext ctx, long step, double loss, double accuracy) {
                batchLosses.add(loss);
                if (step == 2) {
                    ctx.requestStop();
                }
            }

            @Override
            public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
                events.add("end " + epoch);
            }

            @Override
            public void onTrainEnd(TrainingContext ctx) {
                events.add("train end " + ctx.stopRequested());
            }
        };
        History h = new Trainer(TrainerTest.smallCnn(8), new Adam(), LOSS).fit(train, options(5, null).withCallback(stopper));
        assertEquals(3, batchLosses.size());
        assertEquals(List.of("end 0", "train end true"), events);
        // three full batches of 32: the epoch's loss is their mean
        assertEquals((batchLosses.get(0) + batchLosses.get(1) + batchLosses.get(2)) / 3, h.last("loss"), 1e-12);
    }
}
