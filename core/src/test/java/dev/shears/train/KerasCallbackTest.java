package dev.shears.train;

import static dev.shears.train.KerasTrainingReference.VAL_LOSS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shears.io.ModelFiles;
import dev.shears.nn.Activation;
import dev.shears.nn.Dense;
import dev.shears.nn.Sequential;
import dev.shears.optim.Sgd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The callbacks driven by scripted epoch logs, exactly as make_training_reference.py drives Keras 3's own
 * callbacks: the same stops, best epochs, restored weights, learning rates, saved checkpoints and CSV text.
 */
class KerasCallbackTest {
    @TempDir
    Path dir;

    private final Sequential model = Sequential.builder(1).add(new Dense(1, Activation.LINEAR)).build();
    private final Sgd sgd = new Sgd(0.1, 0.0);

    /** A fresh context, as each fit call has one. */
    private TrainingContext context() {
        return new TrainingContext(model, sgd, new History(), 100, 0, 1, 1, 1, 0);
    }

    /** What a scripted run did: epochs run, and the rate after each epoch end. */
    private record Run(int epochs, float[] learningRates) {
    }

    /**
     * Runs the callback over epochs with logs {key: values[e]}; the model's kernel is set to the epoch index
     * before each epoch end, so restored weights tell their epoch.
     */
    private Run drive(Callback cb, String key, double... values) {
        TrainingContext ctx = context();
        cb.onTrainBegin(ctx);
        List<Float> rates = new ArrayList<>();
        int epochs = 0;
        for (int epoch = 0; epoch < values.length && !ctx.stopRequested(); epoch++) {
            cb.onEpochBegin(ctx, epoch);
            model.parameter("dense/kernel").data()[0] = epoch;
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put(key, values[epoch]);
            cb.onEpochEnd(ctx, epoch, logs);
            rates.add((float) sgd.learningRate());
            epochs++;
        }
        cb.onTrainEnd(ctx);
        float[] r = new float[rates.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = rates.get(i);
        }
        return new Run(epochs, r);
    }

    /** Keras's record: epochs run, stopped_epoch, best_epoch, final kernel (the restored epoch). */
    private void assertEarlyStopping(EarlyStopping.Options options, int[] keras, String key, double... values) {
        EarlyStopping es = new EarlyStopping(options);
        Run run = drive(es, key, values);
        int[] got = {run.epochs(), es.stoppedEpoch(), es.bestEpoch(), (int) model.parameter("dense/kernel").data()[0]};
        assertArrayEquals(keras, got, options.toString());
    }

    @Test
    void earlyStoppingMatchesKeras() {
        EarlyStopping.Options d = EarlyStopping.Options.defaults();
        assertEarlyStopping(d, KerasTrainingReference.ES_DEFAULT, "val_loss", VAL_LOSS);
    }

    @Test
    void earlyStoppingPatienceAndRestoreMatchKeras() {
        EarlyStopping.Options d = EarlyStopping.Options.defaults();
        assertEarlyStopping(d.withPatience(2), KerasTrainingReference.ES_PATIENCE2, "val_loss", VAL_LOSS);
        assertEarlyStopping(d.withPatience(2).withRestoreBestWeights(true), KerasTrainingReference.ES_PATIENCE2_RESTORE,
                "val_loss", VAL_LOSS);
        // Keras 3 restores the best weights at the end even when training was not stopped early
        assertEarlyStopping(d.withPatience(20).withRestoreBestWeights(true), KerasTrainingReference.ES_LONG_PATIENCE_RESTORE,
                "val_loss", VAL_LOSS);
    }

    @Test
    void earlyStoppingMinDeltaBaselineStartFromMatchKeras() {
        EarlyStopping.Options d = EarlyStopping.Options.defaults();
        assertEarlyStopping(d.withPatience(1).withMinDelta(0.06), KerasTrainingReference.ES_MIN_DELTA, "val_loss", VAL_LOSS);
        assertEarlyStopping(d.withPatience(3).withBaseline(0.75).withRestoreBestWeights(true),
                KerasTrainingReference.ES_BASELINE, "val_loss", VAL_LOSS);
        assertEarlyStopping(d.withPatience(1).withStartFromEpoch(4).withRestoreBestWeights(true),
                KerasTrainingReference.ES_START_FROM, "val_loss", VAL_LOSS);
        assertEarlyStopping(d.withMonitor("val_accuracy").withMode(MonitorMode.MAX).withPatience(1),
                KerasTrainingReference.ES_ACCURACY_MAX, "val_accuracy", KerasTrainingReference.VAL_ACCURACY);
    }

    @Test
    void autoModeMaximizesAccuracyAndRejectsUnknownNames() {
        EarlyStopping es = new EarlyStopping(EarlyStopping.Options.defaults().withMonitor("val_accuracy").withPatience(1));
        drive(es, "val_accuracy", KerasTrainingReference.VAL_ACCURACY);
        assertEquals(KerasTrainingReference.ES_ACCURACY_MAX[1], es.stoppedEpoch());
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.Options.defaults().withMonitor("val_auc"));
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.Options.defaults().withPatience(-1));
        EarlyStopping missing = new EarlyStopping();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> drive(missing, "loss", 1.0));
        assertEquals(true, e.getMessage().contains("val_loss") && e.getMessage().contains("validation"), e.getMessage());
    }

    private void assertPlateau(ReduceLROnPlateau.Options options, float[] keras) {
        sgd.setLearningRate(0.1);
        assertArrayEquals(keras, drive(new ReduceLROnPlateau(options), "val_loss", VAL_LOSS).learningRates(), options.toString());
    }

    @Test
    void reduceLrOnPlateauMatchesKeras() {
        ReduceLROnPlateau.Options d = ReduceLROnPlateau.Options.defaults();
        assertPlateau(d.withPatience(2).withFactor(0.5), KerasTrainingReference.RLR_PATIENCE2);
        assertPlateau(d.withPatience(1).withFactor(0.5).withCooldown(2), KerasTrainingReference.RLR_COOLDOWN);
        assertPlateau(d.withPatience(1).withFactor(0.1).withMinLr(0.005), KerasTrainingReference.RLR_MIN_LR);
        assertPlateau(d.withPatience(1).withFactor(0.5).withMinDelta(0.06), KerasTrainingReference.RLR_MIN_DELTA);
        assertThrows(IllegalArgumentException.class, () -> d.withFactor(1.0));
        assertThrows(IllegalArgumentException.class, () -> d.withCooldown(-1));
    }

    @Test
    void checkpointSavesTheSameEpochsAsKeras() throws Exception {
        ModelCheckpoint cb = new ModelCheckpoint(dir.resolve("ckpt_{epoch}.safetensors"),
                ModelCheckpoint.Options.defaults().withSaveBestOnly(true));
        drive(cb, "val_loss", VAL_LOSS);
        int[] saved;
        try (Stream<Path> files = Files.list(dir)) {
            saved = files.map(p -> p.getFileName().toString())
                    .mapToInt(n -> Integer.parseInt(n.substring("ckpt_".length(), n.length() - ".safetensors".length())))
                    .sorted().toArray();
        }
        assertArrayEquals(KerasTrainingReference.CHECKPOINT_SAVED, saved);
        // each file holds the model of its epoch (the kernel was set to the 0-based epoch index)
        for (int epoch : saved) {
            Sequential back = ModelFiles.load(dir.resolve("ckpt_" + epoch + ".safetensors"));
            assertEquals(epoch - 1, back.parameter("dense/kernel").data()[0]);
        }
    }

    @Test
    void csvLogMatchesKerasText() throws Exception {
        Path file = dir.resolve("log.csv");
        TrainingContext ctx = context();
        List<Map<String, Double>> logs = List.of(
                logs(0.5, 0.75, 0.625, 0.5), logs(0.25, 0.875, 0.375, 1.0));
        for (CSVLogger cb : List.of(new CSVLogger(file), new CSVLogger(file, ";", true))) {
            cb.onTrainBegin(ctx);
            for (int e = 0; e < logs.size(); e++) {
                cb.onEpochEnd(ctx, e, new LinkedHashMap<>(logs.get(e)));
            }
            cb.onTrainEnd(ctx);
        }
        assertEquals(KerasTrainingReference.CSV_APPENDED, Files.readString(file, StandardCharsets.UTF_8));
        CSVLogger trainOnly = new CSVLogger(file);
        trainOnly.onTrainBegin(ctx);
        Map<String, Double> l = new LinkedHashMap<>();
        l.put("loss", 0.5);
        l.put("accuracy", 0.75);
        trainOnly.onEpochEnd(ctx, 0, l);
        assertEquals(KerasTrainingReference.CSV_TRAIN_ONLY, Files.readString(file, StandardCharsets.UTF_8));
    }

    private static Map<String, Double> logs(double loss, double accuracy, double valLoss, double valAccuracy) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("accuracy", accuracy);
        m.put("val_loss", valLoss);
        m.put("val_accuracy", valAccuracy);
        return m;
    }
}
